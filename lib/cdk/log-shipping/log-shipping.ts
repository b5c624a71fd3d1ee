import { Duration, Names, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { LambdaDestination } from 'aws-cdk-lib/aws-logs-destinations';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AlarmTuning, LookoutAlarm, ResolvedTuning } from '../alarms/alarm-factory.js';
import { AlarmFactory, tune } from '../alarms/alarm-factory.js';
import { assetDirectory } from '../assets.js';
import { graph } from '../dashboard/widgets.js';
import { LambdaMetricFactory } from '../metrics/lambda-metric-factory.js';
import { LookoutMetricFactory } from '../metrics/lookout-metric-factory.js';
import { QueueMetricFactory } from '../metrics/queue-metric-factory.js';
import type { MonitoringSection } from '../monitoring/monitoring-section.js';
import type { IObservedFunction } from '../observed-function.js';
import {
  DEFAULT_METRICS_NAMESPACE,
  ObservedFunction,
  PrebuiltObservedFunction,
} from '../observed-function.js';
import {
  DEFAULT_LOG_INDEX_PREFIX,
  LOG_SHIPPER_API_KEY_PLACEHOLDER,
  LOG_SHIPPER_ENV,
  LOG_SHIPPER_METRIC,
} from '../../contract.js';
import type { LogDestination } from './log-destination.js';

const anyMinute = (severity: ResolvedTuning['severity']): ResolvedTuning => ({
  threshold: 0,
  period: Duration.minutes(1),
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  severity,
});

/** Default tuning of the log-shipping alarms: counts, firing above the threshold. */
export const LOG_SHIPPING_ALARM_DEFAULTS = {
  /** Log events parked in the dead-letter queue by the shipper (`LogsFailed`), count. */
  shippingFailed: anyMinute('warning'),
  /** The shipper's Lambda `Errors`: whole batches failed, to be retried by Lambda, count. */
  shipperErrors: anyMinute('warning'),
  /** Batches Lambda could not even park after its retries (destination failures, drops), count. */
  lostBatches: anyMinute('warning'),
} satisfies Record<string, ResolvedTuning>;

export interface LogShippingAlarms {
  readonly shippingFailed?: AlarmTuning;
  readonly shipperErrors?: AlarmTuning;
  readonly lostBatches?: AlarmTuning;
}

export interface LogShippingProps {
  /** Where the logs go. */
  readonly destination: LogDestination;
  /**
   * Functions whose log groups are shipped.
   * @default every ObservedFunction (and PrebuiltObservedFunction) in the stack when LogShipping is
   * created, except the shipper itself; create LogShipping after them, or call `addFunction` later
   */
  readonly functions?: readonly IObservedFunction[];
  /** Alarms on shipping failures send their ALARM and OK notifications here (e.g. `SlackAlerts.topic`). */
  readonly alarmTopic: sns.ITopic;
  /** Indexes are `<indexPrefix>-<service>-<yyyy.mm.dd>`. @default 'lookout-logs' */
  readonly indexPrefix?: string;
  /** Which log events are shipped. @default every event */
  readonly filterPattern?: logs.IFilterPattern;
  /** @default 'log-shipper' */
  readonly serviceName?: string;
  /** @default 'Lookout' */
  readonly metricsNamespace?: string;
  readonly alarms?: LogShippingAlarms;
  /** Start of the alarm names. @default `${stackName}-log-shipping` */
  readonly alarmNamePrefix?: string;
  /** For the dead-letter queue, a created secret and the shipper's log group. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Ships the chosen functions' logs to OpenSearch or Elasticsearch: a subscription filter on each
 * log group feeds the shipper (prebuilt in the package), which indexes Lookout's JSON lines as
 * ECS documents and parks what cannot be indexed in a dead-letter queue. Pass it to
 * ServiceMonitoring's `extraSections` to put its alarms on the dashboard.
 */
export class LogShipping extends Construct implements MonitoringSection {
  readonly title = 'Log shipping (CloudWatch Logs → search engine)';
  readonly shipper: PrebuiltObservedFunction;
  /** Log events that could not be indexed (with the reason), and batches Lambda gave up on. */
  readonly deadLetterQueue: sqs.Queue;
  /** The API key secret, for an endpoint destination. */
  readonly apiKeySecret: secretsmanager.ISecret | undefined;
  readonly indexPrefix: string;
  readonly alarms: LookoutAlarm[] = [];
  readonly #subscribed = new Set<IObservedFunction>();
  readonly #filterPattern: logs.IFilterPattern;
  readonly #destination: LambdaDestination;

