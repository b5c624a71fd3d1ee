/**
 * Two rules of the CloudWatch User Guide the evaluator must follow to the letter:
 * - "Percentile-based alarms and low data samples": a percentile p in [0.5, 1) is low-sample below
 *   10/(1−p) data points in a period, one in (0, 0.5) below 10/p (the example: 1000 for p99);
 * - "Configuring how CloudWatch alarms treat missing data": alarms on AWS/DynamoDB metrics always
 *   ignore missing data, whatever TreatMissingData says, and keep their current state.
 */
import { describe, expect, it } from '@jest/globals';
import { parseMetricAlarm } from '../../../sandbox/alarms/definitions.js';
import { AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import type { AlarmDefinition, TreatMissingData } from '../../../sandbox/alarms/types.js';
import { MetricStore } from '../../../sandbox/metrics/store.js';
import { isLowSampleCount, minimumSamplesForPercentile } from '../../../sandbox/metrics/statistics.js';
import { alarmProperties, at, putMinute } from './helpers.js';

function setup(...alarms: AlarmDefinition[]) {
  // Room for the 2 × 100 000 samples of the p99.99 case (the default keeps 50 000 per series).
  const store = new MetricStore({ maxSamplesPerSeries: 250_000 });
  const evaluator = new AlarmEvaluator({ store, alarms });
  return { store, evaluator, status: (name: string) => evaluator.status(name)! };
}

// The documented formula worked out by hand for each percentile: [statistic, minimum samples].
const MINIMUMS: [string, number][] = [
  ['p50', 20], // 10 / 0.5
  ['p75', 40], // 10 / 0.25
  ['p80', 50], // 10 / 0.2
  ['p90', 100], // 10 / 0.1
  ['p92', 125], // 10 / 0.08
  ['p95', 200], // 10 / 0.05
  ['p98.4', 625], // 10 / 0.016
  ['p99', 1000], // the guide's own example
  ['p99.9', 10000], // 10 / 0.001
  ['p99.99', 100000], // 10 / 0.0001
  ['p10', 100], // 10 / 0.1, below 0.5
  ['p20', 50], // 10 / 0.2
  ['p25', 40], // 10 / 0.25
  ['p1', 1000], // 10 / 0.01
  ['p0.1', 10000], // 10 / 0.001
];

describe('percentile low-sample boundary (10/(1−p), 10/p), exact', () => {
  it.each(MINIMUMS)('%s needs %d samples: one fewer is low, exactly that many is not', (text, minimum) => {
    const percentile = Number(text.slice(1));
    expect(minimumSamplesForPercentile(percentile)).toBe(minimum);
    expect(isLowSampleCount(percentile, minimum - 1)).toBe(true);
    expect(isLowSampleCount(percentile, minimum)).toBe(false);
  });

  it('rounds a minimum that is not a whole number up (p33: 10/0.33 = 30.3…)', () => {
    expect(minimumSamplesForPercentile(33)).toBe(31);
    expect(isLowSampleCount(33, 30)).toBe(true);
    expect(isLowSampleCount(33, 31)).toBe(false);
  });

  it('does not apply to p0 and p100', () => {
    expect(minimumSamplesForPercentile(0)).toBeUndefined();
    expect(minimumSamplesForPercentile(100)).toBeUndefined();
    expect(isLowSampleCount(100, 1)).toBe(false);
  });

  it.each(MINIMUMS)(
    'an alarm on %s with EvaluateLowSampleCountPercentile: ignore moves with exactly %d samples',
    (text, minimum) => {
      const { store, evaluator, status } = setup(
        parseMetricAlarm(
          alarmProperties({
            Statistic: undefined,
            ExtendedStatistic: text,
            Threshold: 100,
            EvaluateLowSampleCountPercentile: 'ignore',
          }),
        ),
      );
      putMinute(
        store,
        0,
        Array.from({ length: minimum - 1 }, () => 500),
      );
      evaluator.evaluate(at(1));
      expect(status('HighErrors').state).toBe('INSUFFICIENT_DATA');
      putMinute(
        store,
        1,
        Array.from({ length: minimum }, () => 500),
      );
      evaluator.evaluate(at(2));
      expect(status('HighErrors').state).toBe('ALARM');
    },
  );
});

describe('EvaluateLowSampleCountPercentile: ignore', () => {
  const p99 = (name: string) =>
    parseMetricAlarm(
      alarmProperties({
        AlarmName: name,
        Statistic: undefined,
        ExtendedStatistic: 'p99',
        Threshold: 100,
        EvaluateLowSampleCountPercentile: 'ignore',
      }),
    );

  it('keeps the state and says why in the reason, then evaluates again once there are enough samples', () => {
    const { store, evaluator, status } = setup(p99('Latency'));
    putMinute(
      store,
      0,
      Array.from({ length: 1000 }, () => 50),
    );
    evaluator.evaluate(at(1));
    expect(status('Latency').state).toBe('OK');

    putMinute(
      store,
      1,
      Array.from({ length: 7 }, () => 900),
    );
    expect(evaluator.evaluate(at(2))).toEqual([]);
    const kept = status('Latency');
    expect(kept.state).toBe('OK');
    expect(kept.reason).toBe(
      'Percentile p99 had 7 samples in a period, fewer than the 1000 it needs; state kept (EvaluateLowSampleCountPercentile: ignore)',
    );
    expect(kept.stateUpdatedAt).toBe(at(2));
    expect(kept.stateTransitionedAt).toBe(at(1));

    putMinute(
      store,
      2,
      Array.from({ length: 1000 }, () => 900),
    );
    const [transition] = evaluator.evaluate(at(3));
    expect(transition).toMatchObject({ oldState: 'OK', newState: 'ALARM' });
    expect(status('Latency').reason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints/);
  });

  it('says why an alarm that never had enough samples is still INSUFFICIENT_DATA', () => {
    const { store, evaluator, status } = setup(p99('Latency'));
    putMinute(store, 0, [900]);
    evaluator.evaluate(at(1));
    expect(status('Latency')).toMatchObject({
      state: 'INSUFFICIENT_DATA',
      reason: expect.stringContaining('1 sample in a period, fewer than the 1000 it needs'),
    });
  });
});

describe('alarms on AWS/DynamoDB metrics always ignore missing data', () => {
  const dynamoAlarm = (treatment: TreatMissingData, name = `Throttles-${treatment}`) =>
    parseMetricAlarm(
      alarmProperties({
        AlarmName: name,
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ThrottledRequests',
        Dimensions: [{ Name: 'TableName', Value: 'orders' }],
        Threshold: 0,
        EvaluationPeriods: 3,
        TreatMissingData: treatment,
      }),
    );
  const throttles = {
    namespace: 'AWS/DynamoDB',
    name: 'ThrottledRequests',
    dimensions: { TableName: 'orders' },
  };

  it.each<TreatMissingData>(['missing', 'ignore', 'breaching', 'notBreaching'])(
    'TreatMissingData %s: the state is kept through silence, from OK and from ALARM',
    (treatment) => {
      const name = `Throttles-${treatment}`;
      const { store, evaluator, status } = setup(dynamoAlarm(treatment));
      evaluator.evaluate(at(10));
      expect(status(name).state).toBe('INSUFFICIENT_DATA');

      [10, 11, 12].forEach((minute) => putMinute(store, minute, [0], throttles));
      evaluator.evaluate(at(13));
      expect(status(name).state).toBe('OK');
      evaluator.evaluate(at(30));
      expect(status(name).state).toBe('OK');

      [30, 31, 32].forEach((minute) => putMinute(store, minute, [4], throttles));
      evaluator.evaluate(at(33));
      expect(status(name).state).toBe('ALARM');
      evaluator.evaluate(at(50));
      expect(status(name).state).toBe('ALARM');
    },
  );

  it('applies to metric math alarms that read an AWS/DynamoDB metric', () => {
    const alarm = parseMetricAlarm({
      AlarmName: 'ThrottleRate',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'breaching',
      Metrics: [
        { Id: 'rate', Expression: 'm1 * 1', ReturnData: true },
        {
          Id: 'm1',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/DynamoDB',
              MetricName: 'ThrottledRequests',
              Dimensions: [{ Name: 'TableName', Value: 'orders' }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
      ],
    });
    const { store, evaluator, status } = setup(alarm);
    putMinute(store, 0, [0], throttles);
    evaluator.evaluate(at(1));
    expect(status('ThrottleRate').state).toBe('OK');
    evaluator.evaluate(at(20));
    expect(status('ThrottleRate').state).toBe('OK');
  });

  it('leaves other namespaces to their TreatMissingData', () => {
    const { evaluator, status } = setup(
      parseMetricAlarm(alarmProperties({ EvaluationPeriods: 3, TreatMissingData: 'breaching' })),
    );
    evaluator.evaluate(at(10));
    expect(status('HighErrors').state).toBe('ALARM');
  });
});
