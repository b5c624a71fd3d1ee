/** The stack's scheduled EventBridge rules (rate and cron), firing on the compressed clock, counted in AWS/Events. */
import { startRuleSchedules } from '../sources/event-rules.js';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../template/index.js';
import { deliverToRuleTarget, recordRuleMetric, ruleDimensions } from './rule-targets.js';
import type { SandboxService, ServiceContext } from './service.js';

export class SchedulesService implements SandboxService {
  readonly name = 'schedules';
  private schedules: { stop(): unknown } | undefined;

  async start(context: ServiceContext): Promise<void> {
    this.schedules = startRuleSchedules({
      rules: context.stack.rules,
      clock: context.clock,
      region: SANDBOX_REGION,
      accountId: SANDBOX_ACCOUNT,
      deliver: (target, input, rule) => deliverToRuleTarget(context, target, input, rule),
      onTrigger: (rule) => recordRuleMetric(context, 'TriggeredRules', ruleDimensions(rule)),
    });
  }

  async stop(): Promise<void> {
    await this.schedules?.stop();
  }
}
