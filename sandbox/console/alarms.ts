/** Alarm states as the console's alarms panel shows them, and the adapter from the alarm evaluator. */
import { declaredSeverity } from '../../lib/handlers/slack-notifier/alarm-facts.js';
import { normalizeTags } from '../../lib/handlers/slack-notifier/parse-notification.js';
import type { AlarmDefinition, AlarmState, AlarmStatus } from '../alarms/types.js';

export interface ConsoleAlarm {
  name: string;
  arn?: string;
  state: AlarmState;
  reason: string;
  /** When the state last changed, epoch ms. */
  updatedAt: number;
  severity?: string;
  description?: string;
  kind?: 'metric' | 'composite';
}

/** What the alarm status widget and panel need; the evaluator's statuses adapt with consoleAlarmsFromStatuses. */
export type AlarmStateSource = () => readonly ConsoleAlarm[];

/**
 * The severity the Slack notifier routes by, by the notifier's own rule: the alarm's `severity` tag
 * (lib/cdk tags every alarm it creates), else `severity: critical` or `[warning]` in the description.
 */
export function severityOfDefinition(definition: AlarmDefinition): string | undefined {
  const tags = definition.kind === 'metric' ? normalizeTags(definition.properties.Tags) : {};
  return declaredSeverity(tags, definition.description);
}

export function consoleAlarmsFromStatuses(statuses: readonly AlarmStatus[]): ConsoleAlarm[] {
  return statuses.map((status) => {
    const severity = severityOfDefinition(status.definition);
    return {
      name: status.name,
      arn: status.arn,
      state: status.state,
      reason: status.reason,
      updatedAt: status.stateTransitionedAt,
      ...(severity !== undefined ? { severity } : {}),
      ...(status.definition.description !== undefined ? { description: status.definition.description } : {}),
      kind: status.kind,
    };
  });
}
