/** An EventBridge rule's target, as the rule delivers to it: a function invoked asynchronously, a queue, a topic. */
import type { RuleTargetSpec } from '../sources/event-rules.js';
import type { ServiceContext } from './service.js';
import { SnsService } from './sns.js';
import { SqsService } from './sqs.js';

export function deliverToRuleTarget(context: ServiceContext, target: RuleTargetSpec, input: string): void {
  try {
    if (target.queueName) context.service(SqsService).standIn.sendMessage(target.queueName, input);
    if (target.topicArn) context.service(SnsService).publish({ topicArn: target.topicArn, message: input });
    if (!target.functionName || !context.functions.get(target.functionName)) return;
    let event: unknown = input;
    try {
      event = JSON.parse(input);
    } catch {
      // An input template that is not JSON reaches the function as a string.
    }
    void context.functions.invokeAsync(target.functionName, event);
  } catch (error) {
    context.log(
      `event target ${target.id} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
