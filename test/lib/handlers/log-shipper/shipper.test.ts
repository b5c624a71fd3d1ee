/**
 * The log shipper as Lambda runs it (lib's withObservability, EMF metrics, the real SQS and
 * Secrets Manager clients) against a loopback search engine that speaks `_bulk` strictly, the
 * SQS stand-in as the dead-letter queue, and the official OpenSearch client reading back what was
 * shipped, as a user would.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Client } from '@opensearch-project/opensearch';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as HandlerExports from '../../../../lib/handlers/log-shipper/handler.js';
import { LOG_SHIPPER_API_KEY_PLACEHOLDER } from '../../../../lib/contract.js';
import type { ShipSummary } from '../../../../lib/handlers/log-shipper/ship.js';
import type { SqsStandIn } from '../../../../sandbox/aws/sqs.js';
import { startSqsStandIn } from '../../../../sandbox/aws/sqs.js';
import type { SearchStandIn } from '../../../../sandbox/aws/search.js';
import { startSearchStandIn } from '../../../../sandbox/aws/search.js';
import { setHandlerEnv } from '../../../support/aws-env.js';
import { lambdaContext } from '../../../support/lambda-events.js';
import type { CapturedOutput } from '../../../support/output.js';
import { captureOutput, metricValues } from '../../../support/output.js';
import type { FakeSecretsManager } from '../slack-notifier/support/fake-secrets-manager.js';
import { startFakeSecretsManager } from '../slack-notifier/support/fake-secrets-manager.js';
import { AWS_SAMPLE_EVENT, accessLine, emfLine, eventId, subscriptionEvent } from './support/subscription.js';

type HandlerModule = typeof HandlerExports;

const SERVICE = { service: 'log-shipper' };
const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:lookout/logs-api-key-AbCdEf';
const FAST = { baseBackoffMs: 5, maxBackoffMs: 20, requestTimeoutMs: 2_000, reserveMs: 500 };

let module: HandlerModule;
let sqs: SqsStandIn;
let secrets: FakeSecretsManager;
let engine: SearchStandIn;
let output: CapturedOutput;
let queueUrl: string;

beforeAll(async () => {
  sqs = await startSqsStandIn();
  secrets = await startFakeSecretsManager();
  secrets.secrets.set(SECRET_ARN, API_KEY);
  setHandlerEnv('lookout-log-shipper', {
    AWS_ENDPOINT_URL_SQS: sqs.url,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
  });
  module = await import('../../../../lib/handlers/log-shipper/handler.js');
});

afterAll(async () => {
  await sqs.close();
  await secrets.close();
});

beforeEach(async () => {
  engine = await startSearchStandIn({ authorization: `ApiKey ${API_KEY}` });
  queueUrl = sqs.createQueue(`log-dead-letters-${Math.random().toString(36).slice(2, 8)}`);
  output = captureOutput();
});

afterEach(async () => {
  const written = output.text();
  output.restore();
  // The API key never reaches a log line or a metric.
  expect(written).not.toContain(API_KEY);
  await engine.close();
});

/** A handler wired from the environment, as in Lambda. */
function shipper(env: Record<string, string> = {}, bulk: Record<string, number> = FAST) {
  Object.assign(process.env, {
    LOOKOUT_LOGS_ENDPOINT: engine.url,
    LOOKOUT_LOGS_AUTH: 'api-key',
    LOOKOUT_LOGS_API_KEY_SECRET_ARN: SECRET_ARN,
    LOOKOUT_LOGS_DEAD_LETTER_QUEUE_URL: queueUrl,
    ...env,
  });
  return module.createHandler({ bulk });
}

async function invoke(handler: ReturnType<typeof shipper>, event: unknown, remainingMs = 30_000) {
  try {
    return {
      summary: await handler(event as never, lambdaContext('lookout-log-shipper', remainingMs)),
      error: undefined,
    };
  } catch (error) {
    return { summary: undefined as ShipSummary | undefined, error: error as Error };
  }
}

/** The official client, as someone searching the shipped logs would hold it. */
const userClient = () => new Client({ node: engine.url, headers: { authorization: `ApiKey ${API_KEY}` } });

const deadLetters = (url = queueUrl) =>
  sqs
    .messages(url.split('/').pop()!)
    .map((m) => JSON.parse(m.body) as { id: string; reason: string; message: string });

