/**
 * The stack as the sandbox runs it: synthesized offline from the same CDK app `cdk deploy` uses,
 * then read back — functions with their bundled assets and environment, the APIs and their routes,
 * queues and their event source mappings, schedules, tables, topics and their subscribers, alarms,
 * and the dashboard. Nothing here restates a threshold or a route: it all comes from the template.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AlarmDefinition } from '../alarms/index.js';
import { readAlarmsFromTemplate } from '../alarms/template.js';
import type { TemplateDashboard } from '../console/dashboard.js';
import { readDashboardsFromTemplate } from '../console/dashboard.js';
import type { ApiNotice, ApiSpec } from '../gateway/template.js';
import { apiResolverOptions, readApis } from '../gateway/template.js';
import { CONTAINER_IMAGE } from '../lambda/function-manager.js';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../account.js';
import type { SnsSubscriptionSpec } from '../aws/sns.js';
import { parseCronExpression } from '../sources/cron.js';
import type { EventPattern } from '../sources/event-pattern.js';
import { validatePattern } from '../sources/event-pattern.js';
import type { EventRuleSpec, RuleTargetSpec } from '../sources/event-rules.js';
import type { SubscriptionFilterSpec } from '../sources/log-subscription.js';
import { readSubscriptionFilters } from '../sources/log-subscription.js';
import { parseRateExpression } from '../sources/schedule.js';
import type { CloudFormationTemplate, TemplateProblem } from './resolver.js';
import { IntrinsicResolver, resourcesOfType } from './resolver.js';
import { SynthError } from './synth.js';

export { SANDBOX_ACCOUNT, SANDBOX_REGION };

export interface FunctionSpec {
  logicalId: string;
  /** The physical name the sandbox gives it (and the alarms' FunctionName dimensions use). */
  name: string;
  /** The function's code folder, as CDK built it (or as the template's inline code is written out). */
  assetDir: string;
  handler: string;
  /** The declared Lambda runtime (`nodejs24.x`, `python3.13`, ...). */
  runtime: string;
  /** Why the sandbox cannot run the function's code, when its code is not in the assembly. */
  codeProblem?: string;
  /** Its layers' folders in the assembly, in order. */
  layers: string[];
  /** Its layers that are not in the assembly (published elsewhere, by ARN). */
  outsideLayers: string[];
  /** LoggingConfig.LogFormat. */
  logFormat: 'Text' | 'JSON';
  /** LoggingConfig.ApplicationLogLevel, when set. */
  applicationLogLevel: string | undefined;
  memoryMb: number;
  timeoutSeconds: number;
  /** Resolved environment; APIs' addresses are the deployed ones until `localize` rewrites them. */
  environment: Record<string, string>;
  /** Variables whose value is known only once deployed (an import, an attribute the sandbox cannot tell); left unset. */
  unresolvedEnvironment?: { name: string; why: string }[];
  reservedConcurrency: number | undefined;
}

export interface QueueSpec {
  logicalId: string;
  name: string;
  url: string;
  arn: string;
  visibilityTimeoutSeconds: number;
  deadLetter: { queueName: string; maxReceiveCount: number } | undefined;
}

export interface EventSourceMappingSpec {
  functionName: string;
  queueName: string;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
}

export type { EventRuleSpec, RuleTargetSpec, SnsSubscriptionSpec };

type KeySchema = { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];

