import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { readErrorBudgetNote } from '../../lib/contract.js';
import type { ServiceLevelObjective } from '../../lib/cdk/index.js';
import { LOWEST_TARGET, ObservedFunction, ServiceMonitoring } from '../../lib/cdk/index.js';
import { MetricStore } from '../../sandbox/metrics/store.js';
import { AlarmEvaluator } from '../../sandbox/alarms/evaluator.js';
import { readAlarmsFromTemplate } from '../../sandbox/alarms/template.js';
import type { CloudFormationTemplate } from '../../sandbox/template/index.js';
import type { MetricAlarmDefinition } from '../../sandbox/alarms/types.js';
import { dashboardBody, FIXTURE_ENTRY, NO_BUNDLING, resourcesOfType } from './support/template.js';

const AVAILABILITY: ServiceLevelObjective = { kind: 'availability', name: 'availability', target: 99.9 };
const LATENCY: ServiceLevelObjective = {
  kind: 'latency',
  name: 'orders latency',
  target: 99,
  thresholdMs: 1000,
  route: 'POST /orders',
};

function synth(slos: readonly ServiceLevelObjective[]) {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Shop');
  const api = new ObservedFunction(stack, 'Api', { entry: FIXTURE_ENTRY, serviceName: 'orders' });
  new ServiceMonitoring(stack, 'Monitoring', {
    functions: [api],
    alarmTopic: new sns.Topic(stack, 'Topic'),
    http: { routes: ['POST /orders'] },
    slos,
  });
  return Template.fromStack(stack);
}

const template = synth([AVAILABILITY, LATENCY]);
const json = template.toJSON() as CloudFormationTemplate;
const { alarms, problems } = readAlarmsFromTemplate(json, { stackName: 'Shop' });
const named = (suffix: string) => {
  const found = alarms.find((a) => a.name.endsWith(suffix));
  if (!found) throw new Error(`no alarm ending ${suffix}: ${alarms.map((a) => a.name).join(', ')}`);
  return found;
};

