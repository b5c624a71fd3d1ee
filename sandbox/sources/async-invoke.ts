/**
 * Lambda's asynchronous invocation, as SNS, EventBridge and `InvocationType: Event` use it:
 * throttled events wait in Lambda's queue and are tried again; a function error gets two more
 * tries (or what the function's EventInvokeConfig allows), one and then two minutes later (divided
 * by the clock's compression). An event that succeeded, or failed for good, is recorded to the
 * configured destination as Lambda records it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../account.js';
import type { SourceInvocation, SourceTarget } from './invoker.js';

/** How often a throttled event is tried again before it counts as dropped. */
const MAX_THROTTLED_TRIES = 600;

/** Lambda's invocation record, sent to an on-success or on-failure destination. */
export interface AsyncInvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: number; executedVersion: string; functionError?: 'Unhandled' };
  responsePayload?: unknown;
}

/** A function's `AWS::Lambda::EventInvokeConfig`. */
export interface AsyncInvokeConfig {
  /** 0 to 2. @default 2 */
  maxRetryAttempts?: number;
  /** How long an event may wait in the queue, in simulated seconds. @default 6 hours */
  maxEventAgeSeconds?: number;
  onSuccess?: (record: AsyncInvocationRecord) => void;
  onFailure?: (record: AsyncInvocationRecord) => void;
}

/** Resolves true once an attempt succeeded, false when every retry failed. Never rejects. */
export async function invokeAsync(
  target: SourceTarget,
  event: unknown,
  compression: number,
  config: AsyncInvokeConfig = {},
): Promise<boolean> {
  const retryDelays = [60_000 / compression, 120_000 / compression].slice(0, config.maxRetryAttempts ?? 2);
  const maxAgeMs = ((config.maxEventAgeSeconds ?? 21_600) * 1000) / compression;
  const queuedAt = Date.now();
  let attempts = 0;
  let last: SourceInvocation | undefined;
  const record = (condition: AsyncInvocationRecord['requestContext']['condition']) => {
    const failed = last !== undefined && last.status !== 'success';
    return {
      version: '1.0' as const,
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId: last?.requestId ?? '',
        functionArn: `arn:aws:lambda:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:function:${target.name ?? ''}:$LATEST`,
        condition,
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(failed && { functionError: 'Unhandled' as const }),
      },
      ...(last && { responsePayload: failed ? last.error : last.result }),
    };
  };
  const fail = (condition: 'RetriesExhausted' | 'EventAgeExceeded') => {
    config.onFailure?.(record(condition));
    return false;
  };
  for (let throttled = 0, errors = 0; ;) {
    if (Date.now() - queuedAt > maxAgeMs) return fail('EventAgeExceeded');
    const result = await target.invoke(event).catch(() => undefined);
    if (result?.status !== 'throttled') attempts += 1;
    if (result) last = result;
    if (result?.status === 'success') {
      config.onSuccess?.(record('Success'));
      return true;
    }
    if (result?.status === 'throttled' && throttled++ < MAX_THROTTLED_TRIES) {
      await sleep(100 + Math.random() * 400);
      continue;
    }
    if (errors >= retryDelays.length) return fail('RetriesExhausted');
    await sleep(retryDelays[errors++]!);
  }
}
