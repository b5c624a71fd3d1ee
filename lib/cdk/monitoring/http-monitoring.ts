import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { AlarmFactory, AlarmTuning, LookoutAlarm } from '../alarms/alarm-factory.js';
import { describeWindow, tune } from '../alarms/alarm-factory.js';
import { ALARM_DEFAULTS } from '../alarms/defaults.js';
import { graph } from '../dashboard/widgets.js';
import { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import { percentOf } from '../metrics/metric-math.js';
import type { MonitoringSection } from './monitoring-section.js';

export interface HttpAlarms {
  /** 5xx responses, percent of requests. */
  readonly errorRate?: AlarmTuning;
  /** p95 latency, milliseconds. */
  readonly latencyP95?: AlarmTuning;
}

export interface HttpMonitoringProps {
  readonly namespace: string;
  readonly serviceName: string;
  /** Route templates as the library reports them, e.g. `GET /orders/{id}`; charted one line each. */
  readonly routes: readonly string[];
  readonly alarmFactory: AlarmFactory;
  readonly alarms?: HttpAlarms;
}

/** The library's HTTP metrics for one service: traffic, errors, latency, overall and by route. */
export class HttpMonitoring extends Construct implements MonitoringSection {
  readonly title: string;
  readonly alarms: LookoutAlarm[] = [];
  private readonly metrics: LookoutMetricFactory;
  private readonly routes: readonly string[];
  private readonly latencyThreshold: number | undefined;

  constructor(scope: Construct, id: string, props: HttpMonitoringProps) {
    super(scope, id);
    this.title = `HTTP (${props.serviceName})`;
    this.metrics = new LookoutMetricFactory(props.namespace, props.serviceName);
    this.routes = validateRoutes(props.routes);
    const factory = props.alarmFactory.child('Http');
    const alarms = props.alarms ?? {};

    const errorRate = tune(ALARM_DEFAULTS.httpErrorRate, alarms.errorRate);
    if (errorRate) {
      this.alarms.push(
        factory.create(this, {
          id: 'ErrorRate',
          metric: percentOf(this.metrics.httpErrors(), this.metrics.httpRequests(), '5xx rate %'),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: errorRate,
          meaning: `More than ${errorRate.threshold}% of HTTP requests to ${props.serviceName} returned 5xx ${describeWindow(errorRate)}.`,
          firstStep:
            'find the failing route in the "5xx by route" widget, then run the saved "errors" query and follow a correlation_id through the "request trail" query.',
        }),
      );
    }

    const latency = tune(ALARM_DEFAULTS.httpLatencyP95, alarms.latencyP95);
    this.latencyThreshold = latency?.threshold;
    if (latency) {
      this.alarms.push(
        factory.create(this, {
          id: 'LatencyP95',
          metric: this.metrics.httpLatency('p95'),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: latency,
          meaning: `p95 latency of HTTP requests to ${props.serviceName} is above ${latency.threshold} ms ${describeWindow(latency)}.`,
          firstStep:
            'see which route is slow in the "p95 by route" widget, then check the database latency widget and the "slowest requests" query.',
        }),
      );
    }
  }

  widgetRows(): cw.IWidget[][] {
    const m = this.metrics;
    const byRoute = (make: (route: string) => cw.IMetric) => this.routes.map(make);
    return [
      [
        graph('Requests per minute', [m.httpRequests()], { width: 6, period: Duration.minutes(1) }),
        graph('Errors (5xx) and client errors (4xx)', [m.httpErrors(), m.httpClientErrors()], { width: 6 }),
        graph('5xx error rate (%)', [percentOf(m.httpErrors(), m.httpRequests(), '5xx rate %')], {
          width: 6,
        }),
        graph(
          'Latency p50 / p90 / p99 (ms)',
          [m.httpLatency('p50'), m.httpLatency('p90'), m.httpLatency('p99')],
          {
            width: 6,
            lines:
              this.latencyThreshold === undefined
                ? []
                : [{ value: this.latencyThreshold, label: 'p95 alarm' }],
          },
        ),
      ],
      [
        graph(
          'Requests by route',
          byRoute((r) => m.httpRequests(r)),
          { width: 12, stacked: true },
        ),
        graph(
          '5xx by route',
          byRoute((r) => m.httpErrors(r)),
          { width: 12 },
        ),
      ],
      [
        graph(
          'Latency p50 by route (ms)',
          byRoute((r) => m.httpLatency('p50', r)),
        ),
        graph(
          'Latency p90 by route (ms)',
          byRoute((r) => m.httpLatency('p90', r)),
        ),
        graph(
          'Latency p99 by route (ms)',
          byRoute((r) => m.httpLatency('p99', r)),
        ),
      ],
    ];
  }
}

const ROUTE = /^[A-Z]+ \/\S*$/;

function validateRoutes(routes: readonly string[]): readonly string[] {
  for (const route of routes) {
    if (!ROUTE.test(route)) {
      throw new Error(`Route "${route}" is not a template like "GET /orders/{id}" (method, one space, path)`);
    }
  }
  if (new Set(routes).size !== routes.length)
    throw new Error(`Routes contain duplicates: ${routes.join(', ')}`);
  return routes;
}
