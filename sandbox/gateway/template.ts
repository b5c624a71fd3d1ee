/**
 * The APIs of a synthesized template, as the sandbox serves them: HTTP APIs (API Gateway v2), REST
 * APIs (v1) with their resource trees, and Lambda function URLs. Whatever API-like resource the
 * sandbox cannot run, or runs without one of its features, is listed as a notice, never dropped.
 */
import { createHash } from 'node:crypto';
import type { CloudFormationTemplate, IntrinsicResolver, TemplateResource } from '../template/resolver.js';
import { resourcesOfType } from '../template/resolver.js';
import type { CorsSpec } from './cors.js';
import { readCors } from './cors.js';

export type ApiKind = 'http' | 'rest' | 'url';
export type PayloadVersion = '1.0' | '2.0';

export interface ApiRouteSpec {
  /** `GET /items/{id}`, `ANY /{proxy+}` or `$default`; for REST APIs the path is the resource's. */
  routeKey: string;
  /** The function behind the route; undefined when the route is not emulated. */
  functionName?: string;
  payloadVersion: PayloadVersion;
  /** Why requests to this route fail in the sandbox. */
  notEmulated?: string;
  /** The stage publishes this route's own metrics (REST: MetricsEnabled; HTTP: DetailedMetricsEnabled). */
  detailedMetrics?: boolean;
  /** A REST API MOCK integration's fixed answer (as CDK's CORS preflight methods give). */
  mockResponse?: MockResponse;
}

export interface MockResponse {
  statusCode: number;
  headers: Record<string, string>;
}

export interface ApiSpec {
  logicalId: string;
  /** The construct path (`Stack/OrdersApi`), from the template's metadata. */
  constructPath?: string;
  kind: ApiKind;
  /** The id API Gateway would give it (what `Ref` of the API reads as). */
  apiId: string;
  /** The API's name (REST API metrics use it as ApiName). */
  name: string;
  /** `$default` serves at the root; any other stage is a `/<stage>` prefix in the URL. */
  stage: string;
  routes: ApiRouteSpec[];
  /** REST APIs: content types passed to functions base64-encoded. */
  binaryMediaTypes: string[];
  /** The origin the deployed API answers on; the sandbox swaps it for the local one. */
  deployedOrigin: string;
  /** Function URLs: the alias (or `$LATEST`) the URL invokes. */
  qualifier?: string;
  /** HTTP APIs' `CorsConfiguration`, function URLs' `Cors`. */
  cors?: CorsSpec;
}

export interface ApiNotice {
  logicalId: string;
  type: string;
  /** `not emulated`: requests to it fail. `ignored`: requests pass through without it. */
  effect: 'not emulated' | 'ignored';
  why: string;
}

type Resource = TemplateResource;

const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A stable id shaped like API Gateway's (10 characters) or a function URL's (32). */
function shortId(stackName: string, logicalId: string, length: number): string {
  const digest = createHash('sha256').update(`${stackName}/${logicalId}`).digest();
  return [...digest.subarray(0, length)].map((byte) => LOWER_ALPHANUMERIC[byte % 36]).join('');
}

const apiOrigin = (apiId: string, region: string) => `https://${apiId}.execute-api.${region}.amazonaws.com`;
const urlOrigin = (urlId: string, region: string) => `https://${urlId}.lambda-url.${region}.on.aws`;

/**
 * What the API resources read as once deployed, for the stack's intrinsic resolver: `Ref` of an API
 * is its id, an HTTP API's ApiEndpoint and a function URL's FunctionUrl their public addresses, and
 * an HTTP API integration reads as its logical id (so that a route's `integrations/<id>` target
 * names it).
 */
