/**
 * Keeps the posts about one alarm in the order its states changed. Each alarm's last posted
 * state-change time is kept (in the idempotency table, or per container); a notification older
 * than that is late: it is still posted, but says so and mentions no one, so that a delayed ALARM
 * never reads as the alarm's current state after a newer OK.
 *
 * Like the duplicate guard, this fails open: a table that errs or does not answer within its
 * budget leaves the post as it is.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import type { AlarmNotification, AlarmState } from './alarm.js';
import { ALARM_STATES } from './alarm.js';
import type { StoreBudget } from './store-budget.js';
import { TIMED_OUT, createStoreBudget } from './store-budget.js';

export interface NewerState {
  state?: AlarmState;
  changedAt?: Date;
}

export type OrderVerdict =
  /** The newest state change posted about this alarm so far (or its repeat). */
  | { kind: 'in_order' }
  /** A newer state change of the alarm has already been posted. */
  | { kind: 'late'; newer: NewerState }
  /** Not known: no time on the notification, or the store could not be asked. */
  | { kind: 'unknown' };

export interface AlarmOrder {
  /** Records `alarm`'s state change as the latest unless a newer one was recorded first. */
  claim(alarm: AlarmNotification): Promise<OrderVerdict>;
}

/** How long the last posted state of an alarm is kept: longer than Lambda keeps retrying (6 h). */
export const ORDER_WINDOW_SECONDS = 24 * 3600;

/** The same alarm, whichever way it arrived: ARN when known, else its name. */
const alarmKey = (alarm: AlarmNotification): string => alarm.alarmArn ?? `name:${alarm.alarmName}`;

const knownState = (value: unknown): AlarmState | undefined => ALARM_STATES.find((state) => state === value);

/** Per container, for when there is no table (and for the sandbox's tests). */
export function createMemoryOrder(maxAlarms = 10_000): AlarmOrder {
  const latest = new Map<string, { at: number; state: AlarmState }>();
  return {
    async claim(alarm) {
      if (!alarm.changedAt) return { kind: 'unknown' };
      const key = alarmKey(alarm);
      const at = alarm.changedAt.getTime();
      const seen = latest.get(key);
      if (seen && seen.at > at)
        return { kind: 'late', newer: { state: seen.state, changedAt: new Date(seen.at) } };
      latest.delete(key);
      latest.set(key, { at, state: alarm.newState });
      while (latest.size > maxAlarms) latest.delete(latest.keys().next().value as string);
      return { kind: 'in_order' };
    },
  };
}

interface OrderLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * In the idempotency table (key `id`, TTL attribute `expiration`), one item per alarm:
 * a conditional write of the state-change time, refused when the stored one is newer.
 */
export function createDynamoOrder(
  client: DynamoDBClient,
  tableName: string,
  logger: OrderLogger,
  budget: StoreBudget = createStoreBudget(),
  now: () => number = Date.now,
): AlarmOrder {
  /** What the newer post was, for the late message; nothing when the table cannot say in time. */
  const newerState = async (Key: Record<string, { S: string }>): Promise<NewerState> => {
    try {
      const read = await budget.within(
        client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true })),
      );
      if (read === TIMED_OUT) return {};
      const at = Number(read.Item?.changed_at?.N);
      return {
        state: knownState(read.Item?.alarm_state?.S),
        changedAt: Number.isFinite(at) ? new Date(at) : undefined,
      };
    } catch {
      return {};
    }
  };
  return {
    async claim(alarm) {
      if (!alarm.changedAt) return { kind: 'unknown' };
      const fields = { alarm_name: alarm.alarmName, state: alarm.newState };
      if (budget.skipping()) return { kind: 'unknown' };
      const digest = createHash('sha256').update(alarmKey(alarm)).digest('hex').slice(0, 40);
      const Key = { id: { S: `slack-notifier-order#${digest}` } };
      const write = client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key,
          UpdateExpression:
            'SET changed_at = :at, alarm_state = :state, alarm_name = :name, expiration = :expires',
          ConditionExpression: 'attribute_not_exists(changed_at) OR changed_at <= :at',
          ExpressionAttributeValues: {
            ':at': { N: String(alarm.changedAt.getTime()) },
            ':state': { S: alarm.newState },
            ':name': { S: alarm.alarmName },
            ':expires': { N: String(Math.floor(now() / 1000) + ORDER_WINDOW_SECONDS) },
          },
        }),
      );
      try {
        const outcome = await budget.within(write);
        if (outcome !== TIMED_OUT) return { kind: 'in_order' };
        logger.warn('Alarm order store did not answer in time; posting without the order check', fields);
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException')
          return { kind: 'late', newer: await newerState(Key) };
        logger.warn('Alarm order store unavailable; posting without the order check', {
          ...fields,
          error: error instanceof Error ? error.name : 'unknown',
        });
      }
      return { kind: 'unknown' };
    },
  };
}
