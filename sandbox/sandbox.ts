/**
 * The whole stack on one machine: reads the synthesized stack and brings up, on loopback,
 * DynamoDB (dynalite), SQS, an X-Ray daemon and an OTLP receiver, Slack, the functions in the
 * Lambda emulation, a front door for each API (HTTP and REST APIs, function URLs), the schedule
 * and queue event sources, the collectors that turn function output into logs and metrics, the
 * alarms (evaluated on a compressed clock, their notifications delivered through SNS to the Slack
 * notifier), the log subscription filters feeding the log shipper and the search engine it ships
 * to, a folder for the functions' CPU profiles, and the console.
 */
import { mkdirSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { AlarmTransition } from './alarms/index.js';
import {
  AlarmEvaluator,
  buildAlarmSnsMessage,
  buildAlarmSnsSubject,
  CompressedClock,
  startEvaluationLoop,
} from './alarms/index.js';
import type { EventBridgeStandIn } from './aws/events.js';
import { startEventBridgeStandIn } from './aws/events.js';
import { startLambdaStandIn } from './aws/lambda.js';
import type { SearchStandIn } from './aws/search.js';
import { localizeLogShipper, sigV4From, startSearchStandIn } from './aws/search.js';
import type { SnsStandIn } from './aws/sns.js';
import { SnsError, startSnsStandIn } from './aws/sns.js';
import type { MessageAttribute, SqsStandIn } from './aws/sqs.js';
import { startSqsStandIn } from './aws/sqs.js';
import type { ReceivedSlackMessage } from './console/index.js';
import { consoleAlarmsFromStatuses, LogStore, ProfileFolder, startConsole } from './console/index.js';
import type { ApiKind } from './gateway/index.js';
import { startApiGateway } from './gateway/index.js';
import type { FunctionManager, InvocationRecord } from './lambda/index.js';
import { createFunctionManager } from './lambda/index.js';
import { SANDBOX_CREDENTIALS } from './lambda/environment.js';
import { acceptLoopbackOnly } from './loopback-http.js';
import { MetricStore, parseEmfLine, recordLambdaMetrics } from './metrics/index.js';
import { privateDirectory } from './private-files.js';
import { startOtlpReceiver } from './otlp.js';
import type { SlackStandIn } from './slack.js';
import { startSlackStandIn } from './slack.js';
import { startSqsEventSource } from './sources/index.js';
import { invokeAsync } from './sources/async-invoke.js';
import type { BusEvent, RuleTargetSpec } from './sources/event-rules.js';
import { deliverToTargets, matchingRules, startRuleSchedules } from './sources/event-rules.js';
import type { LogSubscriptions } from './sources/log-subscription.js';
import { startLogSubscriptions } from './sources/log-subscription.js';
import type { FunctionSpec, SandboxStack } from './template/index.js';
import {
  localize,
  protectAssets,
  readStack,
  SANDBOX_ACCOUNT,
  SANDBOX_REGION,
  synthesize,
} from './template/index.js';
import { combineTraceSources } from './traces.js';
import { startXRayDaemon } from './xray/index.js';

export interface SandboxOptions {
  projectRoot: string;
  /** Console (dashboard) port. @default 3000 */
  consolePort?: number;
  /** The first API's port; the others listen on free ports. @default 3001 */
  apiPort?: number;
  /** Simulated seconds per real second for metrics and alarms. @default 20 */
  compression?: number;
  /** A real Slack webhook; otherwise a local Slack receives the alerts. */
  slackWebhookUrl?: string;
  /** Reuse an already synthesized cloud assembly instead of running `cdk synth`. */
  cdkOut?: string;
  /** The CDK app command, instead of `cdk.json`'s `app`. */
  app?: string;
  /** Which stack to run, when the app has several. */
  stack?: string;
  /** CDK context for `cdk synth` (`-c key=value`), e.g. what lets the demo inject faults. */
  context?: Record<string, string>;
  /** Progress messages. */
  log?: (message: string) => void;
}

/** An API as the sandbox serves it. */
export interface ServedApi {
  logicalId: string;
  /** The construct path, when the template has it. */
  constructPath?: string;
  kind: ApiKind;
  /** The stage the URL carries (`$default`: none). */
  stage: string;
  /** Where to send requests: `http://127.0.0.1:<port>`, then `/<stage>` for a named stage. */
  url: string;
  routes: string[];
  functionNames: string[];
}

export interface AlarmEvent {
  at: number;
  alarm: string;
  from: string;
  to: string;
  reason: string;
}

export interface SandboxCounters {
  invocations: number;
  coldStarts: number;
  errors: number;
  timeouts: number;
  throttles: number;
  [name: string]: number;
}

const CHANNELS = { critical: 'alerts-critical', warning: 'alerts-warning' } as const;

/** The local AWS endpoints, for the AWS CLI or an SDK (`AWS_ENDPOINT_URL_<SERVICE>`). */
export type SandboxEndpoints = Record<'dynamodb' | 'sqs' | 'sns' | 'events' | 'lambda', string>;

export class Sandbox {
  readonly alarmEvents: AlarmEvent[] = [];
  readonly counters: SandboxCounters = {
    invocations: 0,
    coldStarts: 0,
    errors: 0,
    timeouts: 0,
    throttles: 0,
  };
  readonly functions = new Map<string, FunctionManager>();
  private readonly closers: (() => Promise<unknown> | unknown)[] = [];
  private slackDeliveries = 0;
  /** Where the log shipper ships to, instead of the real engine. */
  search: SearchStandIn | undefined;
  private logSubscriptions: LogSubscriptions | undefined;

  private constructor(
    readonly stack: SandboxStack,
    readonly clock: CompressedClock,
    readonly metrics: MetricStore,
    readonly logs: LogStore,
    /** Where the functions write CPU profiles instead of S3; emptied at every start. */
    readonly profiles: ProfileFolder,
    private readonly slack: SlackStandIn | undefined,
  ) {}

  consoleUrl = '';
  /** The first API's URL ('' without any). */
  apiUrl = '';
  /** Every API the sandbox serves: HTTP APIs, then REST APIs, then function URLs. */
  readonly apis: ServedApi[] = [];
  /** Deployed API origin → the local gateway's, for the functions' environment. */
  private readonly apiOrigins: Record<string, string> = {};
  readonly endpoints: SandboxEndpoints = { dynamodb: '', sqs: '', sns: '', events: '', lambda: '' };
  private sns: SnsStandIn | undefined;

  static async start(options: SandboxOptions): Promise<Sandbox> {
    const log = options.log ?? (() => {});
    const stateDir = join(options.projectRoot, '.sandbox');
    await privateDirectory(stateDir);
    const cdkOut = options.cdkOut ?? join(stateDir, 'cdk.out');
    if (!options.cdkOut) {
      log('synthesizing the CDK app (the same stack `cdk deploy` deploys)…');
      await synthesize(options.projectRoot, cdkOut, options.context, options.app);
    }
    await protectAssets(cdkOut);
    const stack = readStack(cdkOut, options.stack);
    for (const problem of stack.alarmProblems)
      log(`alarm ${problem.logicalId} cannot be evaluated: ${problem.message}`);
    for (const problem of stack.dashboardProblems)
      log(`dashboard ${problem.logicalId} cannot be drawn: ${problem.message}`);
    for (const problem of stack.eventProblems) log(`${problem.logicalId}: ${problem.message}`);

    const compression = options.compression ?? 20;
    const clock = new CompressedClock({ compression });
    const metrics = new MetricStore({ retentionMs: 6 * 3600_000 });
    const logs = new LogStore();
    const profiles = new ProfileFolder(join(stateDir, 'profiles'));
    rmSync(profiles.directory, { recursive: true, force: true });
    mkdirSync(profiles.directory, { recursive: true });
    const slack = options.slackWebhookUrl ? undefined : await startSlackStandIn();
    const sandbox = new Sandbox(stack, clock, metrics, logs, profiles, slack);
    if (slack) sandbox.closers.push(() => slack.close());
    try {
      await sandbox.bringUp(options, log);
    } catch (error) {
      await sandbox.stop();
      throw error;
    }
    return sandbox;
  }

  private async bringUp(options: SandboxOptions, log: (message: string) => void): Promise<void> {
    const { stack } = this;

    log(
      'starting DynamoDB (dynalite), SQS, SNS, EventBridge, Lambda, the X-Ray daemon and the OTLP receiver…',
    );
    const dynamo = acceptLoopbackOnly(dynalite({ createTableMs: 0 }));
    await new Promise<void>((resolve, reject) => {
      dynamo.once('error', reject);
      dynamo.listen(0, '127.0.0.1', () => resolve());
    });
    this.closers.push(() => new Promise<void>((resolve) => dynamo.close(() => resolve())));
    const dynamoEndpoint = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;
    await createTables(stack, dynamoEndpoint);

    const sqs = await startSqsStandIn({ accountId: SANDBOX_ACCOUNT });
    this.closers.push(() => sqs.close());
    for (const queue of stack.queues) sqs.createQueue(queue.name);
    const events = await this.startEventBridge(sqs, log);
    const sns = await startSnsStandIn({
      topicArns: stack.topics,
      subscriptions: stack.snsSubscriptions,
      deliver: {
        function: (name, event) => {
          const target = this.functions.get(name);
          return target ? invokeAsync(target, event, this.clock.compression) : Promise.resolve(false);
        },
        queue: (name, body, messageAttributes) => void sqs.sendMessage(name, body, { messageAttributes }),
      },
      onDelivery: (topicArn, delivered, protocol) => {
        if (delivered && protocol === 'lambda') this.slackDeliveries++;
        this.metrics.put({
          namespace: 'AWS/SNS',
          name: delivered ? 'NumberOfNotificationsDelivered' : 'NumberOfNotificationsFailed',
          dimensions: { TopicName: topicArn.split(':').at(-1)! },
          values: [1],
          unit: 'Count',
          timestamp: this.clock.now(),
        });
      },
    });
    this.sns = sns;
    this.closers.push(() => sns.close());
    const lambda = await startLambdaStandIn({
      functionNamed: (name) => this.functions.get(name),
      invokeAsync: (target, event) => void invokeAsync(target, event, this.clock.compression),
      region: SANDBOX_REGION,
      accountId: SANDBOX_ACCOUNT,
    });
    this.closers.push(() => lambda.close());
    Object.assign(this.endpoints, {
      dynamodb: dynamoEndpoint,
      sqs: sqs.url,
      sns: sns.url,
      events: events.url,
      lambda: lambda.url,
    } satisfies SandboxEndpoints);

    const xray = await startXRayDaemon();
    this.closers.push(() => xray.close());
    const otlp = await startOtlpReceiver();
    this.closers.push(() => otlp.close());
    const search = await startSearchStandIn({
      authorize: sigV4From(SANDBOX_CREDENTIALS.AWS_ACCESS_KEY_ID, SANDBOX_REGION, 'es'),
    });
    this.search = search;
    this.closers.push(() => search.close());

    // The front doors first, so that functions can be told their addresses (the health check calls one).
    for (const [index, api] of stack.apis.entries()) {
      const gateway = await startApiGateway(api, (name) => this.functions.get(name), {
        port: index === 0 ? (options.apiPort ?? 3001) : 0,
        accountId: SANDBOX_ACCOUNT,
      });
      this.closers.push(() => gateway.close());
      this.apiOrigins[api.deployedOrigin] = gateway.origin;
      this.apis.push({
        logicalId: api.logicalId,
        ...(api.constructPath !== undefined && { constructPath: api.constructPath }),
        kind: api.kind,
        stage: api.stage,
        url: gateway.url,
        routes: api.routes.map((route) => route.routeKey),
        functionNames: [...new Set(api.routes.flatMap((route) => route.functionName ?? []))],
      });
    }
    this.apiUrl = this.apis[0]?.url ?? '';

    log(`starting ${stack.functions.length} functions from their CDK assets…`);
    const slackSetting =
      options.slackWebhookUrl ??
      JSON.stringify({
        critical: this.slack!.webhookUrl(CHANNELS.critical),
        warning: this.slack!.webhookUrl(CHANNELS.warning),
      });
    for (const spec of stack.functions) {
      const manager = await createFunctionManager({
        name: spec.name,
        bundle: spec.assetDir,
        handler: spec.handler,
        runtime: spec.runtime,
        ...(spec.codeProblem ? { notEmulated: spec.codeProblem } : {}),
        logFormat: spec.logFormat,
        ...(spec.applicationLogLevel ? { applicationLogLevel: spec.applicationLogLevel } : {}),
        memoryMb: spec.memoryMb,
        timeoutSeconds: spec.timeoutSeconds,
        environment: this.environmentFor(spec, {
          sqs,
          otlp: otlp.endpoint,
          slack: slackSetting,
          search: search.url,
        }),
        ...(spec.reservedConcurrency !== undefined ? { maxConcurrency: spec.reservedConcurrency } : {}),
        region: SANDBOX_REGION,
        accountId: SANDBOX_ACCOUNT,
        xrayDaemonAddress: xray.address,
      });
      if (manager.notEmulated)
        log(`not emulated: ${spec.name}: ${manager.notEmulated}; requests to it will fail`);
      manager.onInvocation((record) => this.collect(record));
      this.functions.set(spec.name, manager);
      this.closers.push(() => manager.close());
    }
    const subscriptions = startLogSubscriptions({
      filters: stack.subscriptionFilters,
      owner: SANDBOX_ACCOUNT,
      invoke: (name, event) => {
        const target = this.functions.get(name);
        return target ? invokeAsync(target, event, this.clock.compression) : Promise.resolve(false);
      },
      log,
    });
    this.logSubscriptions = subscriptions;
    this.closers.push(() => subscriptions.stop());

    const schedules = startRuleSchedules({
      rules: stack.rules,
      clock: this.clock,
      region: SANDBOX_REGION,
      accountId: SANDBOX_ACCOUNT,
      deliver: (target, input) => this.deliverToTarget(sqs, target, input, log),
    });
    this.closers.push(() => schedules.stop());
    for (const mapping of stack.eventSourceMappings) {
      const target = this.functions.get(mapping.functionName);
      const queue = stack.queues.find((q) => q.name === mapping.queueName);
      if (!target || !queue) continue;
      const source = startSqsEventSource({
        target,
        endpoint: sqs.url,
        queueUrl: sqs.queueUrl(queue.name),
        batchSize: mapping.batchSize,
        maximumBatchingWindowSeconds: mapping.maxBatchingWindowSeconds,
        reportBatchItemFailures: mapping.reportBatchItemFailures,
        visibilityTimeoutSeconds: Math.max(
          1,
          Math.round(queue.visibilityTimeoutSeconds / this.clock.compression),
        ),
        ...(queue.deadLetter
          ? {
              deadLetter: {
                queueUrl: sqs.queueUrl(queue.deadLetter.queueName),
                maxReceiveCount: queue.deadLetter.maxReceiveCount,
                move: (message) => {
                  sqs.sendMessage(queue.deadLetter!.queueName, message.Body ?? '', {
                    ...(message.MessageAttributes && {
                      messageAttributes: message.MessageAttributes as Record<string, MessageAttribute>,
                    }),
                    ...(message.MessageId && { messageId: message.MessageId }),
                  });
                },
              },
            }
          : {}),
        region: SANDBOX_REGION,
      });
      this.closers.push(() => source.stop());
    }

    // As if the stack had been running a while: alarms that treat missing data as breaching (the
    // health check's) would otherwise fire on the minutes before the sandbox existed.
    const warmUpMs = warmUpFor(stack) / this.clock.compression;
    if (warmUpMs > 0) {
      log(`warming up for ${Math.round(warmUpMs / 100) / 10} s so that every alarm has data to look at…`);
      await sleep(warmUpMs);
    }
    log(
      `evaluating ${stack.alarms.length} alarms every ${Math.round((60 / this.clock.compression) * 10) / 10} s (one simulated minute)…`,
    );
    const evaluator = new AlarmEvaluator({
      store: this.metrics,
      alarms: stack.alarms,
      createdAt: this.clock.now(),
    });
    const loop = startEvaluationLoop({
      evaluator,
      clock: this.clock,
      onTransitions: (transitions) => this.notify(transitions),
      onError: (error) =>
        log(`alarm evaluation failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    const queueMetrics = setInterval(
      () => this.recordQueueMetrics(sqs),
      Math.max(250, 60_000 / this.clock.compression / 2),
    );
    this.closers.push(
      () => loop.stop(),
      () => clearInterval(queueMetrics),
    );

    const consoleServer = await startConsole({
      port: options.consolePort ?? 3000,
      data: {
        dashboard: stack.dashboards[0]?.dashboard,
        metrics: this.metrics,
        now: () => this.clock.now(),
        windowMs: 30 * 60_000,
        alarmDefinitions: stack.alarms,
        alarms: () => consoleAlarmsFromStatuses(evaluator.statuses()),
        logs: this.logs,
        traces: combineTraceSources(xray, otlp),
        slackMessages: () => this.slackMessages(),
        counters: () => ({
          ...this.counters,
          slackMessages: this.slackMessages().length,
          shippedLogs: search.documentCount(),
        }),
        profiles: this.profiles,
        shippedLogs: search,
      },
    });
    this.closers.push(() => consoleServer.close());
    this.consoleUrl = consoleServer.url;
  }

  /** The local PutEvents endpoint: each event goes to the targets of the rules it matches. */
  private async startEventBridge(
    sqs: SqsStandIn,
    log: (message: string) => void,
  ): Promise<EventBridgeStandIn> {
    const events = await startEventBridgeStandIn({
      buses: this.stack.eventBuses,
      region: SANDBOX_REGION,
      accountId: SANDBOX_ACCOUNT,
      onEvent: (event: BusEvent, busName) => {
        for (const rule of matchingRules(this.stack.rules, busName, event)) {
          deliverToTargets(rule, event, (target, input) => this.deliverToTarget(sqs, target, input, log));
        }
      },
    });
    this.closers.push(() => events.close());
    return events;
  }

  /** An EventBridge target: a function invoked asynchronously, a message on a queue or on a topic. */
  private deliverToTarget(
    sqs: SqsStandIn,
    target: RuleTargetSpec,
    input: string,
    log: (message: string) => void,
  ): void {
    try {
      if (target.queueName) sqs.sendMessage(target.queueName, input);
      if (target.topicArn) this.sns?.publish({ topicArn: target.topicArn, message: input });
      const fn = target.functionName ? this.functions.get(target.functionName) : undefined;
      if (!fn) return;
      let event: unknown = input;
      try {
        event = JSON.parse(input);
      } catch {
        // An input template that is not JSON reaches the function as a string.
      }
      void invokeAsync(fn, event, this.clock.compression);
    } catch (error) {
      log(`event target ${target.id} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private environmentFor(
    spec: FunctionSpec,
    services: { sqs: SqsStandIn; otlp: string; slack: string; search: string },
  ): Record<string, string> {
    const environment = localize(spec.environment, this.apiOrigins);
    // The SQS client sends to the host of the queue URL itself, so queue URLs must be local ones.
    for (const queue of this.stack.queues) {
      for (const [key, value] of Object.entries(environment)) {
        environment[key] = value.split(queue.url).join(services.sqs.queueUrl(queue.name));
      }
    }
    environment.AWS_ENDPOINT_URL_DYNAMODB = this.endpoints.dynamodb;
    environment.AWS_ENDPOINT_URL_SQS = this.endpoints.sqs;
    environment.AWS_ENDPOINT_URL_SNS = this.endpoints.sns;
    // The SDK and the CLI name the variable after the service id (EventBridge), not the endpoint prefix.
    environment.AWS_ENDPOINT_URL_EVENTBRIDGE = this.endpoints.events;
    environment.AWS_ENDPOINT_URL_LAMBDA = this.endpoints.lambda;
    environment.OTEL_EXPORTER_OTLP_ENDPOINT = services.otlp;
    if (environment.SLACK_WEBHOOK_SECRET_ARN !== undefined) {
      // The secret lives in Secrets Manager once deployed; locally the notifier takes the URL directly.
      delete environment.SLACK_WEBHOOK_SECRET_ARN;
      environment.SLACK_WEBHOOK_URL = services.slack;
    }
    localizeLogShipper(environment, services.search);
    if (environment.LOOKOUT_PROFILE_BUCKET !== undefined) {
      // Profiles go to S3 once deployed; locally to a folder the console lists. Without the bucket
      // the library has no way to reach S3 at all.
      delete environment.LOOKOUT_PROFILE_BUCKET;
      delete environment.LOOKOUT_PROFILE_PREFIX;
      environment.LOOKOUT_PROFILE_DIR = this.profiles.directory;
    }
    return environment;
  }

  /** Function output → logs and EMF metrics; the platform report → AWS/Lambda metrics. */
  private collect(record: InvocationRecord): void {
    const { functionName, result } = record;
    const at = this.clock.toSimulated(result.startedAt);
    this.counters.invocations++;
    if (result.coldStart) this.counters.coldStarts++;
    if (result.status === 'error') this.counters.errors++;
    if (result.status === 'timeout') this.counters.timeouts++;
    if (result.status === 'throttled') {
      this.counters.throttles++;
      recordLambdaMetrics(this.metrics, functionName, at, { Throttles: 1 });
      return;
    }
    for (const line of record.lines) {
      if (line.includes('"_aws"')) {
        const parsed = parseEmfLine(line, { mapTimestamp: (timestamp) => this.clock.toSimulated(timestamp) });
        if (parsed.ok) {
          this.metrics.putAll(parsed.datapoints);
          continue;
        }
      }
      this.profiles.observe(
        this.logs.append({ functionName, line, requestId: result.requestId, timestamp: result.startedAt }),
      );
    }
    if (record.report)
      this.logs.append({ functionName, line: JSON.stringify(record.report), requestId: result.requestId });
    this.logSubscriptions?.deliverInvocation(record);
    recordLambdaMetrics(this.metrics, functionName, at, {
      Invocations: 1,
      Errors: result.status === 'success' ? 0 : 1,
      Duration: result.durationMs,
      ConcurrentExecutions: record.concurrentExecutions,
    });
  }

  /** AWS/SQS figures the alarms watch, read off the SQS stand-in. */
  private recordQueueMetrics(sqs: SqsStandIn): void {
    const now = Date.now();
    for (const queue of this.stack.queues) {
      const waiting = sqs.messages(queue.name).filter((message) => !message.deleted);
      const oldest = waiting.reduce((min, message) => Math.min(min, message.sentAt.getTime()), now);
      const timestamp = this.clock.now();
      const dimensions = { QueueName: queue.name };
      this.metrics.put({
        namespace: 'AWS/SQS',
        name: 'ApproximateNumberOfMessagesVisible',
        dimensions,
        values: [waiting.length],
        unit: 'Count',
        timestamp,
      });
      this.metrics.put({
        namespace: 'AWS/SQS',
        name: 'ApproximateAgeOfOldestMessage',
        dimensions,
        values: [((now - oldest) / 1000) * this.clock.compression],
        unit: 'Seconds',
        timestamp,
      });
    }
  }

  /** Alarm state changes → CloudWatch's SNS notification → the functions subscribed to the topic. */
  private notify(transitions: AlarmTransition[]): void {
    for (const transition of transitions) {
      this.alarmEvents.push({
        at: transition.timestamp,
        alarm: transition.alarm.name,
        from: transition.oldState,
        to: transition.newState,
        reason: transition.reason,
      });
      for (const topicArn of transition.actions) {
        try {
          this.sns?.publish({
            topicArn,
            subject: buildAlarmSnsSubject(transition).slice(0, 100),
            message: JSON.stringify(buildAlarmSnsMessage(transition)),
          });
        } catch (error) {
          // An action on a topic outside the stack has nobody to reach here.
          if (!(error instanceof SnsError)) throw error;
        }
      }
    }
  }

  slackMessages(): ReceivedSlackMessage[] {
    return (this.slack?.messages() ?? []).map((message) => ({
      receivedAt: Date.parse(message.receivedAt),
      payload: message.payload,
      route: message.channel,
    }));
  }

  /** Log batches the subscription filters handed to their destinations. */
  get logBatches(): { batches: number; events: number; failedBatches: number } {
    return { ...(this.logSubscriptions?.stats ?? { batches: 0, events: 0, failedBatches: 0 }) };
  }

  get notificationsDelivered(): number {
    return this.slackDeliveries;
  }

  async stop(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch {
        // keep closing the rest
      }
    }
  }
}

/**
 * Simulated ms of data the breaching-on-missing-data alarms look back over (their evaluation
 * periods, plus the extra periods the evaluator reads and one still in progress), at most ten minutes.
 */
function warmUpFor(stack: SandboxStack): number {
  let longest = 0;
  for (const alarm of stack.alarms) {
    if (alarm.kind !== 'metric' || alarm.treatMissingData !== 'breaching') continue;
    longest = Math.max(longest, (alarm.evaluationPeriods + 3) * alarm.periodSeconds * 1000);
  }
  return Math.min(longest, 10 * 60_000);
}

async function createTables(stack: SandboxStack, endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: SANDBOX_REGION,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
  try {
    for (const table of stack.tables) {
      await client.send(
        new CreateTableCommand({
          TableName: table.name,
          KeySchema: table.keySchema,
          AttributeDefinitions: table.attributeDefinitions as never,
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
