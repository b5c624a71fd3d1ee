/** Slack: a local receiver of the notifier's webhooks, unless the user gave a real webhook. */
import type { ReceivedSlackMessage } from '../console/index.js';
import type { SlackStandIn } from '../slack.js';
import { startSlackStandIn } from '../slack.js';
import type { SandboxService, ServiceContext } from './service.js';

const CHANNELS = { critical: 'alerts-critical', warning: 'alerts-warning' } as const;

export class SlackService implements SandboxService {
  readonly name = 'slack';
  private standIn: SlackStandIn | undefined;
  /** What the notifier's SLACK_WEBHOOK_URL is set to: the real webhook, or the local channels'. */
  webhookSetting = '';

  async start({ settings }: ServiceContext): Promise<void> {
    if (settings.slackWebhookUrl) {
      this.webhookSetting = settings.slackWebhookUrl;
      return;
    }
    this.standIn = await startSlackStandIn();
    this.webhookSetting = JSON.stringify({
      critical: this.standIn.webhookUrl(CHANNELS.critical),
      warning: this.standIn.webhookUrl(CHANNELS.warning),
    });
  }

  /** What the local Slack received (nothing when a real webhook gets the messages). */
  messages(): ReceivedSlackMessage[] {
    return (this.standIn?.messages() ?? []).map((message) => ({
      receivedAt: Date.parse(message.receivedAt),
      payload: message.payload,
      route: message.channel,
    }));
  }

  async stop(): Promise<void> {
    await this.standIn?.close();
  }
}