export interface TableIndexSpec {
  IndexName: string;
  KeySchema: KeySchema;
  Projection: { ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE'; NonKeyAttributes?: string[] };
}

/** A DynamoDB table (`AWS::DynamoDB::Table`, or `AWS::DynamoDB::GlobalTable` as CDK's TableV2 makes it). */
export interface TableSpec {
  logicalId: string;
  name: string;
  keySchema: KeySchema;
  attributeDefinitions: { AttributeName: string; AttributeType: string }[];
  globalSecondaryIndexes: TableIndexSpec[];
  localSecondaryIndexes: TableIndexSpec[];
}

export interface SandboxStack {
  stackName: string;
  template: CloudFormationTemplate;
  /**
   * Resolves the template's intrinsics as the sandbox deploys them, for a service that reads its
   * own resources from `template`.
   */
  resolver: IntrinsicResolver;
  functions: FunctionSpec[];
  /** The HTTP and REST APIs and function URLs, in template order, with their routes' functions. */
  apis: ApiSpec[];
  /** API features the sandbox does not run (requests fail) or ignores (requests pass through). */
  apiNotices: ApiNotice[];
  queues: QueueSpec[];
  eventSourceMappings: EventSourceMappingSpec[];
  /** EventBridge rules, enabled ones only: schedules and event patterns, with their targets. */
  rules: EventRuleSpec[];
  /** Custom event buses by name (the default bus always exists). */
  eventBuses: string[];
  tables: TableSpec[];
  /** Topic ARNs. */
  topics: string[];
  snsSubscriptions: SnsSubscriptionSpec[];
  /** Rules and subscriptions the sandbox cannot run as written, and why. */
  eventProblems: TemplateProblem[];
  /** CloudWatch Logs subscription filters (log group → destination function). */
  subscriptionFilters: SubscriptionFilterSpec[];
  alarms: AlarmDefinition[];
  alarmProblems: TemplateProblem[];
  /** The dashboards, parsed as the console draws them. */
  dashboards: TemplateDashboard[];
  dashboardProblems: TemplateProblem[];
  /** The stack's outputs (`CfnOutput`), resolved as `cdk deploy` prints them, in template order. */
  outputs: StackOutput[];
}

/** One output of the stack: its value, or why the sandbox cannot tell it. */
export interface StackOutput {
  name: string;
  value?: string;
  problem?: string;
}

/**
 * The function a Lambda `FunctionName` names: a name, or a full, partial or qualified ARN
 * (`arn:aws:lambda:…:function:orders:live`, `123456789012:function:orders`).
 */
export function functionNameOf(nameOrArn: string): string {
  return nameOrArn.includes(':function:') ? nameOrArn.split(':function:')[1]!.split(':')[0]! : nameOrArn;
}

/** Reads a stack of a synthesized cloud assembly: the only one, or the one named. */
export function readStack(cdkOut: string, stackName?: string): SandboxStack {
  if (!existsSync(cdkOut)) throw new SynthError(`no cloud assembly at ${cdkOut}`);
  const names = readdirSync(cdkOut)
    .filter((name) => name.endsWith('.template.json'))
    .map((name) => name.replace(/\.template\.json$/, ''));
  if (names.length === 0) throw new SynthError(`no stack in ${cdkOut} (no *.template.json)`);
  let chosen: string;
  if (stackName !== undefined) {
    if (!names.includes(stackName))
      throw new SynthError(`no stack ${stackName} in ${cdkOut}; its stacks are: ${names.join(', ')}`);
    chosen = stackName;
  } else if (names.length > 1) {
    throw new SynthError(
      `the app has ${names.length} stacks (${names.join(', ')}); choose one with --stack NAME`,
    );
  } else {
    chosen = names[0]!;
  }
  const template = JSON.parse(
    readFileSync(join(cdkOut, `${chosen}.template.json`), 'utf8'),
  ) as CloudFormationTemplate;
  return readTemplate(template, chosen, cdkOut);
}

export function readTemplate(
  template: CloudFormationTemplate,
  stackName: string,
  cdkOut: string,
): SandboxStack {
  const ofType = (type: string) => resourcesOfType(template, type);
  const options = { stackName, region: SANDBOX_REGION, accountId: SANDBOX_ACCOUNT };
  const busNames = Object.fromEntries(
    ofType('AWS::Events::EventBus').map(([id, bus]) => [
      id,
      String(bus.Properties?.Name ?? `${stackName}-${id}`),
    ]),
  );
  const apiOptions = apiResolverOptions(template, stackName, SANDBOX_REGION);
  const resolver = new IntrinsicResolver(template, {
    ...options,
    physicalNames: { ...apiOptions.physicalNames, ...busNames },
    attributes: {
      ...apiOptions.attributes,
      ...Object.fromEntries(
        Object.entries(busNames).flatMap(([id, name]) => [
          [`${id}.Name`, name],
          [`${id}.Arn`, `arn:aws:events:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:event-bus/${name}`],
        ]),
      ),
    },
  });
  const str = (value: unknown) => String(resolver.resolve(value));
  const num = (value: unknown, fallback: number) =>
    value === undefined ? fallback : Number(resolver.resolve(value));

  const deployTime = customResourceHandlers(template);
  const functions: FunctionSpec[] = ofType('AWS::Lambda::Function').flatMap(([logicalId, resource]) => {
    if (deployTime.has(logicalId)) return [];
    const props = resource.Properties ?? {};
    const asset = resource.Metadata?.['aws:asset:path'];
    const inline = (props.Code as { ZipFile?: unknown } | undefined)?.ZipFile;
    const logging = props.LoggingConfig as { LogFormat?: unknown; ApplicationLogLevel?: unknown } | undefined;
    const runtime = String(props.Runtime ?? (props.PackageType === 'Image' ? CONTAINER_IMAGE : 'nodejs24.x'));
    let assetDir = cdkOut;
    let codeProblem: string | undefined;
    if (typeof asset === 'string') {
      assetDir = resolve(cdkOut, asset);
    } else if (inline !== undefined) {
      // Lambda saves inline code as index.js (index.py for Python) in the task root.
      assetDir = join(cdkOut, `inline.${logicalId}`);
      mkdirSync(assetDir, { recursive: true, mode: 0o700 });
      writeFileSync(join(assetDir, runtime.startsWith('python') ? 'index.py' : 'index.js'), str(inline), {
        mode: 0o600,
      });
    } else {
      codeProblem = 'its code is not in the cloud assembly (neither a CDK asset nor inline code)';
    }
    const layers: string[] = [];
    const outsideLayers: string[] = [];
    for (const layer of (props.Layers as unknown[] | undefined) ?? []) {
      const id = (layer as { Ref?: unknown } | null)?.Ref;
      const path =
        typeof id === 'string' ? template.Resources?.[id]?.Metadata?.['aws:asset:path'] : undefined;
      if (typeof path === 'string') layers.push(resolve(cdkOut, path));
      else outsideLayers.push(str(layer));
    }
    const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {}) as Record<string, unknown>;
    const unresolvedEnvironment: { name: string; why: string }[] = [];
    const spec: FunctionSpec = {
      logicalId,
      name: resolver.physicalName(logicalId),
      assetDir,
      handler: String(props.Handler ?? 'index.handler'),
      runtime,
      ...(codeProblem && { codeProblem }),
      layers,
      outsideLayers,
      logFormat:
        logging?.LogFormat === undefined ? 'Text' : str(logging.LogFormat) === 'JSON' ? 'JSON' : 'Text',
      applicationLogLevel:
        logging?.ApplicationLogLevel === undefined ? undefined : str(logging.ApplicationLogLevel),
      memoryMb: num(props.MemorySize, 128),
      timeoutSeconds: num(props.Timeout, 3),
      environment: Object.fromEntries(
        Object.entries(variables).flatMap(([key, value]) => {
          try {
            return [[key, str(value)]];
          } catch (error) {
            unresolvedEnvironment.push({ name: key, why: (error as Error).message });
            return [];
          }
        }),
      ),
      ...(unresolvedEnvironment.length > 0 && { unresolvedEnvironment }),
      reservedConcurrency:
        props.ReservedConcurrentExecutions === undefined
          ? undefined
          : num(props.ReservedConcurrentExecutions, 0),
    };
    return [spec];
  });
  const queues: QueueSpec[] = ofType('AWS::SQS::Queue').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const redrive = props.RedrivePolicy as
      { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown } | undefined;
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      url: resolver.ref(logicalId),
      arn: resolver.getAtt(logicalId, 'Arn'),
      visibilityTimeoutSeconds: num(props.VisibilityTimeout, 30),
      deadLetter: redrive
        ? {
            queueName: str(redrive.deadLetterTargetArn).split(':').at(-1)!,
            maxReceiveCount: num(redrive.maxReceiveCount, 1),
          }
        : undefined,
    };
  });

  const eventProblems: TemplateProblem[] = [];
  const eventSourceMappings = ofType('AWS::Lambda::EventSourceMapping').flatMap(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    let source: string;
    try {
      source = str(props.EventSourceArn ?? '(no EventSourceArn)');
    } catch (error) {
      eventProblems.push({
        logicalId,
        message: `not emulated: its event source cannot be read here (${(error as Error).message}); the function gets no events from it`,
      });
      return [];
    }
    if (!source.startsWith('arn:aws:sqs:')) {
      eventProblems.push({
        logicalId,
        message: `not emulated: the event source ${source}: only SQS queues are; the function gets no events from it`,
      });
      return [];
    }
    return [
      {
        functionName: functionNameOf(str(props.FunctionName)),
        queueName: source.split(':').at(-1)!,
        batchSize: num(props.BatchSize, 10),
        maxBatchingWindowSeconds: num(props.MaximumBatchingWindowInSeconds, 0),
        reportBatchItemFailures: ((props.FunctionResponseTypes as unknown[]) ?? []).includes(
          'ReportBatchItemFailures',
        ),
      },
    ];
  });

  const rules = ofType('AWS::Events::Rule').flatMap(([logicalId, resource]): EventRuleSpec[] => {
    const props = resource.Properties ?? {};
    if (props.State === 'DISABLED') return [];
    const name = resolver.physicalName(logicalId);
    const busField = props.EventBusName === undefined ? 'default' : str(props.EventBusName);
    const busName = busField.includes(':event-bus/') ? busField.split(':event-bus/')[1]! : busField;
    const problem = (message: string) => {
      eventProblems.push({ logicalId, message });
      return [];
    };
    const rule: EventRuleSpec = {
      logicalId,
      name,
      arn: `arn:aws:events:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:rule/${busName === 'default' ? '' : `${busName}/`}${name}`,
      busName,
      targets: ((props.Targets as Record<string, unknown>[] | undefined) ?? []).map((target) =>
        readTarget(target),
      ),
    };
    if (props.ScheduleExpression !== undefined) {
      rule.scheduleExpression = str(props.ScheduleExpression);
      try {
        if (rule.scheduleExpression.trim().startsWith('cron(')) parseCronExpression(rule.scheduleExpression);
        else parseRateExpression(rule.scheduleExpression);
      } catch (error) {
        return problem((error as Error).message);
      }
    }
    if (props.EventPattern !== undefined) {
      const pattern = resolver.resolve(props.EventPattern);
      try {
        rule.eventPattern = (typeof pattern === 'string' ? JSON.parse(pattern) : pattern) as EventPattern;
        validatePattern(rule.eventPattern);
      } catch (error) {
        return problem(`its event pattern cannot be used: ${(error as Error).message}`);
      }
    }
    for (const target of rule.targets) {
      if (!target.functionName && !target.queueName && !target.topicArn)
        eventProblems.push({
          logicalId,
          message: `target ${target.id} (${target.arn}) is not emulated: only functions, queues and topics are`,
        });
    }
    return [rule];
  });
  function readTarget(target: Record<string, unknown>): RuleTargetSpec {
    const arn = str(target.Arn);
    const transformer = target.InputTransformer as
      { InputPathsMap?: unknown; InputTemplate?: unknown } | undefined;
    return {
      id: String(target.Id ?? ''),
      arn,
      ...(arn.includes(':function:') && { functionName: functionNameOf(arn) }),
      ...(arn.startsWith('arn:aws:sqs:') && { queueName: arn.split(':').at(-1)! }),
      ...(arn.startsWith('arn:aws:sns:') && { topicArn: arn }),
      ...(target.Input !== undefined && { input: str(target.Input) }),
      ...(target.InputPath !== undefined && { inputPath: str(target.InputPath) }),
      ...(transformer && {
        inputTransformer: {
          inputPathsMap: Object.fromEntries(
            Object.entries(
              (resolver.resolve(transformer.InputPathsMap) ?? {}) as Record<string, unknown>,
            ).map(([key, value]) => [key, String(value)]),
          ),
          inputTemplate: str(transformer.InputTemplate),
        },
      }),
    };
  }

  // Only what CreateTable needs locally: keys and indexes (capacity, streams and the like are not).
  const indexes = (value: unknown): TableIndexSpec[] =>
    ((resolver.resolve(value) ?? []) as TableIndexSpec[]).map(({ IndexName, KeySchema, Projection }) => ({
      IndexName,
      KeySchema,
      Projection,
    }));
  const tables: TableSpec[] = [
    ...ofType('AWS::DynamoDB::Table'),
    ...ofType('AWS::DynamoDB::GlobalTable'),
  ].map(([logicalId, resource]) => ({
    logicalId,
    name: resolver.physicalName(logicalId),
    keySchema: resolver.resolve(resource.Properties?.KeySchema) as KeySchema,
    attributeDefinitions: resolver.resolve(
      resource.Properties?.AttributeDefinitions,
    ) as TableSpec['attributeDefinitions'],
    globalSecondaryIndexes: indexes(resource.Properties?.GlobalSecondaryIndexes),
    localSecondaryIndexes: indexes(resource.Properties?.LocalSecondaryIndexes),
  }));

  const topics = ofType('AWS::SNS::Topic').map(([logicalId]) => resolver.ref(logicalId));
  const snsSubscriptions = ofType('AWS::SNS::Subscription').map(
    ([logicalId, resource]): SnsSubscriptionSpec => {
      const props = resource.Properties ?? {};
      const protocol = str(props.Protocol);
      const endpoint = str(props.Endpoint);
      const policy = props.FilterPolicy === undefined ? undefined : resolver.resolve(props.FilterPolicy);
      const subscription: SnsSubscriptionSpec = {
        topicArn: str(props.TopicArn),
        protocol,
        endpoint:
          protocol === 'lambda'
            ? functionNameOf(endpoint)
            : protocol === 'sqs'
              ? endpoint.split(':').at(-1)!
              : endpoint,
        rawMessageDelivery: String(resolver.resolve(props.RawMessageDelivery) ?? false) === 'true',
        ...(props.FilterPolicyScope !== undefined && {
          filterPolicyScope: str(props.FilterPolicyScope) as 'MessageAttributes' | 'MessageBody',
        }),
      };
      if (policy !== undefined) {
        try {
          subscription.filterPolicy = (
            typeof policy === 'string' ? JSON.parse(policy) : policy
          ) as EventPattern;
          validatePattern(subscription.filterPolicy);
        } catch (error) {
          eventProblems.push({
            logicalId,
            message: `its filter policy cannot be used: ${(error as Error).message}`,
          });
        }
      }
      if (protocol !== 'lambda' && protocol !== 'sqs')
        eventProblems.push({
          logicalId,
          message: `${protocol} subscriptions are not emulated: only lambda and sqs are`,
        });
      return subscription;
    },
  );

  const { apis, notices: apiNotices } = readApis(template, resolver);

  const { alarms, problems } = readAlarmsFromTemplate(template, resolver);
  const { dashboards, problems: dashboardProblems } = readDashboardsFromTemplate(template, resolver);

  return {
    stackName,
    template,
    resolver,
    functions,
    apis,
    apiNotices,
    queues,
    eventSourceMappings,
    rules,
    eventBuses: Object.values(busNames),
    tables,
    topics,
    snsSubscriptions,
    eventProblems,
    subscriptionFilters: readSubscriptionFilters(
      template,
      functions,
      (value) => resolver.resolve(value),
      (id) => resolver.physicalName(id),
    ),
    alarms,
    alarmProblems: problems,
    dashboards,
    dashboardProblems,
    outputs: readOutputs(template, resolver),
  };
}

