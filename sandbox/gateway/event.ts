/**
 * An HTTP request as API Gateway (HTTP API) hands it to Lambda: the payload format 2.0 event.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { randomBytes } from 'node:crypto';

export interface HttpRequestParts {
  method: string;
  /** The request target as received: path and query string. */
  target: string;
  /** Header name → every value received (Node's `headersDistinct`). */
  headers: Record<string, string[] | undefined>;
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
