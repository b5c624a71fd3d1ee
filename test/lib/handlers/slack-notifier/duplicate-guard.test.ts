import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import {
  createMemoryGuard,
  createPowertoolsGuard,
} from '../../../../lib/handlers/slack-notifier/duplicate-guard.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../../../support/aws-env.js';
import type { LocalDynamo } from '../../../support/dynalite.js';
import { startDynalite } from '../../../support/dynalite.js';
import { lambdaContext } from '../../../support/lambda-events.js';
import {
  AWS_CLIENT_CONFIG,
  createStoreBudget,
} from '../../../../lib/handlers/slack-notifier/store-budget.js';
import type { LocalServer } from './support/silent-server.js';
import { startSilentServer, startSlowProxy } from './support/silent-server.js';

const TABLE = 'lookout-idempotency';

function recordingLogger() {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  return {
    warnings,
    warn: (message: string, fields?: Record<string, unknown>) => void warnings.push({ message, fields }),
  };
}

function dynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
}

async function createIdempotencyTable(endpoint: string): Promise<void> {
  await dynamoClient(endpoint).send(
    new CreateTableCommand({
      TableName: TABLE,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

function counter() {
  let runs = 0;
  return {
    get runs() {
      return runs;
    },
    run: async () => {
      runs += 1;
      return { run: runs };
    },
  };
}

describe('duplicate suppression with Powertools idempotency on DynamoDB', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await createIdempotencyTable(dynamo.endpoint);
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const guardFor = (endpoint: string, tableName = TABLE) => {
    const logger = recordingLogger();
    const store = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: dynamoClient(endpoint) });
    const guard = createPowertoolsGuard(store, logger);
    guard.registerContext(lambdaContext('slack-notifier', 10_000));
    return { guard, logger };
  };

  it('runs a message once; a second delivery of the same MessageId is a duplicate', async () => {
    const { guard } = guardFor(dynamo.endpoint);
    const work = counter();
    const key = randomUUID();
    await expect(guard.once(key, work.run)).resolves.toEqual({ kind: 'ran', value: { run: 1 } });
    await expect(guard.once(key, work.run)).resolves.toEqual({ kind: 'duplicate' });
    // A new container (new guard, same table) knows it too.
    await expect(guardFor(dynamo.endpoint).guard.once(key, work.run)).resolves.toEqual({ kind: 'duplicate' });
    await expect(guard.once(randomUUID(), work.run)).resolves.toEqual({ kind: 'ran', value: { run: 2 } });
    expect(work.runs).toBe(2);
    const items = await dynamoClient(dynamo.endpoint).send(new ScanCommand({ TableName: TABLE }));
    expect(items.Items?.every((item) => item.id?.S?.startsWith('slack-notifier#'))).toBe(true);
    expect(items.Items?.some((item) => item.status?.S === 'COMPLETED' && item.expiration?.N)).toBe(true);
  });

  it('releases the message when delivery fails, so a retry posts it', async () => {
    const { guard } = guardFor(dynamo.endpoint);
    const key = randomUUID();
    await expect(guard.once(key, () => Promise.reject(new Error('slack down')))).rejects.toThrow(
      'slack down',
    );
    const work = counter();
    await expect(guard.once(key, work.run)).resolves.toEqual({ kind: 'ran', value: { run: 1 } });
  });

  it('reports a message another invocation is still delivering', async () => {
    const { guard } = guardFor(dynamo.endpoint);
    const key = randomUUID();
    let finish!: () => void;
    const first = guard.once(key, () => new Promise<string>((resolve) => (finish = () => resolve('first'))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(guardFor(dynamo.endpoint).guard.once(key, () => Promise.resolve('second'))).resolves.toEqual(
      {
        kind: 'in_progress',
      },
    );
    finish();
    await expect(first).resolves.toEqual({ kind: 'ran', value: 'first' });
  });

  it('posts anyway when the table is missing, and says so', async () => {
    const { guard, logger } = guardFor(dynamo.endpoint, 'no-such-table');
    const work = counter();
    const key = randomUUID();
    await expect(guard.once(key, work.run)).resolves.toEqual({ kind: 'ran', value: { run: 1 } });
    await expect(guard.once(key, work.run)).resolves.toEqual({ kind: 'ran', value: { run: 2 } });
    expect(logger.warnings[0]).toEqual({
      message: 'Idempotency store unavailable; posting without duplicate protection',
      fields: { message_id: key, error: 'IdempotencyPersistenceLayerError: ResourceNotFoundException' },
    });
  });

  it('posts anyway when DynamoDB cannot be reached', async () => {
    const gone = await startDynalite();
    await gone.close();
    const { guard, logger } = guardFor(gone.endpoint);
    const work = counter();
    await expect(guard.once(randomUUID(), work.run)).resolves.toEqual({ kind: 'ran', value: { run: 1 } });
    expect(logger.warnings).toHaveLength(1);
  });

  it('keeps a delivery that happened even if the store fails to record it, and does not post twice', async () => {
    const flaky = await startDynalite();
    await createIdempotencyTable(flaky.endpoint);
    const { guard, logger } = guardFor(flaky.endpoint);
    let runs = 0;
    const outcome = await guard.once(randomUUID(), async () => {
      runs += 1;
      await flaky.close(); // the store goes away between "in progress" and "completed"
      return 'posted';
    });
    expect(outcome).toEqual({ kind: 'ran', value: 'posted' });
    expect(runs).toBe(1);
    expect(logger.warnings.map((w) => w.message)).toEqual([
      'Idempotency store could not record the delivery',
    ]);
  });
});

/** `promise`, or `'still waiting'` after `ms`: a hang shows up as a failed assertion, not a test timeout. */
async function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const waiting = new Promise<'still waiting'>(
    (resolve) => (timer = setTimeout(() => resolve('still waiting'), ms)),
  );
  try {
    return await Promise.race([promise, waiting]);
  } finally {
    clearTimeout(timer);
  }
}

describe('duplicate suppression when the table hangs or is slow', () => {
  let dynamo: LocalDynamo;
  let silent: LocalServer;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await createIdempotencyTable(dynamo.endpoint);
    silent = await startSilentServer();
  });
  const clients: DynamoDBClient[] = [];
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await silent.close();
    await dynamo.close();
  });

  const productionClient = (endpoint: string) => {
    const client = new DynamoDBClient({
      ...AWS_CLIENT_CONFIG,
      endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    });
    clients.push(client);
    return client;
  };
  const guardOn = (endpoint: string, budget = createStoreBudget()) => {
    const logger = recordingLogger();
    const store = new DynamoDBPersistenceLayer({
      tableName: TABLE,
      awsSdkV3Client: productionClient(endpoint),
    });
    const guard = createPowertoolsGuard(store, logger, undefined, budget);
    guard.registerContext(lambdaContext('slack-notifier', 30_000));
    return { guard, logger };
  };

  it('posts within about a second when the table accepts connections and never answers, then stops waiting for it', async () => {
    const { guard, logger } = guardOn(silent.endpoint);
    const work = counter();
    const startedAt = Date.now();
    await expect(settleWithin(guard.once(randomUUID(), work.run), 8000)).resolves.toEqual({
      kind: 'ran',
      value: { run: 1 },
    });
    const firstMs = Date.now() - startedAt;
    expect(silent.connections).toBeGreaterThan(0);
    expect(firstMs).toBeGreaterThanOrEqual(950);
    expect(firstMs).toBeLessThan(1800);
    // The rest of the batch does not wait again.
    const secondStart = Date.now();
    await expect(guard.once(randomUUID(), work.run)).resolves.toEqual({ kind: 'ran', value: { run: 2 } });
    expect(Date.now() - secondStart).toBeLessThan(200);
    expect(logger.warnings.map((w) => w.fields?.error)).toEqual([
      'no answer within the budget',
      'skipped after a timeout',
    ]);
  });

  it('does not post twice when the claim lands after the budget, and records the post as done', async () => {
    const slow = await startSlowProxy(dynamo.endpoint, 1500);
    try {
      const { guard } = guardOn(slow.endpoint, createStoreBudget({ budgetMs: 500, skipForMs: 0 }));
      const key = randomUUID();
      const work = counter();
      await expect(guard.once(key, work.run)).resolves.toEqual({ kind: 'ran', value: { run: 1 } });
      // The late claim reaches the table, finds the post already made, and marks it completed.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      expect(work.runs).toBe(1);
      await expect(guardOn(dynamo.endpoint).guard.once(key, work.run)).resolves.toEqual({
        kind: 'duplicate',
      });
      expect(work.runs).toBe(1);
    } finally {
      await slow.close();
    }
  }, 20_000);
});

