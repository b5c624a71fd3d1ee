import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { AlarmFactory, AlarmTuning, LookoutAlarm } from '../alarms/alarm-factory.js';
import { describeWindow, tune } from '../alarms/alarm-factory.js';
import { ALARM_DEFAULTS } from '../alarms/defaults.js';
import { graph } from '../dashboard/widgets.js';
import { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import { percentOfSum } from '../metrics/metric-math.js';
import type { MonitoringSection } from './monitoring-section.js';

export interface DatabaseAlarms {
  /** Failed queries (errors and timeouts), percent of all queries. */
  readonly errorRate?: AlarmTuning;
  /** p95 query latency, milliseconds. */
  readonly latencyP95?: AlarmTuning;
}

export interface DatabaseMonitoringProps {
  readonly namespace: string;
  readonly serviceName: string;
  readonly alarmFactory: AlarmFactory;
  readonly alarms?: DatabaseAlarms;
}

/** The queries a service times with `timeDbQuery`: volume, failures and latency. */
export class DatabaseMonitoring extends Construct implements MonitoringSection {
  readonly title: string;
  readonly alarms: LookoutAlarm[] = [];
  private readonly metrics: LookoutMetricFactory;
  private readonly latencyThreshold: number | undefined;

  constructor(scope: Construct, id: string, props: DatabaseMonitoringProps) {
    super(scope, id);
    this.title = `Database (${props.serviceName})`;
    this.metrics = new LookoutMetricFactory(props.namespace, props.serviceName);
    const factory = props.alarmFactory.child('Db');
    const alarms = props.alarms ?? {};

    const errorRate = tune(ALARM_DEFAULTS.dbErrorRate, alarms.errorRate);
    if (errorRate) {
      this.alarms.push(
        factory.create(this, {
          id: 'ErrorRate',
          metric: this.errorRate(),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: errorRate,
          meaning: `More than ${errorRate.threshold}% of database queries from ${props.serviceName} failed or timed out ${describeWindow(errorRate)}.`,
          firstStep:
            'run the saved "errors" query and read the error names: throttling (ProvisionedThroughputExceeded), access denied, or a missing table each point somewhere else; timeouts (timed_out: true) point to a table or network that stopped answering.',
        }),
      );
    }

    const latency = tune(ALARM_DEFAULTS.dbLatencyP95, alarms.latencyP95);
    this.latencyThreshold = latency?.threshold;
    if (latency) {
      this.alarms.push(
        factory.create(this, {
          id: 'LatencyP95',
          metric: this.metrics.dbQueryLatency('p95'),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: latency,
          meaning: `p95 database query latency of ${props.serviceName} is above ${latency.threshold} ms ${describeWindow(latency)}.`,
          firstStep:
            'open the X-Ray traces of slow requests to see which operation and table are slow, then check that table for throttling or hot keys.',
        }),
      );
    }
  }

  /** Errors and timeouts (calls still running when their invocation timed out), percent of all queries. */
  private errorRate(): cw.MathExpression {
    const m = this.metrics;
    const failed = { errors: m.dbQueries('error'), timeouts: m.dbQueries('timeout') };
    return percentOfSum(failed, m.dbQueries(), 'query error rate %');
  }

  widgetRows(): cw.IWidget[][] {
    const m = this.metrics;
    const byStatus = [m.dbQueries('success'), m.dbQueries('error'), m.dbQueries('timeout')];
    return [
      [
        graph('DB queries by status', byStatus, { stacked: true }),
        graph('DB query error rate (%)', [this.errorRate()]),
        graph(
          'DB query latency p50 / p95 / p99 (ms)',
          [m.dbQueryLatency('p50'), m.dbQueryLatency('p95'), m.dbQueryLatency('p99')],
          {
            lines:
              this.latencyThreshold === undefined
                ? []
                : [{ value: this.latencyThreshold, label: 'p95 alarm' }],
          },
        ),
      ],
    ];
  }
}
