/**
 * EventBridge's six-field `cron(minutes hours day-of-month month day-of-week year)` expressions,
 * evaluated in UTC: `*`, `?`, lists, ranges, `/` increments, month and weekday names (1 = SUN),
 * `L` (last day of the month, or `5L` the last Thursday), `W` (`15W` the weekday nearest the 15th,
 * `LW` the last weekday) and `#` (`2#1` the first Monday).
 *
 * Written here rather than taken from npm because the common cron libraries read five- or
 * Quartz-style fields (seconds first, no year, 0 = Sunday) and would accept the wrong schedule
 * silently; AWS's own rules fit in this file.
 */

type DayTest = (year: number, month: number, day: number) => boolean;

export interface CronSchedule {
  expression: string;
  /** The first fire time strictly after `afterMs` (epoch ms), or undefined when there is none. */
  next(afterMs: number): number | undefined;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const LAST_YEAR = 2199;

class CronError extends Error {
  constructor(expression: string, problem: string) {
    super(`Schedule expression "${expression}" is not a valid EventBridge cron expression: ${problem}`);
  }
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 = Sunday … 7 = Saturday, as AWS numbers them. */
const weekdayOf = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

export function parseCronExpression(expression: string): CronSchedule {
  const match = /^cron\((.*)\)$/.exec(expression.trim());
  const fields = match ? match[1]!.trim().split(/\s+/) : [];
  if (fields.length !== 6)
    throw new CronError(expression, 'it needs six fields: minutes hours day-of-month month day-of-week year');
  const fail = (problem: string): never => {
    throw new CronError(expression, problem);
  };
  const [minuteField, hourField, domField, monthField, dowField, yearField] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if ((domField === '?') === (dowField === '?'))
    fail('exactly one of day-of-month and day-of-week must be ?');

  const number = (text: string, names: string[] | undefined, min: number, max: number, field: string) => {
    const named = names?.indexOf(text.toUpperCase()) ?? -1;
    const value = named >= 0 ? named + min : /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(value >= min && value <= max)) fail(`${field} value "${text}" is not within ${min}-${max}`);
    return value;
  };

  /** The values a field of numbers (lists, ranges, increments, `*`) allows. */
  const values = (text: string, min: number, max: number, field: string, names?: string[]) => {
    const allowed = new Set<number>();
    for (const part of text.split(',')) {
      const [range = '', stepText] = part.split('/');
      const step = stepText === undefined ? 1 : number(stepText, undefined, 1, max, field);
      let from: number;
      let to: number;
      if (range === '*') [from, to] = [min, max];
      else if (range.includes('-')) {
        const [a = '', b = ''] = range.split('-');
        [from, to] = [number(a, names, min, max, field), number(b, names, min, max, field)];
        if (to < from) fail(`${field} range "${range}" runs backwards`);
      } else {
        from = number(range, names, min, max, field);
        to = stepText === undefined ? from : max;
      }
      for (let value = from; value <= to; value += step) allowed.add(value);
    }
    return allowed;
  };

  const dayOfMonth = (text: string): DayTest => {
    if (text === '?') return () => true;
    if (text === 'L') return (y, m, d) => d === daysIn(y, m);
    if (text === 'LW')
      return (y, m, d) => {
        let last = daysIn(y, m);
        while (weekdayOf(y, m, last) === 1 || weekdayOf(y, m, last) === 7) last--;
        return d === last;
      };
    const nearest = /^(\d+)W$/.exec(text);
    if (nearest) {
      const target = number(nearest[1]!, undefined, 1, 31, 'day-of-month');
      return (y, m, d) => {
        const length = daysIn(y, m);
        if (target > length) return false;
        const weekday = weekdayOf(y, m, target);
        // The nearest weekday, never crossing into another month.
        let day = target;
        if (weekday === 7) day = target === 1 ? 3 : target - 1;
        else if (weekday === 1) day = target === length ? target - 2 : target + 1;
        return d === day;
      };
    }
    const days = values(text, 1, 31, 'day-of-month');
    return (_y, _m, d) => days.has(d);
  };

  const dayOfWeek = (text: string): DayTest => {
    if (text === '?') return () => true;
    const last = /^(\w+)L$/.exec(text);
    if (text === 'L') return (y, m, d) => weekdayOf(y, m, d) === 7;
    if (last) {
      const weekday = number(last[1]!, WEEKDAYS, 1, 7, 'day-of-week');
      return (y, m, d) => weekdayOf(y, m, d) === weekday && d + 7 > daysIn(y, m);
    }
    const nth = /^(\w+)#(\d)$/.exec(text);
    if (nth) {
      const weekday = number(nth[1]!, WEEKDAYS, 1, 7, 'day-of-week');
      const which = number(nth[2]!, undefined, 1, 5, 'day-of-week');
      return (y, m, d) => weekdayOf(y, m, d) === weekday && Math.ceil(d / 7) === which;
    }
    const weekdays = values(text, 1, 7, 'day-of-week', WEEKDAYS);
    return (y, m, d) => weekdays.has(weekdayOf(y, m, d));
  };

  const minutes = [...values(minuteField, 0, 59, 'minutes')].sort((a, b) => a - b);
  const hours = [...values(hourField, 0, 23, 'hours')].sort((a, b) => a - b);
  const months = values(monthField, 1, 12, 'month', MONTHS);
  const years = values(yearField, 1970, LAST_YEAR, 'year');
  const domTest = dayOfMonth(domField);
  const dowTest = dayOfWeek(dowField);
  const lastYear = Math.max(...years);

  return {
    expression,
    next(afterMs) {
      const start = new Date(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
      let year = start.getUTCFullYear();
      let month = start.getUTCMonth() + 1;
      let day = start.getUTCDate();
      let fromMinute = start.getUTCHours() * 60 + start.getUTCMinutes();
      while (year <= lastYear) {
        if (!years.has(year)) {
          [year, month, day, fromMinute] = [year + 1, 1, 1, 0];
          continue;
        }
        if (!months.has(month) || day > daysIn(year, month)) {
          [month, day, fromMinute] = [month + 1, 1, 0];
          if (month > 12) [year, month] = [year + 1, 1];
          continue;
        }
        if (domTest(year, month, day) && dowTest(year, month, day)) {
          for (const hour of hours) {
            for (const minute of minutes) {
              if (hour * 60 + minute >= fromMinute) return Date.UTC(year, month - 1, day, hour, minute);
            }
          }
        }
        [day, fromMinute] = [day + 1, 0];
      }
      return undefined;
    },
  };
}
