/**
 * Plays a scenario's phases against an API on the compressed clock: a phase of `minutes` simulated
 * minutes lasts `minutes * 60 / compression` real seconds, and `rate` requests per simulated minute
 * are sent `compression` times faster, at an even pace whatever the answers take.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiCaller, ScenarioPhase, ScenarioRequest } from './format.js';

export const DEFAULT_RATE = 60;
/** Requests in flight at once; past it the pace is not kept and the summary says how many were not sent. */
const MAX_IN_FLIGHT = 64;
const REQUEST_TIMEOUT_MS = 30_000;

export interface TrafficStats {
  requests: number;
  byStatus: Record<string, number>;
  /** Requests the pace called for that were not sent because too many were still waiting. */
  notSent: number;
}

export interface PlayProgress {
  phase: ScenarioPhase;
  phaseIndex: number;
  phaseCount: number;
  /** 0..1 through the whole scenario. */
  done: number;
  stats: TrafficStats;
}

export interface PlayOptions {
  compression: number;
  onProgress?: (progress: PlayProgress) => void;
  signal?: AbortSignal;
}

export function phaseName(phase: ScenarioPhase, index: number): string {
  return phase.name ?? `phase ${index + 1}`;
}

export async function playPhases(
  baseUrl: string,
  phases: ScenarioPhase[],
  options: PlayOptions,
): Promise<TrafficStats> {
  const stats: TrafficStats = { requests: 0, byStatus: {}, notSent: 0 };
  const realMs = (phase: ScenarioPhase) => (phase.minutes * 60_000) / options.compression;
  const total = phases.reduce((sum, phase) => sum + realMs(phase), 0);
  const startedAt = Date.now();
  const call = caller(baseUrl, stats, options.signal);
  for (const [phaseIndex, phase] of phases.entries()) {
    const endsAt = Date.now() + realMs(phase);
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
    try {
      if (phase.run) {
        const run = phase.run;
        const api: ApiCaller = (method, path, request = {}) =>
          call(method, path, { ...phase.headers, ...request.headers }, request.body);
        const user = async () => {
          while (Date.now() < endsAt && !options.signal?.aborted) await run(api);
        };
        await Promise.all(Array.from({ length: phase.concurrency ?? 3 }, user));
      } else {
        await paced(phase, endsAt, options, stats, (request) =>
          call(request.method, request.path, { ...phase.headers, ...request.headers }, request.body),
        );
      }
    } finally {
      clearInterval(progress);
    }
    if (options.signal?.aborted) break;
  }
  return stats;
}

/** Sends the phase's requests at its rate until it ends, then waits for the ones still in flight. */
async function paced(
  phase: ScenarioPhase,
  endsAt: number,
  options: Pick<PlayOptions, 'signal'>,
  stats: TrafficStats,
  send: (request: ScenarioRequest) => Promise<unknown>,
): Promise<void> {
  const pick = weightedPick(phase.requests!);
  // An even pace, each request at its own time: a late timer sends at once and the rest keep theirs.
  const count = Math.round((phase.rate ?? DEFAULT_RATE) * phase.minutes);
  const intervalMs = (endsAt - Date.now()) / count;
  const startsAt = Date.now();
  const inFlight = new Set<Promise<unknown>>();
  for (let index = 0; index < count && !options.signal?.aborted; index++) {
    const wait = startsAt + index * intervalMs - Date.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= MAX_IN_FLIGHT) {
      stats.notSent++;
      continue;
    }
    const sending = send(pick(Math.random())).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  }
  const rest = endsAt - Date.now();
  if (rest > 0) await sleep(rest, undefined, { signal: options.signal }).catch(() => undefined);
  await Promise.all(inFlight);
}

/** Picks a request by weight: `roll` (0 ≤ roll < 1) falls in each request's share of the total. */
export function weightedPick(requests: readonly ScenarioRequest[]): (roll: number) => ScenarioRequest {
  const total = requests.reduce((sum, request) => sum + request.weight, 0);
  return (roll) => {
    let left = roll * total;
    for (const request of requests) if ((left -= request.weight) < 0) return request;
    return requests.at(-1)!;
  };
}

function caller(baseUrl: string, stats: TrafficStats, signal: AbortSignal | undefined) {
  const record = (key: string) => {
    stats.requests++;
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
  };
  return async (method: string, path: string, headers: Record<string, string>, body: unknown) => {
    const sent: Record<string, string> = { 'x-correlation-id': `scenario-${randomUUID()}`, ...headers };
    let payload: string | undefined;
    if (typeof body === 'string') payload = body;
    else if (body !== undefined) {
      payload = JSON.stringify(body);
      if (!Object.keys(sent).some((name) => name.toLowerCase() === 'content-type'))
        sent['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(`${baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: sent,
        ...(payload === undefined ? {} : { body: payload }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      const text = await response.text();
      record(`${Math.floor(response.status / 100)}xx`);
      return { status: response.status, body: text };
    } catch {
      record('network');
      return { status: 0, body: '' };
    }
  };
}

/** A one-line progress bar for a terminal. */
export function progressLine(progress: PlayProgress, width = 30): string {
  const filled = Math.round(progress.done * width);
  const counts = Object.entries(progress.stats.byStatus)
    .sort()
    .map(([status, count]) => `${status} ${count}`)
    .join('  ');
  const name = phaseName(progress.phase, progress.phaseIndex);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${Math.round(progress.done * 100)}%  phase ${progress.phaseIndex + 1}/${progress.phaseCount} ${name}  requests ${progress.stats.requests}  ${counts}`;
}
