/**
 * EventBridge: the local PutEvents endpoint; each event goes to the targets of the rules it matches,
 * counted in AWS/Events as EventBridge counts it (MatchedEvents, TriggeredRules, Invocations).
 */
import type { EventBridgeStandIn, PutEventsEntry } from '../aws/events.js';
import { startEventBridgeStandIn } from '../aws/events.js';
import { deliverToTargets, matchingRules } from '../sources/event-rules.js';
import { SANDBOX_ACCOUNT, SANDBOX_REGION } from '../template/index.js';
import { deliverToRuleTarget, recordRuleMetric, ruleDimensions } from './rule-targets.js';
import type { SandboxService, ServiceContext } from './service.js';

export class EventBridgeService implements SandboxService {
  readonly name = 'events';
  readonly resourceTypes = ['AWS::Events::EventBus', 'AWS::Events::Rule'];
  private standIn: EventBridgeStandIn | undefined;

  get endpoint(): string {
    return this.standIn?.url ?? '';
  }

  async start(context: ServiceContext): Promise<void> {
    const { stack } = context;
    this.standIn = await startEventBridgeStandIn({
      buses: stack.eventBuses,
      region: SANDBOX_REGION,
      accountId: SANDBOX_ACCOUNT,
      onEvent: (event, busName) => {
        const rules = matchingRules(stack.rules, busName, event);
        if (rules.length > 0)
          recordRuleMetric(context, 'MatchedEvents', [
            {},
            ...(busName === 'default' ? [] : [{ EventBusName: busName }]),
          ]);
        for (const rule of rules) {
          recordRuleMetric(context, 'TriggeredRules', ruleDimensions(rule));
          deliverToTargets(rule, event, (target, input) => deliverToRuleTarget(context, target, input, rule));
        }
      },
    });
  }

  /** Puts one event as PutEvents does (a Lambda destination's record, say). */
  put(entry: PutEventsEntry): void {
    this.standIn?.put(entry);
  }

  async stop(): Promise<void> {
    await this.standIn?.close();
  }
}
