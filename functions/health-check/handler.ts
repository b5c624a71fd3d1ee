/**
 * The scheduled health check (every minute in the stack): calls the service's GET /health and
 * records `HealthCheckSuccess` (1 or 0) and `HealthCheckLatency` by target, the input of the
 * "service down" alarm. It reports through metrics and logs, never by failing: a failed
 * invocation would only be retried.
 *
 * Environment: HEALTH_CHECK_URL (required, full URL of GET /health), HEALTH_CHECK_TARGET (the
 * checked service's name, default `orders`), HEALTH_CHECK_TIMEOUT_MS (default 3000).
 */
import { getLogger, recordHealthCheck, withObservability } from 'lookout';
import type { ProbeResult } from './probe.js';
import { probe } from './probe.js';

export const DEFAULT_TIMEOUT_MS = 3000;

export interface HealthCheckConfig {
  url: string;
  /** The URL as logged: no credentials, no query string. */
  loggableUrl: string;
  target: string;
  timeoutMs: number;
}

export function readHealthCheckConfig(env: Record<string, string | undefined>): HealthCheckConfig {
  const raw = env.HEALTH_CHECK_URL?.trim();
  if (!raw) throw new Error('Environment variable HEALTH_CHECK_URL is required but not set');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('HEALTH_CHECK_URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`HEALTH_CHECK_URL must be http or https, not ${url.protocol}`);
  }
  const timeoutRaw = env.HEALTH_CHECK_TIMEOUT_MS?.trim();
  const timeoutMs = timeoutRaw ? Number(timeoutRaw) : DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000) {
    throw new Error('HEALTH_CHECK_TIMEOUT_MS must be a whole number of milliseconds between 1 and 60000');
  }
  return {
    url: url.toString(),
    loggableUrl: `${url.origin}${url.pathname}`,
    target: env.HEALTH_CHECK_TARGET?.trim() || 'orders',
    timeoutMs,
  };
}

const config = readHealthCheckConfig(process.env);

export type HealthCheckResult = ProbeResult & { target: string };

export const handler = withObservability<unknown, HealthCheckResult>(
  async () => {
    const result = await probe(config.url, config.timeoutMs);
    recordHealthCheck(config.target, result.up, result.latencyMs);
    const fields = {
      target: config.target,
      url: config.loggableUrl,
      status: result.status,
      latency_ms: result.latencyMs,
    };
    if (result.up) {
      getLogger().info('Health check passed', fields);
    } else {
      getLogger().error('Health check failed', { ...fields, reason: result.reason, detail: result.detail });
    }
    return { target: config.target, ...result };
  },
  { serviceName: 'health-check' },
);
