import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { AlarmFactory, AlarmTuning, LookoutAlarm } from '../alarms/alarm-factory.js';
import { describeWindow, tune } from '../alarms/alarm-factory.js';
import { ALARM_DEFAULTS } from '../alarms/defaults.js';
import { graph } from '../dashboard/widgets.js';
import { LambdaMetricFactory } from '../metrics/lambda-metric-factory.js';
import type { EventSource } from '../metrics/lookout-metric-factory.js';
import { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import { percentOf } from '../metrics/metric-math.js';
import type { IObservedFunction } from '../observed-function.js';
import type { MonitoringSection } from './monitoring-section.js';

/** Per-function alarms; thresholds in the units listed in `ALARM_DEFAULTS`. */
export interface FunctionAlarms {
  /** Lambda Errors / Invocations, percent. */
  readonly errorRate?: AlarmTuning;
  /** p99 Duration, percent of the function's timeout. */
  readonly durationP99?: AlarmTuning;
  /** The library's MemoryUtilization, percent. */
  readonly memoryUtilization?: AlarmTuning;
  /** Lambda Throttles, count. */
  readonly throttles?: AlarmTuning;
  /** ConcurrentExecutions, percent of reserved concurrency (only when one is set). */
  readonly concurrency?: AlarmTuning;
  /** Lost async events, count (only for asynchronously invoked functions). */
  readonly asyncDeliveryFailures?: AlarmTuning;
}

export interface FunctionMonitoringProps {
  readonly function: IObservedFunction;
  readonly alarmFactory: AlarmFactory;
  /**
   * The function is invoked asynchronously (SNS, EventBridge, S3, ...): watch for events Lambda
   * could not deliver to its dead-letter queue or on-failure destination, or dropped.
   * @default false
   */
  readonly asynchronous?: boolean;
  /** The non-HTTP event source it handles, to chart the library's per-source figures. */
  readonly eventSource?: EventSource;
  readonly alarms?: FunctionAlarms;
}

/** Lambda's own metrics and the library's runtime figures for one function set up by Lookout. */
export class FunctionMonitoring extends Construct implements MonitoringSection {
  readonly title: string;
  readonly alarms: LookoutAlarm[] = [];
  private readonly fn: IObservedFunction;
  private readonly lambdaMetrics: LambdaMetricFactory;
  private readonly lookoutMetrics: LookoutMetricFactory;
  private readonly props: FunctionMonitoringProps;
  private readonly memoryThreshold: number | undefined;

  constructor(scope: Construct, id: string, props: FunctionMonitoringProps) {
    super(scope, id);
    this.props = props;
    this.fn = props.function;
    this.title = `Function ${this.fn.node.id} (${this.fn.serviceName})`;
    this.lambdaMetrics = new LambdaMetricFactory(this.fn);
    this.lookoutMetrics = new LookoutMetricFactory(this.fn.metricsNamespace, this.fn.serviceName);
    const factory = props.alarmFactory.child(this.fn.node.id);
    const name = `${this.fn.node.id} (${this.fn.serviceName})`;
    const alarms = props.alarms ?? {};

    const errorRate = tune(ALARM_DEFAULTS.lambdaErrorRate, alarms.errorRate);
    if (errorRate) {
      this.alarms.push(
        factory.create(this, {
          id: 'ErrorRate',
          metric: percentOf(this.lambdaMetrics.errors(), this.lambdaMetrics.invocations(), 'error rate %'),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: errorRate,
          meaning: `More than ${errorRate.threshold}% of invocations of ${name} failed ${describeWindow(errorRate)}.`,
          firstStep:
            'run the saved "errors" Logs Insights query for this function, then follow one correlation_id through the "request trail" query.',
        }),
      );
    }

    const timeoutMs = this.fn.timeoutDuration.toMilliseconds();
    const duration = tune(ALARM_DEFAULTS.durationP99, alarms.durationP99);
    if (duration) {
      const thresholdMs = Math.round((timeoutMs * duration.threshold) / 100);
      this.alarms.push(
        factory.create(this, {
          id: 'DurationP99',
          metric: this.lambdaMetrics.duration('p99'),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: { ...duration, threshold: thresholdMs },
          meaning: `p99 duration of ${name} is above ${thresholdMs} ms (${duration.threshold}% of its ${timeoutMs} ms timeout) ${describeWindow(duration)}; invocations are about to time out.`,
          firstStep:
            'open the "slowest requests" query and the X-Ray trace map to find the slow downstream call before raising the timeout.',
        }),
      );
    }

    const memory = tune(ALARM_DEFAULTS.memoryUtilization, alarms.memoryUtilization);
    this.memoryThreshold = memory?.threshold;
    if (memory) {
      this.alarms.push(
        factory.create(this, {
          id: 'MemoryUtilization',
          metric: this.lookoutMetrics.memoryUtilization(this.fn.functionName, 'Maximum'),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: memory,
          meaning: `${name} uses more than ${memory.threshold}% of its memory ${describeWindow(memory)}; out-of-memory crashes are next.`,
          firstStep:
            'compare the heap and RSS widgets: a heap that only grows points at a leak kept across invocations, a flat heap at a memory size that is too small.',
        }),
      );
    }

    const throttles = tune(ALARM_DEFAULTS.throttles, alarms.throttles);
    if (throttles) {
      this.alarms.push(
        factory.create(this, {
          id: 'Throttles',
          metric: this.lambdaMetrics.throttles(),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: throttles,
          meaning: `Lambda throttled more than ${throttles.threshold} invocations of ${name} ${describeWindow(throttles)}; callers got 429s or events were delayed.`,
          firstStep:
            'check the concurrency widget against the reserved concurrency and the account limit, then look for a traffic spike or slower invocations.',
        }),
      );
    }

    const reserved = this.fn.reservedConcurrency;
    const concurrency = reserved ? tune(ALARM_DEFAULTS.concurrency, alarms.concurrency) : undefined;
    if (reserved && concurrency) {
      const limit = Math.floor((reserved * concurrency.threshold) / 100);
      this.alarms.push(
        factory.create(this, {
          id: 'Concurrency',
          metric: this.lambdaMetrics.concurrentExecutions(),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: { ...concurrency, threshold: limit },
          meaning: `${name} runs more than ${limit} concurrent executions (${concurrency.threshold}% of its reserved ${reserved}) ${describeWindow(concurrency)}; throttling starts at ${reserved}.`,
          firstStep:
            'check whether traffic grew or invocations got slower (duration widget); raise the reservation only if the downstream can take it.',
        }),
      );
    }

    const asyncFailures = props.asynchronous
      ? tune(ALARM_DEFAULTS.asyncDeliveryFailures, alarms.asyncDeliveryFailures)
      : undefined;
    if (asyncFailures) {
      this.alarms.push(
        factory.create(this, {
          id: 'AsyncDeliveryFailures',
          metric: this.lambdaMetrics.lostAsyncEvents('lost async events'),
          comparison: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: cw.TreatMissingData.NOT_BREACHING,
          tuning: asyncFailures,
          meaning: `More than ${asyncFailures.threshold} async events for ${name} were lost ${describeWindow(asyncFailures)}: Lambda could not write them to the dead-letter queue or on-failure destination, or dropped them.`,
          firstStep:
            "check the destination's permissions and encryption key policy, and whether it still exists; the lost events cannot be replayed from Lambda.",
        }),
      );
    }
  }

  widgetRows(): cw.IWidget[][] {
    const fnName = this.fn.functionName;
    const id = this.fn.node.id;
    const timeoutMs = this.fn.timeoutDuration.toMilliseconds();
    const reserved = this.fn.reservedConcurrency;
    const rows: cw.IWidget[][] = [
      [
        graph(
          `${id}: invocations and errors`,
          [this.lambdaMetrics.invocations(), this.lambdaMetrics.errors()],
          {
            width: 6,
            right: [percentOf(this.lambdaMetrics.errors(), this.lambdaMetrics.invocations(), 'error rate %')],
            rightLabel: '%',
          },
        ),
        graph(
          `${id}: duration vs timeout (ms)`,
          [this.lambdaMetrics.duration('p50'), this.lambdaMetrics.duration('p99')],
          {
            width: 6,
            lines: [{ value: timeoutMs, label: 'timeout' }],
          },
        ),
        graph(`${id}: throttles and concurrency`, [this.lambdaMetrics.throttles()], {
          width: 6,
          right: [this.lambdaMetrics.concurrentExecutions()],
          rightLabel: 'concurrent',
          ...(reserved ? { lines: [{ value: reserved, label: 'reserved concurrency' }] } : {}),
        }),
        graph(`${id}: cold starts`, [this.lookoutMetrics.coldStarts(fnName)], { width: 6 }),
      ],
      [
        graph(`${id}: memory utilization (%)`, [this.lookoutMetrics.memoryUtilization(fnName)], {
          lines: this.memoryThreshold === undefined ? [] : [{ value: this.memoryThreshold, label: 'alarm' }],
        }),
        graph(`${id}: heap and RSS (MB)`, [
          this.lookoutMetrics.heapUsed(fnName),
          this.lookoutMetrics.rss(fnName),
        ]),
        graph(`${id}: event loop utilization (%)`, [
          this.lookoutMetrics.eventLoopUtilization(fnName, 'Average'),
          this.lookoutMetrics.eventLoopUtilization(fnName, 'Maximum'),
        ]),
      ],
    ];
    const extra: cw.IWidget[] = [];
    const source = this.props.eventSource;
    if (source) {
      extra.push(
        graph(
          `${id}: ${source} events`,
          [this.lookoutMetrics.eventInvocations(source), this.lookoutMetrics.eventErrors(source)],
          {
            right: [this.lookoutMetrics.eventLatency('p95', source)],
            rightLabel: 'ms',
          },
        ),
      );
    }
    if (this.props.asynchronous) {
      extra.push(
        graph(`${id}: async delivery`, [
          this.lambdaMetrics.deadLetterErrors(),
          this.lambdaMetrics.destinationDeliveryFailures(),
          this.lambdaMetrics.asyncEventsDropped(),
        ]),
      );
    }
    if (extra.length > 0) rows.push(extra);
    return rows;
  }
}
