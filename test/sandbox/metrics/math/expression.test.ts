import {
  evaluateExpression,
  ExpressionError,
  parseExpression,
  referencedIds,
  type ExpressionValue,
} from '../../../../sandbox/metrics/math/expression.js';

const _ = undefined;
const MINUTE = 60_000;

/** Evaluates an expression over named series (undefined = missing datapoint). */
function run(source: string, series: Record<string, (number | undefined)[]>): ExpressionValue {
  const length = Object.values(series)[0]?.length ?? 3;
  const timestamps = Array.from({ length }, (_v, i) => i * MINUTE);
  return evaluateExpression(parseExpression(source), {
    timestamps,
    periodSeconds: 60,
    metricIds: Object.keys(series),
    lookup: (id) => {
      const values = series[id];
      if (!values) throw new ExpressionError(`unknown id ${id}`);
      return { kind: 'series', values };
    },
  });
}

function values(source: string, series: Record<string, (number | undefined)[]>) {
  const result = run(source, series);
  if (result.kind !== 'series') throw new Error(`expected a series, got ${result.kind}`);
  return result.values;
}

function scalarOf(source: string, series: Record<string, (number | undefined)[]>) {
  const result = run(source, series);
  if (result.kind !== 'scalar') throw new Error(`expected a scalar, got ${result.kind}`);
  return result.value;
}

describe('arithmetic', () => {
  it('follows the usual precedence, unary minus and ^', () => {
    expect(scalarOf('1 + 2 * 3', {})).toBe(7);
    expect(scalarOf('(1 + 2) * 3', {})).toBe(9);
    expect(scalarOf('-2 ^ 2', {})).toBe(-4);
    expect(scalarOf('2 ^ 3 ^ 2', {})).toBe(512);
    expect(scalarOf('10 / 4 - 1', {})).toBe(1.5);
    expect(scalarOf('1.5e2 + .5', {})).toBe(150.5);
  });

  it('computes an error rate per period', () => {
    expect(values('100 * errors / requests', { errors: [1, 0, 5], requests: [10, 20, 50] })).toEqual([
      10, 0, 10,
    ]);
  });

  it('drops the datapoint on division by zero', () => {
    expect(values('m1 / m2', { m1: [1, 4, 0], m2: [0, 2, 0] })).toEqual([_, 2, _]);
    expect(scalarOf('1 / 0', {})).toBeUndefined();
  });

  it('treats a value missing on one side as 0 and missing on both as missing', () => {
    expect(values('m1 + m2', { m1: [1, _, _], m2: [_, 2, _] })).toEqual([1, 2, _]);
    expect(values('m1 / m2', { m1: [_, 3], m2: [4, _] })).toEqual([0, _]);
  });

  it('keeps a series missing where it is missing when combined with a scalar', () => {
    expect(values('m1 * 2', { m1: [1, _, 3] })).toEqual([2, _, 6]);
    expect(values('-m1', { m1: [1, _, -3] })).toEqual([-1, _, 3]);
  });
});

describe('comparison and logical operators (the AWS documentation example)', () => {
  const series = { metric1: [30, 20, 0, 0], metric2: [20, _, 20, _] };
  it('metric1 < metric2 → 0, 0, 1, 0', () =>
    expect(values('metric1 < metric2', series)).toEqual([0, 0, 1, 0]));
  it('metric1 >= 30 → 1, 0, 0, 0', () => expect(values('metric1 >= 30', series)).toEqual([1, 0, 0, 0]));
  it('metric1 > 15 AND metric2 > 15 → 1, 0, 0, 0', () =>
    expect(values('metric1 > 15 AND metric2 > 15', series)).toEqual([1, 0, 0, 0]));
  it('supports && || == != <=', () => {
    expect(values('metric1 == 0 || metric1 == 30', series)).toEqual([1, 0, 1, 1]);
    expect(values('metric1 != 0 && metric1 <= 20', series)).toEqual([0, 1, 0, 0]);
  });
});

describe('IF (the tables of "Using IF expressions")', () => {
  const series = { metric1: [1, 1, 0, 0, _], metric2: [30, _, 0, 0, 30], metric3: [0, 0, 20, _, 20] };
  it('IF(metric1, metric2, metric3) → [30, 0, 20, -, -]', () =>
    expect(values('IF(metric1, metric2, metric3)', series)).toEqual([30, 0, 20, _, _]));
  it('IF(metric1, 5, metric3) → [5, 5, 20, -, -]', () =>
    expect(values('IF(metric1, 5, metric3)', series)).toEqual([5, 5, 20, _, _]));
  it('IF(metric1, metric2, 5) → [30, 0, 5, 5, -]', () =>
    expect(values('IF(metric1, metric2, 5)', series)).toEqual([30, 0, 5, 5, _]));
  it('drops false datapoints when the false value is omitted', () =>
    expect(values('IF(metric2 > 10, metric2)', series)).toEqual([30, _, _, _, 30]));
  it('with a scalar condition returns one branch or an empty series', () => {
    expect(values('IF(1, metric2, metric3)', series)).toEqual(series.metric2);
    expect(values('IF(0, metric2)', series)).toEqual([_, _, _, _, _]);
  });
  it('guards a division so idle periods read 0 instead of missing', () => {
    const traffic = { errors: [0, 2, _], requests: [0, 10, _] };
    expect(values('IF(requests > 0, 100 * errors / requests, 0)', traffic)).toEqual([0, 20, _]);
  });
});