describe('duplicate suppression in memory', () => {
  it('runs a key once, and again after a failure', async () => {
    const guard = createMemoryGuard();
    const work = counter();
    await expect(guard.once('a', work.run)).resolves.toEqual({ kind: 'ran', value: { run: 1 } });
    await expect(guard.once('a', work.run)).resolves.toEqual({ kind: 'duplicate' });
    await expect(guard.once('b', () => Promise.reject(new Error('nope')))).rejects.toThrow('nope');
    await expect(guard.once('b', work.run)).resolves.toEqual({ kind: 'ran', value: { run: 2 } });
  });

  it('forgets keys after the window and beyond its size', async () => {
    let now = 0;
    const guard = createMemoryGuard(60, 2, () => now);
    const work = counter();
    await guard.once('a', work.run);
    now = 61_000;
    await expect(guard.once('a', work.run)).resolves.toMatchObject({ kind: 'ran' });
    await guard.once('b', work.run);
    await guard.once('c', work.run);
    // 'a' was the oldest of three in a memory of two.
    await expect(guard.once('a', work.run)).resolves.toMatchObject({ kind: 'ran' });
    await expect(guard.once('c', work.run)).resolves.toEqual({ kind: 'duplicate' });
  });

  it('reports a key that is being run', async () => {
    const guard = createMemoryGuard();
    let finish!: () => void;
    const first = guard.once('a', () => new Promise<void>((resolve) => (finish = resolve)));
    await expect(guard.once('a', () => Promise.resolve())).resolves.toEqual({ kind: 'in_progress' });
    finish();
    await first;
  });
});
