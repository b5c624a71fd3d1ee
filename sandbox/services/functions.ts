/**
 * The stack's functions in the Lambda emulation, each told the local endpoints in place of AWS's:
 * the stand-ins (Secrets Manager and SSM among them), the API gateways, the OTLP receiver, the X-Ray daemon, Slack, the search engine
 * and the profile folder.
 */
import { localizeLogShipper } from '../aws/search.js';
import { createFunctionManager } from '../lambda/index.js';
import type { FunctionManager } from '../lambda/index.js';
import type { FunctionSpec } from '../template/index.js';
import { localize, SANDBOX_ACCOUNT, SANDBOX_REGION } from '../template/index.js';
import { GatewaysService } from './gateways.js';
import { OtlpService } from './otlp.js';
import { SearchService } from './search.js';
import type { SandboxService, ServiceContext } from './service.js';
import { SlackService } from './slack.js';
import { SqsService } from './sqs.js';
import { XRayService } from './xray.js';

export class FunctionsService implements SandboxService {
  readonly name = 'functions';
  readonly resourceTypes = ['AWS::Lambda::Function', 'AWS::Lambda::Version', 'AWS::Lambda::Alias'];
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
      else if (spec.layers.length > 0)
        log(
          `not emulated: the layers of ${spec.name} (${spec.layers.join(', ')}): the sandbox loads no layer, so what they add under /opt (modules, extensions such as the Parameters and Secrets extension on localhost:2773) is missing`,
        );
      for (const variable of spec.unresolvedEnvironment ?? [])
        log(
          `not emulated: ${spec.name}'s environment variable ${variable.name}: ${variable.why}; it is left unset`,
        );
      context.functions.add(spec.name, manager);
    }
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
