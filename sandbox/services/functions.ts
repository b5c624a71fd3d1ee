/**
 * The stack's functions in the Lambda emulation, each told the local endpoints in place of AWS's:
 * the stand-ins (Secrets Manager and SSM among them), the API gateways, the OTLP receiver, the X-Ray daemon, Slack, the search engine
 * and the profile folder.
 */
import { localizeLogShipper } from '../aws/search.js';
import { createFunctionManager } from '../lambda/index.js';
import type { AsyncInvocationRecord } from '../sources/async-invoke.js';
import type { FunctionManager } from '../lambda/index.js';
import type { FunctionSpec } from '../template/index.js';
import {
  functionNameOf,
  localize,
  resourcesOfType,
  SANDBOX_ACCOUNT,
  SANDBOX_REGION,
} from '../template/index.js';
import { EventBridgeService } from './events.js';
import { GatewaysService } from './gateways.js';
import { OtlpService } from './otlp.js';
import { SearchService } from './search.js';
import type { SandboxService, ServiceContext } from './service.js';
import { SlackService } from './slack.js';
import { SnsService } from './sns.js';
import { SqsService } from './sqs.js';
import { XRayService } from './xray.js';

export class FunctionsService implements SandboxService {
  readonly name = 'functions';
  readonly resourceTypes = [
    'AWS::Lambda::Function',
    'AWS::Lambda::Version',
    'AWS::Lambda::Alias',
    'AWS::Lambda::LayerVersion',
    'AWS::Lambda::EventInvokeConfig',
  ];
  private readonly managers: FunctionManager[] = [];

  async start(context: ServiceContext): Promise<void> {
    const { stack, log } = context;
    log(`starting ${stack.functions.length} functions from their CDK assets…`);
    for (const spec of stack.functions) {
      const manager = await createFunctionManager({
        name: spec.name,
        bundle: spec.assetDir,
        handler: spec.handler,
        runtime: spec.runtime,
        ...(spec.codeProblem ? { notEmulated: spec.codeProblem } : {}),
        layers: spec.layers,
        logFormat: spec.logFormat,
        ...(spec.applicationLogLevel ? { applicationLogLevel: spec.applicationLogLevel } : {}),
        memoryMb: spec.memoryMb,
        timeoutSeconds: spec.timeoutSeconds,
        environment: environmentFor(spec, context),
        ...(spec.reservedConcurrency !== undefined ? { maxConcurrency: spec.reservedConcurrency } : {}),
        region: SANDBOX_REGION,
        accountId: SANDBOX_ACCOUNT,
        xrayDaemonAddress: context.service(XRayService).daemon!.address,
      });
      this.managers.push(manager);
      if (manager.notEmulated)
        log(`not emulated: ${spec.name}: ${manager.notEmulated}; requests to it will fail`);
      for (const arn of spec.outsideLayers)
        log(
          `not emulated: ${spec.name}'s layer ${arn} is not in the cloud assembly; what the function loads from it (modules, or an extension such as the Parameters and Secrets extension on localhost:2773) will fail`,
        );
      for (const variable of spec.unresolvedEnvironment ?? [])
        log(
          `not emulated: ${spec.name}'s environment variable ${variable.name}: ${variable.why}; it is left unset`,
        );
      context.functions.add(spec.name, manager);
    }
    configureAsyncInvocations(context);
  }

  async stop(): Promise<void> {
    for (const manager of this.managers.splice(0).reverse()) await manager.close().catch(() => {});
  }
}

