/**
 * EventBridge rules: events put on a bus go to the targets of every rule whose pattern they match,
 * and schedule rules (`rate(...)`, `cron(...)` on the sandbox's compressed clock) send their
 * "Scheduled Event"s the same way. What each target receives follows its `Input`, `InputPath`
 * or `InputTransformer`; delivering it (a function, a queue) is the caller's `deliver`.
 */
import { parseCronExpression } from './cron.js';
import type { EventPattern } from './event-pattern.js';
import { matchesPattern } from './event-pattern.js';
import type { Schedule, ScheduleClock } from './schedule.js';
import { parseRateExpression, startSchedule } from './schedule.js';

export interface RuleTargetSpec {
  id: string;
  arn: string;
  /** Set when the target is a function of the stack. */
  functionName?: string;
  /** Set when the target is a queue of the stack. */
  queueName?: string;
  /** Set when the target is an SNS topic. */
  topicArn?: string;
  input?: string;
  inputPath?: string;
  inputTransformer?: { inputPathsMap: Record<string, string>; inputTemplate: string };
}

export interface EventRuleSpec {
  logicalId: string;
  name: string;
  arn: string;
  /** `default` or a custom bus's name. */
  busName: string;
  scheduleExpression?: string;
  eventPattern?: EventPattern;
  targets: RuleTargetSpec[];
}

/** The EventBridge envelope every rule sees. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

/** Hands one target its input: JSON text, or plain text from an input template that is not JSON. */
export type RuleDelivery = (target: RuleTargetSpec, input: string, rule: EventRuleSpec) => void;

/** The rules on `busName` whose pattern `event` matches. */
export function matchingRules(rules: EventRuleSpec[], busName: string, event: BusEvent): EventRuleSpec[] {
  return rules.filter(
    (rule) =>
      rule.busName === busName && rule.eventPattern !== undefined && matchesPattern(rule.eventPattern, event),
  );
}

/** Sends `event` to every target of `rule`, each shaped as its Input settings say. */
export function deliverToTargets(rule: EventRuleSpec, event: BusEvent, deliver: RuleDelivery): void {
  for (const target of rule.targets) deliver(target, targetInput(target, event, rule), rule);
}

/** What a target receives (EventBridge's Input, InputPath and InputTransformer). */
export function targetInput(
  target: RuleTargetSpec,
  event: BusEvent,
  rule: Pick<EventRuleSpec, 'name' | 'arn'>,
): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(jsonPath(event, target.inputPath) ?? null);
  if (!target.inputTransformer) return JSON.stringify(event);
  const { inputPathsMap, inputTemplate } = target.inputTransformer;
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': rule.arn,
    'aws.events.rule-name': rule.name,
    'aws.events.event.ingestion-time': event.time,
    'aws.events.event': event,
    'aws.events.event.json': event,
  };
  for (const [name, path] of Object.entries(inputPathsMap)) values[name] = jsonPath(event, path);
  // A template that is not JSON at all is plain text: values go in as text everywhere.
  const plainText = !/^\s*[[{"]/.test(inputTemplate);
  let quoted = plainText;
  let out = '';
  for (let i = 0; i < inputTemplate.length; i++) {
    const char = inputTemplate[i]!;
    if (!plainText && char === '"' && inputTemplate[i - 1] !== '\\') quoted = !quoted;
    const placeholder = char === '<' ? /^<([\w.-]+)>/.exec(inputTemplate.slice(i)) : null;
    if (!placeholder || !(placeholder[1]! in values)) {
      out += char;
      continue;
    }
    const value = values[placeholder[1]!];
    // Inside a JSON string a value goes in as text; outside it goes in as JSON.
    out += quoted
      ? typeof value === 'string'
        ? JSON.stringify(value).slice(1, -1)
        : JSON.stringify(JSON.stringify(value ?? null)).slice(1, -1)
      : JSON.stringify(value ?? null);
    i += placeholder[0].length - 1;
  }
  return out;
}

/** `$`, `$.detail.orderId`, `$.resources[0]`: the paths EventBridge's input settings use. */
export function jsonPath(event: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const steps = path.slice(1).match(/\.[^.[\]]+|\[\d+\]|\['[^']*'\]/g) ?? [];
  let value: unknown = event;
  for (const step of steps) {
    if (value === null || typeof value !== 'object') return undefined;
    const key = step.startsWith('.')
      ? step.slice(1)
      : step.startsWith("['")
        ? step.slice(2, -2)
        : Number(step.slice(1, -1));
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

export interface RuleSchedulesOptions {
  rules: EventRuleSpec[];
  clock: ScheduleClock;
  region: string;
  accountId: string;
  deliver: RuleDelivery;
  /** Called each time a rule fires, before its targets are sent the event. */
  onTrigger?: (rule: EventRuleSpec) => void;
}

/** Starts a timer per schedule rule; rate rules fire once at the start, as if just deployed. */
export function startRuleSchedules(options: RuleSchedulesOptions): {
  schedules: Schedule[];
  stop(): Promise<void>;
} {
  const schedules = options.rules.flatMap((rule) => {
    const expression = rule.scheduleExpression;
    if (expression === undefined) return [];
    const target = {
      invoke: (event: unknown) => {
        options.onTrigger?.(rule);
        deliverToTargets(rule, event as BusEvent, options.deliver);
        return Promise.resolve({ status: 'success' as const });
      },
    };
    const common = { target, ruleArn: rule.arn, region: options.region, accountId: options.accountId };
    if (expression.trim().startsWith('cron(')) {
      return [startSchedule({ ...common, cron: parseCronExpression(expression), clock: options.clock })];
    }
    const schedule = startSchedule({
      ...common,
      everySeconds: parseRateExpression(expression) / options.clock.compression,
    });
    void schedule.fireNow();
    return [schedule];
  });
  return { schedules, stop: async () => void (await Promise.all(schedules.map((s) => s.stop()))) };
}
