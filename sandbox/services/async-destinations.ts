/**
 * Functions' `EventInvokeConfig`: their asynchronous invocations retry as configured, and the
 * invocation record goes to the success or failure destination (a function, a queue or a topic).
 */
import { invocationRecord } from '../sources/async-invoke.js';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../template/index.js';
import { deliverToRuleTarget } from './rule-targets.js';
import type { SandboxService, ServiceContext } from './service.js';

export class AsyncDestinationsService implements SandboxService {
  readonly name = 'async-destinations';
  readonly resourceTypes = ['AWS::Lambda::EventInvokeConfig'];

  start(context: ServiceContext): Promise<void> {
    for (const config of context.stack.asyncInvokeConfigs) {
      const functionArn = `arn:aws:lambda:${SANDBOX_REGION}:${SANDBOX_ACCOUNT}:function:${config.functionName}`;
      context.functions.configureAsync(config.functionName, (event) => ({
        ...(config.maximumRetryAttempts !== undefined && {
          maximumRetryAttempts: config.maximumRetryAttempts,
        }),
        onDone: (outcome) => {
          const destination = outcome.succeeded ? config.onSuccess : config.onFailure;
          if (destination)
            deliverToRuleTarget(
              context,
              destination,
              JSON.stringify(invocationRecord(functionArn, event, outcome)),
            );
        },
      }));
    }
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
