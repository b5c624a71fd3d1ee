/** The stack's log subscription filters: matching log events of each invocation, batched to their destination functions. */
import type { LogSubscriptions } from '../sources/log-subscription.js';
import { startLogSubscriptions } from '../sources/log-subscription.js';
import { SANDBOX_ACCOUNT } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';

export class LogSubscriptionsService implements SandboxService {
  readonly name = 'log-subscriptions';
  readonly resourceTypes = ['AWS::Logs::SubscriptionFilter'];
  private subscriptions: LogSubscriptions | undefined;

  async start({ stack, functions, log }: ServiceContext): Promise<void> {
    const subscriptions = startLogSubscriptions({
      filters: stack.subscriptionFilters,
      owner: SANDBOX_ACCOUNT,
      invoke: (name, event) => functions.invokeAsync(name, event),
      log,
    });
    this.subscriptions = subscriptions;
    // A throttled invocation never ran, so it wrote nothing to its log group.
    functions.onInvocation((record) => {
      if (record.result.status !== 'throttled') subscriptions.deliverInvocation(record);
    });
  }

  /** Log batches the filters handed to their destinations. */
  get stats(): { batches: number; events: number; failedBatches: number } {
    return { ...(this.subscriptions?.stats ?? { batches: 0, events: 0, failedBatches: 0 }) };
  }

  async stop(): Promise<void> {
    await this.subscriptions?.stop();
  }
}
