import { MetricStore } from '../../../sandbox/metrics/store.js';
import { parseCompositeAlarm, parseMetricAlarm } from '../../../sandbox/alarms/definitions.js';
import { AlarmEvaluator } from '../../../sandbox/alarms/evaluator.js';
import { at, MINUTE, putMinute, T0 } from './helpers.js';

const HOUR = 60 * MINUTE;
const service = { service: 'orders' };

/** A burn-rate alarm as SloMonitoring writes it: one period the length of the window. */
function burnAlarm(name: string, periodSeconds: number, threshold: number, budget = 0.001) {
  const stat = (id: string, metricName: string, statName: string) => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: 'Lookout',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'orders' }],
      },
      Period: periodSeconds,
      Stat: statName,
    },
    ReturnData: false,
  });
  return parseMetricAlarm({
    AlarmName: name,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: threshold,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    Metrics: [
      { Id: 'expr', Expression: `IF(valid > 0, FILL(bad, 0) / valid / ${budget}, 0)`, ReturnData: true },
      stat('bad', 'Errors', 'Sum'),
      stat('valid', 'Requests', 'Sum'),
    ],
  });
}

/** `requests` requests in minute `minute`, `errors` of them 5xx. */
function traffic(store: MetricStore, minute: number, requests: number, errors: number) {
  putMinute(store, minute, [requests], { name: 'Requests', dimensions: service });
  if (errors > 0) putMinute(store, minute, [errors], { name: 'Errors', dimensions: service });
}

describe('burn-rate windows', () => {
  it('slide: a one-hour period is the last 60 minutes, not the last clock hour', () => {
    const store = new MetricStore({ retentionMs: 6 * HOUR });
    const evaluator = new AlarmEvaluator({ store, alarms: [burnAlarm('Long', 3600, 1)] });
    expect(T0 % HOUR).toBe(0);
    for (let minute = 0; minute < 140; minute++)
      traffic(store, minute, 100, minute >= 70 && minute < 75 ? 5 : 0);

    // At 01:20 the last clock hour (00:00-01:00) had no errors; the last 60 minutes had 25 of 6000:
    // 25 / 6000 = 0.417% against a 0.1% budget, a burn of 4.17×.
    evaluator.evaluate(at(80));
    const status = evaluator.status('Long')!;
    expect(status.state).toBe('ALARM');
    expect(status.reasonData!.recentDatapoints[0]).toBeCloseTo(25 / 6000 / 0.001, 6);
    expect(status.reasonData!.startDate).toBe(new Date(T0 + 20 * MINUTE - 2 * HOUR).toISOString());

    // At 02:16 the burst (01:10-01:15) has left the last 60 minutes.
    evaluator.evaluate(at(136));
    expect(evaluator.status('Long')!.state).toBe('OK');
  });

  it('fires at 14.4× only above 14.4×, computed by hand from the window sums', () => {
    const store = new MetricStore({ retentionMs: 6 * HOUR });
    const evaluator = new AlarmEvaluator({ store, alarms: [burnAlarm('Long', 3600, 14.4)] });
    // 60 minutes of 100 requests: 6000 valid. 14.4× of a 0.1% budget is 1.44%: 86.4 errors.
    for (let minute = 0; minute < 60; minute++) traffic(store, minute, 100, minute < 43 ? 2 : 0);
    evaluator.evaluate(at(60)); // 86 errors: 86 / 6000 / 0.001 = 14.33×
    expect(evaluator.status('Long')!.state).toBe('OK');
    expect(evaluator.status('Long')!.reasonData!.recentDatapoints[0]).toBeCloseTo(14.3333, 3);

    traffic(store, 60, 100, 2); // minute 0 (2 errors) leaves the window, minute 60 (2) enters
    traffic(store, 61, 100, 3); // minute 1 (2) leaves, minute 61 (3) enters: 87 errors
    evaluator.evaluate(at(61));
    expect(evaluator.status('Long')!.state).toBe('OK');
    evaluator.evaluate(at(62));
    expect(evaluator.status('Long')!.state).toBe('ALARM');
    expect(evaluator.status('Long')!.reasonData!.recentDatapoints[0]).toBeCloseTo(14.5, 6);
  });

  it('pages only while the long AND the short window burn, and resolves when the short one stops', () => {
    const store = new MetricStore({ retentionMs: 6 * HOUR });
    const long = burnAlarm('Long', 3600, 14.4);
    const short = burnAlarm('Short', 300, 14.4);
    const page = parseCompositeAlarm({
      AlarmName: 'FastBurn',
      AlarmRule: '(ALARM("Long") AND ALARM("Short"))',
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:alerts'],
      OKActions: ['arn:aws:sns:us-east-1:123456789012:alerts'],
    });
    const evaluator = new AlarmEvaluator({ store, alarms: [long, short, page] });
    const states = () => ['Long', 'Short', 'FastBurn'].map((name) => evaluator.status(name)!.state);

    for (let minute = 0; minute < 30; minute++) traffic(store, minute, 100, 0);
    evaluator.evaluate(at(30));
    expect(states()).toEqual(['OK', 'OK', 'OK']);

    // A burst: 20% errors for 10 minutes is 200× the budget in the short window and, with
    // 200 errors in 4000 requests (minutes 0-39 are all there is yet), 50× in the long one.
    for (let minute = 30; minute < 40; minute++) traffic(store, minute, 100, 20);
    const fired = evaluator.evaluate(at(40));
    expect(states()).toEqual(['ALARM', 'ALARM', 'ALARM']);
    expect(fired.find((t) => t.alarm.name === 'FastBurn')).toMatchObject({ newState: 'ALARM' });

    // Clean traffic again: after 5 minutes the short window is clean, the page resolves, while the
    // long window still remembers the burst for the rest of the hour.
    for (let minute = 40; minute < 50; minute++) traffic(store, minute, 100, 0);
    evaluator.evaluate(at(45));
    expect(states()).toEqual(['ALARM', 'OK', 'OK']);
    expect(evaluator.status('FastBurn')!.stateTransitionedAt).toBe(at(45));
  });
});
