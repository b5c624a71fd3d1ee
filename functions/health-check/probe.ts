/**
 * One HTTP health probe: GET the URL within a time limit. Up means a 2xx response, body included,
 * within the limit; anything else is down, with the reason.
 *
 * Every probe opens a fresh connection (no keep-alive pool): a pooled socket that the server has
 * since closed would otherwise show up as a false "down".
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';

export type DownReason = 'timeout' | 'connection_refused' | 'non_2xx' | 'network_error';

export type ProbeResult =
  | { up: true; status: number; latencyMs: number }
  | { up: false; status?: number; reason: DownReason; detail: string; latencyMs: number };

function get(url: URL, signal: AbortSignal): Promise<number> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'GET',
        agent: false,
        signal,
        headers: { accept: 'application/json', 'user-agent': 'lookout-health-check' },
      },
      (response) => {
        // Reading the body is part of being up.
        response.on('error', reject);
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.resume();
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export async function probe(url: string, timeoutMs: number): Promise<ProbeResult> {
  const startedAt = performance.now();
  const elapsed = () => Math.round((performance.now() - startedAt) * 100) / 100;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const status = await get(new URL(url), signal);
    if (status >= 200 && status < 300) return { up: true, status, latencyMs: elapsed() };
    return { up: false, status, reason: 'non_2xx', detail: `HTTP ${status}`, latencyMs: elapsed() };
  } catch (error) {
    const latencyMs = elapsed();
    if (signal.aborted) {
      return {
        up: false,
        reason: 'timeout',
        detail: `No complete response within ${timeoutMs} ms`,
        latencyMs,
      };
    }
    const code = (error as { code?: unknown } | undefined)?.code;
    if (code === 'ECONNREFUSED') {
      return { up: false, reason: 'connection_refused', detail: 'Connection refused', latencyMs };
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      up: false,
      reason: 'network_error',
      detail: typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message,
      latencyMs,
    };
  }
}