describe('FILL', () => {
  const series = { m1: [_, 2, _, _, 8, _], m2: [9, 9, 7, 7, 7, 7] };
  it('fills with a number', () => expect(values('FILL(m1, 0)', series)).toEqual([0, 2, 0, 0, 8, 0]));
  it('fills with REPEAT (the last value before the gap)', () =>
    expect(values('FILL(m1, REPEAT)', series)).toEqual([_, 2, 2, 2, 8, 8]));
  it('fills with LINEAR interpolation inside gaps', () =>
    expect(values('FILL(m1, LINEAR)', series)).toEqual([_, 2, 4, 6, 8, _]));
  it('fills from another series', () => expect(values('FILL(m1, m2)', series)).toEqual([9, 2, 7, 7, 8, 7]));
  it('fills every series of an array', () => {
    const result = run('FILL([m1, m2], 1)', series);
    expect(result.kind === 'array' && result.items.map((s) => s.values)).toEqual([
      [1, 2, 1, 1, 8, 1],
      [9, 9, 7, 7, 7, 7],
    ]);
  });
});

describe('aggregate and element-wise functions', () => {
  const series = { m1: [1, -5, _, 3], m2: [2, 2, 2, _] };
  it('of one series return a scalar over its datapoints', () => {
    expect(scalarOf('MAX(m1)', series)).toBe(3);
    expect(scalarOf('MIN(m1)', series)).toBe(-5);
    expect(scalarOf('SUM(m1)', series)).toBe(-1);
    expect(scalarOf('AVG(m2)', series)).toBe(2);
    expect(scalarOf('DATAPOINT_COUNT(m1)', series)).toBe(3);
  });
  it('of an array return a series across it', () => {
    expect(values('MAX([m1, m2])', series)).toEqual([2, 2, 2, 3]);
    expect(values('MIN([m1, m2])', series)).toEqual([1, -5, 2, 3]);
    expect(values('SUM([m1, m2])', series)).toEqual([3, -3, 2, 3]);
    expect(values('AVG([m1, m2])', series)).toEqual([1.5, -1.5, 1, 1.5]);
  });
  it('combine scalars with series', () => expect(values('m2 - AVG(m2)', series)).toEqual([0, 0, 0, _]));
  it('ABS, CEIL, FLOOR work per datapoint', () => {
    expect(values('ABS(m1)', series)).toEqual([1, 5, _, 3]);
    expect(values('CEIL(m1 / 2)', series)).toEqual([1, -2, _, 2]);
    expect(values('FLOOR(m1 / 2)', series)).toEqual([0, -3, _, 1]);
  });
  it('DIFF, RATE and RUNNING_SUM use the previous real datapoint', () => {
    expect(values('DIFF(m1)', series)).toEqual([_, -6, _, 8]);
    expect(values('RATE(m1)', { m1: [0, 60, _, 180] })).toEqual([_, 1, _, 1]);
    expect(values('RUNNING_SUM(m1)', series)).toEqual([1, -4, _, -1]);
  });
  it('PERIOD, TIME_SERIES and METRICS', () => {
    expect(values('m2 / PERIOD(m2)', series)).toEqual([2 / 60, 2 / 60, 2 / 60, _]);
    expect(values('TIME_SERIES(4)', series)).toEqual([4, 4, 4, 4]);
    expect(values('SUM(METRICS())', series)).toEqual([3, -3, 2, 3]);
    expect(values('SUM(METRICS("2"))', series)).toEqual([2, 2, 2, _]);
  });
});

describe('parsing', () => {
  it('reports what is wrong and where', () => {
    expect(() => parseExpression('m1 +')).toThrow(/unexpected end/);
    expect(() => parseExpression('(m1 + m2')).toThrow(/expected "\)"/);
    expect(() => parseExpression('m1 $ 2')).toThrow(/unexpected character "\$" at position 4/);
    expect(() => parseExpression('SEARCH(m1)')).toThrow(/SEARCH is not supported/);
    expect(() => parseExpression('IF(m1)')).toThrow(/IF takes 2 to 3 argument/);
    expect(() => parseExpression('M1 + 1')).toThrow(/M1 is not a query id/);
    expect(() => parseExpression('FILL(m1, NEAREST)')).toThrow(/FILL accepts/);
    expect(() => parseExpression('  ')).toThrow(ExpressionError);
  });

  it('lists the ids an expression uses', () => {
    const { ids, usesAllMetrics } = referencedIds(parseExpression('IF(b > 0, 100 * FILL(a, 0) / b, 0)'));
    expect([...ids].sort()).toEqual(['a', 'b']);
    expect(usesAllMetrics).toBe(false);
    expect(referencedIds(parseExpression('SUM(METRICS())')).usesAllMetrics).toBe(true);
  });
});
