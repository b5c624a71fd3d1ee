import { MetricStore } from '../../../sandbox/metrics/store.js';
import { recordLambdaMetrics } from '../../../sandbox/metrics/lambda.js';
import { parseCompositeAlarm, parseMetricAlarm } from '../../../sandbox/alarms/definitions.js';
import { AlarmConfigurationError, AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import type { AlarmDefinition, TreatMissingData } from '../../../sandbox/alarms/types.js';
import { alarmProperties, at, MINUTE, putMinute, T0 } from './helpers.js';

function setup(...alarms: AlarmDefinition[]) {
  const store = new MetricStore();
  const evaluator = new AlarmEvaluator({ store, alarms });
  const state = (name: string) => evaluator.status(name)?.state;
  return { store, evaluator, state };
}

describe('single-metric alarms', () => {
  it('moves INSUFFICIENT_DATA → ALARM → OK with CloudWatch-style reasons and evaluates only complete periods', () => {
    const { store, evaluator, state } = setup(parseMetricAlarm(alarmProperties()));
    expect(state('HighErrors')).toBe('INSUFFICIENT_DATA');
    expect(evaluator.evaluate(at(1))).toEqual([]);

    putMinute(store, 1, [4, 6]);
    putMinute(store, 2, [100]); // minute 2 is still running at at(2): not evaluated yet
    const [toAlarm, ...others] = evaluator.evaluate(at(2));
    expect(others).toEqual([]);
    expect(toAlarm).toMatchObject({ oldState: 'INSUFFICIENT_DATA', newState: 'ALARM', timestamp: at(2) });
    expect(toAlarm!.reason).toBe(
      'Threshold Crossed: 1 out of the last 1 datapoints [10.0 (01/01/24 00:01:00)] was greater than the threshold (5.0) (minimum 1 datapoint for INSUFFICIENT_DATA -> ALARM transition).',
    );
    expect(toAlarm!.reasonData).toMatchObject({
      period: 60,
      threshold: 5,
      statistic: 'Sum',
      recentDatapoints: [10],
    });

    putMinute(store, 3, [2]);
    const [toOk] = evaluator.evaluate(at(4));
    expect(toOk).toMatchObject({ oldState: 'ALARM', newState: 'OK' });
    expect(toOk!.reason).toBe(
      'Threshold Crossed: 1 out of the last 1 datapoints [2.0 (01/01/24 00:03:00)] was not greater than the threshold (5.0) (minimum 1 datapoint for ALARM -> OK transition).',
    );
    expect(state('HighErrors')).toBe('OK');
  });

  it('reports a transition only when the state changes', () => {
    const { store, evaluator } = setup(
      parseMetricAlarm(alarmProperties({ TreatMissingData: 'notBreaching' })),
    );
    putMinute(store, 0, [9]);
    expect(evaluator.evaluate(at(1))).toHaveLength(1);
    putMinute(store, 1, [9]);
    expect(evaluator.evaluate(at(2))).toEqual([]);
    expect(evaluator.evaluate(at(2) + 20_000)).toEqual([]);
    const status = evaluator.status('HighErrors')!;
    expect(status.stateTransitionedAt).toBe(at(1));
    expect(status.lastEvaluatedAt).toBe(at(2) + 20_000);
  });

  it('applies M out of N (2 out of 3)', () => {
    const alarm = parseMetricAlarm(alarmProperties({ EvaluationPeriods: 3, DatapointsToAlarm: 2 }));
    const { store, evaluator, state } = setup(alarm);
    [9, 0, 9].forEach((v, minute) => putMinute(store, minute, [v]));
    evaluator.evaluate(at(3));
    expect(state('HighErrors')).toBe('ALARM');
    expect(evaluator.status('HighErrors')!.reason).toMatch(
      /^Threshold Crossed: 2 out of the last 3 datapoints \[9\.0 \(01\/01\/24 00:02:00\), 9\.0 \(01\/01\/24 00:00:00\)\] were greater/,
    );
    putMinute(store, 3, [0]);
    evaluator.evaluate(at(4));
    expect(state('HighErrors')).toBe('OK'); // 0 9 0 → 1 of 3
  });

  it.each([
    ['SampleCount', 'Statistic', 4],
    ['Sum', 'Statistic', 10],
    ['Average', 'Statistic', 2.5],
    ['Minimum', 'Statistic', 1],
    ['Maximum', 'Statistic', 4],
    ['p50', 'ExtendedStatistic', 2],
    ['p75', 'ExtendedStatistic', 3],
    ['tm75', 'ExtendedStatistic', 2],
  ])('evaluates %s on the raw samples', (statistic, property, expected) => {
    const make = (operator: string) =>
      parseMetricAlarm(
        alarmProperties({
          AlarmName: `${statistic}-${operator}`,
          Statistic: undefined,
          [property]: statistic,
          Threshold: expected,
          ComparisonOperator: operator,
        }),
      );
    const { store, evaluator, state } = setup(
      make('GreaterThanOrEqualToThreshold'),
      make('LessThanThreshold'),
    );
    putMinute(store, 0, [3, 1, 4, 2]);
    evaluator.evaluate(at(1));
    expect(
      evaluator.status(`${statistic}-GreaterThanOrEqualToThreshold`)!.reasonData!.recentDatapoints,
    ).toEqual([expected]);
    expect(state(`${statistic}-GreaterThanOrEqualToThreshold`)).toBe('ALARM');
    expect(state(`${statistic}-LessThanThreshold`)).toBe('OK');
  });

  it.each([
    ['GreaterThanThreshold', 'OK'],
    ['GreaterThanOrEqualToThreshold', 'ALARM'],
    ['LessThanThreshold', 'OK'],
    ['LessThanOrEqualToThreshold', 'ALARM'],
  ])('compares a value equal to the threshold with %s → %s', (operator, expected) => {
    const { store, evaluator, state } = setup(
      parseMetricAlarm(alarmProperties({ ComparisonOperator: operator })),
    );
    putMinute(store, 0, [5]);
    evaluator.evaluate(at(1));
    expect(state('HighErrors')).toBe(expected);
  });

  it('only matches the exact dimension set and the unit when given', () => {
    const { store, evaluator, state } = setup(parseMetricAlarm(alarmProperties({ Unit: 'Count' })));
    putMinute(store, 0, [50], { dimensions: { service: 'orders', route: 'GET /x' } });
    store.put({
      namespace: 'Lookout',
      name: 'Errors',
      dimensions: { service: 'orders' },
      values: [50],
      unit: 'Percent',
      timestamp: T0,
    });
    evaluator.evaluate(at(1));
    expect(state('HighErrors')).toBe('INSUFFICIENT_DATA');
  });

  it('keeps the state for low-sample percentiles when told to ignore them', () => {
    const properties = alarmProperties({ Statistic: undefined, ExtendedStatistic: 'p99', Threshold: 100 });
    const ignore = parseMetricAlarm({
      ...properties,
      AlarmName: 'ignore',
      EvaluateLowSampleCountPercentile: 'ignore',
    });
    const evaluate = parseMetricAlarm({
      ...properties,
      AlarmName: 'evaluate',
      EvaluateLowSampleCountPercentile: 'evaluate',
    });
    const { store, evaluator, state } = setup(ignore, evaluate);
    putMinute(store, 0, [500, 600, 700, 800, 900]);
    evaluator.evaluate(at(1));
    expect(state('evaluate')).toBe('ALARM');
    expect(state('ignore')).toBe('INSUFFICIENT_DATA');
    putMinute(
      store,
      1,
      Array.from({ length: 1000 }, () => 900),
    );
    evaluator.evaluate(at(2));
    expect(state('ignore')).toBe('ALARM');
  });
});

describe('TreatMissingData over time (3 out of 3, evaluation range 5)', () => {
  // Minutes 0-2 not breaching (→ OK), one breaching datapoint at minute 7, then nothing.
  // At minute 10 the range (minutes 5-9) reads "- - X - -"; at minute 20 it is all missing.
  it.each<[TreatMissingData, string, string]>([
    ['missing', 'ALARM', 'INSUFFICIENT_DATA'],
    ['ignore', 'OK', 'OK'],
    ['breaching', 'ALARM', 'ALARM'],
    ['notBreaching', 'OK', 'OK'],
  ])('%s: "- - X - -" → %s, then all missing → %s', (treatment, afterBreach, afterSilence) => {
    const alarm = parseMetricAlarm(alarmProperties({ EvaluationPeriods: 3, TreatMissingData: treatment }));
    const { store, evaluator, state } = setup(alarm);
    [0, 1, 2].forEach((minute) => putMinute(store, minute, [0]));
    evaluator.evaluate(at(3));
    expect(state('HighErrors')).toBe('OK');
    putMinute(store, 7, [9]);
    evaluator.evaluate(at(10));
    expect(state('HighErrors')).toBe(afterBreach);
    evaluator.evaluate(at(20));
    expect(state('HighErrors')).toBe(afterSilence);
  });

  it('explains filled datapoints in the reason', () => {
    const alarm = parseMetricAlarm(alarmProperties({ EvaluationPeriods: 3, TreatMissingData: 'breaching' }));
    const { evaluator } = setup(alarm);
    const [transition] = evaluator.evaluate(at(10));
    expect(transition!.reason).toBe(
      'Threshold Crossed: no datapoints were received for 5 periods and 3 missing datapoints were treated as [Breaching].',
    );
  });

  it('says why it is INSUFFICIENT_DATA', () => {
    const alarm = parseMetricAlarm(alarmProperties({ EvaluationPeriods: 3 }));
    const { store, evaluator } = setup(alarm);
    putMinute(store, 0, [0]);
    evaluator.evaluate(at(1));
    const [transition] = evaluator.evaluate(at(10));
    expect(transition).toMatchObject({
      newState: 'INSUFFICIENT_DATA',
      reason: 'Insufficient Data: 5 datapoints were unknown.',
    });
  });
});

describe('metric math alarms', () => {
  const errorRate = (expression: string, overrides: Record<string, unknown> = {}) =>
    parseMetricAlarm({
      AlarmName: 'ErrorRate',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 10,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Metrics: [
        { Id: 'rate', Expression: expression, Label: 'Error rate (%)', ReturnData: true },
        {
          Id: 'errors',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: 'orders-api' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
        {
          Id: 'invocations',
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Invocations',
              Dimensions: [{ Name: 'FunctionName', Value: 'orders-api' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
          ReturnData: false,
        },
      ],
      ...overrides,
    });
  const invoke = (store: MetricStore, minute: number, count: number, failures: number) => {
    for (let i = 0; i < count; i++) {
      recordLambdaMetrics(store, 'orders-api', T0 + minute * MINUTE + i * 100, {
        Invocations: 1,
        Errors: i < failures ? 1 : 0,
        Duration: 20,
      });
    }
  };

  it('fires on an error burst and resolves after it (IF guards the division, FILL covers idle minutes)', () => {
    const alarm = errorRate('IF(FILL(invocations, 0) > 0, 100 * FILL(errors, 0) / invocations, 0)');
    const { store, evaluator, state } = setup(alarm);
    invoke(store, 0, 20, 0);
    invoke(store, 1, 20, 1);
    evaluator.evaluate(at(2));
    expect(state('ErrorRate')).toBe('OK');
    invoke(store, 2, 20, 5);
    invoke(store, 3, 20, 8);
    const [fired] = evaluator.evaluate(at(4));
    expect(fired).toMatchObject({ newState: 'ALARM' });
    expect(fired!.reasonData!.recentDatapoints).toEqual([25, 40]);
    invoke(store, 4, 20, 0);
    const [resolved] = evaluator.evaluate(at(5));
    expect(resolved).toMatchObject({ oldState: 'ALARM', newState: 'OK' });
    // No traffic at all: the guarded expression reads 0, so the alarm stays OK instead of going to INSUFFICIENT_DATA.
    expect(evaluator.evaluate(at(30))).toEqual([]);
    expect(evaluator.status('ErrorRate')!.reasonData!.recentDatapoints).toEqual([0, 0]);
  });

  it('has no datapoint where an unguarded division divides by zero', () => {
    const { store, evaluator, state } = setup(
      errorRate('100 * errors / invocations', { EvaluationPeriods: 1, DatapointsToAlarm: 1 }),
    );
    recordLambdaMetrics(store, 'orders-api', T0, { Invocations: 0, Errors: 0 });
    evaluator.evaluate(at(1));
    expect(state('ErrorRate')).toBe('INSUFFICIENT_DATA');
    expect(
      evaluator.status('ErrorRate')!.reasonData!.evaluatedDatapoints.every((d) => d.value === undefined),
    ).toBe(true);
  });

  it('goes to INSUFFICIENT_DATA with the reason when the expression cannot be evaluated', () => {
    const { store, evaluator } = setup(
      errorRate('MAX(invocations) + 0 * errors', { EvaluationPeriods: 1, DatapointsToAlarm: 1 }),
    );
    invoke(store, 0, 1, 0);
    // MAX(series) is a scalar, but scalar * series is a series: fine.
    evaluator.evaluate(at(1));
    expect(evaluator.status('ErrorRate')!.state).toBe('OK');

    const scalarOnly = setup(errorRate('MAX(invocations)', { EvaluationPeriods: 1, DatapointsToAlarm: 1 }));
    invoke(scalarOnly.store, 0, 1, 0);
    scalarOnly.evaluator.evaluate(at(1));
    expect(scalarOnly.evaluator.status('ErrorRate')).toMatchObject({
      state: 'INSUFFICIENT_DATA',
      reason: expect.stringMatching(/^Evaluation error: .*single number/),
    });
  });

  it('watches a MetricStat entry directly when it is the one that returns data (CDK labelled metrics)', () => {
    const alarm = parseMetricAlarm({
      AlarmName: 'Labelled',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
      Metrics: [
        {
          Id: 'm1',
          Label: 'Errors',
          MetricStat: {
            Metric: {
              Namespace: 'Lookout',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'service', Value: 'orders' }],
            },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    });
    const { store, evaluator, state } = setup(alarm);
    putMinute(store, 0, [1, 3]);
    evaluator.evaluate(at(1));
    expect(state('Labelled')).toBe('ALARM');
  });
});

describe('composite alarms', () => {
  const metric = (name: string) => parseMetricAlarm(alarmProperties({ AlarmName: name, MetricName: name }));
  const composite = (name: string, rule: string, extra: Record<string, unknown> = {}) =>
    parseCompositeAlarm({ AlarmName: name, AlarmRule: rule, ...extra });

  it('evaluates the rule against the children after they are evaluated in the same tick', () => {
    const both = composite(
      'ServiceDown',
      'ALARM("Errors") AND ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:Latency")',
    );
    const either = composite('Paging', 'ALARM(ServiceDown) OR ALARM(Errors)');
    const { store, evaluator, state } = setup(either, both, metric('Errors'), metric('Latency'));

    putMinute(store, 0, [9], { name: 'Errors' });
    putMinute(store, 0, [1], { name: 'Latency' });
    const first = evaluator.evaluate(at(1));
    expect(first.map((t) => `${t.alarm.name}:${t.newState}`)).toEqual([
      'Errors:ALARM',
      'Latency:OK',
      'ServiceDown:OK',
      'Paging:ALARM',
    ]);
    const paging = first.find((t) => t.alarm.name === 'Paging')!;
    expect(paging.triggeringChildren).toEqual([
      {
        name: 'Errors',
        arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:Errors',
        state: 'ALARM',
        stateTransitionedAt: at(1),
      },
    ]);
    expect(paging.reason).toBe(
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:Errors transitioned to ALARM at Monday 01 January, 2024 00:01:01 UTC',
    );

    putMinute(store, 1, [9], { name: 'Errors' });
    putMinute(store, 1, [9], { name: 'Latency' });
    evaluator.evaluate(at(2));
    expect(state('ServiceDown')).toBe('ALARM');
    expect(state('Paging')).toBe('ALARM');

    putMinute(store, 2, [0], { name: 'Errors' });
    putMinute(store, 2, [0], { name: 'Latency' });
    const cleared = evaluator.evaluate(at(3));
    expect(cleared.map((t) => `${t.alarm.name}:${t.oldState}->${t.newState}`)).toEqual([
      'Errors:ALARM->OK',
      'Latency:ALARM->OK',
      'ServiceDown:ALARM->OK',
      'Paging:ALARM->OK',
    ]);
    expect(cleared.at(-1)!.reason).toBe('Alarm rule is FALSE: ServiceDown is OK, Errors is OK');
  });

  it('supports TRUE, FALSE and NOT', () => {
    const { evaluator, state } = setup(
      metric('Errors'),
      composite('Always', 'TRUE'),
      composite('Never', 'FALSE'),
      composite('NoData', 'NOT OK(Errors)'),
    );
    evaluator.evaluate(at(1));
    expect([state('Always'), state('Never'), state('NoData')]).toEqual(['ALARM', 'OK', 'ALARM']);
  });

  it('refuses unknown children, cycles and duplicate names', () => {
    const store = new MetricStore();
    expect(() => new AlarmEvaluator({ store, alarms: [composite('C', 'ALARM(Missing)')] })).toThrow(
      /composite alarm C refers to unknown alarm Missing/,
    );
    expect(
      () => new AlarmEvaluator({ store, alarms: [composite('A', 'ALARM(B)'), composite('B', 'OK(A)')] }),
    ).toThrow(/cycle: A → B → A/);
    expect(() => new AlarmEvaluator({ store, alarms: [metric('X'), metric('X')] })).toThrow(
      AlarmConfigurationError,
    );
  });
});

describe('transition events', () => {
  it('carry the actions for the new state, none when actions are disabled', () => {
    const actions = {
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:alarms'],
      OKActions: ['arn:aws:sns:us-east-1:123456789012:ok'],
      InsufficientDataActions: ['arn:aws:sns:us-east-1:123456789012:nodata'],
    };
    const enabled = parseMetricAlarm(alarmProperties({ AlarmName: 'on', ...actions }));
    const disabled = parseMetricAlarm(
      alarmProperties({ AlarmName: 'off', ActionsEnabled: false, ...actions }),
    );
    const { store, evaluator } = setup(enabled, disabled);
    putMinute(store, 0, [9]);
    const toAlarm = evaluator.evaluate(at(1));
    expect(toAlarm.map((t) => t.actions)).toEqual([actions.AlarmActions, []]);
    putMinute(store, 1, [0]);
    expect(evaluator.evaluate(at(2)).map((t) => t.actions)).toEqual([actions.OKActions, []]);
    expect(evaluator.evaluate(at(20)).map((t) => t.actions)).toEqual([actions.InsufficientDataActions, []]);
  });

  it('remember when the configuration was loaded', () => {
    const { store, evaluator } = setup(parseMetricAlarm(alarmProperties()));
    evaluator.evaluate(at(1));
    putMinute(store, 4, [9]);
    const [transition] = evaluator.evaluate(at(5));
    expect(transition!.configurationUpdatedAt).toBe(at(1));
  });

  it('status() finds an alarm by name or ARN', () => {
    const { evaluator } = setup(parseMetricAlarm(alarmProperties()));
    expect(evaluator.status('arn:aws:cloudwatch:us-east-1:123456789012:alarm:HighErrors')?.name).toBe(
      'HighErrors',
    );
    expect(evaluator.status('nope')).toBeUndefined();
    expect(evaluator.statuses().map((s) => s.state)).toEqual(['INSUFFICIENT_DATA']);
  });
});
