/** The event sources the stack wires, delivered to local functions the way Lambda delivers them. */
export { startSchedule, scheduledEvent, parseRateExpression } from './schedule.js';
export type { Schedule, ScheduleFiring, ScheduleOptions, ScheduledEvent } from './schedule.js';
export { parseCronExpression } from './cron.js';
export type { CronSchedule } from './cron.js';
export { matchesPattern, PatternError, validatePattern } from './event-pattern.js';
export type { EventPattern } from './event-pattern.js';
export { deliverToTargets, matchingRules, startRuleSchedules, targetInput } from './event-rules.js';
export type { BusEvent, EventRuleSpec, RuleTargetSpec } from './event-rules.js';
export { invokeAsync } from './async-invoke.js';
export { startSqsEventSource } from './sqs-event-source.js';
export type {
  SqsBatchOutcome,
  SqsEventSource,
  SqsEventSourceOptions,
  SqsEventSourceStats,
} from './sqs-event-source.js';
export { toSqsRecord, toSqsEvent, queueArn, reportedFailures } from './sqs-event.js';
export type { SourceInvocation, SourceTarget } from './invoker.js';
