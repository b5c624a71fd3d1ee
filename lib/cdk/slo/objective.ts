import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { Severity } from '../../contract.js';
import { DIMENSION, ERROR_BUDGET_NOTE, HTTP_METRIC } from '../../contract.js';
import type { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';

/** Good means a response that is not a 5xx. */
export interface AvailabilitySlo {
  readonly kind: 'availability';
  /** Names the SLO in alarm names, on the dashboard and in Slack: letters, digits, `-`, `_`, spaces. */
  readonly name: string;
  /** Percent of requests that must be good, above 93.06 and below 100 (see validateObjective). */
  readonly target: number;
  /** The SLO window in whole days, 7 to 60. @default 30 */
  readonly windowDays?: number;
  /** One route template (`POST /orders`); the whole service when left out. */
  readonly route?: string;
}

/** Good means a response within `thresholdMs`, counted exactly (not read off a percentile). */
export interface LatencySlo extends Omit<AvailabilitySlo, 'kind'> {
  readonly kind: 'latency';
  /** A request is good when its latency is at most this many milliseconds. */
  readonly thresholdMs: number;
}

export type ServiceLevelObjective = AvailabilitySlo | LatencySlo;

/** One row of the workbook's multiwindow, multi-burn-rate table. */
export interface BurnRateWindow {
  readonly burnRate: number;
  readonly long: Duration;
  readonly short: Duration;
  /** `critical` pages, `warning` makes a ticket. */
  readonly severity: Severity;
  /** Construct id and alarm name part. */
  readonly id: string;
}

/**
 * The Google SRE Workbook's recommendation ("Alerting on SLOs", approach 6) for a 30-day window:
 * each long window ANDed with a short window a twelfth its length, so that an alert stops soon
 * after the burn does. The rates stay as the table gives them for other windows.
 */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  {
    id: 'FastBurn',
    burnRate: 14.4,
    long: Duration.hours(1),
    short: Duration.minutes(5),
    severity: 'critical',
  },
  { id: 'Burn6x', burnRate: 6, long: Duration.hours(6), short: Duration.minutes(30), severity: 'critical' },
  { id: 'Burn3x', burnRate: 3, long: Duration.days(1), short: Duration.hours(2), severity: 'warning' },
  { id: 'SlowBurn', burnRate: 1, long: Duration.days(3), short: Duration.hours(6), severity: 'warning' },
];

const HIGHEST_BURN_RATE = Math.max(...BURN_RATE_WINDOWS.map((w) => w.burnRate));
/** Below this target, the fastest alert would need more than 100 % of requests to fail: 93.06 %. */
export const LOWEST_TARGET = 100 * (1 - 1 / HIGHEST_BURN_RATE);
export const WINDOW_DAYS = { min: 7, max: 60, default: 30 } as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9 _-]{0,63}$/;
const ROUTE = /^[A-Z]+ \/\S*$/;

/** An objective with its defaults filled in and every field checked, or a clear error at synth. */
export interface ResolvedObjective {
  readonly slo: ServiceLevelObjective;
  readonly windowDays: number;
  /** The error budget as a fraction of valid events (0.001 for 99.9 %). */
  readonly budget: number;
}

export function validateObjective(slo: ServiceLevelObjective): ResolvedObjective {
  const where = `SLO "${String(slo.name)}"`;
  if (
    typeof slo.name !== 'string' ||
    !NAME.test(slo.name) ||
    slo.name.includes(ERROR_BUDGET_NOTE.separator)
  ) {
    throw new Error(
      `${where}: the name must be 1 to 64 letters, digits, spaces, - or _, starting with a letter or digit`,
    );
  }
  if (!(Number.isFinite(slo.target) && slo.target > LOWEST_TARGET && slo.target < 100)) {
    throw new Error(
      `${where}: target ${slo.target}% is outside ${LOWEST_TARGET.toFixed(2)}% < target < 100%. ` +
        `At 100% there is no error budget to burn; at or below ${LOWEST_TARGET.toFixed(2)}% the ${HIGHEST_BURN_RATE}× fast-burn alert ` +
        'would need more than every request to fail, so it could never fire.',
    );
  }
  const windowDays = slo.windowDays ?? WINDOW_DAYS.default;
  if (!(Number.isInteger(windowDays) && windowDays >= WINDOW_DAYS.min && windowDays <= WINDOW_DAYS.max)) {
    throw new Error(
      `${where}: windowDays must be a whole number of days from ${WINDOW_DAYS.min} to ${WINDOW_DAYS.max} ` +
        `(the slowest alert already looks at 3 days), got ${windowDays}`,
    );
  }
  if (slo.route !== undefined && !ROUTE.test(slo.route)) {
    throw new Error(
      `${where}: route "${slo.route}" is not a template like "POST /orders" (method, one space, path)`,
    );
  }
  if (slo.kind === 'latency' && !(Number.isFinite(slo.thresholdMs) && slo.thresholdMs > 0)) {
    throw new Error(
      `${where}: thresholdMs must be a positive number of milliseconds, got ${slo.thresholdMs}`,
    );
  }
  if (slo.kind !== 'availability' && slo.kind !== 'latency') {
    throw new Error(`${where}: kind must be 'availability' or 'latency'`);
  }
  // Rounded so that 99.9 gives 0.001, not 0.0009999999999998899, in the alarm expression.
  const budget = Number((1 - slo.target / 100).toPrecision(12));
  return { slo, windowDays, budget };
}

