/**
 * The notifier as Lambda runs it: the real handler (lib's withObservability, Powertools logger and
 * EMF metrics), a local HTTP server playing Slack, Secrets Manager and DynamoDB on loopback.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type * as HandlerExports from '../../../../lib/handlers/slack-notifier/handler.js';
import type { AlertDeliveryError } from '../../../../lib/handlers/slack-notifier/notify.js';
import type { DeliveryOptions } from '../../../../lib/handlers/slack-notifier/slack-delivery.js';
import { TEST_CREDENTIALS, TEST_REGION, setHandlerEnv } from '../../../support/aws-env.js';
import type { LocalDynamo } from '../../../support/dynalite.js';
import { startDynalite } from '../../../support/dynalite.js';
import { lambdaContext } from '../../../support/lambda-events.js';
import type { CapturedOutput } from '../../../support/output.js';
import { captureOutput, dimensionSets, metricUnit, metricValues } from '../../../support/output.js';
import { fixture, snsEvent, snsRecord } from './support/alerts.js';
import { blockKitViolations, messageText } from './support/block-kit-rules.js';
import type { FakeSecretsManager } from './support/fake-secrets-manager.js';
import { startFakeSecretsManager } from './support/fake-secrets-manager.js';
import type { FakeSlack } from './support/fake-slack.js';
import { OK, refusedUrl, startFakeSlack } from './support/fake-slack.js';
import { startSilentServer } from './support/silent-server.js';

type HandlerModule = typeof HandlerExports;

const CRITICAL_TOKEN = 'xCRITxTOKENx4242';
const WARNING_TOKEN = 'xWARNxTOKENx1717';
// Attempts time out before the 2 s slow answers, and well after a loaded machine answers a fast one.
const FAST: Partial<DeliveryOptions> = {
  attemptTimeoutMs: 1500,
  maxAttempts: 3,
  baseBackoffMs: 20,
  maxBackoffMs: 60,
};
const SERVICE = { service: 'slack-notifier' };

let module: HandlerModule;
let slack: FakeSlack;
let output: CapturedOutput;

const context = (remainingMs = 20_000): Context => lambdaContext('lookout-slack-notifier', remainingMs);

async function invoke(handler: ReturnType<HandlerModule['createHandler']>, event: unknown, ctx = context()) {
  try {
    return { result: await handler(event as never, ctx), error: undefined };
  } catch (error) {
    return { result: undefined, error: error as AlertDeliveryError };
  }
}

/** A handler wired from the environment (as in Lambda), with fast retry timings. */
function handlerWithRoutes(env: Record<string, string>) {
  for (const key of ['SLACK_WEBHOOK_URL', 'SLACK_WEBHOOK_SECRET_ARN', 'IDEMPOTENCY_TABLE_NAME'])
    delete process.env[key];
  Object.assign(process.env, env);
  return module.createHandler({ delivery: FAST });
}

function expectNoSecrets(...extra: unknown[]) {
  const everything = [
    output.text(),
    ...extra.map((value) =>
      value instanceof Error ? `${value.message}\n${value.stack}` : JSON.stringify(value),
    ),
  ].join('\n');
  expect(everything).not.toContain(CRITICAL_TOKEN);
  expect(everything).not.toContain(WARNING_TOKEN);
}

beforeAll(async () => {
  setHandlerEnv('lookout-slack-notifier');
  module = await import('../../../../lib/handlers/slack-notifier/handler.js');
});

beforeEach(async () => {
  slack = await startFakeSlack();
  output = captureOutput();
});

afterEach(async () => {
  // Whatever the test, the webhook tokens appear in no log line or metric.
  const written = output.text();
  output.restore();
  expect(written).not.toContain(CRITICAL_TOKEN);
  expect(written).not.toContain(WARNING_TOKEN);
  await slack.close();
  for (const post of slack.posts) expect(blockKitViolations(post.json)).toEqual([]);
});

const routesJson = () =>
  JSON.stringify({ critical: slack.webhookUrl(CRITICAL_TOKEN), warning: slack.webhookUrl(WARNING_TOKEN) });

