/** AWS/SQS figures the alarms watch, read off the SQS stand-in twice a simulated minute. */
import type { SandboxService, ServiceContext } from './service.js';
import { SqsService } from './sqs.js';

export class QueueMetricsService implements SandboxService {
  readonly name = 'queue-metrics';
  private timer: NodeJS.Timeout | undefined;

  async start(context: ServiceContext): Promise<void> {
    const sqs = context.service(SqsService).standIn;
    const { stack, clock, metrics } = context;
    this.timer = setInterval(
      () => {
        const now = Date.now();
        for (const queue of stack.queues) {
          const waiting = sqs.messages(queue.name).filter((message) => !message.deleted);
          const oldest = waiting.reduce((min, message) => Math.min(min, message.sentAt.getTime()), now);
          const timestamp = clock.now();
          const dimensions = { QueueName: queue.name };
          metrics.put({
            namespace: 'AWS/SQS',
            name: 'ApproximateNumberOfMessagesVisible',
            dimensions,
            values: [waiting.length],
            unit: 'Count',
            timestamp,
          });
          metrics.put({
            namespace: 'AWS/SQS',
            name: 'ApproximateAgeOfOldestMessage',
            dimensions,
            values: [((now - oldest) / 1000) * clock.compression],
            unit: 'Seconds',
            timestamp,
          });
        }
      },
      Math.max(250, 60_000 / clock.compression / 2),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
