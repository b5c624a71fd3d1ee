/**
 * An EventBridge rule's target, as the rule delivers to it: a function invoked asynchronously, a
 * queue, a topic; and the AWS/Events metrics the rule's work adds. A function's own errors are not
 * the rule's (Lambda takes the event asynchronously and retries it itself): FailedInvocations
 * counts only deliveries the target refused.
 */
import type { ProducedMetric } from '../metrics/produced.js';
import type { EventRuleSpec, RuleTargetSpec } from '../sources/event-rules.js';
import type { ServiceContext } from './service.js';
import { SnsService } from './sns.js';
import { SqsService } from './sqs.js';

/** Hands the target its input and counts the invocation; false when the target refused it. */
export function deliverToRuleTarget(
  context: ServiceContext,
  target: RuleTargetSpec,
  input: string,
  rule: EventRuleSpec,
): boolean {
  // A target the sandbox does not run (reported at start-up) is neither invoked nor failed here.
  if (!target.queueName && !target.topicArn && !target.functionName) return true;
  let delivered = true;
  try {
    if (target.queueName) context.service(SqsService).standIn.sendMessage(target.queueName, input);
    if (target.topicArn) context.service(SnsService).publish({ topicArn: target.topicArn, message: input });
    if (target.functionName) {
      if (!context.functions.get(target.functionName))
        throw new Error(`the function ${target.functionName} is not running`);
      let event: unknown = input;
      try {
        event = JSON.parse(input);
      } catch {
        // An input template that is not JSON reaches the function as a string.
      }
      void context.functions.invokeAsync(target.functionName, event);
    }
  } catch (error) {
    delivered = false;
    context.log(
      `event target ${target.id} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  recordRuleMetric(context, 'Invocations', [{}, ...ruleDimensions(rule)]);
  if (!delivered) recordRuleMetric(context, 'FailedInvocations', ruleDimensions(rule));
  return delivered;
}

/**
 * A rule's own dimension sets: RuleName on the default bus, EventBusName and RuleName on a custom
 * one (as EventBridge tells the two apart).
 */
export function ruleDimensions(rule: Pick<EventRuleSpec, 'name' | 'busName'>): Record<string, string>[] {
  return rule.busName === 'default'
    ? [{ RuleName: rule.name }]
    : [{ EventBusName: rule.busName, RuleName: rule.name }];
}

/** Adds 1 to an AWS/Events metric under each dimension set, at the sandbox's clock; never throws. */
export function recordRuleMetric(
  context: Pick<ServiceContext, 'metrics' | 'clock'>,
  name: ProducedMetric<'AWS/Events'>,
  dimensionSets: Record<string, string>[],
): void {
  const timestamp = context.clock.now();
  try {
    for (const dimensions of dimensionSets)
      context.metrics.put({
        namespace: 'AWS/Events',
        name,
        dimensions,
        values: [1],
        unit: 'Count',
        timestamp,
      });
  } catch {
    // Counting never keeps an event from its targets.
  }
}