describe('delivering alarms', () => {
  it('posts a critical SNS alarm to the critical channel with @here, and records metrics and a log line', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson() });
    const { result, error } = await invoke(handler, fixture('sns-event'));
    expect(error).toBeUndefined();
    expect(result).toEqual({ received: 1, delivered: 1, duplicates: 0, unreadable: 0, skipped: 0 });

    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]!.path).toContain(CRITICAL_TOKEN);
    const posted = slack.posts[0]!.json as { text: string; attachments: { color: string }[] };
    expect(posted.text).toMatch(/^<!here> :red_circle: \*ALARM\*: orders-api-errors \(critical\)/);
    expect(posted.attachments[0]!.color).toBe('#E01E5A');

    const emf = output.emf();
    expect(metricValues(emf, 'AlertsDelivered', SERVICE)).toEqual([1]);
    expect(metricValues(emf, 'DeliveryRetries', SERVICE)).toEqual([0]);
    expect(metricValues(emf, 'DeliveryLatency', SERVICE)).toHaveLength(1);
    expect(metricUnit(emf, 'DeliveryLatency')).toBe('Milliseconds');
    expect(dimensionSets(emf, 'AlertsDelivered')).toEqual([['service']]);
    expect(metricValues(emf, 'AlertsFailed', SERVICE)).toEqual([]);

    const delivered = output.logs().find((line) => line.message === 'Alert delivered to Slack');
    expect(delivered).toMatchObject({
      service: 'slack-notifier',
      message_id: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
      alarm_name: 'orders-api-errors',
      state: 'ALARM',
      severity: 'critical',
      attempts: 1,
      degraded: false,
    });
    expectNoSecrets(result);
  });

  it('posts a warning alarm to the warning channel, without @here', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson() });
    const { error } = await invoke(handler, snsEvent(snsRecord(fixture('metric-math-alarm'))));
    expect(error).toBeUndefined();
    expect(slack.posts[0]!.path).toContain(WARNING_TOKEN);
    expect((slack.posts[0]!.json as { text: string }).text).not.toContain('<!here>');
    expectNoSecrets();
  });

  it('posts an EventBridge alarm state change delivered straight to the function', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson() });
    const { result } = await invoke(handler, fixture('eventbridge-composite-alarm'));
    expect(result).toMatchObject({ delivered: 1 });
    expect(slack.posts[0]!.path).toContain(CRITICAL_TOKEN);
    expect(messageText(slack.posts[0]!.json)).toContain(
      '*Triggered by*\n• orders-health-check-failing → ALARM',
    );
  });

  it('posts OK transitions in green', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson() });
    await invoke(handler, snsEvent(snsRecord(fixture('metric-alarm-ok'))));
    const posted = slack.posts[0]!.json as { text: string; attachments: { color: string }[] };
    expect(posted.attachments[0]!.color).toBe('#2EB67D');
    expect(posted.text).not.toContain('<!here>');
  });
});