describe('shipping', () => {
  it("ships the Lambda guide's sample batch: the template first, then one document per event, ids from the events", async () => {
    const { summary, error } = await invoke(shipper(), AWS_SAMPLE_EVENT);
    expect(error).toBeUndefined();
    expect(summary).toMatchObject({ received: 2, shipped: 2, skipped: 0, deadLettered: 0 });
    expect(engine.requests.slice(0, 2)).toEqual(['PUT /_index_template/lookout-logs', 'POST /_bulk']);
    expect(engine.bulkCalls[0]!.contentType).toBe('application/x-ndjson');

    const client = userClient();
    const found = await client.get({ index: 'lookout-logs-testloggroup-2015.08.24', id: 'eventId1' });
    expect(found.body._source).toMatchObject({
      message: '[ERROR] First test message',
      '@timestamp': '2015-08-24T19:03:07.000Z',
    });
    const template = await client.indices.getIndexTemplate({ name: 'lookout-logs' });
    const mappings = template.body.index_templates[0]!.index_template.template!.mappings!;
    expect(mappings.properties!['@timestamp']).toEqual({ type: 'date' });
    expect(metricValues(output.emf(), 'LogsShipped', SERVICE)).toEqual([2]);
  });

  it('makes Lookout lines searchable by correlation id and route, and leaves EMF lines out', async () => {
    const handler = shipper();
    const ids = [eventId(), eventId(), eventId()];
    const { summary } = await invoke(
      handler,
      subscriptionEvent([
        { id: ids[0]!, message: accessLine() },
        { id: ids[1]!, message: emfLine() },
        {
          id: ids[2]!,
          message: accessLine({ correlation_id: 'other', route: 'POST /orders', status: 201, level: 'INFO' }),
        },
      ]),
    );
    expect(summary).toMatchObject({ received: 3, shipped: 2, skipped: 1, deadLettered: 0 });

    const client = userClient();
    const byCorrelation = await client.search({
      index: 'lookout-logs-*',
      body: { query: { term: { 'labels.correlation_id': 'corr-7f3a9c' } } },
    });
    expect(byCorrelation.body.hits.hits.map((hit) => hit._id)).toEqual([ids[0]]);
    expect(byCorrelation.body.hits.hits[0]!._index).toBe('lookout-logs-orders-2026.12.06');
    const byRoute = await client.search({
      index: 'lookout-logs-orders-*',
      body: { query: { term: { 'http.route': 'POST /orders' } } },
    });
    expect(byRoute.body.hits.hits.map((hit) => hit._id)).toEqual([ids[2]]);
    expect(metricValues(output.emf(), 'LogsSkipped', SERVICE)).toEqual([1]);
  });

  it('never makes a duplicate when the same batch comes again', async () => {
    const event = subscriptionEvent([
      { id: eventId(), message: accessLine() },
      { id: eventId(), message: 'plain text' },
    ]);
    await invoke(shipper(), event);
    await invoke(shipper(), event);
    const count = await userClient().count({ index: 'lookout-logs-*' });
    expect(count.body.count).toBe(2);
    expect(engine.bulkCalls.map((call) => call.documents)).toEqual([2, 2]);
  });

  it('skips control messages without calling the engine', async () => {
    const { summary } = await invoke(shipper(), subscriptionEvent([], { messageType: 'CONTROL_MESSAGE' }));
    expect(summary).toMatchObject({ received: 0, shipped: 0, skipped: 1 });
    expect(engine.requests).toEqual([]);
  });

  it('fails a malformed event whole, for Lambda to retry and park it', async () => {
    const { error } = await invoke(shipper(), { awslogs: { data: 'bm90IGd6aXA=' } });
    expect(error?.message).toMatch(/not base64 gzipped JSON/);
  });
});

