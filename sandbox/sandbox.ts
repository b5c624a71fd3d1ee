/**
 * The whole stack on one machine: reads the synthesized stack, then starts the services of
 * `services/` in order on loopback — Slack, DynamoDB (dynalite), S3, SQS, SNS, EventBridge, the
 * Lambda Invoke endpoint, Secrets Manager and SSM Parameter Store, the X-Ray daemon and OTLP
 * receiver, the search engine, a front door per API, the functions and the collector of their
 * output, the log subscriptions, schedules and queue mappings, the alarms (on a compressed clock,
 * notifying through SNS), the queue metrics, and the console — and stops them in reverse. What each
 * service did stays readable here after the run.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CompressedClock, unproducedMetricLine, unproducedMetrics } from './alarms/index.js';
import type { SearchStandIn } from './aws/search.js';
import type { ReceivedSlackMessage } from './console/index.js';
import { LogStore, ProfileFolder } from './console/index.js';
import type { FunctionManager } from './lambda/index.js';
import { MetricStore } from './metrics/index.js';
import { privateDirectory } from './private-files.js';
import type { ObservedRun } from './scenario/expectations.js';
import type {
  AlarmEvent,
  SandboxCounters,
  SandboxService,
  ServedApi,
  ServiceContext,
} from './services/index.js';
import {
  AlarmsService,
  ConsoleService,
  GatewaysService,
  LogSubscriptionsService,
  SandboxFunctions,
  sandboxServices,
  SearchService,
  SlackService,
  SnsService,
} from './services/index.js';
import type { SandboxStack, StackOutput } from './template/index.js';
import {
  coverageLines,
  localize,
  protectAssets,
  readStack,
  resourceCoverage,
  SANDBOX_REGION,
  synthesize,
} from './template/index.js';
import { loadValues } from './values.js';

export type { AlarmEvent, SandboxCounters, ServedApi };

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
  /**
   * A values file (JSON or YAML, relative to projectRoot): secret and parameter values over the
   * template's, or for what the stack imports. See `sandbox/values.ts`.
   */
  values?: string;
  /** Progress messages. */
  log?: (message: string) => void;
  /**
   * Called once the stack is read, before anything starts: what it throws ends the start (a
   * scenario naming an alarm the stack does not have is refused before the functions start).
   */
  checkStack?: (stack: SandboxStack) => void;
}

/** The local AWS endpoints, for the AWS CLI or an SDK (`AWS_ENDPOINT_URL_<SERVICE>`). */
export type SandboxEndpoints = Record<
  'dynamodb' | 's3' | 'sqs' | 'sns' | 'events' | 'lambda' | 'secretsmanager' | 'ssm',
  string
>;

export class Sandbox {
  readonly counters: SandboxCounters = {
    invocations: 0,
    coldStarts: 0,
    errors: 0,
    timeouts: 0,
    throttles: 0,
  };
  /** The running functions by name. */
  readonly functions: Map<string, FunctionManager>;
  /** Every service started (or starting), in order; kept after stop for what they recorded. */
  private readonly started: SandboxService[] = [];
  private readonly running: SandboxService[] = [];
  consoleUrl = '';
  /** The first API's URL ('' without any). */
  apiUrl = '';
  /** Every API the sandbox serves: HTTP APIs, then REST APIs, then function URLs. */
  readonly apis: ServedApi[] = [];
  readonly endpoints: SandboxEndpoints = {
    dynamodb: '',
    s3: '',
    sqs: '',
    sns: '',
    events: '',
    lambda: '',
    secretsmanager: '',
    ssm: '',
  };

  private constructor(
    readonly stack: SandboxStack,
    readonly clock: CompressedClock,
    readonly metrics: MetricStore,
    readonly logs: LogStore,
    /** Where the functions write CPU profiles instead of S3; emptied at every start. */
    readonly profiles: ProfileFolder,
    private readonly sandboxFunctions: SandboxFunctions,
  ) {
    this.functions = sandboxFunctions.byName;
  }

