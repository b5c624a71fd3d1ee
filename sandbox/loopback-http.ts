/**
 * What every HTTP server the sandbox runs on loopback shares (the console, the API gateway, the
 * local AWS endpoints, the OTLP receiver, the Slack stand-in).
 *
 * Listening on 127.0.0.1 keeps other machines out, but not the web pages the user opens: a page
 * can point a name it controls at 127.0.0.1 (DNS rebinding) and then read the answers as its own.
 * Such requests carry the page's name in the Host header, so only loopback names are answered.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { win32 } from 'node:path';

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

/** `127.0.0.1`, `localhost` or `[::1]`, with or without a port. */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

/** Exactly one Host header naming loopback, and a request target that names no other host. */
export function isAddressedToLoopback(request: IncomingMessage): boolean {
  const hosts = request.headersDistinct.host ?? [];
  if (hosts.length !== 1 || !isLoopbackHost(hosts[0])) return false;
  const target = request.url ?? '/';
  if (target.startsWith('/') || target === '*') return true;
  // Absolute form (`GET http://host/path`): the host in the target is the one that counts.
  try {
    return isLoopbackHost(new URL(target).host);
  } catch {
    return false;
  }
}

/**
 * Makes `server` answer 421 Misdirected Request, with no body, to any request not addressed to
 * loopback; the handlers it already has see only the others. Call it after `createServer`.
 */
export function acceptLoopbackOnly<S extends Server>(server: S): S {
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (isAddressedToLoopback(request)) {
      for (const handler of handlers) handler.call(server, request, response);
      return;
    }
    request.resume();
    response.writeHead(421, { 'content-length': '0', connection: 'close' }).end();
  });
  return server;
}

/**
 * An error's message fit for an HTTP answer: a system error (a file that cannot be read) says what
 * failed without its path, and no other message keeps an absolute path either.
 */
export function publicErrorMessage(error: unknown): string {
  const { code, syscall, message } = (error ?? {}) as {
    code?: unknown;
    syscall?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string' && typeof syscall === 'string') return `${syscall} failed (${code})`;
  const text = typeof message === 'string' ? message : String(error);
  return text
    .split(/(\s+)/)
    .map((word) => {
      const bare = word.replace(/^['"`(]+|['"`),.:;]+$/g, '');
      return /^file:\/\//i.test(bare) || (win32.isAbsolute(bare) && /[\\/]/.test(bare.slice(1)))
        ? word.replace(bare, '<path>')
        : word;
    })
    .join('');
}