/**
 * Functions that only serve custom resources (a bucket's auto-delete, say): CloudFormation calls
 * them while it deploys or deletes the stack, so they are not part of what the sandbox runs.
 */
function customResourceHandlers(template: CloudFormationTemplate): Set<string> {
  const handlers = new Set<string>();
  for (const [, resource] of resourcesOfType(template)) {
    const type = resource.Type ?? '';
    if (!type.startsWith('Custom::') && type !== 'AWS::CloudFormation::CustomResource') continue;
    const token = resource.Properties?.ServiceToken as
      { 'Fn::GetAtt'?: unknown[]; Ref?: unknown } | undefined;
    const target = token?.['Fn::GetAtt']?.[0] ?? token?.Ref;
    if (typeof target === 'string') handlers.add(target);
  }
  return handlers;
}

function readOutputs(template: CloudFormationTemplate, resolver: IntrinsicResolver): StackOutput[] {
  return Object.entries(template.Outputs ?? {}).map(([name, output]) => {
    try {
      const value = resolver.resolve(output?.Value);
      return { name, value: typeof value === 'string' ? value : JSON.stringify(value) };
    } catch (error) {
      return { name, problem: error instanceof Error ? error.message : String(error) };
    }
  });
}

/**
 * Replaces the APIs' deployed origins (`https://<id>.execute-api.<region>.amazonaws.com`) with the
 * local gateways' (`http://127.0.0.1:<port>`) in a function's environment.
 */
export function localize(
  environment: Record<string, string>,
  origins: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(environment).map(([key, value]) => [
      key,
      Object.entries(origins).reduce(
        (text, [deployed, local]) => text.split(deployed).join(local.replace(/\/$/, '')),
        value,
      ),
    ]),
  );
}
