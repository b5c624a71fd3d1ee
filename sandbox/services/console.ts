/** The console: the stack's dashboard with live data, alarms, logs, traces, Slack messages and profiles. */
import { consoleAlarmsFromStatuses, startConsole } from '../console/index.js';
import { combineTraceSources } from '../traces.js';
import { AlarmsService } from './alarms.js';
import { OtlpService } from './otlp.js';
import { SearchService } from './search.js';
import type { SandboxService, ServiceContext } from './service.js';
import { SlackService } from './slack.js';
import { XRayService } from './xray.js';

export class ConsoleService implements SandboxService {
  readonly name = 'console';
  readonly resourceTypes = ['AWS::CloudWatch::Dashboard'];
  url = '';
  private server: { close(): Promise<void> } | undefined;

  async start(context: ServiceContext): Promise<void> {
    const { stack, metrics, clock, logs, profiles, counters } = context;
    const evaluator = context.service(AlarmsService).evaluator!;
    const search = context.service(SearchService).standIn!;
    const slack = context.service(SlackService);
    const server = await startConsole({
      port: context.settings.consolePort ?? 3000,
      data: {
        dashboard: stack.dashboards[0]?.dashboard,
        metrics,
        now: () => clock.now(),
        windowMs: 30 * 60_000,
        alarmDefinitions: stack.alarms,
        alarms: () => consoleAlarmsFromStatuses(evaluator.statuses()),
        logs,
        traces: combineTraceSources(
          context.service(XRayService).daemon!,
          context.service(OtlpService).receiver!,
        ),
        slackMessages: () => slack.messages(),
        counters: () => ({
          ...counters,
          slackMessages: slack.messages().length,
          shippedLogs: search.documentCount(),
        }),
        profiles,
        shippedLogs: search,
      },
    });
    this.server = server;
    this.url = server.url;
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}
