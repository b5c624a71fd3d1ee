/**
 * A function's invocation turned back into an HTTP response the way API Gateway does it: HTTP APIs
 * and function URLs with payload format 2.0, REST APIs (and HTTP APIs on 1.0) with the Lambda proxy
 * integration's output format.
 */

/** What the gateway needs from an invocation (the Lambda emulation's InvocationResult fits). */
export interface InvocationOutcome {
  status: 'success' | 'error' | 'timeout' | 'throttled';
  result?: unknown;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const jsonMessage = (
  statusCode: number,
  message: string,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  body: Buffer.from(JSON.stringify({ message })),
});

export const NOT_FOUND = () => jsonMessage(404, 'Not Found');
export const PAYLOAD_TOO_LARGE = () => jsonMessage(413, 'Request Entity Too Large');
export const INTERNAL_SERVER_ERROR = () => jsonMessage(500, 'Internal Server Error');
export const SERVICE_UNAVAILABLE = () => jsonMessage(503, 'Service Unavailable');
/** A throttled invocation: says when to try again, so that a well-behaved client backs off. */
export const TOO_MANY_REQUESTS = () => jsonMessage(429, 'Too Many Requests', { 'retry-after': '1' });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A structured response (one with `statusCode`); undefined when it is malformed. */
function structured(result: Record<string, unknown>): HttpResponse | undefined {
  const { statusCode, headers, cookies, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== 'number' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return undefined;
  }
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  const out: Record<string, string | string[]> = {};
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) return undefined;
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || value === null) continue;
      if (!['string', 'number', 'boolean'].includes(typeof value)) return undefined;
      out[name.toLowerCase()] = String(value);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === 'string')) return undefined;
    if (cookies.length > 0) out['set-cookie'] = cookies;
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: out,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

export function toHttpResponse(invocation: InvocationOutcome): HttpResponse {
  switch (invocation.status) {
    case 'throttled':
      return TOO_MANY_REQUESTS();
    case 'timeout':
      return SERVICE_UNAVAILABLE();
    case 'error':
      return INTERNAL_SERVER_ERROR();
    default:
      break;
  }
  const result = invocation.result;
  if (isRecord(result) && 'statusCode' in result) return structured(result) ?? INTERNAL_SERVER_ERROR();
  // No statusCode: API Gateway answers 200 with the result as a JSON body (a string as it is).
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(typeof result === 'string' ? result : (JSON.stringify(result) ?? 'null'), 'utf8'),
  };
}

/** REST APIs answer a failed or malformed invocation so (note the lower-case "server error"). */
export const BAD_GATEWAY = () => jsonMessage(502, 'Internal server error');
/** A REST API's answer to a path or method it has no resource for. */
export const MISSING_AUTHENTICATION_TOKEN = () => jsonMessage(403, 'Missing Authentication Token');
export const FORBIDDEN = () => jsonMessage(403, 'Forbidden');

/** The proxy integration's output: statusCode, headers, multiValueHeaders, body, isBase64Encoded. */
function proxyResponseV1(result: unknown): HttpResponse | undefined {
  if (!isRecord(result)) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
    return undefined;
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  const scalar = (value: unknown) => ['string', 'number', 'boolean'].includes(typeof value);
  const out: Record<string, string | string[]> = {};
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) return undefined;
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || value === null) continue;
      if (!scalar(value)) return undefined;
      out[name.toLowerCase()] = String(value);
    }
  }
  if (multiValueHeaders !== undefined && multiValueHeaders !== null) {
    if (!isRecord(multiValueHeaders)) return undefined;
    // A name in both maps: the multi-value list wins, as API Gateway merges them.
    for (const [name, values] of Object.entries(multiValueHeaders)) {
      if (values === undefined || values === null) continue;
      if (!Array.isArray(values) || !values.every(scalar)) return undefined;
      out[name.toLowerCase()] = values.map(String);
    }
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: out,
    body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8'),
  };
}

/**
 * A REST API's (or a 1.0 HTTP API's) response to an invocation. A REST API answers a function
 * error, a timeout or a malformed result with 502; an HTTP API with 500.
 */
export function toHttpResponseV1(invocation: InvocationOutcome, flavour: 'rest' | 'http'): HttpResponse {
  const failed = flavour === 'rest' ? BAD_GATEWAY : INTERNAL_SERVER_ERROR;
  if (invocation.status === 'throttled') return TOO_MANY_REQUESTS();
  if (invocation.status === 'timeout' && flavour === 'http') return SERVICE_UNAVAILABLE();
  if (invocation.status !== 'success') return failed();
  return proxyResponseV1(invocation.result) ?? failed();
}