describe('bulk errors', () => {
  it('retries items the engine refused for now (429, 503) and parks the ones it never will, with the reason', async () => {
    const [busy, unavailable, broken, fine] = [eventId(), eventId(), eventId(), eventId()];
    const refusals = new Map([
      [busy, 2],
      [unavailable, 1],
    ]);
    engine.failItem = (_index, id) => {
      if (id === broken)
        return { status: 400, type: 'mapper_parsing_exception', reason: 'failed to parse field [labels]' };
      const left = refusals.get(id) ?? 0;
      if (left === 0) return undefined;
      refusals.set(id, left - 1);
      return id === busy
        ? { status: 429, type: 'es_rejected_execution_exception', reason: 'rejected execution' }
        : { status: 503, type: 'unavailable_shards_exception', reason: 'primary shard is not active' };
    };
    const { summary, error } = await invoke(
      shipper(),
      subscriptionEvent(
        [busy, unavailable, broken, fine].map((id) => ({ id, message: accessLine({ request_id: id }) })),
      ),
    );
    expect(error).toBeUndefined();
    expect(summary).toMatchObject({ received: 4, shipped: 3, deadLettered: 1, retries: 3 });
    expect(engine.bulkCalls.map((call) => call.documents)).toEqual([4, 2, 1]);
    expect([...engine.indices.get('lookout-logs-orders-2026.12.06')!.keys()].sort()).toEqual(
      [busy, unavailable, fine].sort(),
    );

    const parked = deadLetters();
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({
      id: broken,
      message: accessLine({ request_id: broken }),
      index: 'lookout-logs-orders-2026.12.06',
    });
    expect(parked[0]!.reason).toBe('400 mapper_parsing_exception: failed to parse field [labels]');
    expect(metricValues(output.emf(), 'LogsFailed', SERVICE)).toEqual([1]);
    expect(metricValues(output.emf(), 'LogsShipped', SERVICE)).toEqual([3]);
    expect(metricValues(output.emf(), 'LogShippingRetries', SERVICE)).toEqual([3]);
  });

  it('backs off when the whole request gets 429, honouring Retry-After, and gets through', async () => {
    engine.rejectBulks = 2;
    const { summary } = await invoke(
      shipper(),
      subscriptionEvent([{ id: eventId(), message: accessLine() }]),
    );
    expect(summary).toMatchObject({ shipped: 1, deadLettered: 0, retries: 2 });
    expect(engine.bulkCalls.map((call) => call.status)).toEqual([429, 429, 200]);
  });

  it('parks what is still refused after the last attempt, saying so', async () => {
    engine.rejectBulks = 100;
    const id = eventId();
    const { summary } = await invoke(
      shipper({}, { ...FAST, maxAttempts: 3 }),
      subscriptionEvent([{ id, message: accessLine() }]),
    );
    expect(summary).toMatchObject({ shipped: 0, deadLettered: 1 });
    expect(engine.bulkCalls).toHaveLength(3);
    expect(deadLetters()[0]!.reason).toMatch(
      /^gave up after 3 attempts: the engine answered 429: .*es_rejected_execution_exception/,
    );
  });

  it('splits a body the engine finds too large (413) and sends the halves, parking only a document too large alone', async () => {
    const events = Array.from({ length: 8 }, () => ({
      id: eventId(),
      message: accessLine({ padding: 'x'.repeat(2_000) }),
    }));
    const huge = { id: eventId(), message: accessLine({ padding: 'y'.repeat(20_000) }) };
    engine.maxBodyBytes = 12_000;
    const { summary, error } = await invoke(shipper(), subscriptionEvent([...events, huge]));
    expect(error).toBeUndefined();
    expect(summary).toMatchObject({ received: 9, shipped: 8, deadLettered: 1 });
    expect(engine.bulkCalls[0]).toMatchObject({ status: 413 });
    for (const call of engine.bulkCalls.filter((c) => c.status === 200))
      expect(call.bytes).toBeLessThanOrEqual(12_000);
    expect(deadLetters()).toEqual([
      expect.objectContaining({ id: huge.id, reason: 'the engine refused the document as too large (413)' }),
    ]);
  });
});