describe('SLO burn-rate alarms', () => {
  it('are four composites per SLO, each the AND of a long and a short window, and only they notify', () => {
    expect(problems).toEqual([]);
    const table = [
      ['FastBurn', 3600, 300, 14.4, 'critical'],
      ['Burn6x', 6 * 3600, 1800, 6, 'critical'],
      ['Burn3x', 86_400, 7200, 3, 'warning'],
      ['SlowBurn', 3 * 86_400, 6 * 3600, 1, 'warning'],
    ] as const;
    for (const slo of ['Availability', 'OrdersLatency']) {
      for (const [id, longSeconds, shortSeconds, rate, severity] of table) {
        const prefix = `Shop-orders-Slo-${slo}-${id}`;
        const composite = named(prefix);
        expect(composite.kind).toBe('composite');
        if (composite.kind !== 'composite') continue;
        const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:';
        expect(composite.rule).toBe(`(ALARM("${arn}${prefix}-Long") AND ALARM("${arn}${prefix}-Short"))`);
        expect(composite.alarmActions).toHaveLength(1);
        expect(composite.description).toMatch(new RegExp(`^\\[${severity}\\] `));
        for (const [which, seconds] of [
          ['Long', longSeconds],
          ['Short', shortSeconds],
        ] as const) {
          const window = named(`${prefix}-${which}`) as MetricAlarmDefinition;
          // The window is one period, evaluated once (see SloMonitoring); within CloudWatch's caps.
          expect(window).toMatchObject({ periodSeconds: seconds, evaluationPeriods: 1, threshold: rate });
          expect(window.periodSeconds * window.evaluationPeriods).toBeLessThanOrEqual(
            seconds < 3600 ? 86_400 : 7 * 86_400,
          );
          expect(window.alarmActions).toEqual([]);
          expect(window.okActions).toEqual([]);
        }
      }
    }
  });

  it('count slow requests exactly, as SampleCount minus TC(:threshold) of the route latency', () => {
    const window = named('Slo-OrdersLatency-FastBurn-Long') as MetricAlarmDefinition;
    const stats = window.queries.flatMap((q) =>
      q.kind === 'metric' ? [`${q.metricName} ${q.statistic.text} ${q.dimensions.route}`] : [],
    );
    expect(stats.sort()).toEqual(['Latency SampleCount POST /orders', 'Latency TC(:1000) POST /orders']);
  });

  it('compute the burn rate that a hand calculation gives, and fire only above the table rate', () => {
    const HOUR = 3_600_000;
    const start = Date.UTC(2026, 0, 1);
    const store = new MetricStore({ retentionMs: 4 * HOUR });
    const put = (minute: number, name: string, values: number[], dimensions: Record<string, string>) =>
      store.put({
        namespace: 'Lookout',
        name,
        dimensions: { service: 'orders', ...dimensions },
        values,
        timestamp: start + minute * 60_000 + 1000,
      });
    const watched = alarms.filter((a) => /FastBurn|Burn6x/.test(a.name));
    const evaluator = new AlarmEvaluator({ store, alarms: watched });
    const route = { route: 'POST /orders' };
    // One hour, 200 requests a minute: 12 000 requests. Availability 99.9%: budget 0.1%, 12 requests.
    // 175 errors in the hour = 14.58× (fires above 14.4×); in the last 5 minutes 50 of 1000 = 50×.
    // Latency 99%: budget 1%. 100 latencies a minute on POST /orders, 6000 in the hour; 940 over
    // 1000 ms (exactly 1000 ms is good) = 15.67%, a burn of 15.67×; the last 5 minutes 200 of 500 = 40×.
    for (let minute = 0; minute < 60; minute++) {
      const errors = minute < 50 ? (minute < 25 ? 5 : 0) : minute < 55 ? 0 : 10;
      put(minute, 'Requests', [200], {});
      if (errors) put(minute, 'Errors', [errors], {});
      const slow = minute < 45 ? 14 : minute < 55 ? 11 : 40;
      put(minute, 'Latency', [...Array(100 - slow).fill(1000), ...Array(slow).fill(1000.5)], route);
    }
    evaluator.evaluate(start + 60 * 60_000);
    const value = (suffix: string) => evaluator.status(named(suffix).name)!;
    expect(value('Availability-FastBurn-Long').reasonData!.recentDatapoints[0]).toBeCloseTo(
      175 / 12_000 / 0.001,
      9,
    );
    expect(value('Availability-FastBurn-Short').reasonData!.recentDatapoints[0]).toBeCloseTo(50, 9);
    expect(value('Availability-FastBurn').state).toBe('ALARM');
    const slowInHour = 45 * 14 + 10 * 11 + 5 * 40;
    expect(slowInHour).toBe(940);
    expect(value('OrdersLatency-FastBurn-Long').reasonData!.recentDatapoints[0]).toBeCloseTo(
      940 / 6000 / 0.01,
      9,
    );
    expect(value('OrdersLatency-FastBurn-Short').reasonData!.recentDatapoints[0]).toBeCloseTo(
      200 / 500 / 0.01,
      9,
    );
    expect(value('OrdersLatency-FastBurn').state).toBe('ALARM');
    // 6× over 6 hours: the hour is all the data there is, 14.58× and 15.67×; over the last 30
    // minutes 50 errors of 6000 = 8.33× and 15 × 14 + 10 × 11 + 5 × 40 = 520 slow of 3000 = 17.33×.
    expect(value('Availability-Burn6x-Short').reasonData!.recentDatapoints[0]).toBeCloseTo(
      50 / 6000 / 0.001,
      9,
    );
    expect(value('OrdersLatency-Burn6x-Short').reasonData!.recentDatapoints[0]).toBeCloseTo(
      520 / 3000 / 0.01,
      9,
    );
    expect(value('Availability-Burn6x').state).toBe('ALARM');
    expect(value('OrdersLatency-Burn6x').state).toBe('ALARM');

    // Four errors fewer in the hour: 171 / 12 000 = 14.25×, under 14.4×, so no page.
    const store2 = new MetricStore({ retentionMs: 4 * HOUR });
    const evaluator2 = new AlarmEvaluator({ store: store2, alarms: watched });
    for (let minute = 0; minute < 60; minute++) {
      store2.put({
        namespace: 'Lookout',
        name: 'Requests',
        dimensions: { service: 'orders' },
        values: [200],
        timestamp: start + minute * 60_000,
      });
      const errors = minute < 50 ? (minute < 24 ? 5 : minute === 24 ? 1 : 0) : minute < 55 ? 0 : 10;
      if (errors)
        store2.put({
          namespace: 'Lookout',
          name: 'Errors',
          dimensions: { service: 'orders' },
          values: [errors],
          timestamp: start + minute * 60_000,
        });
    }
    evaluator2.evaluate(start + 60 * 60_000);
    const long2 = evaluator2.status(named('Availability-FastBurn-Long').name)!;
    expect(long2.reasonData!.recentDatapoints[0]).toBeCloseTo(171 / 12, 9);
    expect(long2.state).toBe('OK');
    expect(evaluator2.status(named('Availability-FastBurn').name)!.state).toBe('OK');
  });

  it('explain the burn in words, with a note the Slack notifier reads', () => {
    const fast = named('Availability-FastBurn');
    expect(fast.description).toContain('99.9% non-5xx responses over 30 days');
    expect(readErrorBudgetNote(fast.description)).toEqual({
      slo: 'availability',
      burn: 'over 14.4× for 1 hour (still burning in the last 5 minutes)',
      budget: expect.stringContaining(
        'at least 2% of the 30-day budget went in the last 1 hour; at this rate a full budget is gone in 2.1 days',
      ),
    });
    const slow = named('OrdersLatency-SlowBurn');
    expect(readErrorBudgetNote(slow.description)!.budget).toContain(
      'at least 10% of the 30-day budget went in the last 3 days; at this rate a full budget is gone in 30 days',
    );
    expect(readErrorBudgetNote(named('Availability-FastBurn-Long').description)).toBeUndefined();
  });

  it('add dashboard rows per SLO: SLI, budget left over the window, burn rate over each alert window', () => {
    const widgets = dashboardBody(template).widgets;
    const titled = (title: string) => widgets.filter((w) => w.properties.title === title);
    expect(titled('SLI: availability: 99.9% non-5xx responses over 30 days')).toHaveLength(1);
    expect(
      titled('SLI: orders latency: 99% responses within 1000 ms of POST /orders over 30 days'),
    ).toHaveLength(1);
    const [budget] = titled('availability: error budget left, last 30 days (%)');
    expect(budget!.properties).toMatchObject({
      view: 'singleValue',
      setPeriodToTimeRange: true,
      start: '-P30D',
    });
    expect(JSON.stringify(budget!.properties.metrics)).toContain(
      '100 * (1 - FILL(bad2592000, 0) / valid2592000 / 0.001)',
    );
    // Each alert window once per SLO, over exactly that window: a sliding range, like the alarm's.
    const burns = widgets.filter((w) => String(w.properties.title).startsWith('Burn, last '));
    const perSlo = [
      ['Burn, last 1 hour (alert at 14.4×)', '-PT60M'],
      ['Burn, last 5 minutes (alert at 14.4×)', '-PT5M'],
      ['Burn, last 6 hours (alert at 6×)', '-PT360M'],
      ['Burn, last 30 minutes (alert at 6×)', '-PT30M'],
      ['Burn, last 24 hours (alert at 3×)', '-P1D'],
      ['Burn, last 2 hours (alert at 3×)', '-PT120M'],
      ['Burn, last 3 days (alert at 1×)', '-P3D'],
      ['Burn, last 6 hours (alert at 1×)', '-PT360M'],
    ];
    expect(burns.map((w) => [w.properties.title, w.properties.start])).toEqual([...perSlo, ...perSlo]);
    expect(resourcesOfType(template, 'AWS::CloudWatch::CompositeAlarm').length).toBe(8 + 1);
  });
});

