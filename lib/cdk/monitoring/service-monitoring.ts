import { Stack } from 'aws-cdk-lib';
import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { LookoutAlarm } from '../alarms/alarm-factory.js';
import { AlarmFactory } from '../alarms/alarm-factory.js';
import type { BusinessWidget } from '../dashboard/business-widgets.js';
import { businessWidget } from '../dashboard/business-widgets.js';
import { ServiceDashboard } from '../dashboard/service-dashboard.js';
import { ServiceLogQueries } from '../logs/saved-queries.js';
import type { EventSource } from '../metrics/lookout-metric-factory.js';
import { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import type { IObservedFunction } from '../observed-function.js';
import type { DatabaseAlarms } from './database-monitoring.js';
import { DatabaseMonitoring } from './database-monitoring.js';
import type { FunctionAlarms } from './function-monitoring.js';
import { FunctionMonitoring } from './function-monitoring.js';
import type { HealthCheckAlarms } from './health-check-monitoring.js';
import { HealthCheckMonitoring } from './health-check-monitoring.js';
import type { HttpAlarms } from './http-monitoring.js';
import { HttpMonitoring } from './http-monitoring.js';
import type { MonitoringSection } from './monitoring-section.js';
import type { ServiceLevelObjective } from '../slo/objective.js';
import { SloMonitoring } from '../slo/slo-monitoring.js';
import type { QueueAlarms } from './queue-monitoring.js';
import { QueueMonitoring } from './queue-monitoring.js';

/** A function to monitor, with how it is invoked and any alarm tuning. */
export interface MonitoredFunction {
  readonly function: IObservedFunction;
  /** Invoked asynchronously (SNS, EventBridge, schedules, S3): watch lost async events. @default false */
  readonly asynchronous?: boolean;
  /** The non-HTTP event source it handles, for the per-source figures. */
  readonly eventSource?: EventSource;
  readonly alarms?: FunctionAlarms;
}

export interface MonitoredQueue {
  /** Names the queue on the dashboard and in alarm names. */
  readonly id: string;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue?: sqs.IQueue;
  readonly alarms?: QueueAlarms;
}

export interface ServiceMonitoringProps {
  /** The service's functions. Plain functions are treated as synchronously invoked. */
  readonly functions: readonly (IObservedFunction | MonitoredFunction)[];
  /** Every alarm sends its ALARM and OK notifications here (e.g. `SlackAlerts.topic`). */
  readonly alarmTopic: sns.ITopic;
  /** @default the first function's service name */
  readonly serviceName?: string;
  /** @default the first function's metrics namespace */
  readonly namespace?: string;
  /** The service answers HTTP: alarms on its 5xx rate and p95 latency, charts per route. */
  readonly http?: { readonly routes: readonly string[]; readonly alarms?: HttpAlarms };
  /** The service times database queries with `timeDbQuery`. */
  readonly database?: { readonly alarms?: DatabaseAlarms };
  /** A scheduled health check reports on this service (`HealthCheckSuccess` by target). */
  readonly healthCheck?: {
    /** @default the service name */
    readonly target?: string;
    /** @default 'health-check' */
    readonly checkerServiceName?: string;
    readonly alarms?: HealthCheckAlarms;
  };
  readonly queues?: readonly MonitoredQueue[];
  /**
   * Service level objectives on the HTTP metrics (availability, latency), each alerting on error
   * budget burn over four pairs of windows and charted in its own dashboard row.
   */
  readonly slos?: readonly ServiceLevelObjective[];
  /** Business figures to chart, as data (see BusinessWidget). */
  readonly businessWidgets?: readonly BusinessWidget[];
  /**
   * More sections for the dashboard (e.g. `SlackAlerts.alertPath`). Their alarms appear in the
   * status widget but are not part of the "service unhealthy" composite.
   */
  readonly extraSections?: readonly MonitoringSection[];
  /** @default `${stackName}-${serviceName}` */
  readonly dashboardName?: string;
  /** Start of every alarm name. @default `${stackName}-${serviceName}` */
  readonly alarmNamePrefix?: string;
}

/**
 * Everything Lookout watches for one service: per-function alarms, HTTP, database, health-check
 * and queue alarms, a composite "service unhealthy" alarm over the critical ones, the service
 * dashboard and the saved Logs Insights queries.
 */
export class ServiceMonitoring extends Construct {
  readonly serviceName: string;
  readonly namespace: string;
  readonly sections: readonly MonitoringSection[];
  /** Every alarm created for this service, with its severity. */
  readonly alarms: readonly LookoutAlarm[];
  /** In ALARM while any critical alarm of the service is. */
  readonly serviceUnhealthyAlarm: cw.CompositeAlarm | undefined;
  readonly dashboard: cw.Dashboard;
  readonly logQueries: ServiceLogQueries;
  /** The SLO alerts, when `slos` were given. */
  readonly slos: SloMonitoring | undefined;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const functions = props.functions.map((f) => (isMonitoredFunction(f) ? f : { function: f }));
    const first = functions[0];
    if (!first) throw new Error('ServiceMonitoring needs at least one function');
    const ids = functions.map((f) => f.function.node.id);
    const repeated = ids.filter((fnId, index) => ids.indexOf(fnId) !== index);
    if (repeated.length > 0) {
      throw new Error(
        `ServiceMonitoring names alarms after each function's construct id; these ids repeat: ${[...new Set(repeated)].join(', ')}`,
      );
    }
    this.serviceName = props.serviceName ?? first.function.serviceName;
    this.namespace = props.namespace ?? first.function.metricsNamespace;
    const stackName = Stack.of(this).stackName;
    const factory = new AlarmFactory({
      actionTopic: props.alarmTopic,
      namePrefix: props.alarmNamePrefix ?? `${stackName}-${this.serviceName}`,
      tags: { service: this.serviceName },
    });

    const sections: MonitoringSection[] = [];
    if (props.healthCheck) {
      sections.push(
        new HealthCheckMonitoring(this, 'HealthCheck', {
          namespace: this.namespace,
          target: props.healthCheck.target ?? this.serviceName,
          ...(props.healthCheck.checkerServiceName
            ? { checkerServiceName: props.healthCheck.checkerServiceName }
            : {}),
          alarmFactory: factory,
          ...(props.healthCheck.alarms ? { alarms: props.healthCheck.alarms } : {}),
        }),
      );
    }
    if (props.http) {
      sections.push(
        new HttpMonitoring(this, 'Http', {
          namespace: this.namespace,
          serviceName: this.serviceName,
          routes: props.http.routes,
          alarmFactory: factory,
          ...(props.http.alarms ? { alarms: props.http.alarms } : {}),
        }),
      );
    }
    const functionsScope = new Construct(this, 'Functions');
    for (const monitored of functions) {
      sections.push(
        new FunctionMonitoring(functionsScope, monitored.function.node.id, {
          function: monitored.function,
          alarmFactory: factory,
          asynchronous: monitored.asynchronous ?? false,
          ...(monitored.eventSource ? { eventSource: monitored.eventSource } : {}),
          ...(monitored.alarms ? { alarms: monitored.alarms } : {}),
        }),
      );
    }
    if (props.database) {
      sections.push(
        new DatabaseMonitoring(this, 'Database', {
          namespace: this.namespace,
          serviceName: this.serviceName,
          alarmFactory: factory,
          ...(props.database.alarms ? { alarms: props.database.alarms } : {}),
        }),
      );
    }
    const queuesScope = new Construct(this, 'Queues');
    for (const queue of props.queues ?? []) {
      sections.push(
        new QueueMonitoring(queuesScope, queue.id, {
          queue: queue.queue,
          ...(queue.deadLetterQueue ? { deadLetterQueue: queue.deadLetterQueue } : {}),
          alarmFactory: factory,
          ...(queue.alarms ? { alarms: queue.alarms } : {}),
        }),
      );
    }
    this.slos =
      props.slos && props.slos.length > 0
        ? new SloMonitoring(this, 'Slos', {
            namespace: this.namespace,
            serviceName: this.serviceName,
            objectives: props.slos,
            alarmFactory: factory,
          })
        : undefined;
    if (this.slos) sections.push(this.slos);
    this.sections = sections;
    this.alarms = sections.flatMap((section) => section.alarms);

    const critical = this.alarms.filter((a) => a.severity === 'critical').map((a) => a.alarm);
    this.serviceUnhealthyAlarm =
      critical.length > 0
        ? factory.createAnyOf(this, 'ServiceUnhealthy', critical, {
            severity: 'critical',
            meaning: `${this.serviceName} is unhealthy: at least one of its ${critical.length} critical alarms is in ALARM.`,
            firstStep:
              'look at the alarm status widget at the top of the service dashboard to see which one.',
          })
        : undefined;

    const logGroups = functions.map((f) => f.function.observedLogGroup);
    this.logQueries = new ServiceLogQueries(this, 'LogQueries', { serviceName: this.serviceName, logGroups });

    const metrics = new LookoutMetricFactory(this.namespace, this.serviceName);
    const extraSections = props.extraSections ?? [];
    const statusAlarms: cw.IAlarm[] = [
      ...(this.serviceUnhealthyAlarm ? [this.serviceUnhealthyAlarm] : []),
      ...(this.slos?.composites ?? []),
      ...this.alarms.map((a) => a.alarm),
      ...extraSections.flatMap((section) => section.alarms.map((a) => a.alarm)),
    ];
    this.dashboard = new ServiceDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? dashboardNameFor(`${stackName}-${this.serviceName}`),
      serviceName: this.serviceName,
      sections: [...sections, ...extraSections],
      alarms: statusAlarms,
      businessWidgets: (props.businessWidgets ?? []).map((spec) => businessWidget(metrics, spec)),
      logGroups,
    }).dashboard;
  }
}

function dashboardNameFor(raw: string): string {
  return raw.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 255);
}

function isMonitoredFunction(f: IObservedFunction | MonitoredFunction): f is MonitoredFunction {
  return 'function' in f && typeof f.function === 'object';
}
