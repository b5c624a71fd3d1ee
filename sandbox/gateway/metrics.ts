/**
 * What one request adds to CloudWatch, as the front door it came through publishes it: a REST API
 * in AWS/ApiGateway by ApiName, an HTTP API in AWS/ApiGateway by ApiId, a function URL in AWS/Lambda
 * by FunctionName. Error metrics are 0 or 1 per request, so that their Average is the error rate;
 * whatever answered (the function or the gateway itself: no route, throttled, failed integration,
 * timeout), the status class decides.
 */
import type { ProducedMetric } from '../metrics/produced.js';
import type { CloudWatchUnit } from '../metrics/units.js';
import type { GatewayExchange } from './server.js';
import type { ApiRouteSpec, ApiSpec } from './template.js';

export interface GatewayDatapoint {
  namespace: 'AWS/ApiGateway' | 'AWS/Lambda';
  name: ProducedMetric<'AWS/ApiGateway'> | ProducedMetric<'AWS/Lambda'>;
  dimensions: Record<string, string>;
  value: number;
  unit: CloudWatchUnit;
}

export type MetricsApi = Pick<ApiSpec, 'kind' | 'apiId' | 'name' | 'stage' | 'qualifier'> & {
  routes: readonly Pick<ApiRouteSpec, 'routeKey' | 'detailedMetrics'>[];
};

type Exchange = Pick<
  GatewayExchange,
  'method' | 'routeKey' | 'statusCode' | 'durationMs' | 'integrationMs' | 'bytes'
>;

/**
 * The dimension sets a request is counted under; per-method (per-route) ones only for a matched
 * route whose stage has detailed metrics turned on, as API Gateway publishes them.
 */
export function requestDimensions(api: MetricsApi, routeKey: string | undefined): Record<string, string>[] {
  const detailed = api.routes.some((route) => route.routeKey === routeKey && route.detailedMetrics);
  const route = !detailed || routeKey === '$default' ? undefined : routeKey!.split(' ');
  switch (api.kind) {
    case 'rest': {
      const sets: Record<string, string>[] = [{ ApiName: api.name }, { ApiName: api.name, Stage: api.stage }];
      if (route) sets.push({ ApiName: api.name, Method: route[0]!, Resource: route[1]!, Stage: api.stage });
      return sets;
    }
    case 'http': {
      const sets: Record<string, string>[] = [{ ApiId: api.apiId }, { ApiId: api.apiId, Stage: api.stage }];
      if (route) sets.push({ ApiId: api.apiId, Method: route[0]!, Resource: route[1]!, Stage: api.stage });
      return sets;
    }
    case 'url':
      return [
        { FunctionName: api.name },
        { FunctionName: api.name, Resource: `${api.name}:${api.qualifier ?? '$LATEST'}` },
      ];
  }
}

export function requestMetrics(api: MetricsApi, exchange: Exchange): GatewayDatapoint[] {
  const is = (hundreds: number) => (Math.floor(exchange.statusCode / 100) === hundreds ? 1 : 0);
  type Value = readonly [GatewayDatapoint['name'], number | undefined, CloudWatchUnit];
  const values: Value[] =
    api.kind === 'url'
      ? [
          ['UrlRequestCount', 1, 'Count'],
          ['Url4xxCount', is(4), 'Count'],
          ['Url5xxCount', is(5), 'Count'],
          ['UrlRequestLatency', exchange.durationMs, 'Milliseconds'],
        ]
      : [
          ['Count', 1, 'Count'],
          [api.kind === 'rest' ? '4XXError' : '4xx', is(4), 'Count'],
          [api.kind === 'rest' ? '5XXError' : '5xx', is(5), 'Count'],
          ['Latency', exchange.durationMs, 'Milliseconds'],
          ['IntegrationLatency', exchange.integrationMs, 'Milliseconds'],
          ...(api.kind === 'http' ? [['DataProcessed', exchange.bytes, 'Bytes'] as Value] : []),
        ];
  const namespace = api.kind === 'url' ? 'AWS/Lambda' : 'AWS/ApiGateway';
  return requestDimensions(api, exchange.routeKey).flatMap((dimensions) =>
    values.flatMap(([name, value, unit]) =>
      value === undefined ? [] : [{ namespace, name, dimensions, value, unit }],
    ),
  );
}
