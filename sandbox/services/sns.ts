/**
 * SNS: Publish on the stack's topics, delivered to their subscriptions (functions invoked
 * asynchronously with Lambda's retries, messages on queues), each delivery counted in AWS/SNS.
 */
import type { SnsPublishInput, SnsStandIn } from '../aws/sns.js';
import { startSnsStandIn } from '../aws/sns.js';
import type { SandboxService, ServiceContext } from './service.js';
import { SqsService } from './sqs.js';

export class SnsService implements SandboxService {
  readonly name = 'sns';
  readonly resourceTypes = ['AWS::SNS::Topic', 'AWS::SNS::Subscription'];
  private standIn: SnsStandIn | undefined;
  /** Notifications handed to subscribed functions that succeeded (the Slack notifier's, in the demo). */
  functionDeliveries = 0;

  get endpoint(): string {
    return this.standIn?.url ?? '';
  }

  async start(context: ServiceContext): Promise<void> {
    const { stack, functions, metrics, clock } = context;
    const sqs = context.service(SqsService).standIn;
    this.standIn = await startSnsStandIn({
      topicArns: stack.topics,
      subscriptions: stack.snsSubscriptions,
      deliver: {
        function: (name, event) => functions.invokeAsync(name, event),
        queue: (name, body, messageAttributes) => void sqs.sendMessage(name, body, { messageAttributes }),
      },
      onDelivery: (topicArn, delivered, protocol) => {
        if (delivered && protocol === 'lambda') this.functionDeliveries++;
        metrics.put({
          namespace: 'AWS/SNS',
          name: delivered ? 'NumberOfNotificationsDelivered' : 'NumberOfNotificationsFailed',
          dimensions: { TopicName: topicArn.split(':').at(-1)! },
          values: [1],
          unit: 'Count',
          timestamp: clock.now(),
        });
      },
    });
  }

  /** Publishes as the Publish action does; throws SnsError for a topic the stack does not have. */
  publish(input: SnsPublishInput): string | undefined {
    return this.standIn?.publish(input);
  }

  async stop(): Promise<void> {
    await this.standIn?.close();
  }
}
