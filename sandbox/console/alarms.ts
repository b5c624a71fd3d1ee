/** Alarm states as the console's alarms panel shows them, and the adapter from the alarm evaluator. */
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
 * The severity the Slack notifier would route by: the alarm's `severity` tag (lib/cdk tags every
 * alarm it creates), else `severity: critical` or `[warning]` in the description.
 */
export function severityOfDefinition(definition: AlarmDefinition): string | undefined {
  if (definition.kind === 'metric') {
    const tags = definition.properties.Tags;
    if (Array.isArray(tags)) {
      const tag = tags.find(
        (item): item is { Key: string; Value: string } =>
          typeof item === 'object' &&
          item !== null &&
          typeof (item as { Key?: unknown }).Key === 'string' &&
          (item as { Key: string }).Key.toLowerCase() === 'severity' &&
          typeof (item as { Value?: unknown }).Value === 'string',
      );
      if (tag && tag.Value.trim()) return normalize(tag.Value);
    }
  }
  const description = definition.description ?? '';
  const match =
    /\bseverity\s*[:=]\s*\[?\s*(critical|crit|warning|warn)\b/i.exec(description) ??
    /\[(critical|crit|warning|warn)\]/i.exec(description);
  return match ? normalize(match[1]!) : undefined;
}

function normalize(severity: string): string {
  const lower = severity.trim().toLowerCase();
  if (lower === 'crit') return 'critical';
  if (lower === 'warn') return 'warning';
  return lower;
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
