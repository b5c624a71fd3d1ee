/**
 * Realistic traffic for the demo orders service: people register, log in, look at their profile,
 * place orders and read them back; the business monitor is read now and then. A scenario is a
 * list of phases, each with its own fault knobs (the demo service honours them only in demo mode).
 */
import { randomUUID } from 'node:crypto';
import { ORDER_CATEGORIES } from '../../functions/orders-core/order.js';

export interface Phase {
  name: string;
  seconds: number;
  /** Sent as `x-demo-failure-rate` (0..1) and `x-demo-latency-ms` on every request of the phase. */
  faults?: { failureRate?: number; latencyMs?: number };
}

/**
 * Normal traffic, then an error burst and a latency spike, each followed by a recovery. Lengths
 * are in simulated minutes, sized for the stack's alarms (a 5-minute error-rate window, 5 of 5
 * one-minute latency periods), and played `compression` times faster.
 */
export function scenarioFor(compression: number): Phase[] {
  const minutes = (count: number) => Math.max(1, Math.round((count * 60) / compression));
  return [
    { name: 'normal traffic', seconds: minutes(5) },
    { name: 'error burst', seconds: minutes(12), faults: { failureRate: 0.5 } },
    { name: 'recovery', seconds: minutes(12) },
    { name: 'latency spike', seconds: minutes(10), faults: { latencyMs: 1500 } },
    { name: 'recovery', seconds: minutes(12) },
  ];
}

export interface TrafficStats {
  requests: number;
  byStatus: Record<string, number>;
  failures: number;
}

export interface TrafficProgress {
  phase: Phase;
  phaseIndex: number;
  phaseCount: number;
  /** 0..1 through the whole scenario. */
  done: number;
  stats: TrafficStats;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** One simulated customer's session, request by request. */
async function session(
  baseUrl: string,
  headers: Record<string, string>,
  record: (status: number | 'network') => void,
) {
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> => {
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          'x-correlation-id': `traffic-${randomUUID()}`,
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await response.text();
      record(response.status);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, json };
    } catch {
      record('network');
      return { status: 0, json: undefined };
    }
  };

  const email = `shopper-${randomUUID()}@example.com`;
  const password = 'correct horse battery';
  const registered = await call('POST', '/users', { email, name: 'Sandbox Shopper', password });
  const userId = (registered.json as { id?: string } | undefined)?.id;
  await call('POST', '/login', { email, password: Math.random() < 0.15 ? 'wrong password!' : password });
  if (!userId) return;
  await call('GET', `/users/${userId}`);
  await call('GET', `/users/${userId}`);
  for (let i = 0; i < 2; i++) {
    const order = await call('POST', '/orders', {
      userId,
      category: pick(ORDER_CATEGORIES),
      items: [
        {
          sku: `SKU-${Math.floor(Math.random() * 50)}`,
          quantity: 1 + Math.floor(Math.random() * 3),
          unitPrice: Math.round(5 + Math.random() * 200),
        },
      ],
    });
    const orderId = (order.json as { id?: string } | undefined)?.id;
    if (orderId) await call('GET', `/orders/${orderId}`);
  }
  if (Math.random() < 0.3) await call('GET', '/stats/hourly');
  if (Math.random() < 0.2) await call('GET', '/');
}

/** Runs the phases with `concurrency` customers at a time; resolves with what was sent. */
export async function runScenario(
  baseUrl: string,
  phases: Phase[],
  options: {
    concurrency?: number;
    onProgress?: (progress: TrafficProgress) => void;
    signal?: AbortSignal;
  } = {},
): Promise<TrafficStats> {
  const stats: TrafficStats = { requests: 0, byStatus: {}, failures: 0 };
  const record = (status: number | 'network') => {
    stats.requests++;
    const key = status === 'network' ? 'network' : `${Math.floor(status / 100)}xx`;
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
    if (status === 'network' || status >= 500) stats.failures++;
  };
  const total = phases.reduce((sum, phase) => sum + phase.seconds, 0) * 1000;
  const startedAt = Date.now();
  for (const [phaseIndex, phase] of phases.entries()) {
    const headers: Record<string, string> = {};
    if (phase.faults?.failureRate !== undefined)
      headers['x-demo-failure-rate'] = String(phase.faults.failureRate);
    if (phase.faults?.latencyMs !== undefined) headers['x-demo-latency-ms'] = String(phase.faults.latencyMs);
    const phaseEnds = Date.now() + phase.seconds * 1000;
    const progress = setInterval(
      () =>
        options.onProgress?.({
          phase,
          phaseIndex,
          phaseCount: phases.length,
          done: Math.min(1, (Date.now() - startedAt) / total),
          stats,
        }),
      250,
    );
    const worker = async () => {
      while (Date.now() < phaseEnds && !options.signal?.aborted) await session(baseUrl, headers, record);
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    clearInterval(progress);
    if (options.signal?.aborted) break;
  }
  return stats;
}

/** A one-line progress bar for a terminal. */
export function progressLine(progress: TrafficProgress, width = 30): string {
  const filled = Math.round(progress.done * width);
  const { byStatus } = progress.stats;
  const counts = Object.entries(byStatus)
    .sort()
    .map(([status, count]) => `${status} ${count}`)
    .join('  ');
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(progress.done * 100)}%  phase ${progress.phaseIndex + 1}/${progress.phaseCount} ${progress.phase.name}  requests ${progress.stats.requests}  ${counts}`;
}
