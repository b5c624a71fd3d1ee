/**
 * The stack's alarms, evaluated every simulated minute; each state change is recorded and published,
 * as CloudWatch publishes it, to the alarm's SNS actions.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AlarmTransition } from '../alarms/index.js';
import {
  AlarmEvaluator,
  buildAlarmSnsMessage,
  buildAlarmSnsSubject,
  startEvaluationLoop,
} from '../alarms/index.js';
import { SnsError } from '../aws/sns.js';
import type { SandboxStack } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';
import { SnsService } from './sns.js';

export interface AlarmEvent {
  at: number;
  alarm: string;
  from: string;
  to: string;
  reason: string;
}

export class AlarmsService implements SandboxService {
  readonly name = 'alarms';
  readonly resourceTypes = ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'];
  /** Every state change, oldest first. */
  readonly events: AlarmEvent[] = [];
  evaluator: AlarmEvaluator | undefined;
  private loop: { stop(): unknown } | undefined;

  async start(context: ServiceContext): Promise<void> {
    const { stack, clock, metrics, log } = context;
    // As if the stack had been running a while: alarms that treat missing data as breaching (the
    // health check's) would otherwise fire on the minutes before the sandbox existed.
    const warmUpMs = warmUpFor(stack) / clock.compression;
    if (warmUpMs > 0) {
      log(`warming up for ${Math.round(warmUpMs / 100) / 10} s so that every alarm has data to look at…`);
      await sleep(warmUpMs);
    }
    log(
      `evaluating ${stack.alarms.length} alarms every ${Math.round((60 / clock.compression) * 10) / 10} s (one simulated minute)…`,
    );
    const evaluator = new AlarmEvaluator({ store: metrics, alarms: stack.alarms, createdAt: clock.now() });
    this.evaluator = evaluator;
    const sns = context.service(SnsService);
    this.loop = startEvaluationLoop({
      evaluator,
      clock,
      onTransitions: (transitions) => this.notify(sns, transitions),
      onError: (error) =>
        log(`alarm evaluation failed: ${error instanceof Error ? error.message : String(error)}`),
    });
  }

  /** Alarm state changes → CloudWatch's SNS notification → the functions subscribed to the topic. */
  private notify(sns: SnsService, transitions: AlarmTransition[]): void {
    for (const transition of transitions) {
      this.events.push({
        at: transition.timestamp,
        alarm: transition.alarm.name,
        from: transition.oldState,
        to: transition.newState,
        reason: transition.reason,
      });
      for (const topicArn of transition.actions) {
        try {
          sns.publish({
            topicArn,
            subject: buildAlarmSnsSubject(transition).slice(0, 100),
            message: JSON.stringify(buildAlarmSnsMessage(transition)),
          });
        } catch (error) {
          // An action on a topic outside the stack has nobody to reach here.
          if (!(error instanceof SnsError)) throw error;
        }
      }
    }
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }
}

/**
 * Simulated ms of data the breaching-on-missing-data alarms look back over (their evaluation
 * periods, plus the extra periods the evaluator reads and one still in progress), at most ten minutes.
 */
function warmUpFor(stack: SandboxStack): number {
  let longest = 0;
  for (const alarm of stack.alarms) {
    if (alarm.kind !== 'metric' || alarm.treatMissingData !== 'breaching') continue;
    longest = Math.max(longest, (alarm.evaluationPeriods + 3) * alarm.periodSeconds * 1000);
  }
  return Math.min(longest, 10 * 60_000);
}
