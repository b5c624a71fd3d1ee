/** The Lambda Invoke endpoint, for SDKs and the CLI: synchronous invocations and `InvocationType: Event`. */
import type { LambdaStandIn } from '../aws/lambda.js';
import { startLambdaStandIn } from '../aws/lambda.js';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';

export class LambdaInvokeService implements SandboxService {
  readonly name = 'lambda';
  private standIn: LambdaStandIn | undefined;

  get endpoint(): string {
    return this.standIn?.url ?? '';
  }

  async start({ functions }: ServiceContext): Promise<void> {
    this.standIn = await startLambdaStandIn({
      functionNamed: (name) => functions.get(name),
      invokeAsync: (target, event) => void functions.invokeAsync(target.name, event),
      region: SANDBOX_REGION,
      accountId: SANDBOX_ACCOUNT,
    });
  }

  async stop(): Promise<void> {
    await this.standIn?.close();
  }
}
