/**
 * CORS as HTTP APIs (`CorsConfiguration`) and function URLs (`Cors`) play it: the front door itself
 * answers a browser's preflight, whatever the routes, and sets the `Access-Control-*` headers of
 * every response to a request from an allowed origin, in place of any the function returned.
 */
import type { HttpResponse } from './response.js';

/** The configuration both take (the same fields, the same meaning). */
export interface CorsSpec {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  allowCredentials: boolean;
  maxAgeSeconds?: number;
}

const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);

/** Reads `CorsConfiguration` or `Cors` once resolved; undefined when there is none. */
export function readCors(value: unknown): CorsSpec | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const cors = value as Record<string, unknown>;
  return {
    allowOrigins: list(cors.AllowOrigins),
    allowMethods: list(cors.AllowMethods).map((method) => method.toUpperCase()),
    allowHeaders: list(cors.AllowHeaders).map((header) => header.toLowerCase()),
    exposeHeaders: list(cors.ExposeHeaders),
    allowCredentials: cors.AllowCredentials === true || cors.AllowCredentials === 'true',
    ...(cors.MaxAge !== undefined && { maxAgeSeconds: Number(cors.MaxAge) }),
  };
}

/** `*` matches any origin; `https://*.example.com` any subdomain. */
function allowsOrigin(cors: CorsSpec, origin: string): boolean {
  return cors.allowOrigins.some((allowed) => {
    if (allowed === '*') return true;
    const wildcard = /^(\w+:\/\/)\*\.(.+)$/.exec(allowed);
    if (wildcard) return origin.startsWith(wildcard[1]!) && origin.endsWith(`.${wildcard[2]!}`);
    return allowed.toLowerCase() === origin.toLowerCase();
  });
}

const allowOrigin = (cors: CorsSpec, origin: string) =>
  cors.allowOrigins.includes('*') && !cors.allowCredentials ? '*' : origin;

/** The front door's answer to a preflight request, or undefined when the request is not one. */
export function preflight(
  cors: CorsSpec,
  method: string,
  headers: Record<string, string[] | undefined>,
): HttpResponse | undefined {
  const origin = headers.origin?.[0];
  const requested = headers['access-control-request-method']?.[0];
  if (method !== 'OPTIONS' || !origin || !requested) return undefined;
  const reply: HttpResponse = { statusCode: 204, headers: {}, body: Buffer.alloc(0) };
  const methodAllowed = cors.allowMethods.some(
    (allowed) => allowed === '*' || allowed === requested.toUpperCase(),
  );
  if (!allowsOrigin(cors, origin) || !methodAllowed) return reply;
  const askedHeaders = headers['access-control-request-headers']?.[0];
  reply.headers = {
    'access-control-allow-origin': allowOrigin(cors, origin),
    'access-control-allow-methods': cors.allowMethods.join(','),
    ...(cors.allowHeaders.length > 0 && {
      'access-control-allow-headers':
        cors.allowHeaders.includes('*') && askedHeaders ? askedHeaders : cors.allowHeaders.join(','),
    }),
    ...(cors.allowCredentials && { 'access-control-allow-credentials': 'true' }),
    ...(cors.maxAgeSeconds !== undefined && { 'access-control-max-age': String(cors.maxAgeSeconds) }),
  };
  return reply;
}

/** The response as it leaves the front door: its CORS headers are the configuration's. */
export function withCorsHeaders(
  cors: CorsSpec,
  origin: string | undefined,
  reply: HttpResponse,
): HttpResponse {
  const headers = Object.fromEntries(
    Object.entries(reply.headers).filter(([name]) => !name.toLowerCase().startsWith('access-control-')),
  );
  if (origin && allowsOrigin(cors, origin)) {
    headers['access-control-allow-origin'] = allowOrigin(cors, origin);
    if (cors.exposeHeaders.length > 0)
      headers['access-control-expose-headers'] = cors.exposeHeaders.join(',');
    if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  }
  return { ...reply, headers };
}
