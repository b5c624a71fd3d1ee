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
