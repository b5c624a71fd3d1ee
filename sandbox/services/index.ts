/**
 * The parts of a running sandbox, in the order they start: the stand-ins first, then the front
 * doors, the functions and their event sources, the alarms, and the console last. Adding a trigger
 * or a stand-in is adding one module of the `SandboxService` shape and its place in this list.
 */
import { AlarmsService } from './alarms.js';
import { AsyncDestinationsService } from './async-destinations.js';
import { ConsoleService } from './console.js';
import { DynamoDbService } from './dynamodb.js';
import { EventBridgeService } from './events.js';
import { FunctionOutputService } from './function-output.js';
import { FunctionsService } from './functions.js';
import { GatewaysService } from './gateways.js';
import { LambdaInvokeService } from './lambda-invoke.js';
import { LogSubscriptionsService } from './log-subscriptions.js';
import { OtlpService } from './otlp.js';
import { QueueMetricsService } from './queue-metrics.js';
import { SchedulesService } from './schedules.js';
import { SearchService } from './search.js';
import { SecretsManagerService } from './secrets-manager.js';
import type { SandboxService } from './service.js';
import { SlackService } from './slack.js';
import { SnsService } from './sns.js';
import { SqsMappingsService } from './sqs-mappings.js';
import { SqsService } from './sqs.js';
import { SsmService } from './ssm.js';
import { XRayService } from './xray.js';

export function sandboxServices(): SandboxService[] {
  return [
    new SlackService(),
    new DynamoDbService(),
    new SqsService(),
    new SnsService(),
    new EventBridgeService(),
    new LambdaInvokeService(),
    new SecretsManagerService(),
    new SsmService(),
    new XRayService(),
    new OtlpService(),
    new SearchService(),
    new GatewaysService(),
    new FunctionOutputService(),
    new FunctionsService(),
    new AsyncDestinationsService(),
    new LogSubscriptionsService(),
    new SchedulesService(),
    new SqsMappingsService(),
    new AlarmsService(),
    new QueueMetricsService(),
    new ConsoleService(),
  ];
}

export {
  AlarmsService,
  AsyncDestinationsService,
  ConsoleService,
  DynamoDbService,
  EventBridgeService,
  FunctionOutputService,
  FunctionsService,
  GatewaysService,
  LambdaInvokeService,
  LogSubscriptionsService,
  OtlpService,
  QueueMetricsService,
  SchedulesService,
  SearchService,
  SecretsManagerService,
  SlackService,
  SnsService,
  SqsMappingsService,
  SqsService,
  SsmService,
  XRayService,
};
export type { AlarmEvent } from './alarms.js';
export type { ServedApi } from './gateways.js';
export type { SandboxCounters, SandboxService, ServiceContext } from './service.js';
export { SandboxFunctions } from './service.js';
