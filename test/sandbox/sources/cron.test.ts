/** EventBridge cron expressions: next fire times for AWS's documented examples, in UTC. */
import { describe, expect, it } from '@jest/globals';
import { parseCronExpression } from '../../../sandbox/sources/cron.js';

/** Sunday 6 December 2026, 12:34 UTC. */
const BASE = Date.parse('2026-12-06T12:34:00Z');

const fireTimes = (expression: string, count: number, from = BASE) => {
  const cron = parseCronExpression(expression);
  const times: (string | undefined)[] = [];
  let at: number | undefined = from;
  for (let i = 0; i < count && at !== undefined; i++) {
    at = cron.next(at);
    times.push(at === undefined ? undefined : new Date(at).toISOString().replace(':00.000Z', 'Z'));
  }
  return times;
};

describe('cron(...) next fire times', () => {
  it.each([
    // the examples of AWS's "Schedule expressions for rules" page
    ['cron(0 10 * * ? *)', ['2026-12-07T10:00Z', '2026-12-08T10:00Z']],
    ['cron(15 12 * * ? *)', ['2026-12-07T12:15Z']],
    ['cron(0 18 ? * MON-FRI *)', ['2026-12-07T18:00Z', '2026-12-08T18:00Z']],
    ['cron(0 8 1 * ? *)', ['2027-01-01T08:00Z', '2027-02-01T08:00Z']],
    ['cron(0/15 * * * ? *)', ['2026-12-06T12:45Z', '2026-12-06T13:00Z']],
    ['cron(0/10 * ? * MON-FRI *)', ['2026-12-07T00:00Z', '2026-12-07T00:10Z']],
    ['cron(0/5 8-17 ? * MON-FRI *)', ['2026-12-07T08:00Z', '2026-12-07T08:05Z']],
    ['cron(0 9 ? * 2#1 *)', ['2026-12-07T09:00Z', '2027-01-04T09:00Z']],
    // L: the last day of the month; in day-of-week, Saturday or the last <weekday> of the month
    ['cron(0 0 L * ? *)', ['2026-12-31T00:00Z', '2027-01-31T00:00Z', '2027-02-28T00:00Z']],
    ['cron(0 12 ? * 6L *)', ['2026-12-25T12:00Z', '2027-01-29T12:00Z']],
    ['cron(0 12 ? * L *)', ['2026-12-12T12:00Z']],
    // W: the weekday nearest a day, never in another month; LW the last weekday
    ['cron(0 12 LW * ? *)', ['2026-12-31T12:00Z', '2027-01-29T12:00Z']],
    ['cron(0 12 15W 5,8 ? *)', ['2027-05-14T12:00Z', '2027-08-16T12:00Z']],
    ['cron(0 12 1W 5 ? *)', ['2027-05-03T12:00Z']],
    // names, lists and the year field
    ['cron(0 6 ? JAN,JUL MON *)', ['2027-01-04T06:00Z', '2027-01-11T06:00Z']],
    ['cron(9 * 7,9,11 5 ? 2020,2022,2024-2099)', ['2027-05-07T00:09Z', '2027-05-07T01:09Z']],
    ['cron(0 0 1 1 ? 2028)', ['2028-01-01T00:00Z', undefined]],
  ])('%s', (expression, expected) => {
    expect(fireTimes(expression, expected.length)).toEqual(expected);
  });

  it('fires strictly after the time given, and on the minute', () => {
    const cron = parseCronExpression('cron(35 12 * * ? *)');
    expect(new Date(cron.next(BASE + 1)!).toISOString()).toBe('2026-12-06T12:35:00.000Z');
    expect(new Date(cron.next(Date.parse('2026-12-06T12:35:00Z'))!).toISOString()).toBe(
      '2026-12-07T12:35:00.000Z',
    );
  });

  it.each([
    ['cron(0 10 * * * *)', /one of day-of-month and day-of-week must be \?/],
    ['cron(0 10 ? * ? *)', /one of day-of-month and day-of-week must be \?/],
    ['cron(0 10 * *)', /six fields/],
    ['cron(60 * * * ? *)', /minutes value "60"/],
    ['cron(0 10 ? * FUNDAY *)', /day-of-week value "FUNDAY"/],
    ['cron(0 10 ? * 2#6 *)', /day-of-week value "6"/],
    ['rate(5 minutes)', /six fields/],
  ])('refuses %s', (expression, message) => {
    expect(() => parseCronExpression(expression)).toThrow(message);
  });
});