  constructor(scope: Construct, id: string, props: LogShippingProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.indexPrefix = props.indexPrefix ?? DEFAULT_LOG_INDEX_PREFIX;
    if (!/^[a-z0-9][a-z0-9_-]{0,99}$/.test(this.indexPrefix)) {
      throw new Error(
        `indexPrefix must be lowercase letters, digits, - and _ (not first), at most 100 characters; got "${this.indexPrefix}"`,
      );
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the last stop for log events that could not be indexed (and the shipper’s on-failure destination); a person reads it and replays what matters, nothing consumes it.',
    });

    this.shipper = new PrebuiltObservedFunction(this, 'Shipper', {
      code: lambda.Code.fromAsset(assetDirectory('log-shipper')),
      handler: 'index.handler',
      serviceName: props.serviceName ?? 'log-shipper',
      metricsNamespace: props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE,
      description: 'Ships CloudWatch Logs to OpenSearch / Elasticsearch',
      timeout: Duration.seconds(60),
      memorySize: 512,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
      logRemovalPolicy: removalPolicy,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.deadLetterQueue.grantSendMessages(this.shipper);

    const bound = props.destination.bind(this, this.shipper, this.indexPrefix, () =>
      this.createApiKeySecret(removalPolicy),
    );
    this.apiKeySecret = bound.apiKeySecret;
    const environment: Record<string, string> = {
      [LOG_SHIPPER_ENV.endpoint]: bound.endpoint,
      [LOG_SHIPPER_ENV.auth]: bound.auth,
      [LOG_SHIPPER_ENV.indexPrefix]: this.indexPrefix,
      [LOG_SHIPPER_ENV.deadLetterQueueUrl]: this.deadLetterQueue.queueUrl,
      ...(bound.apiKeySecret ? { [LOG_SHIPPER_ENV.apiKeySecretArn]: bound.apiKeySecret.secretArn } : {}),
    };
    for (const [key, value] of Object.entries(environment)) this.shipper.addEnvironment(key, value);

    this.#filterPattern = props.filterPattern ?? logs.FilterPattern.allEvents();
    this.#destination = new LambdaDestination(this.shipper);
    const functions = props.functions ?? observedFunctionsOf(Stack.of(this));
    for (const fn of functions) this.addFunction(fn);

    this.createAlarms(props);
  }

  /** Ships this function's logs too. */
  addFunction(fn: IObservedFunction): void {
    if (fn.node.scope instanceof LogShipping) {
      throw new Error('LogShipping cannot ship a log shipper’s own logs: each batch would make more');
    }
    if (this.#subscribed.has(fn)) return;
    this.#subscribed.add(fn);
    new logs.SubscriptionFilter(this, `Subscription${Names.uniqueId(fn)}`, {
      logGroup: fn.observedLogGroup,
      destination: this.#destination,
      filterPattern: this.#filterPattern,
    });
  }

  /** The functions whose logs are shipped. */
  get functions(): IObservedFunction[] {
    return [...this.#subscribed];
  }

  widgetRows(): cw.IWidget[][] {
    const m = new LookoutMetricFactory(this.shipper.metricsNamespace, this.shipper.serviceName);
    const lambdaMetrics = new LambdaMetricFactory(this.shipper);
    return [
      [
        graph('Log events shipped, failed, skipped', [
          m.metric(LOG_SHIPPER_METRIC.shipped, 'Sum', {}, 'shipped'),
          m.metric(LOG_SHIPPER_METRIC.failed, 'Sum', {}, 'failed'),
          m.metric(LOG_SHIPPER_METRIC.skipped, 'Sum', {}, 'skipped (EMF, control)'),
        ]),
        graph('Bulk retries and shipper errors', [
          m.metric(LOG_SHIPPER_METRIC.retries, 'Sum', {}, 'retried items'),
          lambdaMetrics.errors(),
        ]),
        graph('Log dead-letter queue', [new QueueMetricFactory(this.deadLetterQueue).visibleMessages()]),
      ],
    ];
  }

  private createAlarms(props: LogShippingProps): void {
    const factory = new AlarmFactory({
      actionTopic: props.alarmTopic,
      namePrefix: props.alarmNamePrefix ?? `${Stack.of(this).stackName}-log-shipping`,
      tags: { service: this.shipper.serviceName },
    });
    const m = new LookoutMetricFactory(this.shipper.metricsNamespace, this.shipper.serviceName);
    const lambdaMetrics = new LambdaMetricFactory(this.shipper);
    const alarms = props.alarms ?? {};
    const checks = [
      {
        id: 'ShippingFailed',
        tuning: tune(LOG_SHIPPING_ALARM_DEFAULTS.shippingFailed, alarms.shippingFailed),
        metric: m.metric(LOG_SHIPPER_METRIC.failed, 'Sum', {}, 'log events failed'),
        meaning: (window: string) =>
          `Log events could not be indexed ${window} and were parked in the log dead-letter queue; they are missing from search.`,
        firstStep:
          'read a parked message: its reason names the engine’s refusal (mapping, index name, size, or retries exhausted on 429/5xx).',
      },
      {
        id: 'ShipperErrors',
        tuning: tune(LOG_SHIPPING_ALARM_DEFAULTS.shipperErrors, alarms.shipperErrors),
        metric: lambdaMetrics.errors(),
        meaning: (window: string) =>
          `The log shipper failed whole batches ${window} (engine unreachable, template or credentials refused, dead-letter queue refused); Lambda retries them.`,
        firstStep:
          'read the shipper’s error lines: the endpoint, the API key secret or the role mapping in the engine is the usual cause.',
      },
      {
        id: 'LostBatches',
        tuning: tune(LOG_SHIPPING_ALARM_DEFAULTS.lostBatches, alarms.lostBatches),
        metric: lambdaMetrics.lostAsyncEvents('lost log batches'),
        meaning: (window: string) =>
          `Log batches were lost ${window}: Lambda could not park them in the log dead-letter queue, or dropped them.`,
        firstStep:
          'check the queue exists and the shipper role may send to it; those logs remain in CloudWatch Logs.',
      },
    ];
    this.alarms.push(...factory.createCountAlarms(this, checks));
  }

  private createApiKeySecret(removalPolicy: RemovalPolicy): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'ApiKeySecret', {
      description:
        'API key the Lookout log shipper sends to the search engine: Elasticsearch’s "encoded" form, or id:key. Replace the placeholder after the first deploy.',
      secretStringValue: SecretValue.unsafePlainText(LOG_SHIPPER_API_KEY_PLACEHOLDER),
      removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The API key is issued by the search engine and cannot be rotated by a Lambda rotation function here; create a new key in the engine and update the secret.',
    });
    return secret;
  }
}

/** Every observed function of the stack, in construct order, but for log shippers (loops). */
function observedFunctionsOf(stack: Stack): IObservedFunction[] {
  return stack.node
    .findAll()
    .filter(
      (c): c is ObservedFunction | PrebuiltObservedFunction =>
        (c instanceof ObservedFunction || c instanceof PrebuiltObservedFunction) &&
        !(c.node.scope instanceof LogShipping),
    );
}
