/**
 * A function's invocation turned back into an HTTP response the way API Gateway (HTTP API,
 * payload format 2.0) does it.
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
