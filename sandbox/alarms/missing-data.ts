import type { AlarmState, TreatMissingData } from './types.js';

export type DatapointClass = 'breaching' | 'notBreaching' | 'missing';

export interface MissingDataOptions {
  /** N of "M out of N". */
  evaluationPeriods: number;
  /** M of "M out of N". */
  datapointsToAlarm: number;
  treatMissingData: TreatMissingData;
}

export interface MissingDataDecision {
  /** RETAIN: keep the current state (the `ignore` treatment). */
  outcome: AlarmState | 'RETAIN';
  /** Which rule decided, for the state reason. */
  rule: 'enough-real-data' | 'filled' | 'all-missing' | 'premature-alarm';
  /** Indexes (into the evaluation range) of the real datapoints that were evaluated, oldest first. */
  evaluated: number[];
  /** Indexes of missing datapoints that were filled in, and what they were filled with. */
  filled: { index: number; as: 'breaching' | 'notBreaching' | 'missing' }[];
  /** Breaching datapoints counted, filled ones included. */
  breaching: number;
}

/**
 * Decides an alarm's state from the classified datapoints of its evaluation
 * range (oldest first, newest last), following "Configuring how CloudWatch
 * alarms treat missing data":
 *
 * - at least N real datapoints in the range: the newest N real ones are
 *   evaluated and the treatment is not used;
 * - none: missing → INSUFFICIENT_DATA, ignore → current state, breaching →
 *   ALARM, notBreaching → OK;
 * - some: every real datapoint is evaluated and the newest missing ones fill
 *   up to N with the treatment (breaching / notBreaching count as such;
 *   missing / ignore count as neither);
 * - "avoiding premature transitions": with missing (or ignore), when every
 *   real datapoint is breaching and the oldest is at least M periods old, the
 *   alarm goes to ALARM even with fewer than M breaching (ignore keeps the
 *   current state instead, as AWS's tables show).
 *
 * The range is longer than N (AWS's example: 5 for N = 3); its length is the
 * caller's choice. Both example tables from the AWS page are unit tests.
 */
export function decideAlarmState(
  range: readonly DatapointClass[],
  options: MissingDataOptions,
): MissingDataDecision {
  const { evaluationPeriods: n, datapointsToAlarm: m, treatMissingData } = options;
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError('evaluationPeriods must be a positive integer');
  if (!(Number.isInteger(m) && m >= 1 && m <= n)) {
    throw new RangeError('datapointsToAlarm must be an integer between 1 and evaluationPeriods');
  }
  if (range.length < n)
    throw new RangeError('the evaluation range must hold at least evaluationPeriods datapoints');

  const real: number[] = [];
  const missing: number[] = [];
  range.forEach((kind, index) => (kind === 'missing' ? missing : real).push(index));
  const countBreaching = (indexes: number[]) => indexes.filter((i) => range[i] === 'breaching').length;

  if (real.length >= n) {
    const evaluated = real.slice(-n);
    const breaching = countBreaching(evaluated);
    return {
      outcome: breaching >= m ? 'ALARM' : 'OK',
      rule: 'enough-real-data',
      evaluated,
      filled: [],
      breaching,
    };
  }

  const fillIndexes = missing.slice(-(n - real.length));
  const fill = (as: MissingDataDecision['filled'][number]['as']) =>
    fillIndexes.map((index) => ({ index, as }));

  if (real.length === 0) {
    switch (treatMissingData) {
      case 'missing':
        return {
          outcome: 'INSUFFICIENT_DATA',
          rule: 'all-missing',
          evaluated: [],
          filled: fill('missing'),
          breaching: 0,
        };
      case 'ignore':
        return {
          outcome: 'RETAIN',
          rule: 'all-missing',
          evaluated: [],
          filled: fill('missing'),
          breaching: 0,
        };
      case 'breaching':
        return {
          outcome: 'ALARM',
          rule: 'all-missing',
          evaluated: [],
          filled: fill('breaching'),
          breaching: n,
        };
      case 'notBreaching':
        return {
          outcome: 'OK',
          rule: 'all-missing',
          evaluated: [],
          filled: fill('notBreaching'),
          breaching: 0,
        };
    }
  }

  const realBreaching = countBreaching(real);
  if (treatMissingData === 'breaching') {
    const breaching = realBreaching + fillIndexes.length;
    return {
      outcome: breaching >= m ? 'ALARM' : 'OK',
      rule: 'filled',
      evaluated: real,
      filled: fill('breaching'),
      breaching,
    };
  }
  if (treatMissingData === 'notBreaching') {
    return {
      outcome: realBreaching >= m ? 'ALARM' : 'OK',
      rule: 'filled',
      evaluated: real,
      filled: fill('notBreaching'),
      breaching: realBreaching,
    };
  }

  // missing / ignore with partial data
  if (realBreaching >= m) {
    return {
      outcome: 'ALARM',
      rule: 'filled',
      evaluated: real,
      filled: fill('missing'),
      breaching: realBreaching,
    };
  }
  const oldestReal = real[0]!;
  const oldestAge = range.length - oldestReal; // the newest datapoint has age 1
  if (realBreaching === real.length && oldestAge >= m) {
    return {
      outcome: treatMissingData === 'ignore' ? 'RETAIN' : 'ALARM',
      rule: 'premature-alarm',
      evaluated: real,
      filled: fill('missing'),
      breaching: realBreaching,
    };
  }
  return {
    outcome: 'OK',
    rule: 'filled',
    evaluated: real,
    filled: fill('missing'),
    breaching: realBreaching,
  };
}