describe('time and trouble', () => {
  it('fails the invocation, well inside it, when the engine never answers the template request', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const started = Date.now();
      const { error } = await invoke(
        shipper({ LOOKOUT_LOGS_ENDPOINT: url }),
        subscriptionEvent([{ id: eventId(), message: accessLine() }]),
        6_000,
      );
      // Lambda retries the whole batch later; the ids make that safe.
      expect(error?.name).toBe('TimeoutError');
      expect(Date.now() - started).toBeLessThan(FAST.requestTimeoutMs + 1_000);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('times out bulk requests the engine never answers, retries while the invocation has time, then parks the batch', async () => {
    const handler = shipper({}, { ...FAST, maxAttempts: 100, baseBackoffMs: 200, reserveMs: 1_500 });
    await invoke(handler, subscriptionEvent([{ id: eventId(), message: accessLine() }]));
    engine.stallBulks = true;
    const id = eventId();
    const remainingMs = 6_000;
    const started = Date.now();
    const { summary, error } = await invoke(
      handler,
      subscriptionEvent([{ id, message: accessLine() }]),
      remainingMs,
    );
    expect(error).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(remainingMs);
    expect(summary).toMatchObject({ shipped: 0, deadLettered: 1 });
    expect(engine.bulkCalls.filter((call) => call.status === 0).length).toBeGreaterThanOrEqual(2);
    expect(deadLetters()).toEqual([
      expect.objectContaining({ id, reason: expect.stringMatching(/^ran out of time.*TimeoutError/) }),
    ]);
  });

  it('fails the invocation when the dead-letter queue refuses, so Lambda retries rather than losing events', async () => {
    engine.failItem = () => ({ status: 400, type: 'mapper_parsing_exception', reason: 'bad' });
    const missing = queueUrl.replace(/[^/]+$/, 'no-such-queue');
    const { error } = await invoke(
      shipper({ LOOKOUT_LOGS_DEAD_LETTER_QUEUE_URL: missing }),
      subscriptionEvent([{ id: eventId(), message: accessLine() }]),
    );
    expect(error).toBeDefined();
    expect(
      output
        .logs()
        .some((line) => String(line.message).startsWith('log events could neither be indexed nor parked')),
    ).toBe(true);
  });

  it('sends the API key from Secrets Manager, and an engine that refuses it gets nothing indexed', async () => {
    await invoke(shipper(), subscriptionEvent([{ id: eventId(), message: accessLine() }]));
    expect(secrets.calls).toContain(SECRET_ARN);
    expect(engine.indices.size).toBe(1);

    engine.authorize = () => false;
    const { error } = await invoke(shipper(), subscriptionEvent([{ id: eventId(), message: accessLine() }]));
    expect(error?.message).toMatch(/refused the index template lookout-logs \(401\)/);
  });

  it('says so when the API key secret still holds the placeholder LogShipping created', async () => {
    const placeholderArn = `${SECRET_ARN}-placeholder`;
    secrets.secrets.set(placeholderArn, LOG_SHIPPER_API_KEY_PLACEHOLDER);
    const { error } = await invoke(
      shipper({ LOOKOUT_LOGS_API_KEY_SECRET_ARN: placeholderArn }),
      subscriptionEvent([{ id: eventId(), message: accessLine() }]),
    );
    expect(error?.message).toBe(
      `the API key secret ${placeholderArn} holds no API key yet; put the key in it`,
    );
    expect(engine.requests).toEqual([]);
  });

  it('signs with SigV4 for an OpenSearch Service domain', async () => {
    let authorization: string | undefined;
    engine.authorize = (value) => {
      authorization = value;
      return value?.startsWith('AWS4-HMAC-SHA256 ') ?? false;
    };
    const { summary } = await invoke(
      shipper({ LOOKOUT_LOGS_AUTH: 'aws-es' }),
      subscriptionEvent([{ id: eventId(), message: accessLine() }]),
    );
    expect(summary).toMatchObject({ shipped: 1 });
    expect(authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/es\/aws4_request, SignedHeaders=[^,]*x-amz-content-sha256/,
    );
  });
});

describe('the fake engine speaks _bulk as the official client expects', () => {
  it('answers the client with per-item results and errors', async () => {
    engine.failItem = (_index, id) =>
      id === 'b' ? { status: 429, type: 'es_rejected_execution_exception', reason: 'busy' } : undefined;
    const response = await userClient().bulk({
      body: [
        { index: { _index: 'probe', _id: 'a' } },
        { n: 1 },
        { create: { _index: 'probe', _id: 'b' } },
        { n: 2 },
      ],
    });
    expect(response.body.errors).toBe(true);
    expect(response.body.items.map((item) => Object.values(item)[0]!.status)).toEqual([201, 429]);
    await expect(
      userClient().bulk({ body: [{ create: { _index: 'probe', _id: 'a' } }, { n: 3 }] }),
    ).resolves.toMatchObject({
      body: { items: [{ create: { status: 409 } }] },
    });
  });
});