export function apiResolverOptions(
  template: CloudFormationTemplate,
  stackName: string,
  region: string,
): { physicalNames: Record<string, string>; attributes: Record<string, string> } {
  const physicalNames: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [logicalId, resource] of resourcesOfType(template)) {
    switch (resource.Type) {
      case 'AWS::ApiGatewayV2::Api': {
        const apiId = shortId(stackName, logicalId, 10);
        physicalNames[logicalId] = apiId;
        attributes[`${logicalId}.ApiId`] = apiId;
        attributes[`${logicalId}.ApiEndpoint`] = apiOrigin(apiId, region);
        break;
      }
      case 'AWS::ApiGateway::RestApi': {
        const apiId = shortId(stackName, logicalId, 10);
        physicalNames[logicalId] = apiId;
        attributes[`${logicalId}.RestApiId`] = apiId;
        attributes[`${logicalId}.RootResourceId`] = shortId(stackName, `${logicalId}/`, 10);
        break;
      }
      case 'AWS::ApiGatewayV2::Integration':
        physicalNames[logicalId] = logicalId;
        break;
      case 'AWS::ApiGateway::Stage':
      case 'AWS::ApiGatewayV2::Stage': {
        const name = resource.Properties?.StageName;
        if (typeof name === 'string') physicalNames[logicalId] = name;
        break;
      }
      case 'AWS::Lambda::Url':
        attributes[`${logicalId}.FunctionUrl`] = `${urlOrigin(shortId(stackName, logicalId, 32), region)}/`;
        break;
      default:
        break;
    }
  }
  return { physicalNames, attributes };
}

/** The function named by an ARN or an API Gateway integration URI (`…:function:<name>[:alias]/invocations`). */
export function lambdaFunctionName(uriOrArn: string): string | undefined {
  const match = /:function:([^:/]+)/.exec(uriOrArn);
  if (match) return match[1];
  return /^[A-Za-z0-9_-]+$/.test(uriOrArn) ? uriOrArn : undefined;
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at, read without resolving it. */
function referenced(value: unknown): { logicalId: string; attribute?: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const object = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof object.Ref === 'string') return { logicalId: object.Ref };
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string')
    return { logicalId: getAtt[0], attribute: String(getAtt[1]) };
  if (typeof getAtt === 'string') {
    const [logicalId, attribute] = getAtt.split('.');
    return { logicalId: logicalId!, attribute };
  }
  return undefined;
}

const refersTo = (value: unknown, logicalId: string) => referenced(value)?.logicalId === logicalId;

export function readApis(
  template: CloudFormationTemplate,
  resolver: IntrinsicResolver,
): { apis: ApiSpec[]; notices: ApiNotice[] } {
  const ofType = (type: string) => resourcesOfType(template, type);
  const apis: ApiSpec[] = [];
  const notices: ApiNotice[] = [];
  const notice = (logicalId: string, effect: ApiNotice['effect'], why: string) =>
    notices.push({ logicalId, type: String(template.Resources?.[logicalId]?.Type), effect, why });
  const resolved = (value: unknown): string | undefined => {
    try {
      const result = resolver.resolve(value);
      return typeof result === 'string' ? result : undefined;
    } catch {
      return undefined;
    }
  };
  const constructPath = (resource: Resource) => {
    const path = resource.Metadata?.['aws:cdk:path'];
    return typeof path === 'string' ? path.replace(/\/Resource$/, '') : undefined;
  };
  const common = (logicalId: string, resource: Resource) => ({
    logicalId,
    ...(constructPath(resource) !== undefined && { constructPath: constructPath(resource) }),
    apiId: resolver.ref(logicalId),
    name: resolved(resource.Properties?.Name) ?? logicalId,
  });

  const corsOf = (value: unknown) => {
    try {
      const cors = readCors(resolver.resolve(value));
      return cors && { cors };
    } catch {
      return undefined;
    }
  };
  for (const [logicalId, resource] of resourcesOfType(template)) {
    const props = resource.Properties ?? {};
    if (resource.Type === 'AWS::ApiGatewayV2::Api') {
      if (props.ProtocolType !== 'HTTP') {
        notice(logicalId, 'not emulated', `${String(props.ProtocolType)} APIs are not emulated`);
        continue;
      }
      const api = readHttpApi(logicalId, ofType, resolved, notice);
      if (!api) continue;
      apis.push({
        ...common(logicalId, resource),
        kind: 'http',
        ...api,
        binaryMediaTypes: [],
        deployedOrigin: apiOrigin(resolver.ref(logicalId), resolver.region),
        ...corsOf(props.CorsConfiguration),
      });
    } else if (resource.Type === 'AWS::ApiGateway::RestApi') {
      const api = readRestApi(logicalId, props, ofType, resolved, notice);
      if (!api) continue;
      apis.push({
        ...common(logicalId, resource),
        kind: 'rest',
        ...api,
        deployedOrigin: apiOrigin(resolver.ref(logicalId), resolver.region),
      });
    } else if (resource.Type === 'AWS::Lambda::Url') {
      const functionName = lambdaFunctionName(resolved(props.TargetFunctionArn) ?? '');
      if (!functionName) {
        notice(logicalId, 'not emulated', 'its target function could not be read from the template');
        continue;
      }
      if (props.AuthType === 'AWS_IAM') notice(logicalId, 'ignored', 'AWS_IAM auth is not checked');
      if (props.InvokeMode === 'RESPONSE_STREAM')
        notice(logicalId, 'ignored', 'response streaming is not emulated: the response arrives whole');
      const url = resolver.getAtt(logicalId, 'FunctionUrl').replace(/\/$/, '');
      apis.push({
        logicalId,
        ...(constructPath(resource) !== undefined && { constructPath: constructPath(resource) }),
        kind: 'url',
        apiId: new URL(url).hostname.split('.')[0]!,
        name: functionName,
        stage: '$default',
        routes: [{ routeKey: '$default', functionName, payloadVersion: '2.0' }],
        binaryMediaTypes: [],
        deployedOrigin: url,
        ...(resolved(props.Qualifier) !== undefined && { qualifier: resolved(props.Qualifier) }),
        ...corsOf(props.Cors),
      });
    } else if (
      resource.Type === 'AWS::ApiGateway::Authorizer' ||
      resource.Type === 'AWS::ApiGatewayV2::Authorizer'
    ) {
      notice(logicalId, 'ignored', `the ${String(props.Type ?? props.AuthorizerType)} authorizer is not run`);
    } else if (
      resource.Type === 'AWS::ApiGateway::DomainName' ||
      resource.Type === 'AWS::ApiGatewayV2::DomainName'
    ) {
      notice(logicalId, 'ignored', 'custom domains are not served (use the local URL)');
    } else if (resource.Type === 'AWS::AppSync::GraphQLApi') {
      notice(logicalId, 'not emulated', 'AppSync GraphQL APIs are not emulated');
    }
  }
  // HTTP APIs first, then REST APIs, then function URLs: the first is the one a scenario calls.
  const order: ApiKind[] = ['http', 'rest', 'url'];
  apis.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  return { apis, notices };
}

