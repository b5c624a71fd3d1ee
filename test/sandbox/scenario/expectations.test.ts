/** Expectations name alarms the way a user knows them, fail fast on a typo, and hold only when they should. */
import { describe, expect, it } from '@jest/globals';
import { checkExpectation, findAlarm, resolveExpectations } from '../../../sandbox/scenario/expectations.js';
import type { KnownAlarm, ObservedRun } from '../../../sandbox/scenario/expectations.js';
import { ScenarioError } from '../../../sandbox/scenario/format.js';

const alarms: KnownAlarm[] = [
  { name: 'Shop-Api-ErrorRate', logicalId: 'ApiErrorRate12AB', path: 'Shop/Monitoring/Api/ErrorRate' },
  {
    name: 'Shop-Worker-ErrorRate',
    logicalId: 'WorkerErrorRate34CD',
    path: 'Shop/Monitoring/Worker/ErrorRate',
  },
  { name: 'Shop-Api-LatencyP95', logicalId: 'ApiLatency56EF', path: 'Shop/Monitoring/Api/LatencyP95' },
  { name: 'hand-made' },
];

describe('naming an alarm', () => {
  it.each([
    ['its name', 'Shop-Api-LatencyP95', 'Shop-Api-LatencyP95'],
    ['its logical id', 'WorkerErrorRate34CD', 'Shop-Worker-ErrorRate'],
    ['its whole construct path', 'Shop/Monitoring/Api/ErrorRate', 'Shop-Api-ErrorRate'],
    ['the end of its construct path', 'Worker/ErrorRate', 'Shop-Worker-ErrorRate'],
    ['the end of its name', 'LatencyP95', 'Shop-Api-LatencyP95'],
    ['a name without a path', 'hand-made', 'hand-made'],
  ])('by %s', (_, reference, name) => {
    expect(findAlarm(reference, alarms).name).toBe(name);
  });

  it('refuses a reference that names several alarms, listing them', () => {
    expect(() => findAlarm('ErrorRate', alarms)).toThrow(
      /"ErrorRate" names 2 alarms \(Shop-Api-ErrorRate, Shop-Worker-ErrorRate\)/,
    );
  });

  it('refuses an unknown alarm before anything is played, listing the stack’s alarms', () => {
    const resolving = () => resolveExpectations([{ alarm: 'Api/ErorRate', reaches: 'ALARM' }], alarms);
    expect(resolving).toThrow(ScenarioError);
    expect(resolving).toThrow(
      /no alarm "Api\/ErorRate" in the stack; its alarms are:\n {2}Shop-Api-ErrorRate {2}\(Shop\/Monitoring\/Api\/ErrorRate\)/,
    );
  });
});

describe('checking what happened', () => {
  const events = (...changes: [string, string, string][]) =>
    changes.map(([alarm, from, to]) => ({ alarm, from, to }));
  const run = (alarmEvents: ObservedRun['alarmEvents'], slackTexts: string[] = []): ObservedRun => ({
    alarmEvents,
    slackTexts,
  });
  const fired = events(
    ['A', 'INSUFFICIENT_DATA', 'OK'],
    ['A', 'OK', 'ALARM'],
    ['B', 'INSUFFICIENT_DATA', 'OK'],
  );
  const resolved = [...fired, ...events(['A', 'ALARM', 'OK'])];

  it.each([
    ['A reaches ALARM', { kind: 'reaches', alarm: 'A', state: 'ALARM' }, run(fired), true],
    ['B reaches ALARM', { kind: 'reaches', alarm: 'B', state: 'ALARM' }, run(fired), false],
    ['A back to OK, while still in ALARM', { kind: 'returnsTo', alarm: 'A', state: 'OK' }, run(fired), false],
    ['A back to OK', { kind: 'returnsTo', alarm: 'A', state: 'OK' }, run(resolved), true],
    [
      'B back to OK, never having left it',
      { kind: 'returnsTo', alarm: 'B', state: 'OK' },
      run(resolved),
      false,
    ],
    ['A never reaches ALARM', { kind: 'never', alarm: 'A', state: 'ALARM' }, run(resolved), false],
    ['B never reaches ALARM', { kind: 'never', alarm: 'B', state: 'ALARM' }, run(resolved), true],
    ['only A fires', { kind: 'onlyAlarms', alarms: ['A'] }, run(resolved), true],
    ['only B fires', { kind: 'onlyAlarms', alarms: ['B'] }, run(resolved), false],
    [
      'Slack names A twice',
      { kind: 'slackMentions', text: 'A', atLeast: 2 },
      run([], ['{"t":"A fired"}']),
      false,
    ],
    [
      'Slack names A once',
      { kind: 'slackMentions', text: 'A', atLeast: 1 },
      run([], ['{"t":"A fired"}']),
      true,
    ],
  ] as const)('%s', (_, expectation, observed, held) => {
    expect(checkExpectation(expectation, observed).held).toBe(held);
  });

  it('says which other alarms fired', () => {
    expect(checkExpectation({ kind: 'onlyAlarms', alarms: ['B'] }, run(resolved)).text).toBe(
      'no alarm other than B fires (fired: A)',
    );
  });
});