/**
 * The bad and valid event counts of an SLO over `period`, as metric math.
 *
 * Availability: bad = 5xx responses (`Errors`), valid = `Requests`.
 * Latency: valid = the number of latency samples (`SampleCount` of `Latency`) and bad = those above
 * the threshold, `SampleCount − TC(:threshold)`. `TC(:1000)` is CloudWatch's trimmed count with an
 * absolute upper bound: the number of values ≤ 1000. Counts add up over any window, so the ratio is
 * exact, whereas a percentile (p99 ≤ 1000 ms) cannot be combined across periods or turned into a
 * number of slow requests.
 */
export function sliQueries(
  metrics: LookoutMetricFactory,
  slo: ServiceLevelObjective,
  period: Duration,
): { bad: cw.IMetric; valid: cw.IMetric } {
  const dims: Record<string, string> = slo.route ? { [DIMENSION.route]: slo.route } : {};
  const at = (statistic: string, name: string) => metrics.metric(name, statistic, dims).with({ period });
  if (slo.kind === 'availability') {
    return { bad: at('Sum', HTTP_METRIC.errors), valid: at('Sum', HTTP_METRIC.requests) };
  }
  const valid = at('SampleCount', HTTP_METRIC.latency);
  const good = at(`TC(:${slo.thresholdMs})`, HTTP_METRIC.latency);
  // Ids carry the period: a graph of several windows must not see two metrics with one id.
  const key = period.toSeconds();
  return {
    bad: new cw.MathExpression({
      expression: `FILL(valid${key}, 0) - FILL(good${key}, 0)`,
      usingMetrics: { [`valid${key}`]: valid, [`good${key}`]: good },
      period,
      label: `slower than ${slo.thresholdMs} ms`,
    }),
    valid,
  };
}

/** `IF(valid > 0, <of(bad, valid)>, <idle>)` over `period`, with ids unique to the period. */
export function sliExpression(
  metrics: LookoutMetricFactory,
  slo: ServiceLevelObjective,
  period: Duration,
  of: (bad: string, valid: string) => string,
  idle: number,
  label: string,
): cw.MathExpression {
  const { bad, valid } = sliQueries(metrics, slo, period);
  const key = period.toSeconds();
  const [badId, validId] = [`bad${key}`, `valid${key}`];
  return new cw.MathExpression({
    expression: `IF(${validId} > 0, ${of(`FILL(${badId}, 0)`, validId)}, ${idle})`,
    usingMetrics: { [badId]: bad, [validId]: valid },
    period,
    label,
  });
}

/**
 * How many times faster than the SLO allows the budget burns over `period`: the bad fraction of
 * valid events divided by the budget. 0 with no traffic, so an idle service burns nothing.
 */
export function burnRate(
  metrics: LookoutMetricFactory,
  objective: ResolvedObjective,
  period: Duration,
  label: string,
): cw.MathExpression {
  return sliExpression(
    metrics,
    objective.slo,
    period,
    (bad, valid) => `${bad} / ${valid} / ${objective.budget}`,
    0,
    label,
  );
}

/** Words for a duration: "5 minutes", "1 hour", "3 days", "2.1 days". */
export function spell(seconds: number): string {
  const unit = (n: number, word: string) => {
    const shown = Number.isInteger(n) ? String(n) : n.toFixed(1);
    return `${shown} ${word}${shown === '1' ? '' : 's'}`;
  };
  if (seconds >= 2 * 86_400) return unit(seconds / 86_400, 'day');
  if (seconds >= 3600) return unit(seconds / 3600, 'hour');
  return unit(seconds / 60, 'minute');
}

/** "orders availability, 99.9% over 30 days" / "orders POST /orders ≤ 1000 ms, 99% over 30 days". */
export function describeObjective(objective: ResolvedObjective): string {
  const { slo } = objective;
  const what = slo.kind === 'availability' ? 'non-5xx responses' : `responses within ${slo.thresholdMs} ms`;
  return `${slo.name}: ${slo.target}% ${what}${slo.route ? ` of ${slo.route}` : ''} over ${objective.windowDays} days`;
}
