import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { AlarmFactory, AlarmTuning, LookoutAlarm } from '../alarms/alarm-factory.js';
import { describeWindow, tune } from '../alarms/alarm-factory.js';
import { ALARM_DEFAULTS } from '../alarms/defaults.js';
import { graph } from '../dashboard/widgets.js';
import { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import type { MonitoringSection } from './monitoring-section.js';

export interface HealthCheckAlarms {
  /** Minimum HealthCheckSuccess per period; fires below the threshold. */
  readonly serviceDown?: AlarmTuning;
}

export interface HealthCheckMonitoringProps {
  readonly namespace: string;
  /** The service whose health is checked (the `target` dimension). */
  readonly target: string;
  /** Service name of the checker function. @default 'health-check' */
  readonly checkerServiceName?: string;
  readonly alarmFactory: AlarmFactory;
  readonly alarms?: HealthCheckAlarms;
}

/** The scheduled health check's verdict on a service: up or down, and how fast it answered. */
export class HealthCheckMonitoring extends Construct implements MonitoringSection {
  readonly title: string;
  readonly alarms: LookoutAlarm[] = [];
  private readonly metrics: LookoutMetricFactory;
  private readonly target: string;

  constructor(scope: Construct, id: string, props: HealthCheckMonitoringProps) {
    super(scope, id);
    this.target = props.target;
    this.title = `Health check (${props.target})`;
    this.metrics = new LookoutMetricFactory(props.namespace, props.checkerServiceName ?? 'health-check');

    const down = tune(ALARM_DEFAULTS.serviceDown, props.alarms?.serviceDown);
    if (down) {
      this.alarms.push(
        props.alarmFactory.create(this, {
          id: 'ServiceDown',
          metric: this.metrics.healthCheckSuccess(props.target, 'Minimum'),
          comparison: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
          // No result at all means the check itself is not running: as bad as a failed check.
          treatMissingData: cw.TreatMissingData.BREACHING,
          tuning: down,
          meaning: `The health check of ${props.target} failed or did not report ${describeWindow(down)}; the service is down for its users.`,
          firstStep:
            "open GET /health yourself, then the health-check function's logs: a timeout, a 5xx, or no log lines at all (the schedule stopped) each need a different fix.",
        }),
      );
    }
  }

  widgetRows(): cw.IWidget[][] {
    return [
      [
        graph(
          `${this.target} health check (1 = healthy)`,
          [this.metrics.healthCheckSuccess(this.target, 'Minimum')],
          {
            width: 12,
          },
        ),
        graph(
          `${this.target} health check latency (ms)`,
          [this.metrics.healthCheckLatency(this.target, 'Maximum')],
          {
            width: 12,
          },
        ),
      ],
    ];
  }
}
