/** The stack's SQS event source mappings: Lambda's pollers, each handing its queue's batches to its function. */
import type { MessageAttribute } from '../aws/sqs.js';
import type { SqsEventSource } from '../sources/index.js';
import { startSqsEventSource } from '../sources/index.js';
import { SANDBOX_REGION } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';
import { SqsService } from './sqs.js';

export class SqsMappingsService implements SandboxService {
  readonly name = 'sqs-mappings';
  readonly resourceTypes = ['AWS::Lambda::EventSourceMapping'];
  private readonly sources: SqsEventSource[] = [];

  async start(context: ServiceContext): Promise<void> {
    const { stack, clock, functions } = context;
    const sqs = context.service(SqsService).standIn;
    for (const mapping of stack.eventSourceMappings) {
      const target = functions.get(mapping.functionName);
      const queue = stack.queues.find((q) => q.name === mapping.queueName);
      if (!target || !queue) continue;
      const { deadLetter } = queue;
      this.sources.push(
        startSqsEventSource({
          target,
          endpoint: sqs.url,
          queueUrl: sqs.queueUrl(queue.name),
          batchSize: mapping.batchSize,
          maximumBatchingWindowSeconds: mapping.maxBatchingWindowSeconds,
          reportBatchItemFailures: mapping.reportBatchItemFailures,
          visibilityTimeoutSeconds: Math.max(
            1,
            Math.round(queue.visibilityTimeoutSeconds / clock.compression),
          ),
          ...(deadLetter
            ? {
                deadLetter: {
                  queueUrl: sqs.queueUrl(deadLetter.queueName),
                  maxReceiveCount: deadLetter.maxReceiveCount,
                  move: (message) => {
                    sqs.sendMessage(deadLetter.queueName, message.Body ?? '', {
                      ...(message.MessageAttributes && {
                        messageAttributes: message.MessageAttributes as Record<string, MessageAttribute>,
                      }),
                      ...(message.MessageId && { messageId: message.MessageId }),
                    });
                  },
                },
              }
            : {}),
          region: SANDBOX_REGION,
        }),
      );
    }
  }

  async stop(): Promise<void> {
    for (const source of this.sources.splice(0).reverse()) await source.stop().catch(() => {});
  }
}
