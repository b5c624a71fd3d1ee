import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { DeliveryOptions } from '../../../../lib/handlers/slack-notifier/slack-delivery.js';
import {
  SlackDeliveryError,
  backoffMs,
  parseRetryAfter,
  postToSlack,
} from '../../../../lib/handlers/slack-notifier/slack-delivery.js';
import type { FakeSlack } from './support/fake-slack.js';
import { OK, refusedUrl, startFakeSlack } from './support/fake-slack.js';

const TOKEN = 'xSECRETx9f8e7d6c5b4a';
// Attempts time out well before the 5 s slow answers, and well after a loaded machine answers a fast one.
const FAST: DeliveryOptions = { attemptTimeoutMs: 1500, maxAttempts: 4, baseBackoffMs: 20, maxBackoffMs: 80 };
const payload = { text: 'hello' };
const inSeconds = (seconds: number) => Date.now() + seconds * 1000;

async function deliveryError(promise: Promise<unknown>): Promise<SlackDeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SlackDeliveryError);
  const failure = error as SlackDeliveryError;
  expect(failure.message).not.toContain(TOKEN);
  return failure;
}

describe('posting to a Slack webhook', () => {
  let slack: FakeSlack;
  beforeEach(async () => {
    slack = await startFakeSlack();
  });
  afterEach(async () => {
    await slack.close();
  });

  it('posts the payload as JSON and succeeds on 200 ok', async () => {
    const result = await postToSlack(slack.webhookUrl(TOKEN), payload, inSeconds(10), FAST);
    expect(result).toMatchObject({ status: 200, attempts: 1, retries: 0 });
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]).toMatchObject({
      method: 'POST',
      path: `/services/T0LOOKOUT/B0ALERTS/${TOKEN}`,
      json: payload,
    });
    expect(slack.posts[0]!.headers['content-type']).toMatch(/^application\/json/);
  });

  it('waits as long as Retry-After says on 429, then delivers', async () => {
    slack.reply({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, OK);
    const result = await postToSlack(slack.webhookUrl(TOKEN), payload, inSeconds(10), FAST);
    expect(result).toMatchObject({ attempts: 2, retries: 1 });
    const gap = slack.posts[1]!.receivedAt - slack.posts[0]!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(990);
  });

  it('gives up on 429 when Retry-After reaches past the time left, without waiting', async () => {
    slack.reply({ status: 429, body: 'rate_limited', headers: { 'retry-after': '30' } });
    const startedAt = Date.now();
    const error = await deliveryError(postToSlack(slack.webhookUrl(TOKEN), payload, inSeconds(5), FAST));
    // Returned long before the 5 s deadline, let alone the 30 s asked for.
    expect(Date.now() - startedAt).toBeLessThan(4000);
    expect(error.details).toMatchObject({
      permanent: false,
      status: 429,
      slackError: 'rate_limited',
      attempts: 1,
    });
    expect(error.message).toMatch(/no time left/);
    expect(slack.posts).toHaveLength(1);
  });

  it.each([500, 503])('retries %i with backoff, then delivers', async (status) => {
    slack.reply({ status, body: 'rollup_error' }, { status, body: 'rollup_error' }, OK);
    const result = await postToSlack(slack.webhookUrl(TOKEN), payload, inSeconds(10), FAST);
    expect(result).toMatchObject({ status: 200, attempts: 3, retries: 2 });
    expect(slack.posts).toHaveLength(3);
  });

  it('stops after the last attempt on repeated 5xx, reporting Slack’s answer', async () => {
    slack.reply(...Array.from({ length: 4 }, () => ({ status: 503, body: 'service_unavailable' })));
    const error = await deliveryError(postToSlack(slack.webhookUrl(TOKEN), payload, inSeconds(10), FAST));
    expect(error.details).toMatchObject({
      permanent: false,
      status: 503,
      slackError: 'service_unavailable',
      attempts: 4,
      retries: 3,
    });
    expect(slack.posts).toHaveLength(4);
  });

  it('times out a slow answer and retries', async () => {
    slack.reply({ ...OK, delayMs: 5000 }, OK);
    const result = await postToSlack(slack.webhookUrl(TOKEN), payload, inSeconds(10), FAST);
    expect(result).toMatchObject({ attempts: 2, retries: 1 });
    // Did not sit out the slow answer.
    expect(result.latencyMs).toBeLessThan(4000);
  });

  it('never waits past the deadline, even when every answer is slow', async () => {
    slack.reply(...Array.from({ length: 10 }, () => ({ ...OK, delayMs: 5000 })));
    const startedAt = Date.now();
    const error = await deliveryError(
      postToSlack(slack.webhookUrl(TOKEN), payload, Date.now() + 700, {
        ...FAST,
        attemptTimeoutMs: 5000,
        maxAttempts: 10,
      }),
    );
    // Back well before the 5 s answers would have come: the 700 ms deadline held.
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(error.details.permanent).toBe(false);
    expect(error.message).toMatch(/timed out|out of time|no time left/);
  });

  it.each([
    [400, 'invalid_payload'],
    [403, 'action_prohibited'],
    [404, 'channel_not_found'],
    [404, 'no_service'],
    [410, 'channel_is_archived'],
  ])('treats %i %s as permanent: one request, Slack’s answer kept', async (status, answer) => {
    slack.reply({ status, body: answer });
    const error = await deliveryError(postToSlack(slack.webhookUrl(TOKEN), payload, inSeconds(10), FAST));
    expect(error.details).toEqual({ permanent: true, status, slackError: answer, attempts: 1, retries: 0 });
    expect(error.message).toBe(`Slack refused the message: HTTP ${status} ${answer}`);
    expect(slack.posts).toHaveLength(1);
  });

  it('does not follow redirects', async () => {
    slack.reply({ status: 302, headers: { location: 'https://elsewhere.example/' } });
    const error = await deliveryError(postToSlack(slack.webhookUrl(TOKEN), payload, inSeconds(10), FAST));
    expect(error.details).toMatchObject({ permanent: true, status: 302, slackError: 'unexpected redirect' });
  });

  it('retries refused connections, then fails without naming the address', async () => {
    const url = await refusedUrl(TOKEN);
    const error = await deliveryError(postToSlack(url, payload, inSeconds(10), FAST));
    expect(error.details).toMatchObject({ permanent: false, attempts: 4, retries: 3 });
    expect(error.message).toMatch(/connection error ECONNREFUSED/);
    expect(error.message).not.toContain('127.0.0.1');
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-28T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, up to the cap', () => {
    const options: DeliveryOptions = {
      attemptTimeoutMs: 1,
      maxAttempts: 9,
      baseBackoffMs: 100,
      maxBackoffMs: 1000,
    };
    expect([1, 2, 3, 4, 5].map((retry) => backoffMs(retry, options, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect([1, 2, 3, 4, 5].map((retry) => backoffMs(retry, options, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
  });
});
