/**
 * A scenario's expectations, checked against what the sandbox saw: alarm state changes and the
 * Slack messages posted. Alarms are named the way a user knows them: the alarm name, its logical id,
 * or its construct path (whole, or its last segments: `Monitoring/ErrorRate`).
 */
import type { SandboxStack } from '../template/index.js';
import type { Expectation } from './format.js';
import { ScenarioError } from './format.js';

export interface KnownAlarm {
  name: string;
  logicalId?: string;
  /** Construct path from the template's `aws:cdk:path`, without the trailing `/Resource`. */
  path?: string;
}

export interface ObservedRun {
  alarmEvents: readonly { alarm: string; from: string; to: string }[];
  /** Each Slack message as the text it was posted with (its JSON payload). */
  slackTexts: readonly string[];
}

export interface ExpectationResult {
  held: boolean;
  text: string;
}

/** A checkable expectation: alarm references already resolved to alarm names. */
export type ResolvedExpectation =
  | { kind: 'reaches'; alarm: string; state: string }
  | { kind: 'returnsTo'; alarm: string; state: string }
  | { kind: 'never'; alarm: string; state: string }
  | { kind: 'slackMentions'; text: string; atLeast: number }
  | { kind: 'onlyAlarms'; alarms: readonly string[] };

/** The stack's alarms as a scenario names them: name, logical id, construct path. */
export function knownAlarms(stack: Pick<SandboxStack, 'alarms' | 'template'>): KnownAlarm[] {
  return stack.alarms.map((alarm) => {
    const metadata = alarm.logicalId ? stack.template.Resources?.[alarm.logicalId]?.Metadata : undefined;
    const path = metadata?.['aws:cdk:path'];
    return {
      name: alarm.name,
      ...(alarm.logicalId ? { logicalId: alarm.logicalId } : {}),
      ...(typeof path === 'string' ? { path: path.replace(/\/Resource$/, '') } : {}),
    };
  });
}

/** The one alarm a reference names; a reference that names none or several is an error. */
export function findAlarm(reference: string, alarms: readonly KnownAlarm[]): KnownAlarm {
  const levels: ((alarm: KnownAlarm) => boolean)[] = [
    (alarm) => alarm.name === reference,
    (alarm) => alarm.logicalId === reference,
    (alarm) => alarm.path === reference || (alarm.path?.endsWith(`/${reference}`) ?? false),
    (alarm) => alarm.name.endsWith(reference),
  ];
  for (const matches of levels) {
    const found = alarms.filter(matches);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw new ScenarioError(
        `"${reference}" names ${found.length} alarms (${found.map((alarm) => alarm.name).join(', ')}); use a full name or construct path`,
      );
    }
  }
  const known = alarms.map((alarm) => `  ${alarm.name}${alarm.path ? `  (${alarm.path})` : ''}`);
  throw new ScenarioError(
    `no alarm "${reference}" in the stack; its alarms are:\n${known.join('\n') || '  (none)'}`,
  );
}

/** Resolves every alarm reference before anything is played, so that a typo fails fast. */
export function resolveExpectations(
  expectations: readonly Expectation[],
  alarms: readonly KnownAlarm[],
): ResolvedExpectation[] {
  return expectations.map((expectation) => {
    if ('reaches' in expectation)
      return {
        kind: 'reaches',
        alarm: findAlarm(expectation.alarm, alarms).name,
        state: expectation.reaches,
      };
    if ('returnsTo' in expectation) {
      return {
        kind: 'returnsTo',
        alarm: findAlarm(expectation.alarm, alarms).name,
        state: expectation.returnsTo,
      };
    }
    if ('never' in expectation)
      return { kind: 'never', alarm: findAlarm(expectation.alarm, alarms).name, state: expectation.never };
    if ('slackMentions' in expectation)
      return {
        kind: 'slackMentions',
        text: findAlarm(expectation.slackMentions, alarms).name,
        atLeast: expectation.atLeast,
      };
    return {
      kind: 'onlyAlarms',
      alarms: expectation.onlyAlarms.map((reference) => findAlarm(reference, alarms).name),
    };
  });
}

export function checkExpectation(expectation: ResolvedExpectation, run: ObservedRun): ExpectationResult {
  switch (expectation.kind) {
    case 'reaches': {
      const held = run.alarmEvents.some(
        (event) => event.alarm === expectation.alarm && event.to === expectation.state,
      );
      return { held, text: `${expectation.alarm} reaches ${expectation.state}` };
    }
    case 'returnsTo': {
      // Back to the state after having been in another one (INSUFFICIENT_DATA at start-up does not count).
      const events = run.alarmEvents.filter((event) => event.alarm === expectation.alarm);
      const left = events.findIndex(
        (event) => event.to !== expectation.state && event.to !== 'INSUFFICIENT_DATA',
      );
      const held = left >= 0 && events.slice(left + 1).some((event) => event.to === expectation.state);
      return { held, text: `${expectation.alarm} is back to ${expectation.state}` };
    }
    case 'never': {
      const held = !run.alarmEvents.some(
        (event) => event.alarm === expectation.alarm && event.to === expectation.state,
      );
      return { held, text: `${expectation.alarm} never reaches ${expectation.state}` };
    }
    case 'slackMentions': {
      const count = run.slackTexts.filter((text) => text.includes(expectation.text)).length;
      return {
        held: count >= expectation.atLeast,
        text: `${expectation.atLeast === 1 ? 'a Slack message names' : `${expectation.atLeast} Slack messages name`} ${expectation.text} (${count} did)`,
      };
    }
    case 'onlyAlarms': {
      const allowed = new Set(expectation.alarms);
      const others = [
        ...new Set(
          run.alarmEvents
            .filter((event) => event.to === 'ALARM' && !allowed.has(event.alarm))
            .map((event) => event.alarm),
        ),
      ];
      return {
        held: others.length === 0,
        text: `no alarm other than ${expectation.alarms.join(', ') || '(none)'} fires${others.length ? ` (fired: ${others.join(', ')})` : ''}`,
      };
    }
  }
}

export function checkExpectations(
  expectations: readonly ResolvedExpectation[],
  run: ObservedRun,
): ExpectationResult[] {
  return expectations.map((expectation) => checkExpectation(expectation, run));
}
