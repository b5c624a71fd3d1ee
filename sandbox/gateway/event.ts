/**
 * An HTTP request as API Gateway hands it to Lambda: the payload format 2.0 event (HTTP APIs,
 * function URLs) and the 1.0 event (REST APIs' Lambda proxy integration, HTTP APIs on 1.0).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHash, randomBytes } from 'node:crypto';

export interface HttpRequestParts {
  method: string;
  /** The request target as received: path and query string. */
  target: string;
  /** Header name → every value received (Node's `headersDistinct`). */
  headers: Record<string, string[] | undefined>;
  /** Names and values as received, names in their own case (Node's `rawHeaders`); 1.0 events keep the case. */
  rawHeaders?: string[];
  body: Buffer;
  sourceIp: string;
  /** Port the gateway listens on, for x-forwarded-port. */
  port: number;
}

export interface ApiContext {
  apiId: string;
  accountId: string;
  stage: string;
  routeKey: string;
  pathParameters?: Record<string, string>;
  requestId: string;
  /** Epoch milliseconds. */
  now: number;
  /** The X-Ray header passed to the function, also added as x-amzn-trace-id. */
  traceHeader?: string;
}

export interface ProxyContextV1 extends ApiContext {
  /** REST APIs: no `version` field, `path` without the stage, a 1.0 HTTP API: `version: '1.0'`. */
  flavour: 'rest' | 'http';
  /** The resource template (`/items/{id}`) or, for an HTTP API's $default route, `$default`. */
  resource: string;
  /** The path the route was matched on: without the stage prefix. */
  path: string;
  /** REST APIs: content types that arrive base64-encoded; everything else arrives as text. */
  binaryMediaTypes?: string[];
}

/** Content types API Gateway passes through as text; anything else arrives base64-encoded. */
const TEXT_CONTENT_TYPE =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded|graphql)\b|[^;]*\+(json|xml)\b)/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time. */
export function apiGatewayTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

/** An id shaped like API Gateway's (`JKJaXmPLvHcESHA=`). */
export const newApiRequestId = (): string => randomBytes(11).toString('base64');

const decode = (value: string) => {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
};

export function splitTarget(target: string): { rawPath: string; rawQueryString: string } {
  let pathAndQuery = target;
  if (!target.startsWith('/')) {
    // Absolute form (`http://host/path?x`), as proxies send it.
    try {
      const url = new URL(target);
      pathAndQuery = `${url.pathname}${url.search}`;
    } catch {
      pathAndQuery = '/';
    }
  }
  const question = pathAndQuery.indexOf('?');
  return question < 0
    ? { rawPath: pathAndQuery, rawQueryString: '' }
    : { rawPath: pathAndQuery.slice(0, question), rawQueryString: pathAndQuery.slice(question + 1) };
}

/** Repeated keys are joined with commas, as API Gateway does. */
export function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const values = new Map<string, string[]>();
  for (const pair of rawQueryString.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decode(equals < 0 ? pair : pair.slice(0, equals));
    const value = equals < 0 ? '' : decode(pair.slice(equals + 1));
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values.size === 0
    ? undefined
    : Object.fromEntries([...values].map(([key, list]) => [key, list.join(',')]));
}

export function isTextContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXT_CONTENT_TYPE.test(contentType.trim());
}

/** Does `contentType` match one of a REST API's binary media types (image/png, a wildcard such as image/\*)? */
export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
  if (contentType === undefined) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return binaryMediaTypes.some((pattern) => {
    const [major, minor] = pattern.toLowerCase().split('/');
    const [typeMajor, typeMinor] = type.split('/');
    return (major === '*' || major === typeMajor) && (minor === '*' || minor === typeMinor);
  });
}

/** Header pairs as received, the forwarding headers API Gateway adds, and the trace header. */
function headerPairs(request: HttpRequestParts, traceHeader: string | undefined): [string, string][] {
  const pairs: [string, string][] = [];
  if (request.rawHeaders) {
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2)
      pairs.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
  } else {
    for (const [name, values] of Object.entries(request.headers))
      for (const value of values ?? []) pairs.push([name, value]);
  }
  const named = (name: string) => pairs.filter(([key]) => key.toLowerCase() === name);
  const forwardedFor = named('x-forwarded-for').map(([, value]) => value);
  const rest = pairs.filter(
    ([key]) =>
      !['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id'].includes(
        key.toLowerCase(),
      ),
  );
  rest.push(
    ['X-Forwarded-For', [...forwardedFor, request.sourceIp].join(', ')],
    ['X-Forwarded-Port', String(request.port)],
    ['X-Forwarded-Proto', 'http'],
  );
  const trace = traceHeader ?? named('x-amzn-trace-id')[0]?.[1];
  if (trace) rest.push(['X-Amzn-Trace-Id', trace]);
  return rest;
}