  static async start(options: SandboxOptions): Promise<Sandbox> {
    const log = options.log ?? (() => {});
    // A bad values file fails before the synth, not after it.
    const values = options.values
      ? { ...(await loadValues(options.values, options.projectRoot)), source: options.values }
      : undefined;
    const stateDir = join(options.projectRoot, '.sandbox');
    await privateDirectory(stateDir);
    const cdkOut = options.cdkOut ?? join(stateDir, 'cdk.out');
    if (!options.cdkOut) {
      log('synthesizing the CDK app (the same stack `cdk deploy` deploys)…');
      await synthesize(options.projectRoot, cdkOut, options.context, options.app);
    }
    await protectAssets(cdkOut);
    const stack = readStack(cdkOut, options.stack);
    options.checkStack?.(stack);
    for (const problem of stack.alarmProblems)
      log(`alarm ${problem.logicalId} cannot be evaluated: ${problem.message}`);
    for (const unproduced of unproducedMetrics(stack.alarms)) log(unproducedMetricLine(unproduced));
    for (const problem of stack.dashboardProblems)
      log(`dashboard ${problem.logicalId} cannot be drawn: ${problem.message}`);
    for (const problem of stack.eventProblems) log(`${problem.logicalId}: ${problem.message}`);
    const services = sandboxServices();
    const runTypes = services.flatMap((service) => service.resourceTypes ?? []);
    for (const line of coverageLines(resourceCoverage(stack.template, runTypes))) log(line);

    const clock = new CompressedClock({ compression: options.compression ?? 20 });
    const profiles = new ProfileFolder(join(stateDir, 'profiles'));
    rmSync(profiles.directory, { recursive: true, force: true });
    mkdirSync(profiles.directory, { recursive: true });
    const sandbox = new Sandbox(
      stack,
      clock,
      new MetricStore({ retentionMs: 6 * 3600_000 }),
      new LogStore(),
      profiles,
      new SandboxFunctions(clock.compression),
    );
    try {
      await sandbox.startServices(services, options, stateDir, values, log);
    } catch (error) {
      await sandbox.stop();
      throw error;
    }
    return sandbox;
  }

  /** Starts every service in order, each seeing those before it. */
  private async startServices(
    services: SandboxService[],
    options: SandboxOptions,
    stateDir: string,
    values: ServiceContext['settings']['values'],
    log: (message: string) => void,
  ): Promise<void> {
    const context: ServiceContext = {
      stack: this.stack,
      stateDir,
      clock: this.clock,
      metrics: this.metrics,
      logs: this.logs,
      profiles: this.profiles,
      counters: this.counters,
      functions: this.sandboxFunctions,
      settings: {
        consolePort: options.consolePort,
        apiPort: options.apiPort,
        slackWebhookUrl: options.slackWebhookUrl,
        values,
      },
      log,
      service: (kind) => this.service(kind),
      endpoints: () =>
        Object.fromEntries(
          this.started.flatMap((service) => (service.endpoint ? [[service.name, service.endpoint]] : [])),
        ),
    };
    log(
      'starting DynamoDB (dynalite), S3, SQS, SNS, EventBridge, Lambda, Secrets Manager, SSM, the X-Ray daemon and the OTLP receiver…',
    );
    for (const service of services) {
      this.started.push(service);
      this.running.push(service);
      await service.start(context);
    }
    this.apis.push(...this.service(GatewaysService).apis);
    this.apiUrl = this.apis[0]?.url ?? '';
    const endpoints = context.endpoints();
    for (const key of Object.keys(this.endpoints) as (keyof SandboxEndpoints)[])
      this.endpoints[key] = endpoints[key] ?? '';
    this.consoleUrl = this.service(ConsoleService).url;
  }

  private find<T extends SandboxService>(kind: abstract new (...args: never[]) => T): T | undefined {
    return this.started.find((service): service is T => service instanceof kind);
  }

  private service<T extends SandboxService>(kind: abstract new (...args: never[]) => T): T {
    const found = this.find(kind);
    if (!found) throw new Error(`the sandbox has no ${kind.name} running`);
    return found;
  }

  /**
   * The stack's outputs as `cdk deploy` prints them, with the sandbox's own addresses in place of
   * AWS's where it serves them (APIs, function URLs, queue URLs).
   */
  outputs(): StackOutput[] {
    const origins = {
      ...this.service(GatewaysService).origins,
      [`https://sqs.${SANDBOX_REGION}.amazonaws.com`]: this.endpoints.sqs,
    };
    return this.stack.outputs.map((output) =>
      output.value === undefined
        ? output
        : { ...output, value: localize({ value: output.value }, origins).value },
    );
  }

  /** Alarm state changes, oldest first. */
  get alarmEvents(): AlarmEvent[] {
    return this.find(AlarmsService)?.events ?? [];
  }

  /** Where the log shipper ships to, instead of the real engine. */
  get search(): SearchStandIn | undefined {
    return this.find(SearchService)?.standIn;
  }

  slackMessages(): ReceivedSlackMessage[] {
    return this.find(SlackService)?.messages() ?? [];
  }

  /** What a scenario's expectations are checked against: the alarm changes and the Slack messages so far. */
  observed(): ObservedRun {
    return {
      alarmEvents: this.alarmEvents,
      slackTexts: this.slackMessages().map((message) => JSON.stringify(message.payload)),
    };
  }

  /** Log batches the subscription filters handed to their destinations. */
  get logBatches(): { batches: number; events: number; failedBatches: number } {
    return (
      this.find(LogSubscriptionsService)?.stats ?? {
        batches: 0,
        events: 0,
        failedBatches: 0,
      }
    );
  }

  get notificationsDelivered(): number {
    return this.find(SnsService)?.functionDeliveries ?? 0;
  }

  async stop(): Promise<void> {
    for (const service of this.running.splice(0).reverse()) {
      try {
        await service.stop();
      } catch {
        // keep stopping the rest
      }
    }
  }
}