type OfType = (type: string) => [string, Resource][];
type Resolved = (value: unknown) => string | undefined;
type Notice = (logicalId: string, effect: ApiNotice['effect'], why: string) => void;

function readHttpApi(
  apiLogicalId: string,
  ofType: OfType,
  resolved: Resolved,
  notice: Notice,
): Pick<ApiSpec, 'stage' | 'routes'> | undefined {
  const belongs = ([, resource]: [string, Resource]) => refersTo(resource.Properties?.ApiId, apiLogicalId);
  const integrations = new Map(ofType('AWS::ApiGatewayV2::Integration').filter(belongs));
  const stageResources = ofType('AWS::ApiGatewayV2::Stage').filter(belongs);
  const stages = stageResources.map(([, stage]) => resolved(stage.Properties?.StageName) ?? '$default');
  const routes: ApiRouteSpec[] = [];
  let iamRoutes = 0;
  for (const [routeId, route] of ofType('AWS::ApiGatewayV2::Route').filter(belongs)) {
    const props = route.Properties ?? {};
    const routeKey = resolved(props.RouteKey) ?? '';
    if (props.AuthorizationType === 'AWS_IAM') iamRoutes += 1;
    const target = resolved(props.Target);
    const integrationId = target?.startsWith('integrations/')
      ? target.slice('integrations/'.length)
      : undefined;
    const integration = integrationId ? integrations.get(integrationId) : undefined;
    if (!integration) {
      const why = target ? `its target ${target} is not an integration of the API` : 'it has no integration';
      routes.push({ routeKey, payloadVersion: '2.0', notEmulated: why });
      notice(routeId, 'not emulated', `${routeKey}: ${why}`);
      continue;
    }
    const ip = integration.Properties ?? {};
    const payloadVersion = resolved(ip.PayloadFormatVersion) === '2.0' ? '2.0' : '1.0';
    const functionName =
      ip.IntegrationType === 'AWS_PROXY' && ip.IntegrationSubtype === undefined
        ? lambdaFunctionName(resolved(ip.IntegrationUri) ?? '')
        : undefined;
    if (!functionName) {
      const why = `${routeKey}: ${String(ip.IntegrationSubtype ?? ip.IntegrationType)} integrations are not emulated (only Lambda proxy)`;
      routes.push({ routeKey, payloadVersion, notEmulated: why });
      notice(integrationId!, 'not emulated', why);
      continue;
    }
    routes.push({ routeKey, functionName, payloadVersion });
  }
  if (iamRoutes > 0)
    notice(apiLogicalId, 'ignored', `AWS_IAM authorization on ${iamRoutes} routes is not checked`);
  if (routes.length === 0) {
    notice(
      apiLogicalId,
      'not emulated',
      'it has no routes the sandbox can read (an OpenAPI body is not read)',
    );
    return undefined;
  }
  // The $default stage serves at the root; otherwise the URL carries the stage's name.
  const stage = stages.includes('$default') || stages.length === 0 ? '$default' : stages[0]!;
  const settings = stageResources[stages.indexOf(stage)]?.[1].Properties ?? {};
  const detailed = (routeSettings: unknown) =>
    (routeSettings as { DetailedMetricsEnabled?: unknown } | undefined)?.DetailedMetricsEnabled;
  for (const route of routes) {
    const own = detailed((settings.RouteSettings as Record<string, unknown> | undefined)?.[route.routeKey]);
    if (isTrue(own ?? detailed(settings.DefaultRouteSettings))) route.detailedMetrics = true;
  }
  return { stage, routes };
}

