/**
 * Lambda's asynchronous invocation, as SNS, EventBridge and `InvocationType: Event` use it:
 * throttled events wait in Lambda's queue and are tried again; a function error gets two more
 * tries, one and then two minutes later (divided by the clock's compression).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceTarget } from './invoker.js';

/** How often a throttled event is tried again before it counts as dropped. */
const MAX_THROTTLED_TRIES = 600;

/** Resolves true once an attempt succeeded, false when every retry failed. Never rejects. */
export async function invokeAsync(
  target: SourceTarget,
  event: unknown,
  compression: number,
): Promise<boolean> {
  const retryDelays = [60_000 / compression, 120_000 / compression];
  for (let throttled = 0, errors = 0; ;) {
    const result = await target.invoke(event).catch(() => undefined);
    if (result?.status === 'success') return true;
    if (result?.status === 'throttled' && throttled++ < MAX_THROTTLED_TRIES) {
      await sleep(100 + Math.random() * 400);
      continue;
    }
    if (errors >= retryDelays.length) return false;
    await sleep(retryDelays[errors++]!);
  }
}