describe('payloads beyond SNS (documented samples)', () => {
  it('renders the payload of a Lambda alarm action like the SNS one', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson() });
    const { result, error } = await invoke(handler, fixture('lambda-action-metric-alarm'));
    expect(error).toBeUndefined();
    expect(result).toEqual({ received: 1, delivered: 1, duplicates: 0, unreadable: 0, skipped: 0 });
    const text = messageText(slack.posts[0]!.json);
    expect(text).toContain(':red_circle: *ALARM*: lambda-demo-metric-alarm (warning)');
    expect(text).toContain('Metric Alarm to test Lambda actions');
    expect(text).toContain('*State*\nINSUFFICIENT_DATA → ALARM');
    expect(text).toContain('*Region*\nus-east-1');
    expect(text).toContain('*Account*\n444455556666');
    expect(text).toContain('*Metric*\n`AWS/Logs` `CallCount` (InstanceId=i-12345678)');
    expect(text).toContain('|2023-08-04T12:36:15.490Z>');
    expect(text).toContain(
      '<https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/lambda-demo-metric-alarm|Open alarm in CloudWatch>',
    );
    expect(text).toContain('via Lambda alarm action');
    expect(metricValues(output.emf(), 'MalformedAlerts', SERVICE)).toEqual([]);
    // CloudWatch's payload has no id: a redelivery is known by its content.
    const again = await invoke(handler, fixture('lambda-action-metric-alarm'));
    expect(again.result).toMatchObject({ delivered: 0, duplicates: 1 });
  });

  it('renders a composite alarm invoked as a Lambda alarm action', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson() });
    const { result } = await invoke(handler, fixture('lambda-action-composite-alarm'));
    expect(result).toMatchObject({ delivered: 1, unreadable: 0 });
    const text = messageText(slack.posts[0]!.json);
    expect(text).toContain(
      '*Rule*\n```ALARM(CompositeDemo.FirstChild) OR ALARM(CompositeDemo.SecondChild)```',
    );
    expect(text).toContain('*Triggered by*\n• CompositeDemo.FirstChild → ALARM');
  });

  it('follows the suppression of a composite alarm: says so, and calls nobody', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson() });
    const { result } = await invoke(handler, fixture('eventbridge-composite-suppressed'));
    expect(result).toMatchObject({ delivered: 1 });
    const posted = slack.posts[0]!.json as { text: string };
    expect(slack.posts[0]!.path).toContain(CRITICAL_TOKEN);
    expect(posted.text).toBe(':red_circle: *ALARM* (suppressed): ServiceAggregatedAlarm (critical)');
    expect(messageText(posted)).toContain(
      ':zipper_mouth_face: *Actions suppressed*, waiting for the suppressor alarm to go into ALARM (suppressor `ServiceMaintenanceAlarm`): Actions suppressed by WaitPeriod, so no one is paged.',
    );
    // Without the suppression, the same alarm calls @here.
    const unsuppressed = fixture('eventbridge-composite-suppressed') as {
      id: string;
      detail: { state: Record<string, unknown> };
    };
    delete unsuppressed.detail.state.actionsSuppressedBy;
    unsuppressed.id = 'unsuppressed-1';
    await invoke(handler, unsuppressed);
    expect((slack.posts[1]!.json as { text: string }).text).toMatch(/^<!here> /);
  });

  it('skips alarm configuration changes on purpose: not posted, not counted as malformed', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson() });
    const direct = await invoke(handler, fixture('eventbridge-configuration-change'));
    const viaSns = await invoke(handler, snsEvent(snsRecord(fixture('eventbridge-configuration-change'))));
    for (const { result, error } of [direct, viaSns]) {
      expect(error).toBeUndefined();
      expect(result).toEqual({ received: 1, delivered: 0, duplicates: 0, unreadable: 0, skipped: 1 });
    }
    expect(slack.posts).toHaveLength(0);
    expect(metricValues(output.emf(), 'MalformedAlerts', SERVICE)).toEqual([]);
    expect(output.logs().filter((line) => line.message === 'Notification skipped: not an alert')).toEqual([
      expect.objectContaining({
        level: 'INFO',
        source: 'eventbridge',
        skipped: 'alarm configuration change',
      }),
      expect.objectContaining({ level: 'INFO', source: 'sns', skipped: 'alarm configuration change' }),
    ]);
  });
});

