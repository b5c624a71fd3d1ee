/**
 * Lambda's asynchronous invocation, as SNS, EventBridge and `InvocationType: Event` use it:
 * throttled events wait in Lambda's queue and are tried again; a function error gets two more
 * tries (or `MaximumRetryAttempts`), one and then two minutes later (divided by the clock's
 * compression). Once an event is done, its destination (if any) gets Lambda's invocation record.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SourceInvocation, SourceTarget } from './invoker.js';

/** How often a throttled event is tried again before it counts as dropped. */
const MAX_THROTTLED_TRIES = 600;

/** A function's `EventInvokeConfig`, as far as the attempts go. */
export interface AsyncInvokeOptions {
  /** Retries after a function error, 0 to 2. @default 2 */
  maximumRetryAttempts?: number;
  /** Told once how the event ended, for its destinations. */
  onDone?: (outcome: AsyncOutcome) => void;
}

export interface AsyncOutcome {
  succeeded: boolean;
  /** Attempts that ran (throttled ones not counted). */
  attempts: number;
  /** The last attempt's result; undefined when the function could not be invoked at all. */
  last: SourceInvocation | undefined;
}

/** Resolves true once an attempt succeeded, false when every retry failed. Never rejects. */
export async function invokeAsync(
  target: SourceTarget,
  event: unknown,
  compression: number,
  options: AsyncInvokeOptions = {},
): Promise<boolean> {
  const retryDelays = [60_000 / compression, 120_000 / compression].slice(
    0,
    options.maximumRetryAttempts ?? 2,
  );
  let last: SourceInvocation | undefined;
  let attempts = 0;
  for (let throttled = 0, errors = 0; ;) {
    const result = await target.invoke(event).catch(() => undefined);
    if (result?.status !== 'throttled') attempts++;
    last = result ?? last;
    if (result?.status === 'success') break;
    if (result?.status === 'throttled' && throttled++ < MAX_THROTTLED_TRIES) {
      await sleep(100 + Math.random() * 400);
      continue;
    }
    if (errors >= retryDelays.length) break;
    await sleep(retryDelays[errors++]!);
  }
  const succeeded = last?.status === 'success';
  try {
    options.onDone?.({ succeeded, attempts, last });
  } catch {
    // a destination's failure is its own; the event itself is done
  }
  return succeeded;
}

/**
 * What Lambda sends an asynchronous invocation's destination: the request, how it ended, and the
 * function's response (its result, or its error).
 */
export function invocationRecord(
  functionArn: string,
  event: unknown,
  outcome: AsyncOutcome,
  now = new Date(),
): Record<string, unknown> {
  const { last } = outcome;
  const failed = !outcome.succeeded;
  return {
    version: '1.0',
    timestamp: now.toISOString(),
    requestContext: {
      requestId: last?.requestId ?? '',
      functionArn: `${functionArn}:$LATEST`,
      condition: failed ? 'RetriesExhausted' : 'Success',
      approximateInvokeCount: outcome.attempts,
    },
    requestPayload: event,
    responseContext: {
      statusCode: 200,
      executedVersion: '$LATEST',
      ...(failed && { functionError: 'Unhandled' }),
    },
    responsePayload: failed
      ? {
          errorType: last?.error?.errorType ?? (last?.status === 'timeout' ? 'Sandbox.Timedout' : 'Unknown'),
          errorMessage: last?.error?.errorMessage ?? `the invocation ended: ${last?.status ?? 'not run'}`,
          ...(last?.error?.trace && { trace: last.error.trace }),
        }
      : (last?.result ?? null),
  };
}
