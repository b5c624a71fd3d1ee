/**
 * The instance that helpers such as `timeDbQuery` record into: the one whose invocation is
 * running, else the most recently created one (so that init-time calls are kept and flushed
 * with the next invocation). Lambda runs one invocation at a time per container.
 */
import type { Observability } from './observability.js';

let active: Observability | undefined;
let latest: Observability | undefined;

export function registerInstance(instance: Observability): void {
  latest = instance;
}

export function setActive(instance: Observability | undefined): void {
  active = instance;
}

export function currentInstance(): Observability | undefined {
  return active ?? latest;
}

/**
 * AWS SDK clients are usually created at module scope, before the handler is wrapped and before
 * the tracing backend has loaded: they wait here and are instrumented as soon as it has.
 */
const waitingClients: unknown[] = [];

export function awaitInstrumentation(client: unknown): void {
  waitingClients.push(client);
}

export function takeWaitingClients(): unknown[] {
  return waitingClients.splice(0, waitingClients.length);
}

/**
 * `timeDbQuery` calls still running, each as the callback that records it as timed out: when the
 * invocation times out they are recorded then, not never.
 */
export const runningQueries = new Set<() => void>();