describe('SLO validation at synth', () => {
  const attempt = (slo: Partial<ServiceLevelObjective>) => () =>
    synth([{ ...AVAILABILITY, ...slo } as ServiceLevelObjective]);

  it('accepts targets strictly between 1 − 1/14.4 and 100%', () => {
    expect(LOWEST_TARGET).toBeCloseTo(93.0556, 4);
    expect(attempt({ target: 93.06 })).not.toThrow();
    expect(attempt({ target: 99.999 })).not.toThrow();
  });

  it.each([100, 93.05, 90, -1, Number.NaN])(
    'refuses target %p, saying which range is meaningful',
    (target) => {
      expect(attempt({ target })).toThrow(
        /outside 93\.06% < target < 100%.*no error budget.*could never fire/,
      );
    },
  );

  it.each([6, 61, 7.5])('refuses a %p-day window', (windowDays) => {
    expect(attempt({ windowDays })).toThrow(/windowDays must be a whole number of days from 7 to 60/);
  });

  it('refuses a bad route, a bad threshold, a name with the note separator, and repeated names', () => {
    expect(attempt({ route: '/orders' })).toThrow(/not a template like "POST \/orders"/);
    expect(() => synth([{ ...LATENCY, thresholdMs: 0 }])).toThrow(/thresholdMs must be a positive number/);
    expect(attempt({ name: 'a · b' })).toThrow(/name must be 1 to 64/);
    expect(() => synth([AVAILABILITY, AVAILABILITY])).toThrow(
      /SLO names must differ.*; repeated: availability/,
    );
    expect(() => synth([AVAILABILITY, { ...LATENCY, name: 'Availability' }])).toThrow(
      /SLO names must differ in their letters and digits.*repeated: Availability/,
    );
  });
});
