/**
 * The demo's single DynamoDB table (partition key `pk`, sort key `sk`) and every access to it.
 * Each call goes through `timeDbQuery`, so it is counted, timed and traced.
 *
 * Item layout:
 *   USER#<id>        PROFILE                      the user profile
 *   EMAIL#<email>    CREDENTIAL                   user id and password hash, claimed on registration
 *   ORDER#<id>       ORDER                        the order
 *   STATS#<hour>     TOTALS                       orders created/failed and revenue in that UTC hour
 *   STATS#<hour>     ACTIVE#<segment>#<userId>    a user active in that hour
 *   STATS#<hour>     CONVERTED#<segment>#<userId> a user who ordered in that hour
 * A user whose segment changes within the hour has items under both; the stats count them once.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { timeDbQuery } from 'lookout';
import type { Order, OrderStatus } from './order.js';
import type { Segment, User } from './user.js';
import { SEGMENTS } from './user.js';

/** A DynamoDB call failed; `retryable` when the cause is on the service or network side. */
export class StoreError extends Error {
  readonly retryable: boolean;

  constructor(operation: string, cause: unknown) {
    super(`DynamoDB ${operation} failed`, { cause });
    this.name = 'StoreError';
    const metadata = (cause as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
    const fault = (cause as { $fault?: string } | undefined)?.$fault;
    const status = metadata?.httpStatusCode;
    const throttled = (cause as { name?: string } | undefined)?.name?.includes('Throughput') ?? false;
    this.retryable = status === undefined || status >= 500 || fault === 'server' || throttled;
  }
}

export interface Credential {
  userId: string;
  passwordHash: string;
}

export interface SegmentActivity {
  activeUsers: number;
  conversions: number;
}

export interface HourlyStats {
  /** UTC hour, `YYYY-MM-DDTHH`. */
  hour: string;
  ordersCreated: number;
  ordersFailed: number;
  revenue: number;
  segments: Record<Segment, SegmentActivity>;
}

export type CompleteOrderResult =
  | { outcome: 'completed'; order: Order }
  | { outcome: 'already_completed'; order: Order }
  | { outcome: 'not_completable'; order: Order }
  | { outcome: 'not_found' };

/** The UTC hour a timestamp falls in, as used in `STATS#<hour>` keys. */
export const hourOf = (date: Date): string => date.toISOString().slice(0, 13);

/** Emails compare case-insensitively and without surrounding spaces. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const userKey = (id: string) => ({ pk: `USER#${id}`, sk: 'PROFILE' });
const credentialKey = (email: string) => ({ pk: `EMAIL#${normalizeEmail(email)}`, sk: 'CREDENTIAL' });
const orderKey = (id: string) => ({ pk: `ORDER#${id}`, sk: 'ORDER' });
const statsPartition = (hour: string) => `STATS#${hour}`;

const withoutKeys = <T>(item: Record<string, unknown>): T => {
  const { pk: _pk, sk: _sk, type: _type, ...rest } = item;
  return rest as T;
};

export class OrdersStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Runs one DynamoDB call, timed; SDK errors become `StoreError`s. */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await timeDbQuery(operation, this.tableName, fn);
    } catch (error) {
      throw new StoreError(operation, error);
    }
  }

  /**
   * A conditional write whose condition may well be false: that answer is a successful call (and
   * is timed as one), reported as `false` rather than as an error.
   */
  private async conditionalWrite(operation: string, fn: () => Promise<unknown>): Promise<boolean> {
    return this.call(operation, async () => {
      try {
        await fn();
        return true;
      } catch (error) {
        if ((error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException')
          return false;
        throw error;
      }
    });
  }

  /**
   * Creates the user unless the email is taken. The email is claimed first with a conditional
   * write, so two registrations of one address cannot both succeed.
   */
  async registerUser(user: User, passwordHash: string): Promise<'created' | 'email_taken'> {
    const claimed = await this.conditionalWrite('PutItem', () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...credentialKey(user.email), type: 'credential', userId: user.id, passwordHash },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    // The SDK retries a call that timed out, and the first attempt may have been written after
    // all: a claim that names this very user is ours, not someone else's.
    if (!claimed && (await this.getCredential(user.email))?.userId !== user.id) return 'email_taken';
    try {
      await this.call('PutItem', () =>
        this.client.send(
          new PutCommand({ TableName: this.tableName, Item: { ...userKey(user.id), type: 'user', ...user } }),
        ),
      );
    } catch (error) {
      // Release the email so that the user can try again; if this fails too, the original error wins.
      await this.call('DeleteItem', () =>
        this.client.send(new DeleteCommand({ TableName: this.tableName, Key: credentialKey(user.email) })),
      ).catch(() => undefined);
      throw error;
    }
    return 'created';
  }

  async getUser(id: string): Promise<User | undefined> {
    const { Item } = await this.call('GetItem', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: userKey(id) })),
    );
    return Item ? withoutKeys<User>(Item) : undefined;
  }

  async getCredential(email: string): Promise<Credential | undefined> {
    const { Item } = await this.call('GetItem', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: credentialKey(email) })),
    );
    return Item ? { userId: String(Item.userId), passwordHash: String(Item.passwordHash) } : undefined;
  }

  async putOrder(order: Order): Promise<void> {
    const written = await this.conditionalWrite('PutItem', () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...orderKey(order.id), type: 'order', ...order },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    // Order ids are fresh per request: an order already there is this one, written by an attempt
    // the SDK retried after a timeout.
    if (!written && (await this.getOrder(order.id)) === undefined)
      throw new StoreError('PutItem', new Error(`order ${order.id} could not be written`));
  }

  async getOrder(id: string): Promise<Order | undefined> {
    const { Item } = await this.call('GetItem', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: orderKey(id) })),
    );
    return Item ? withoutKeys<Order>(Item) : undefined;
  }

  /** Moves a created order to completed; safe to repeat (SQS delivers at least once). */
  async completeOrder(id: string, completedAt: string): Promise<CompleteOrderResult> {
    let updated: Record<string, unknown> | undefined;
    const completed = await this.conditionalWrite('UpdateItem', async () => {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(id),
          UpdateExpression: 'SET #status = :completed, completedAt = :completedAt',
          ConditionExpression: 'attribute_exists(pk) AND #status = :created',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':completed': 'completed' satisfies OrderStatus,
            ':created': 'created' satisfies OrderStatus,
            ':completedAt': completedAt,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      updated = Attributes;
    });
    if (completed && updated) return { outcome: 'completed', order: withoutKeys<Order>(updated) };
    const order = await this.getOrder(id);
    if (!order) return { outcome: 'not_found' };
    return { outcome: order.status === 'completed' ? 'already_completed' : 'not_completable', order };
  }

  async markOrderFailed(id: string, reason: string): Promise<void> {
    await this.call('UpdateItem', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: orderKey(id),
          UpdateExpression: 'SET #status = :failed, failureReason = :reason',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': 'failed' satisfies OrderStatus, ':reason': reason },
        }),
      ),
    );
  }

  /** Adds a completed order to the user's totals, which decide the segment. */
  async addCompletedOrderToUser(userId: string, amount: number): Promise<void> {
    await this.call('UpdateItem', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: userKey(userId),
          UpdateExpression: 'ADD orderCount :one, lifetimeSpend :amount',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1, ':amount': amount },
        }),
      ),
    );
  }

  async recordActiveUser(hour: string, segment: Segment, userId: string): Promise<void> {
    await this.call('PutItem', () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: statsPartition(hour), sk: `ACTIVE#${segment}#${userId}`, type: 'activity' },
        }),
      ),
    );
  }

  /** Counts a placed order in its hour: totals, and the user as active and converted. */
  async recordOrderPlaced(hour: string, segment: Segment, userId: string, amount: number): Promise<void> {
    await Promise.all([
      this.addToHourlyTotals(hour, { ordersCreated: 1, revenue: amount }),
      this.recordActiveUser(hour, segment, userId),
      this.call('PutItem', () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { pk: statsPartition(hour), sk: `CONVERTED#${segment}#${userId}`, type: 'conversion' },
          }),
        ),
      ),
    ]);
  }

  async recordOrderFailed(hour: string): Promise<void> {
    await this.addToHourlyTotals(hour, { ordersFailed: 1 });
  }

  private async addToHourlyTotals(hour: string, amounts: Record<string, number>): Promise<void> {
    const names = Object.keys(amounts);
    await this.call('UpdateItem', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: statsPartition(hour), sk: 'TOTALS' },
          UpdateExpression: `ADD ${names.map((name, i) => `#n${i} :v${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#n${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, amounts[name]])),
        }),
      ),
    );
  }

  async hourlyStats(hour: string): Promise<HourlyStats> {
    const stats: HourlyStats = {
      hour,
      ordersCreated: 0,
      ordersFailed: 0,
      revenue: 0,
      segments: Object.fromEntries(SEGMENTS.map((s) => [s, { activeUsers: 0, conversions: 0 }])) as Record<
        Segment,
        SegmentActivity
      >,
    };
    const users = new Map<string, { rank: number; converted: boolean }>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Query', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': statsPartition(hour) },
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        const [kind, segment, userId] = String(item.sk).split('#');
        if (kind === 'TOTALS') {
          stats.ordersCreated = Number(item.ordersCreated ?? 0);
          stats.ordersFailed = Number(item.ordersFailed ?? 0);
          stats.revenue = Number(item.revenue ?? 0);
        } else if ((kind === 'ACTIVE' || kind === 'CONVERTED') && userId) {
          const rank = SEGMENTS.indexOf(segment as Segment);
          const seen = users.get(userId) ?? { rank, converted: false };
          if (rank >= 0)
            users.set(userId, {
              rank: Math.min(rank, seen.rank),
              converted: seen.converted || kind === 'CONVERTED',
            });
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    // A user is counted once in the hour, in the segment they started it in: segments only move up
    // (new, returning, vip), so the lowest one recorded is the first.
    for (const { rank, converted } of users.values()) {
      const activity = stats.segments[SEGMENTS[rank]!];
      activity.activeUsers += 1;
      if (converted) activity.conversions += 1;
    }
    return stats;
  }
}