describe('failures', () => {
  it('processes every record, then fails naming the ones Slack refused', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    slack.reply(OK, OK, { status: 404, body: 'channel_not_found' }, OK);
    const event = snsEvent(
      snsRecord(fixture('metric-alarm'), { messageId: 'good-1' }),
      snsRecord('Test message from the SNS console', { messageId: 'unreadable-1', subject: 'Console test' }),
      snsRecord(fixture('composite-alarm'), { messageId: 'refused-1' }),
      snsRecord(fixture('metric-alarm-ok'), { messageId: 'good-2' }),
    );
    const { error } = await invoke(handler, event);

    expect(slack.posts).toHaveLength(4);
    expect(error?.name).toBe('AlertDeliveryError');
    expect(error?.message).toBe(
      '1 of 4 alert(s) not delivered to Slack, failing so that Lambda retries them: refused-1 (Slack refused the message: HTTP 404 channel_not_found)',
    );

    // The unreadable one still reached a person, with its subject and raw text.
    const fallback = messageText(slack.posts[1]!.json);
    expect(fallback).toContain('*Subject*\nConsole test');
    expect(fallback).toContain('```Test message from the SNS console```');

    const emf = output.emf();
    expect(metricValues(emf, 'AlertsDelivered', SERVICE)).toEqual([1, 1, 1]);
    expect(metricValues(emf, 'AlertsFailed', SERVICE)).toEqual([1]);
    expect(metricValues(emf, 'MalformedAlerts', SERVICE)).toEqual([1]);

    const logs = output.logs();
    expect(
      logs.find((line) => line.message === 'Unreadable alert notification; posting the raw text instead'),
    ).toMatchObject({
      level: 'ERROR',
      message_id: 'unreadable-1',
      problem: 'the message is not JSON',
    });
    expect(logs.find((line) => line.message === 'Alert could not be delivered to Slack')).toMatchObject({
      level: 'ERROR',
      message_id: 'refused-1',
      http_status: 404,
      slack_error: 'channel_not_found',
      permanent: true,
      attempts: 1,
    });
    expectNoSecrets(error);
  });

  it.each([
    [403, 'action_prohibited'],
    [404, 'no_service'],
    [410, 'channel_is_archived'],
  ])('does not retry %i %s, and fails the invocation', async (status, answer) => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    slack.reply({ status, body: answer });
    const { error } = await invoke(
      handler,
      snsEvent(snsRecord(fixture('metric-alarm'), { messageId: 'm-1' })),
    );
    expect(slack.posts).toHaveLength(1);
    expect(error?.message).toContain(`m-1 (Slack refused the message: HTTP ${status} ${answer})`);
    expectNoSecrets(error);
  });

  it('sends the plain-text version when Slack answers invalid_payload to the blocks', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    slack.reply({ status: 400, body: 'invalid_payload' }, OK);
    const { error, result } = await invoke(handler, snsEvent(snsRecord(fixture('metric-alarm'))));
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ delivered: 1 });
    expect(slack.posts).toHaveLength(2);
    const plain = slack.posts[1]!.json as Record<string, unknown>;
    expect(Object.keys(plain)).toEqual(['text']);
    expect(plain.text).toContain('orders-api-errors');
    expect(output.logs().find((line) => line.message === 'Alert delivered to Slack')).toMatchObject({
      degraded: true,
      attempts: 2,
    });
  });

  it('makes the plain-text retry as safe as the blocks: no live mention, no forged console link', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    slack.reply({ status: 400, body: 'invalid_blocks' }, OK);
    const alarm = fixture('metric-alarm') as { Trigger: Record<string, unknown> };
    const hostile = {
      ...alarm,
      AlarmArn: 'arn:aws:cloudwatch:<!channel>:123456789012:alarm:orders-api-errors',
      NewStateReason: '<!channel> <http://evil.example|click here>',
      Trigger: { ...alarm.Trigger, ComparisonOperator: '<!channel>', Unit: '<@U0123>' },
    };
    const { error } = await invoke(
      handler,
      snsEvent(snsRecord(hostile, { topicArn: 'arn:aws:sns:evil.example/x?:123456789012:t' })),
    );
    expect(error).toBeUndefined();
    expect(slack.posts).toHaveLength(2);
    for (const post of slack.posts) {
      expect(post.body).not.toContain('<!channel>');
      expect(post.body).not.toContain('<http://evil');
      expect(post.body).not.toContain('<@U0123>');
      expect(post.body).not.toContain('console.aws.amazon.com');
    }
    expect((slack.posts[1]!.json as { text: string }).text).toContain(
      'Reason: &lt;!channel&gt; &lt;http://evil.example|click here&gt;',
    );
  });

  it('honours Retry-After and counts the retry', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    slack.reply({ status: 429, body: 'rate_limited', headers: { 'retry-after': '1' } }, OK);
    const { error } = await invoke(handler, snsEvent(snsRecord(fixture('metric-alarm'))));
    expect(error).toBeUndefined();
    expect(slack.posts[1]!.receivedAt - slack.posts[0]!.receivedAt).toBeGreaterThanOrEqual(990);
    expect(metricValues(output.emf(), 'DeliveryRetries', SERVICE)).toEqual([1]);
  });

  it('retries 5xx and timeouts, then fails the invocation when Slack stays down', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    slack.reply({ status: 500, body: 'rollup_error' }, { ...OK, delayMs: 2000 }, { status: 503, body: '' });
    const { error } = await invoke(
      handler,
      snsEvent(snsRecord(fixture('metric-alarm'), { messageId: 'm-down' })),
    );
    expect(slack.posts).toHaveLength(3);
    expect(error?.message).toContain(
      'm-down (Slack delivery failed after 3 attempt(s) (no attempts left): HTTP 503',
    );
    expect(metricValues(output.emf(), 'AlertsFailed', SERVICE)).toEqual([1]);
    expect(metricValues(output.emf(), 'DeliveryRetries', SERVICE)).toEqual([2]);
    expectNoSecrets(error);
  });

  it('fails on refused connections without the URL anywhere', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: await refusedUrl(CRITICAL_TOKEN) });
    const { error } = await invoke(
      handler,
      snsEvent(snsRecord(fixture('metric-alarm'), { messageId: 'm-refused' })),
    );
    expect(error?.message).toMatch(
      /m-refused \(Slack delivery failed after 3 attempt\(s\).*connection error ECONNREFUSED/,
    );
    expectNoSecrets(error);
  });

  it('stops retrying within the invocation’s remaining time', async () => {
    const handler = module.createHandler({ delivery: { ...FAST, maxAttempts: 50 }, safetyMarginMs: 500 });
    process.env.SLACK_WEBHOOK_URL = slack.webhookUrl(CRITICAL_TOKEN);
    slack.reply(...Array.from({ length: 100 }, () => ({ status: 503, body: 'service_unavailable' })));
    const startedAt = Date.now();
    const { error } = await invoke(handler, snsEvent(snsRecord(fixture('metric-alarm'))), context(2000));
    // Finished inside the 2 s the invocation had left.
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(error?.message).toMatch(/no time left|out of time/);
    expect(slack.posts.length).toBeGreaterThan(2);
  });

  it('fails clearly when no webhook is configured, losing nothing silently', async () => {
    const handler = handlerWithRoutes({});
    const { error } = await invoke(
      handler,
      snsEvent(snsRecord(fixture('metric-alarm'), { messageId: 'm-nohook' })),
    );
    expect(error?.message).toContain(
      'm-nohook (No Slack webhook configured: set SLACK_WEBHOOK_SECRET_ARN (or SLACK_WEBHOOK_URL for local use))',
    );
    expect(metricValues(output.emf(), 'AlertsFailed', SERVICE)).toEqual([1]);
  });
});

