/**
 * The front doors: one local gateway per HTTP API, REST API and function URL, the first on the
 * API port. They start before the functions, so that functions can be told their addresses. Each
 * request's AWS/ApiGateway (or, for a function URL, AWS/Lambda) metrics go to the metric store.
 */
import type { ApiKind } from '../gateway/index.js';
import { startApiGateway } from '../gateway/index.js';
import { SANDBOX_ACCOUNT } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';

/** An API as the sandbox serves it. */
export interface ServedApi {
  logicalId: string;
  /** The construct path, when the template has it. */
  constructPath?: string;
  kind: ApiKind;
  /** The stage the URL carries (`$default`: none). */
  stage: string;
  /** Where to send requests: `http://127.0.0.1:<port>`, then `/<stage>` for a named stage. */
  url: string;
  routes: string[];
  functionNames: string[];
}

export class GatewaysService implements SandboxService {
  readonly name = 'gateways';
  readonly resourceTypes = [
    'AWS::ApiGateway::*',
    'AWS::ApiGatewayV2::*',
    'AWS::Lambda::Url',
    'AWS::AppSync::*',
  ];
  /** Every API the sandbox serves: HTTP APIs, then REST APIs, then function URLs. */
  readonly apis: ServedApi[] = [];
  /** Deployed API origin → the local gateway's, for the functions' environment. */
  readonly origins: Record<string, string> = {};
  private readonly closers: (() => Promise<void>)[] = [];

  async start({ stack, functions, settings, metrics, clock }: ServiceContext): Promise<void> {
    for (const [index, api] of stack.apis.entries()) {
      const gateway = await startApiGateway(api, (name) => functions.get(name), {
        port: index === 0 ? (settings.apiPort ?? 3001) : 0,
        accountId: SANDBOX_ACCOUNT,
        onMetric: ({ value, ...datapoint }) =>
          metrics.put({ ...datapoint, values: [value], timestamp: clock.now() }),
      });
      this.closers.push(() => gateway.close());
      this.origins[api.deployedOrigin] = gateway.origin;
      this.apis.push({
        logicalId: api.logicalId,
        ...(api.constructPath !== undefined && { constructPath: api.constructPath }),
        kind: api.kind,
        stage: api.stage,
        url: gateway.url,
        routes: api.routes.map((route) => route.routeKey),
        functionNames: [...new Set(api.routes.flatMap((route) => route.functionName ?? []))],
      });
    }
  }

  async stop(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close().catch(() => {});
  }
}