function readRestApi(
  apiLogicalId: string,
  props: Record<string, unknown>,
  ofType: OfType,
  resolved: Resolved,
  notice: Notice,
): Pick<ApiSpec, 'stage' | 'routes' | 'binaryMediaTypes'> | undefined {
  const belongs = ([, resource]: [string, Resource]) =>
    refersTo(resource.Properties?.RestApiId, apiLogicalId);
  const parents = new Map(
    ofType('AWS::ApiGateway::Resource')
      .filter(belongs)
      .map(([id, resource]) => [id, resource.Properties ?? {}]),
  );
  /** The resource's path template, `/items/{id}`; the root is `/`. */
  const pathOf = (reference: unknown, seen = new Set<string>()): string | undefined => {
    const target = referenced(reference);
    if (!target) return undefined;
    if (target.logicalId === apiLogicalId && target.attribute === 'RootResourceId') return '/';
    const resource = parents.get(target.logicalId);
    if (!resource || seen.has(target.logicalId)) return undefined;
    seen.add(target.logicalId);
    const parent = pathOf(resource.ParentId, seen);
    const part = resolved(resource.PathPart);
    return parent === undefined || part === undefined ? undefined : `${parent.replace(/\/$/, '')}/${part}`;
  };

  const routes: ApiRouteSpec[] = [];
  const ignoredAuth = new Set<string>();
  let apiKeyMethods = 0;
  for (const [methodId, method] of ofType('AWS::ApiGateway::Method').filter(belongs)) {
    const mp = method.Properties ?? {};
    const path = pathOf(mp.ResourceId);
    const httpMethod = resolved(mp.HttpMethod)?.toUpperCase();
    if (path === undefined || !httpMethod) {
      notice(
        methodId,
        'not emulated',
        'its resource path or HTTP method could not be read from the template',
      );
      continue;
    }
    const routeKey = `${httpMethod} ${path}`;
    const authorization = resolved(mp.AuthorizationType) ?? 'NONE';
    if (authorization === 'AWS_IAM') ignoredAuth.add('AWS_IAM');
    if (mp.ApiKeyRequired === true) apiKeyMethods += 1;
    const integration = (mp.Integration ?? {}) as Record<string, unknown>;
    const type = resolved(integration.Type) ?? 'none';
    const functionName =
      type === 'AWS_PROXY' ? lambdaFunctionName(resolved(integration.Uri) ?? '') : undefined;
    const mockResponse = type === 'MOCK' ? fixedMockResponse(integration, resolved) : undefined;
    if (mockResponse) {
      routes.push({ routeKey, payloadVersion: '1.0', mockResponse });
      continue;
    }
    if (!functionName) {
      const why =
        type === 'AWS_PROXY'
          ? `${routeKey}: its AWS_PROXY integration is not a Lambda function`
          : `${routeKey}: ${type} integrations are not emulated (only Lambda proxy, AWS_PROXY)`;
      routes.push({ routeKey, payloadVersion: '1.0', notEmulated: why });
      notice(methodId, 'not emulated', why);
      continue;
    }
    routes.push({ routeKey, functionName, payloadVersion: '1.0' });
  }
  if (ignoredAuth.size > 0) notice(apiLogicalId, 'ignored', 'AWS_IAM authorization is not checked');
  if (apiKeyMethods > 0)
    notice(apiLogicalId, 'ignored', `API keys required by ${apiKeyMethods} methods are not checked`);
  if (routes.length === 0) {
    notice(
      apiLogicalId,
      'not emulated',
      props.Body !== undefined || props.BodyS3Location !== undefined
        ? 'it is defined by an OpenAPI document, which the sandbox does not read'
        : 'it has no methods',
    );
    return undefined;
  }
  const stageResources = ofType('AWS::ApiGateway::Stage')
    .filter(belongs)
    .map(([, stage]) => ({ name: resolved(stage.Properties?.StageName), settings: stage.Properties ?? {} }));
  const deploymentStages = ofType('AWS::ApiGateway::Deployment')
    .filter(belongs)
    .map(([, deployment]) => ({
      name: resolved(deployment.Properties?.StageName),
      settings: (deployment.Properties?.StageDescription ?? {}) as Record<string, unknown>,
    }));
  const served = [...stageResources, ...deploymentStages].find(({ name }) => name !== undefined);
  const stage = served?.name ?? 'prod';
  markDetailedMethods(routes, served?.settings ?? {});
  const binaryMediaTypes = ((props.BinaryMediaTypes as unknown[] | undefined) ?? [])
    .map((type) => resolved(type))
    .filter((type): type is string => type !== undefined)
    // CloudFormation takes `~1` for a slash in these, as in a JSON pointer.
    .map((type) => type.replace(/~1/g, '/'));
  return { stage, routes, binaryMediaTypes };
}

