/**
 * Posts one message to a Slack incoming webhook. Each attempt has a timeout; 429 waits as long
 * as `Retry-After` says; 5xx answers, timeouts and connection errors are retried with
 * exponential backoff and jitter; all of it within a deadline (the invocation's remaining time).
 * Any other 4xx is permanent (Slack's incoming-webhook answers: 400 `invalid_payload`,
 * 403 `action_prohibited`/`invalid_token`, 404 `channel_not_found`/`no_service`,
 * 410 `channel_is_archived`) and is not retried.
 *
 * Errors raised here carry the status and Slack's short answer, never the URL.
 */

export interface DeliveryOptions {
  /** Timeout of one POST, in ms. */
  attemptTimeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** First backoff step, in ms; doubles each retry. */
  baseBackoffMs: number;
  /** Largest backoff step, in ms. */
  maxBackoffMs: number;
}

export const DEFAULT_DELIVERY_OPTIONS: DeliveryOptions = {
  attemptTimeoutMs: 5000,
  maxAttempts: 5,
  baseBackoffMs: 250,
  maxBackoffMs: 8000,
};

/** Below this much time left, another attempt is not worth starting. */
const MIN_ATTEMPT_MS = 100;

export interface DeliveryResult {
  status: number;
  attempts: number;
  retries: number;
  latencyMs: number;
}

export class SlackDeliveryError extends Error {
  override name = 'SlackDeliveryError';
  constructor(
    message: string,
    readonly details: {
      /** True when Slack refused the message itself: retrying the same payload cannot help. */
      permanent: boolean;
      status?: number;
      /** Slack's answer, such as `channel_not_found` (trimmed, at most 200 characters). */
      slackError?: string;
      attempts: number;
      retries: number;
    },
  ) {
    super(message);
  }
}

export interface DeliveryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
}

export const systemClock: DeliveryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with "equal jitter": half the step fixed, half random. */
export function backoffMs(retry: number, options: DeliveryOptions, random: () => number): number {
  const step = Math.min(options.maxBackoffMs, options.baseBackoffMs * 2 ** (retry - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

type AttemptOutcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'permanent'; status: number; answer: string }
  | { kind: 'retry'; status?: number; answer: string; waitMs?: number };

function describeNetworkError(error: unknown): string {
  // Duck-typed: fetch's errors may come from another realm than this module's `Error`.
  const failure = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    cause?: unknown;
  };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return 'timed out';
  const cause = (typeof failure.cause === 'object' && failure.cause !== null ? failure.cause : {}) as {
    code?: unknown;
  };
  // Only the error code: undici's messages can include the address.
  return typeof cause?.code === 'string' ? `connection error ${cause.code}` : 'connection error';
}

async function attempt(
  url: string,
  body: string,
  timeoutMs: number,
  clock: DeliveryClock,
): Promise<AttemptOutcome> {
  let response: Response;
  let answer: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    answer = (await response.text()).trim().slice(0, 200);
  } catch (error) {
    return { kind: 'retry', answer: describeNetworkError(error) };
  }
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 429) {
    return {
      kind: 'retry',
      status,
      answer: answer || 'rate_limited',
      waitMs: parseRetryAfter(response.headers.get('retry-after'), clock.now()),
    };
  }
  if (status >= 500) return { kind: 'retry', status, answer };
  return {
    kind: 'permanent',
    status,
    answer: answer || (status >= 300 && status < 400 ? 'unexpected redirect' : ''),
  };
}

/**
 * Posts `payload` as JSON to `url`, retrying as described above until it is delivered, refused
 * for good, out of attempts, or out of time (`deadline`, epoch ms). Throws `SlackDeliveryError`.
 */
export async function postToSlack(
  url: string,
  payload: unknown,
  deadline: number,
  options: DeliveryOptions = DEFAULT_DELIVERY_OPTIONS,
  clock: DeliveryClock = systemClock,
): Promise<DeliveryResult> {
  const body = JSON.stringify(payload);
  const startedAt = clock.now();
  let attempts = 0;
  for (;;) {
    const left = deadline - clock.now();
    if (left < MIN_ATTEMPT_MS) {
      throw new SlackDeliveryError(`Slack delivery ran out of time before attempt ${attempts + 1}`, {
        permanent: false,
        attempts,
        retries: Math.max(0, attempts - 1),
      });
    }
    attempts += 1;
    const outcome = await attempt(url, body, Math.min(options.attemptTimeoutMs, left), clock);
    const retries = attempts - 1;
    if (outcome.kind === 'delivered') {
      return { status: outcome.status, attempts, retries, latencyMs: clock.now() - startedAt };
    }
    const statusText = outcome.status ? `HTTP ${outcome.status}` : 'no answer';
    if (outcome.kind === 'permanent') {
      throw new SlackDeliveryError(`Slack refused the message: ${statusText} ${outcome.answer}`.trim(), {
        permanent: true,
        status: outcome.status,
        slackError: outcome.answer || undefined,
        attempts,
        retries,
      });
    }
    const failure = (why: string) =>
      new SlackDeliveryError(
        `Slack delivery failed after ${attempts} attempt(s) (${why}): ${statusText} ${outcome.answer}`.trim(),
        {
          permanent: false,
          status: outcome.status,
          slackError: outcome.answer || undefined,
          attempts,
          retries,
        },
      );
    if (attempts >= options.maxAttempts) throw failure('no attempts left');
    const backoff = backoffMs(attempts, options, clock.random);
    // A 429 without Retry-After still waits at least a second.
    const waitMs = outcome.status === 429 ? Math.max(outcome.waitMs ?? 1000, backoff) : backoff;
    if (clock.now() + waitMs + MIN_ATTEMPT_MS > deadline) throw failure('no time left to wait and retry');
    await clock.sleep(waitMs);
  }
}
