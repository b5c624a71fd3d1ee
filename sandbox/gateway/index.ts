/** The sandbox's HTTP front doors: API Gateway HTTP and REST APIs and function URLs in front of local functions. */
export { startApiGateway, startHttpGateway, routesTo, DEFAULT_MAX_BODY_BYTES } from './server.js';
export type { GatewayExchange, GatewayRoute, HttpGateway, HttpGatewayOptions, Invoker } from './server.js';
export {
  toApiGatewayEvent,
  toProxyEventV1,
  apiGatewayTime,
  queryParameters,
  isTextContentType,
  isBinaryMediaType,
} from './event.js';
export type { ApiContext, HttpRequestParts, ProxyContextV1 } from './event.js';
export { toHttpResponse, toHttpResponseV1 } from './response.js';
export type { HttpResponse, InvocationOutcome } from './response.js';
export { createRouter } from './routes.js';
export type { RouteMatch, Router } from './routes.js';
export { apiResolverOptions, lambdaFunctionName, readApis } from './template.js';
export type { ApiKind, ApiNotice, ApiRouteSpec, ApiSpec, PayloadVersion } from './template.js';
export { requestDimensions, requestMetrics } from './metrics.js';
export type { GatewayDatapoint, MetricsApi } from './metrics.js';