describe('duplicates', () => {
  it('fails the record, without counting it failed, while another invocation is delivering it', async () => {
    process.env.SLACK_WEBHOOK_URL = slack.webhookUrl(CRITICAL_TOKEN);
    const busy = { registerContext: () => {}, once: async () => ({ kind: 'in_progress' as const }) };
    const handler = module.createHandler({ duplicates: busy });
    const { error } = await invoke(
      handler,
      snsEvent(snsRecord(fixture('metric-alarm'), { messageId: 'busy-1' })),
    );
    expect(error?.message).toContain('busy-1 (being delivered by another invocation)');
    expect(slack.posts).toHaveLength(0);
    expect(metricValues(output.emf(), 'AlertsFailed', SERVICE)).toEqual([]);
  });

  it('posts a MessageId once when SNS delivers it twice (per-container memory)', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    const event = snsEvent(snsRecord(fixture('metric-alarm'), { messageId: 'dup-1' }));
    await invoke(handler, event);
    const second = await invoke(handler, event);
    expect(second.result).toEqual({ received: 1, delivered: 0, duplicates: 1, unreadable: 0, skipped: 0 });
    expect(slack.posts).toHaveLength(1);
    expect(
      output.logs().find((line) => line.message === 'Duplicate delivery of an alert suppressed'),
    ).toMatchObject({
      message_id: 'dup-1',
    });
  });

  it('keys messages that carry no id by their content: different alarms both post, a redelivery does not', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    const withoutId = (message: unknown) => {
      const record = snsRecord(message);
      delete (record.Sns as { MessageId?: string }).MessageId;
      return record;
    };
    const bridge = (name: string) => {
      const event = fixture('eventbridge-metric-alarm') as Record<string, unknown> & {
        detail: Record<string, unknown>;
      };
      delete event.id;
      return { ...event, detail: { ...event.detail, alarmName: name } };
    };
    const first = await invoke(
      handler,
      snsEvent(withoutId(fixture('metric-alarm')), withoutId(fixture('metric-alarm-ok'))),
    );
    expect(first.result).toEqual({ received: 2, delivered: 2, duplicates: 0, unreadable: 0, skipped: 0 });
    const again = await invoke(handler, snsEvent(withoutId(fixture('metric-alarm'))));
    expect(again.result).toMatchObject({ delivered: 0, duplicates: 1 });
    expect((await invoke(handler, bridge('memory-a'))).result).toMatchObject({ delivered: 1 });
    expect((await invoke(handler, bridge('memory-b'))).result).toMatchObject({ delivered: 1 });
    expect((await invoke(handler, bridge('memory-a'))).result).toMatchObject({ duplicates: 1 });
    expect(slack.posts).toHaveLength(4);
  });

  it('retries only the failed record when Lambda retries the event', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: slack.webhookUrl(CRITICAL_TOKEN) });
    slack.reply(OK, { status: 500 }, { status: 500 }, { status: 500 });
    const event = snsEvent(
      snsRecord(fixture('metric-alarm'), { messageId: 'batch-ok' }),
      snsRecord(fixture('metric-alarm-ok'), { messageId: 'batch-retry' }),
    );
    const first = await invoke(handler, event);
    expect(first.error?.failures.map((failure) => failure.messageId)).toEqual(['batch-retry']);
    const retry = await invoke(handler, event);
    expect(retry.result).toEqual({ received: 2, delivered: 1, duplicates: 1, unreadable: 0, skipped: 0 });
    expect(
      slack.posts.map((post) => (post.json as { text: string }).text.includes(':large_green_circle:')),
    ).toEqual([false, true, true, true, true]);
  });
});