/** Repeated keys: the single-value map has the last one, the multi-value map all of them. */
function singleAndMulti(pairs: [string, string][]) {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of pairs) {
    single[key] = value;
    (multi[key] ??= []).push(value);
  }
  return pairs.length === 0 ? { single: null, multi: null } : { single, multi };
}

const nullIdentity = {
  accessKey: null,
  accountId: null,
  caller: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  user: null,
  userArn: null,
};

/** The Lambda proxy integration's input (payload format 1.0), as AWS documents it. */
export function toProxyEventV1(request: HttpRequestParts, api: ProxyContextV1): APIGatewayProxyEvent {
  const { rawPath, rawQueryString } = splitTarget(request.target);
  // HTTP APIs hand header names over in lower case; REST APIs as the client sent them.
  const headers = singleAndMulti(
    headerPairs(request, api.traceHeader).map(([key, value]): [string, string] =>
      api.flavour === 'http' ? [key.toLowerCase(), value] : [key, value],
    ),
  );
  const queryPairs = rawQueryString
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair): [string, string] => {
      const equals = pair.indexOf('=');
      return equals < 0
        ? [decode(pair), '']
        : [decode(pair.slice(0, equals)), decode(pair.slice(equals + 1))];
    });
  const query = singleAndMulti(queryPairs);
  const contentType = headers.single
    ? Object.entries(headers.single).find(([key]) => key.toLowerCase() === 'content-type')?.[1]
    : undefined;
  const host = request.headers.host?.[0];
  const domainName = host ?? `${api.apiId}.execute-api.localhost`;
  const userAgent = request.headers['user-agent']?.[0] ?? null;
  const base64 =
    api.flavour === 'rest'
      ? isBinaryMediaType(contentType, api.binaryMediaTypes ?? [])
      : !isTextContentType(contentType);
  const hasBody = request.body.length > 0;
  const method = request.method.toUpperCase();
  // REST APIs give the resource path without the stage; requestContext.path is the full one.
  const path = api.flavour === 'rest' ? api.path : rawPath;
  return {
    ...(api.flavour === 'http' && { version: '1.0' }),
    resource: api.resource,
    path,
    httpMethod: method,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: api.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      extendedRequestId: api.requestId,
      httpMethod: method,
      identity: {
        ...nullIdentity,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
        sourceIp: request.sourceIp,
        userAgent,
      },
      path: rawPath,
      protocol: 'HTTP/1.1',
      requestId: api.requestId,
      requestTime: apiGatewayTime(api.now),
      requestTimeEpoch: api.now,
      resourceId: createHash('sha256').update(api.resource).digest('hex').slice(0, 6),
      resourcePath: api.resource,
      stage: api.stage,
    },
    body: hasBody ? request.body.toString(base64 ? 'base64' : 'utf8') : null,
    isBase64Encoded: hasBody && base64,
  } as APIGatewayProxyEvent;
}

export function toApiGatewayEvent(request: HttpRequestParts, api: ApiContext): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString } = splitTarget(request.target);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of Object.entries(request.headers)) {
    if (!values || values.length === 0) continue;
    const key = name.toLowerCase();
    if (key === 'cookie') {
      cookies = values
        .flatMap((value) => value.split(';'))
        .map((cookie) => cookie.trim())
        .filter((cookie) => cookie !== '');
    } else {
      headers[key] = values.join(',');
    }
  }
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${request.sourceIp}`
    : request.sourceIp;
  headers['x-forwarded-port'] = String(request.port);
  headers['x-forwarded-proto'] = 'http';
  if (api.traceHeader) headers['x-amzn-trace-id'] = api.traceHeader;

  const contentType = headers['content-type'];
  const text = isTextContentType(contentType);
  const hasBody = request.body.length > 0;
  const queryStringParameters = queryParameters(rawQueryString);
  const domainName = headers.host ?? `${api.apiId}.execute-api.localhost`;
  const method = request.method.toUpperCase();

  return {
    version: '2.0',
    routeKey: api.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies && cookies.length > 0 && { cookies }),
    headers,
    ...(queryStringParameters && { queryStringParameters }),
    ...(api.pathParameters && { pathParameters: api.pathParameters }),
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: api.requestId,
      routeKey: api.routeKey,
      stage: api.stage,
      time: apiGatewayTime(api.now),
      timeEpoch: api.now,
    },
    ...(hasBody && { body: text ? request.body.toString('utf8') : request.body.toString('base64') }),
    isBase64Encoded: hasBody && !text,
  };
}
