/** The sandbox's HTTP front door: API Gateway (HTTP API, payload 2.0) in front of local functions. */
export { startHttpGateway, routesTo, DEFAULT_MAX_BODY_BYTES } from './server.js';
export type { GatewayExchange, GatewayRoute, HttpGateway, HttpGatewayOptions, Invoker } from './server.js';
export { toApiGatewayEvent, apiGatewayTime, queryParameters, isTextContentType } from './event.js';
export type { ApiContext, HttpRequestParts } from './event.js';
export { toHttpResponse } from './response.js';
export type { HttpResponse, InvocationOutcome } from './response.js';
export { createRouter } from './routes.js';
export type { RouteMatch, Router } from './routes.js';
