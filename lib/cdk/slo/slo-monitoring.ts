import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { errorBudgetNote } from '../../contract.js';
import type { AlarmFactory, LookoutAlarm } from '../alarms/alarm-factory.js';
import { graph } from '../dashboard/widgets.js';
import { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import type { MonitoringSection } from '../monitoring/monitoring-section.js';
import type { BurnRateWindow, ResolvedObjective, ServiceLevelObjective } from './objective.js';
import {
  BURN_RATE_WINDOWS,
  burnRate,
  describeObjective,
  sliExpression,
  spell,
  validateObjective,
} from './objective.js';

export interface SloMonitoringProps {
  readonly namespace: string;
  readonly serviceName: string;
  readonly objectives: readonly ServiceLevelObjective[];
  readonly alarmFactory: AlarmFactory;
}

/** The two windows of one burn-rate alert and the composite that pages or files a ticket. */
export interface BurnRateAlert {
  readonly window: BurnRateWindow;
  readonly long: LookoutAlarm;
  readonly short: LookoutAlarm;
  /** ALARM while both windows burn faster than `window.burnRate`; the only one that notifies. */
  readonly composite: cw.CompositeAlarm;
}

export interface SloAlerts {
  readonly objective: ResolvedObjective;
  readonly alerts: readonly BurnRateAlert[];
}

/**
 * Service level objectives of one service: for each, the four multiwindow burn-rate alerts of
 * BURN_RATE_WINDOWS and a dashboard row (SLI, budget left, burn rate per window).
 *
 * How each window is measured. A window is one alarm period, evaluated once
 * (`Period = window, EvaluationPeriods = 1`) over CloudWatch's default sliding evaluation window,
 * which moves every minute: the alarm sees the sums of bad and valid events over exactly the last
 * hour (or 6 hours, 1 day, 3 days), and metric math divides them. This stays inside CloudWatch's
 * limits: Period × EvaluationPeriods is at most 1 day for periods under an hour (the short windows,
 * 5 and 30 minutes) and at most 7 days for periods of an hour or more (the long windows, up to
 * 3 days). Splitting a window into several periods would not do: each period would be compared
 * with the threshold on its own ("M of N"), which is not the burn over the whole window. Every
 * statistic is a count (Sum, SampleCount, a trimmed count), never a percentile, so the sum over
 * the window is exact whatever the period.
 */
export class SloMonitoring extends Construct implements MonitoringSection {
  readonly title: string;
  /**
   * Empty: the window alarms below send nothing themselves, and the composites are not plain
   * alarms. Kept apart so that no window alarm counts towards "service unhealthy" on its own.
   */
  readonly alarms: readonly LookoutAlarm[] = [];
  /** The metric alarm of every window; they feed the composites. */
  readonly windowAlarms: LookoutAlarm[] = [];
  readonly objectives: readonly SloAlerts[];
  private readonly metrics: LookoutMetricFactory;

  constructor(scope: Construct, id: string, props: SloMonitoringProps) {
    super(scope, id);
    this.title = `Service level objectives (${props.serviceName})`;
    this.metrics = new LookoutMetricFactory(props.namespace, props.serviceName);
    const resolved = props.objectives.map(validateObjective);
    // Alarm names are built from the name's letters and digits, so "a b" and "a-b" would collide.
    const ids = resolved.map((o) => constructIdOf(o.slo.name));
    const repeated = resolved.filter((_, index) => ids.indexOf(ids[index]!) !== index).map((o) => o.slo.name);
    if (repeated.length > 0) {
      throw new Error(
        `SLO names must differ in their letters and digits (alarm names are made of them); repeated: ${[...new Set(repeated)].join(', ')}`,
      );
    }

    this.objectives = resolved.map((objective) => {
      const sloId = constructIdOf(objective.slo.name);
      const scopeOfSlo = new Construct(this, sloId);
      const factory = props.alarmFactory.child(`Slo-${sloId}`);
      const alerts = BURN_RATE_WINDOWS.map((window) => {
        const windowAlarm = (length: Duration, which: 'Long' | 'Short') =>
          factory.create(scopeOfSlo, {
            id: `${window.id}-${which}`,
            metric: burnRate(this.metrics, objective, length, `burn rate over ${spell(length.toSeconds())}`),
            comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treatMissingData: cw.TreatMissingData.NOT_BREACHING,
            tuning: {
              threshold: window.burnRate,
              period: length,
              evaluationPeriods: 1,
              datapointsToAlarm: 1,
              severity: window.severity,
            },
            meaning: `${describeObjective(objective)}: the error budget burned more than ${window.burnRate}× faster than the SLO allows over the last ${spell(length.toSeconds())}.`,
            firstStep: `nothing on its own; the ${window.id} composite alarm notifies when both of its windows burn.`,
            notify: false,
          });
        const long = windowAlarm(window.long, 'Long');
        const short = windowAlarm(window.short, 'Short');
        this.windowAlarms.push(long, short);
        const composite = factory.createAllOf(scopeOfSlo, window.id, [long.alarm, short.alarm], {
          severity: window.severity,
          meaning: burnMeaning(objective, window),
          firstStep:
            objective.slo.kind === 'availability'
              ? 'see which route fails in the "5xx by route" widget, then run the saved "errors" query.'
              : 'see which route is slow in the latency-by-route widgets, then run the "slowest requests" query.',
        });
        return { window, long, short, composite };
      });
      return { objective, alerts };
    });
  }

  /** The composite alarms, the ones that notify. */
  get composites(): cw.CompositeAlarm[] {
    return this.objectives.flatMap((o) => o.alerts.map((a) => a.composite));
  }

  /**
   * Two rows per SLO: the SLI, the budget left and the 5-minute burn over time; then the burn over
   * each alert window as the alarm sees it now. Those single values take their own time range
   * (`start: -PT1H`, the whole range as one period), which is a sliding window like the alarm's,
   * where a graph with a one-hour period would show clock hours.
   */
  widgetRows(): cw.IWidget[][] {
    return this.objectives.flatMap(({ objective }) => {
      const m = this.metrics;
      const { slo, windowDays, budget } = objective;
      const fiveMinutes = Duration.minutes(5);
      const sli = sliExpression(
        m,
        slo,
        fiveMinutes,
        (bad, valid) => `100 * (1 - ${bad} / ${valid})`,
        100,
        'SLI %',
      );
      const budgetLeft = sliExpression(
        m,
        slo,
        Duration.days(windowDays),
        (bad, valid) => `100 * (1 - ${bad} / ${valid} / ${budget})`,
        100,
        'budget left %',
      );
      const overRange = (title: string, metric: cw.IMetric, window: Duration, width: number) =>
        new cw.SingleValueWidget({
          title,
          metrics: [metric],
          width,
          height: width === 3 ? 4 : 6,
          start: `-P${window.toSeconds() >= 86_400 ? `${window.toSeconds() / 86_400}D` : `T${window.toSeconds() / 60}M`}`,
          setPeriodToTimeRange: true,
        });
      const windows = BURN_RATE_WINDOWS.flatMap((w) => [
        { length: w.long, rate: w.burnRate },
        { length: w.short, rate: w.burnRate },
      ]);
      return [
        [
          graph(`SLI: ${describeObjective(objective)}`, [sli], {
            width: 8,
            lines: [{ value: slo.target, label: 'target' }],
          }),
          overRange(
            `${slo.name}: error budget left, last ${windowDays} days (%)`,
            budgetLeft,
            Duration.days(windowDays),
            4,
          ),
          graph(
            `${slo.name}: burn rate over 5 minutes (× budget)`,
            [burnRate(m, objective, fiveMinutes, 'burn rate')],
            {
              width: 12,
              lines: BURN_RATE_WINDOWS.map((w) => ({
                value: w.burnRate,
                label: `${w.burnRate}× (${w.severity === 'critical' ? 'page' : 'ticket'})`,
              })),
            },
          ),
        ],
        windows.map(({ length, rate }) => {
          const words = spell(length.toSeconds());
          return overRange(
            `Burn, last ${words} (alert at ${rate}×)`,
            burnRate(m, objective, length, `burn over ${words}`),
            length,
            3,
          );
        }),
      ];
    });
  }
}

function burnMeaning(objective: ResolvedObjective, window: BurnRateWindow): string {
  const windowSeconds = objective.windowDays * 86_400;
  const long = spell(window.long.toSeconds());
  const spent = (100 * window.burnRate * window.long.toSeconds()) / windowSeconds;
  const lasts = spell(windowSeconds / window.burnRate);
  return (
    `${describeObjective(objective)}. The error budget (${Number((objective.budget * 100).toPrecision(6))}% of requests) ` +
    `is burning more than ${window.burnRate}× faster than the SLO allows, over the last ${long} and the last ${spell(window.short.toSeconds())}. ` +
    errorBudgetNote({
      slo: objective.slo.name,
      burn: `over ${window.burnRate}× for ${long} (still burning in the last ${spell(window.short.toSeconds())})`,
      budget: `at least ${Number(spent.toFixed(1))}% of the ${objective.windowDays}-day budget went in the last ${long}; at this rate a full budget is gone in ${lasts}, what is left of it sooner (see "Error budget left" on the dashboard)`,
    }) +
    '.'
  );
}

function constructIdOf(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}
