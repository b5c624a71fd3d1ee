import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { AlarmNotification, AlarmState } from '../../../../lib/handlers/slack-notifier/alarm.js';
import type { AlarmOrder } from '../../../../lib/handlers/slack-notifier/alarm-order.js';
import { createDynamoOrder, createMemoryOrder } from '../../../../lib/handlers/slack-notifier/alarm-order.js';
import { parseAlert, splitEvent } from '../../../../lib/handlers/slack-notifier/parse-notification.js';
import {
  AWS_CLIENT_CONFIG,
  createStoreBudget,
} from '../../../../lib/handlers/slack-notifier/store-budget.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../../../support/aws-env.js';
import type { LocalDynamo } from '../../../support/dynalite.js';
import { startDynalite } from '../../../support/dynalite.js';
import { fixture, snsEvent, snsRecord } from './support/alerts.js';
import type { LocalServer } from './support/silent-server.js';
import { startSilentServer } from './support/silent-server.js';

const TABLE = 'lookout-idempotency';

const base = (() => {
  const parsed = parseAlert(splitEvent(snsEvent(snsRecord(fixture('metric-alarm'))))[0]!);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.alarm;
})();

function change(name: string, state: AlarmState, at: string): AlarmNotification {
  return {
    ...base,
    alarmName: name,
    alarmArn: `arn:aws:cloudwatch:eu-west-2:123456789012:alarm:${name}`,
    newState: state,
    changedAt: new Date(at),
  };
}

const client = (endpoint: string) =>
  new DynamoDBClient({ ...AWS_CLIENT_CONFIG, endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });

function warnings() {
  const seen: string[] = [];
  return { seen, warn: (message: string) => void seen.push(message) };
}

describe.each(['memory', 'dynamodb'] as const)('alarm order (%s)', (where) => {
  let dynamo: LocalDynamo;
  let order: AlarmOrder;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await client(dynamo.endpoint).send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    order =
      where === 'memory'
        ? createMemoryOrder()
        : createDynamoOrder(client(dynamo.endpoint), TABLE, warnings());
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it('lets the newer state win: an older one that arrives later is late, and says what was newer', async () => {
    const name = `alarm-${randomUUID()}`;
    await expect(order.claim(change(name, 'OK', '2026-11-28T10:20:00Z'))).resolves.toEqual({
      kind: 'in_order',
    });
    await expect(order.claim(change(name, 'ALARM', '2026-11-28T10:15:00Z'))).resolves.toEqual({
      kind: 'late',
      newer: { state: 'OK', changedAt: new Date('2026-11-28T10:20:00Z') },
    });
    // Newer again, and a repeat of the same change, are in order.
    await expect(order.claim(change(name, 'ALARM', '2026-11-28T10:25:00Z'))).resolves.toEqual({
      kind: 'in_order',
    });
    await expect(order.claim(change(name, 'ALARM', '2026-11-28T10:25:00Z'))).resolves.toEqual({
      kind: 'in_order',
    });
  });

  it('keeps each alarm apart, and cannot judge a change without a time', async () => {
    await order.claim(change('a', 'OK', '2026-11-28T11:00:00Z'));
    await expect(order.claim(change('b', 'ALARM', '2026-11-28T10:00:00Z'))).resolves.toEqual({
      kind: 'in_order',
    });
    await expect(
      order.claim({ ...change('a', 'ALARM', '2026-11-28T10:00:00Z'), changedAt: undefined }),
    ).resolves.toEqual({ kind: 'unknown' });
  });
});

describe('alarm order on a table that never answers', () => {
  let silent: LocalServer;
  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent.close();
  });

  it('gives up within its budget and lets the post go as it is', async () => {
    const log = warnings();
    const order = createDynamoOrder(client(silent.endpoint), TABLE, log, createStoreBudget());
    const startedAt = Date.now();
    await expect(order.claim(change('x', 'ALARM', '2026-11-28T10:00:00Z'))).resolves.toEqual({
      kind: 'unknown',
    });
    expect(Date.now() - startedAt).toBeLessThan(1800);
    expect(log.seen).toEqual(['Alarm order store did not answer in time; posting without the order check']);
    const again = Date.now();
    await expect(order.claim(change('y', 'ALARM', '2026-11-28T10:00:00Z'))).resolves.toEqual({
      kind: 'unknown',
    });
    expect(Date.now() - again).toBeLessThan(100);
  });
});
