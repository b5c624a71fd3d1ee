import { jest } from '@jest/globals';
import { MetricStore } from '../../../sandbox/metrics/store.js';
import { parseMetricAlarm } from '../../../sandbox/alarms/definitions.js';
import { AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import { CompressedClock, startEvaluationLoop } from '../../../sandbox/alarms/clock.js';
import type { AlarmTransition } from '../../../sandbox/alarms/types.js';
import { alarmProperties, MINUTE, T0 } from './helpers.js';

describe('CompressedClock', () => {
  it('runs `compression` times faster than the real clock', () => {
    let real = 1_000_000;
    const clock = new CompressedClock({ compression: 20, realNow: () => real, simulatedStart: T0 });
    expect(clock.now()).toBe(T0);
    real += 3000;
    expect(clock.now()).toBe(T0 + MINUTE);
    expect(clock.toSimulated(1_000_000 + 6000)).toBe(T0 + 2 * MINUTE);
    expect(clock.realDuration(MINUTE)).toBe(3000);
  });

  it('rejects a compression that is not positive', () => {
    expect(() => new CompressedClock({ compression: 0 })).toThrow(/compression/);
    expect(() => new CompressedClock({ compression: Number.NaN })).toThrow(/compression/);
  });
});

describe('startEvaluationLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('evaluates a 60-second alarm every 3 real seconds at compression 20', () => {
    let real = 0;
    const clock = new CompressedClock({ compression: 20, realNow: () => real, simulatedStart: T0 });
    const store = new MetricStore();
    const evaluator = new AlarmEvaluator({
      store,
      alarms: [parseMetricAlarm(alarmProperties({ TreatMissingData: 'notBreaching' }))],
    });
    const seen: AlarmTransition[] = [];
    const loop = startEvaluationLoop({ evaluator, clock, onTransitions: (t) => seen.push(...t) });
    try {
      store.put({
        namespace: 'Lookout',
        name: 'Errors',
        dimensions: { service: 'orders' },
        values: [9],
        timestamp: clock.now(),
      });
      real += 2999;
      jest.advanceTimersByTime(2999);
      expect(seen).toEqual([]);
      real += 1;
      jest.advanceTimersByTime(1);
      expect(seen.map((t) => t.newState)).toEqual(['ALARM']);
      // As in CloudWatch, the last real datapoint is re-evaluated while it is inside the evaluation range (3 periods).
      real += 6000;
      jest.advanceTimersByTime(6000);
      expect(seen.map((t) => t.newState)).toEqual(['ALARM']);
      real += 3000;
      jest.advanceTimersByTime(3000);
      expect(seen.map((t) => t.newState)).toEqual(['ALARM', 'OK']);
      expect(seen[1]!.timestamp).toBe(T0 + 4 * MINUTE);
    } finally {
      loop.stop();
    }
    real += 30_000;
    jest.advanceTimersByTime(30_000);
    expect(seen).toHaveLength(2);
  });

  it('reports errors from the listener and keeps going', () => {
    let real = 0;
    const clock = new CompressedClock({ compression: 60, realNow: () => real, simulatedStart: T0 });
    const store = new MetricStore();
    const evaluator = new AlarmEvaluator({
      store,
      alarms: [parseMetricAlarm(alarmProperties({ TreatMissingData: 'breaching' }))],
    });
    const errors: unknown[] = [];
    const loop = startEvaluationLoop({
      evaluator,
      clock,
      onTransitions: () => {
        throw new Error('slack is down');
      },
      onError: (error) => errors.push(error),
    });
    real += 1000;
    jest.advanceTimersByTime(1000);
    expect(errors).toEqual([new Error('slack is down')]);
    expect(loop.evaluateNow()).toEqual([]);
    loop.stop();
  });
});