function environmentFor(spec: FunctionSpec, context: ServiceContext): Record<string, string> {
  const environment = localize(spec.environment, context.service(GatewaysService).origins);
  const sqs = context.service(SqsService).standIn;
  // The SQS client sends to the host of the queue URL itself, so queue URLs must be local ones.
  for (const queue of context.stack.queues) {
    for (const [key, value] of Object.entries(environment)) {
      environment[key] = value.split(queue.url).join(sqs.queueUrl(queue.name));
    }
  }
  const endpoints = context.endpoints();
  environment.AWS_ENDPOINT_URL_DYNAMODB = endpoints.dynamodb ?? '';
  environment.AWS_ENDPOINT_URL_S3 = endpoints.s3 ?? '';
  environment.AWS_ENDPOINT_URL_SQS = endpoints.sqs ?? '';
  environment.AWS_ENDPOINT_URL_SNS = endpoints.sns ?? '';
  // The SDK and the CLI name the variable after the service id (EventBridge), not the endpoint prefix.
  environment.AWS_ENDPOINT_URL_EVENTBRIDGE = endpoints.events ?? '';
  environment.AWS_ENDPOINT_URL_LAMBDA = endpoints.lambda ?? '';
  environment.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoints.secretsmanager ?? '';
  environment.AWS_ENDPOINT_URL_SSM = endpoints.ssm ?? '';
  environment.OTEL_EXPORTER_OTLP_ENDPOINT = context.service(OtlpService).receiver!.endpoint;
  if (environment.SLACK_WEBHOOK_SECRET_ARN !== undefined) {
    // The secret lives in Secrets Manager once deployed; locally the notifier takes the URL directly.
    delete environment.SLACK_WEBHOOK_SECRET_ARN;
    environment.SLACK_WEBHOOK_URL = context.service(SlackService).webhookSetting;
  }
  localizeLogShipper(environment, context.service(SearchService).standIn!.url);
  if (environment.LOOKOUT_PROFILE_BUCKET !== undefined) {
    // Profiles go to S3 once deployed; locally to a folder the console lists. Without the bucket
    // the library has no way to reach S3 at all.
    delete environment.LOOKOUT_PROFILE_BUCKET;
    delete environment.LOOKOUT_PROFILE_PREFIX;
    environment.LOOKOUT_PROFILE_DIR = context.profiles.directory;
  }
  return environment;
}

/**
 * Each `AWS::Lambda::EventInvokeConfig`: the retries and event age of the function's asynchronous
 * invocations, and their records sent to its on-success and on-failure destinations (a queue, a
 * topic, a function or an event bus), as Lambda sends them.
 */
function configureAsyncInvocations(context: ServiceContext): void {
  const { stack, functions, log } = context;
  const { resolver } = stack;
  for (const [logicalId, resource] of resourcesOfType(stack.template, 'AWS::Lambda::EventInvokeConfig')) {
    const props = resource.Properties ?? {};
    const name = functionNameOf(String(resolver.resolve(props.FunctionName)));
    if (!functions.get(name)) continue;
    const destinations = props.DestinationConfig as
      { OnSuccess?: { Destination?: unknown }; OnFailure?: { Destination?: unknown } } | undefined;
    const destination = (config: { Destination?: unknown } | undefined, outcome: 'Success' | 'Failure') => {
      if (config?.Destination === undefined) return undefined;
      const arn = String(resolver.resolve(config.Destination));
      const send = destinationFor(context, arn, outcome);
      if (!send) {
        log(
          `${logicalId}: the destination ${arn} is not emulated: only queues, topics, functions and event buses are; no record reaches it`,
        );
        return undefined;
      }
      return (record: AsyncInvocationRecord) => {
        try {
          send(record);
        } catch (error) {
          log(
            `${logicalId}: the record for ${name} could not be sent to ${arn}: ${(error as Error).message}`,
          );
        }
      };
    };
    const onSuccess = destination(destinations?.OnSuccess, 'Success');
    const onFailure = destination(destinations?.OnFailure, 'Failure');
    const number = (value: unknown) => (value === undefined ? undefined : Number(resolver.resolve(value)));
    const maxRetryAttempts = number(props.MaximumRetryAttempts);
    const maxEventAgeSeconds = number(props.MaximumEventAgeInSeconds);
    functions.configureAsync(name, {
      ...(maxRetryAttempts !== undefined && { maxRetryAttempts }),
      ...(maxEventAgeSeconds !== undefined && { maxEventAgeSeconds }),
      ...(onSuccess && { onSuccess }),
      ...(onFailure && { onFailure }),
    });
  }
}

function destinationFor(
  context: ServiceContext,
  arn: string,
  outcome: 'Success' | 'Failure',
): ((record: AsyncInvocationRecord) => void) | undefined {
  const [, , service, , , ...rest] = arn.split(':');
  const resource = rest.join(':');
  switch (service) {
    case 'sqs':
      return (record) =>
        void context.service(SqsService).standIn.sendMessage(resource, JSON.stringify(record));
    case 'sns':
      return (record) =>
        void context.service(SnsService).publish({ topicArn: arn, message: JSON.stringify(record) });
    case 'lambda':
      return (record) => void context.functions.invokeAsync(functionNameOf(arn), record);
    case 'events':
      return (record) =>
        context.service(EventBridgeService).put({
          Source: 'lambda',
          DetailType: `Lambda Function Invocation Result - ${outcome}`,
          Detail: JSON.stringify(record),
          Resources: [record.requestContext.functionArn.replace(/:\$LATEST$/, '')],
          EventBusName: arn,
        });
    default:
      return undefined;
  }
}