/**
 * A REST API stage publishes a method's own metrics when its MethodSettings turn them on for that
 * method (`/~1orders~1{id}`, `GET`) or for all (`/*`, `*`); a deployment's StageDescription may
 * also turn them on for all with MetricsEnabled.
 */
function markDetailedMethods(routes: ApiRouteSpec[], settings: Record<string, unknown>): void {
  const methodSettings = ((settings.MethodSettings as Record<string, unknown>[] | undefined) ?? []).filter(
    (entry) => typeof entry === 'object' && entry !== null,
  );
  const enabledFor = (method: string, path: string) =>
    methodSettings.find(
      (entry) => entry.HttpMethod === method && resourcePath(String(entry.ResourcePath)) === path,
    )?.MetricsEnabled;
  const everywhere = enabledFor('*', '/*') ?? settings.MetricsEnabled;
  for (const route of routes) {
    const [method, path] = route.routeKey.split(' ');
    if (isTrue(enabledFor(method!, path!) ?? everywhere)) route.detailedMetrics = true;
  }
}

/** A MethodSettings ResourcePath (`/~1orders~1{id}`: a slash, then the path with `~1` for each slash). */
const resourcePath = (setting: string) => (setting === '/*' ? setting : setting.slice(1).replace(/~1/g, '/'));

/** A template's boolean, written as JSON's or as a string. */
const isTrue = (value: unknown) => value === true || value === 'true';

/**
 * A MOCK integration's answer when it is fixed: one default integration response (no selection
 * pattern, no mapping template) whose headers are literals (`'*'`), as CDK's CORS preflight is.
 * Anything computed from the request is left out (undefined): the method is then not emulated.
 */
function fixedMockResponse(
  integration: Record<string, unknown>,
  resolved: Resolved,
): MockResponse | undefined {
  const responses = (integration.IntegrationResponses ?? []) as Record<string, unknown>[];
  const chosen = responses.find((response) => response.SelectionPattern === undefined);
  if (!chosen || responses.length !== 1 || Object.keys(chosen.ResponseTemplates ?? {}).length > 0)
    return undefined;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries((chosen.ResponseParameters ?? {}) as Record<string, unknown>)) {
    const header = /^method\.response\.header\.(.+)$/.exec(key)?.[1];
    const literal = /^'(.*)'$/.exec(resolved(value) ?? '')?.[1];
    if (!header || literal === undefined) return undefined;
    headers[header.toLowerCase()] = literal;
  }
  const statusCode = Number(resolved(chosen.StatusCode));
  return Number.isInteger(statusCode) ? { statusCode, headers } : undefined;
}
