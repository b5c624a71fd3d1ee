/** SQS: the stand-in with the stack's queues created in it. */
import type { SqsStandIn } from '../aws/sqs.js';
import { startSqsStandIn } from '../aws/sqs.js';
import { SANDBOX_ACCOUNT } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';

export class SqsService implements SandboxService {
  readonly name = 'sqs';
  readonly resourceTypes = ['AWS::SQS::Queue'];
  private started: SqsStandIn | undefined;

  get endpoint(): string {
    return this.started?.url ?? '';
  }

  /** The running stand-in. */
  get standIn(): SqsStandIn {
    if (!this.started) throw new Error('SQS has not started');
    return this.started;
  }

  async start({ stack }: ServiceContext): Promise<void> {
    this.started = await startSqsStandIn({ accountId: SANDBOX_ACCOUNT });
    for (const queue of stack.queues) this.started.createQueue(queue.name);
  }

  async stop(): Promise<void> {
    await this.started?.close();
  }
}