describe('production wiring: Secrets Manager and the idempotency table', () => {
  let secrets: FakeSecretsManager;
  let dynamo: LocalDynamo;
  const table = 'lookout-notifier-idempotency';
  const arn = `arn:aws:secretsmanager:${TEST_REGION}:123456789012:secret:lookout/slack`;

  beforeAll(async () => {
    secrets = await startFakeSecretsManager();
    dynamo = await startDynalite();
    await new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    }).send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.endpoint;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    await secrets.close();
    await dynamo.close();
  });

  it('reads the webhook from the secret and posts each MessageId once across containers', async () => {
    secrets.secrets.set(arn, routesJson());
    const env = { SLACK_WEBHOOK_SECRET_ARN: arn, IDEMPOTENCY_TABLE_NAME: table };
    const event = snsEvent(snsRecord(fixture('metric-math-alarm'), { messageId: randomUUID() }));
    const first = await invoke(handlerWithRoutes(env), event);
    // A second container: its own memory is empty, the table remembers.
    const second = await invoke(handlerWithRoutes(env), event);
    expect(first.result).toMatchObject({ delivered: 1 });
    expect(second.result).toMatchObject({ delivered: 0, duplicates: 1 });
    expect(slack.posts).toHaveLength(1);
    expect(slack.posts[0]!.path).toContain(WARNING_TOKEN);
    const items = await new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    }).send(new ScanCommand({ TableName: table }));
    expect(items.Items?.length).toBeGreaterThanOrEqual(1);
    expectNoSecrets(first.result, second.result);
  });

  it('posts every alert of a batch within a bounded time when the table accepts connections and never answers', async () => {
    const silent = await startSilentServer();
    process.env.AWS_ENDPOINT_URL_DYNAMODB = silent.endpoint;
    try {
      const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson(), IDEMPOTENCY_TABLE_NAME: table });
      const event = snsEvent(
        snsRecord(fixture('metric-alarm')),
        snsRecord(fixture('metric-math-alarm')),
        snsRecord(fixture('metric-alarm-ok')),
      );
      const startedAt = Date.now();
      const { result, error } = await invoke(handler, event);
      const firstMs = slack.posts[0]!.receivedAt - startedAt;
      const allMs = Date.now() - startedAt;
      expect(error).toBeUndefined();
      expect(result).toEqual({ received: 3, delivered: 3, duplicates: 0, unreadable: 0, skipped: 0 });
      expect(silent.connections).toBeGreaterThan(0);
      // One budget of about a second for the first alert (measured 1.2-1.6 s here, cold start included);
      // the others no longer wait for the table.
      expect(firstMs).toBeLessThan(2500);
      expect(allMs).toBeLessThan(3000);
      expect(
        output
          .logs()
          .filter(
            (line) => line.message === 'Idempotency store unavailable; posting without duplicate protection',
          ),
      ).toHaveLength(3);
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
      await silent.close();
    }
  });

  it('posts a state change that arrives after a newer one of the same alarm as late, without @here', async () => {
    const handler = handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson(), IDEMPOTENCY_TABLE_NAME: table });
    const name = `orders-api-errors-${randomUUID()}`;
    const arn = `arn:aws:cloudwatch:eu-west-2:123456789012:alarm:${name}`;
    const alarm = { ...fixture('metric-alarm'), AlarmName: name, AlarmArn: arn };
    const ok = { ...fixture('metric-alarm-ok'), AlarmName: name, AlarmArn: arn };
    // The OK (10:30) is delivered first; the ALARM it followed (10:15) comes late, as after a hung retry.
    await invoke(handler, snsEvent(snsRecord(ok)));
    const { error } = await invoke(
      handlerWithRoutes({ SLACK_WEBHOOK_URL: routesJson(), IDEMPOTENCY_TABLE_NAME: table }),
      snsEvent(snsRecord(alarm)),
    );
    expect(error).toBeUndefined();
    expect(slack.posts).toHaveLength(2);
    const late = slack.posts[1]!.json as { text: string };
    expect(late.text).not.toContain('<!here>');
    expect(late.text).toContain('*ALARM* (late)');
    expect(messageText(late)).toContain('arrived after OK at <!date^');
    expect(
      output.logs().find((line) => String(line.message).startsWith('Alert arrived after a newer state')),
    ).toMatchObject({
      level: 'WARN',
      alarm_name: name,
      state: 'ALARM',
      newer_state: 'OK',
      newer_changed_at: '2026-11-28T10:30:30.125Z',
    });
    expect(
      output.logs().find((line) => line.message === 'Alert delivered to Slack' && line.state === 'ALARM'),
    ).toMatchObject({
      late: true,
    });
  });

  it('fails the record with a clear error when the secret is missing', async () => {
    const missing = `${arn}-missing`;
    const { error } = await invoke(
      handlerWithRoutes({ SLACK_WEBHOOK_SECRET_ARN: missing }),
      snsEvent(snsRecord(fixture('metric-alarm'), { messageId: 'm-secret' })),
    );
    expect(error?.message).toContain(
      `m-secret (Could not read the Slack webhook secret ${missing}: ResourceNotFoundException (HTTP 400): Secrets Manager can't find the specified secret.)`,
    );
    expect(slack.posts).toHaveLength(0);
    expect(metricValues(output.emf(), 'AlertsFailed', SERVICE)).toEqual([1]);
  });

  it('posts anyway when the idempotency store is unavailable', async () => {
    secrets.secrets.set(arn, routesJson());
    const { result } = await invoke(
      handlerWithRoutes({ SLACK_WEBHOOK_SECRET_ARN: arn, IDEMPOTENCY_TABLE_NAME: 'no-such-table' }),
      snsEvent(snsRecord(fixture('metric-alarm'))),
    );
    expect(result).toMatchObject({ delivered: 1 });
    expect(slack.posts).toHaveLength(1);
    expect(
      output
        .logs()
        .find(
          (line) => line.message === 'Idempotency store unavailable; posting without duplicate protection',
        ),
    ).toMatchObject({
      level: 'WARN',
    });
    expectNoSecrets(result);
  });
});
