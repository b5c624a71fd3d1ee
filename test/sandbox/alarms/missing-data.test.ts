import { decideAlarmState, type DatapointClass } from '../../../sandbox/alarms/missing-data.js';
import type { TreatMissingData } from '../../../sandbox/alarms/types.js';

/** "0 - X - X" → classes, oldest first, as AWS writes its tables (0 not breaching, X breaching, - missing). */
function range(text: string): DatapointClass[] {
  return text.split(/\s+/).map((c) => (c === 'X' ? 'breaching' : c === '0' ? 'notBreaching' : 'missing'));
}

const TREATMENTS: TreatMissingData[] = ['missing', 'ignore', 'breaching', 'notBreaching'];
type Expected = [string, number, string, string, string, string];

// "Configuring how CloudWatch alarms treat missing data", first table:
// Datapoints to Alarm 3, Evaluation Periods 3, evaluation range 5.
// Columns: data points | # to fill | MISSING | IGNORE | BREACHING | NOT BREACHING
const THREE_OF_THREE: Expected[] = [
  ['0 - X - X', 0, 'OK', 'OK', 'OK', 'OK'],
  ['0 - - - -', 2, 'OK', 'OK', 'OK', 'OK'],
  ['- - - - -', 3, 'INSUFFICIENT_DATA', 'RETAIN', 'ALARM', 'OK'],
  ['0 X X - X', 0, 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['- - X - -', 2, 'ALARM', 'RETAIN', 'ALARM', 'OK'],
];

// Second table: Datapoints to Alarm 2, Evaluation Periods 3 (2 out of 3), range 5.
const TWO_OF_THREE: Expected[] = [
  ['0 - X - X', 0, 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['0 0 X 0 X', 0, 'ALARM', 'ALARM', 'ALARM', 'ALARM'],
  ['0 - X - -', 1, 'OK', 'OK', 'ALARM', 'OK'],
  ['- - - - 0', 2, 'OK', 'OK', 'ALARM', 'OK'],
  ['- - - X -', 2, 'ALARM', 'RETAIN', 'ALARM', 'OK'],
];

describe.each([
  ['3 out of 3', 3, THREE_OF_THREE],
  ['2 out of 3', 2, TWO_OF_THREE],
])("AWS's missing-data table, %s", (_label, datapointsToAlarm, rows) => {
  describe.each(rows)('data points %s', (points, toFill, ...states) => {
    it.each(TREATMENTS.map((treatment, i) => [treatment, states[i]!]))(
      'treated as %s → %s',
      (treatment, expected) => {
        const decision = decideAlarmState(range(points), {
          evaluationPeriods: 3,
          datapointsToAlarm,
          treatMissingData: treatment as TreatMissingData,
        });
        expect(decision.outcome).toBe(expected);
        expect(decision.filled).toHaveLength(toFill);
      },
    );
  });
});

describe('decideAlarmState details', () => {
  it('evaluates the newest N real datapoints when enough exist, skipping gaps', () => {
    const decision = decideAlarmState(range('X 0 - X X'), {
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'breaching',
    });
    expect(decision.evaluated).toEqual([1, 3, 4]);
    expect(decision.rule).toBe('enough-real-data');
    expect(decision.outcome).toBe('OK');
  });

  it('fills the newest missing datapoints first', () => {
    const decision = decideAlarmState(range('- 0 - X -'), {
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: 'breaching',
    });
    expect(decision.filled).toEqual([{ index: 4, as: 'breaching' }]);
    expect(decision.breaching).toBe(2);
    expect(decision.outcome).toBe('ALARM');
  });

  it('does not go to ALARM early on one fresh breaching datapoint (- - - - X, 3 of 3)', () => {
    const decision = decideAlarmState(range('- - - - X'), {
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      treatMissingData: 'missing',
    });
    expect(decision.outcome).toBe('OK');
  });

  it('works for 1 out of 1 with a range of 3', () => {
    const options = { evaluationPeriods: 1, datapointsToAlarm: 1 } as const;
    expect(decideAlarmState(range('- - X'), { ...options, treatMissingData: 'missing' }).outcome).toBe(
      'ALARM',
    );
    expect(decideAlarmState(range('X - -'), { ...options, treatMissingData: 'missing' }).outcome).toBe(
      'ALARM',
    );
    expect(decideAlarmState(range('X - 0'), { ...options, treatMissingData: 'breaching' }).outcome).toBe(
      'OK',
    );
  });

  it('rejects impossible settings with a clear error', () => {
    expect(() =>
      decideAlarmState(range('- - -'), {
        evaluationPeriods: 3,
        datapointsToAlarm: 4,
        treatMissingData: 'missing',
      }),
    ).toThrow(/datapointsToAlarm/);
    expect(() =>
      decideAlarmState(range('- -'), {
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: 'missing',
      }),
    ).toThrow(/evaluation range/);
    expect(() =>
      decideAlarmState(range('-'), {
        evaluationPeriods: 0,
        datapointsToAlarm: 1,
        treatMissingData: 'missing',
      }),
    ).toThrow(/evaluationPeriods/);
  });
});
