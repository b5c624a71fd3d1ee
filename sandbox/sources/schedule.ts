/**
 * An EventBridge schedule rule: invokes its target with a "Scheduled Event" every N seconds of wall
 * time. Schedule targets are invoked asynchronously, so a failed invocation fails nothing here;
 * it is reported to `onFire` listeners only.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { SANDBOX_ACCOUNT } from '../account.js';
import type { CronSchedule } from './cron.js';
import type { SourceInvocation, SourceTarget } from './invoker.js';

/** Simulated time: the sandbox's CompressedClock. */
export interface ScheduleClock {
  now(): number;
  readonly compression: number;
}

export type ScheduleOptions = {
  target: SourceTarget;
  /** @default 'sandbox-schedule' */
  ruleName?: string;
  /** The rule's ARN in the events; built from ruleName when absent. */
  ruleArn?: string;
  /** @default 'us-east-1' */
  region?: string;
  /** @default the sandbox's account */
  accountId?: string;
} & (
  | {
      /** Seconds between invocations (`rate(...)`; see parseRateExpression), in wall time. */
      everySeconds: number;
      cron?: undefined;
    }
  | {
      /** Fires at the cron expression's times on `clock` (UTC), each event timed as scheduled. */
      cron: CronSchedule;
      clock: ScheduleClock;
      everySeconds?: undefined;
    }
);

export interface ScheduleFiring {
  event: ScheduledEvent;
  /** Absent when the invocation was refused before running. */
  invocation?: SourceInvocation;
  error?: Error;
}

export type ScheduledEvent = EventBridgeEvent<'Scheduled Event', Record<string, never>>;

export interface Schedule {
  /** Invokes the target now, as a tick would (the timer keeps its pace). */
  fireNow(): Promise<ScheduleFiring>;
  onFire(listener: (firing: ScheduleFiring) => void): () => void;
  /** Ticks fired so far, `fireNow` included. */
  fired(): number;
  /** Stops the timer and waits for invocations already started. */
  stop(): Promise<void>;
}

const UNITS: Record<string, number> = {
  minute: 60,
  minutes: 60,
  hour: 3600,
  hours: 3600,
  day: 86_400,
  days: 86_400,
};

/** Seconds between runs of an EventBridge `rate(...)` expression; cron expressions are refused. */
export function parseRateExpression(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  const value = match ? Number(match[1]) : 0;
  const unit = match?.[2] ?? '';
  // EventBridge wants the singular unit for 1 and the plural otherwise.
  if (!match || value < 1 || (value === 1) !== !unit.endsWith('s')) {
    throw new Error(
      `Schedule expression "${expression}" is not supported: use rate(<n> minute|minutes|hour|hours|day|days)`,
    );
  }
  return value * UNITS[unit]!;
}

export function scheduledEvent(ruleArn: string, region: string, accountId: string, at: Date): ScheduledEvent {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: accountId,
    // EventBridge writes the scheduled time to the second.
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [ruleArn],
    detail: {},
  };
}

export function startSchedule(options: ScheduleOptions): Schedule {
  if (options.cron === undefined && (!Number.isFinite(options.everySeconds) || options.everySeconds <= 0)) {
    throw new Error(`Schedule everySeconds must be a positive number, not ${options.everySeconds}`);
  }
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? SANDBOX_ACCOUNT;
  const ruleArn =
    options.ruleArn ?? `arn:aws:events:${region}:${accountId}:rule/${options.ruleName ?? 'sandbox-schedule'}`;
  const listeners = new Set<(firing: ScheduleFiring) => void>();
  const running = new Set<Promise<ScheduleFiring>>();
  let fired = 0;

  const fire = (at = new Date()): Promise<ScheduleFiring> => {
    fired += 1;
    const event = scheduledEvent(ruleArn, region, accountId, at);
    const firing = options.target.invoke(event).then(
      (invocation): ScheduleFiring => ({ event, invocation }),
      (error: unknown): ScheduleFiring => ({
        event,
        error: error instanceof Error ? error : new Error(String(error)),
      }),
    );
    const tracked = firing.then((result) => {
      running.delete(tracked);
      for (const listener of listeners) {
        try {
          listener(result);
        } catch {
          // A listener's failure does not stop the schedule.
        }
      }
      return result;
    });
    running.add(tracked);
    return tracked;
  };

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  if (options.cron === undefined) {
    timer = setInterval(() => void fire(), options.everySeconds * 1000);
  } else {
    const { cron, clock } = options;
    const armFrom = (simulatedMs: number) => {
      const at = cron.next(simulatedMs);
      if (at === undefined || stopped) return;
      // Timers wait at most ~24.8 days; a later time is reached in steps.
      const delay = Math.min((at - clock.now()) / clock.compression, 2 ** 31 - 1);
      timer = setTimeout(
        () => {
          if (clock.now() + 1 < at) return armFrom(simulatedMs);
          void fire(new Date(at));
          armFrom(at);
        },
        Math.max(0, delay),
      );
    };
    armFrom(clock.now());
  }
  return {
    fireNow: () => fire(),
    onFire(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    fired: () => fired,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(running);
    },
  };
}
