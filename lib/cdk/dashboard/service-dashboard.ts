import { Duration } from 'aws-cdk-lib';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOG_QUERIES } from '../logs/saved-queries.js';
import type { MonitoringSection } from '../monitoring/monitoring-section.js';
import { heading } from './widgets.js';

export interface ServiceDashboardProps {
  readonly dashboardName: string;
  readonly serviceName: string;
  readonly sections: readonly MonitoringSection[];
  /** Every alarm to show in the status widget at the top. */
  readonly alarms: readonly cw.IAlarm[];
  readonly businessWidgets?: readonly cw.IWidget[];
  /** Log groups the "recent errors" widget searches. */
  readonly logGroups: readonly logs.ILogGroup[];
}

/**
 * One CloudWatch dashboard per service: alarm status first, then each monitored concern, the
 * business figures, and the most recent error log lines.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: cw.Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(props.dashboardName)) {
      throw new Error(
        `Dashboard name "${props.dashboardName}" may only contain letters, digits, "-" and "_"`,
      );
    }
    this.dashboard = new cw.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cw.TextWidget({
        markdown: [
          `# ${props.serviceName}`,
          `Alarms, then traffic, functions and dependencies, business figures and recent errors. Saved Logs Insights queries are in the **${props.serviceName}/** folder.`,
        ].join('\n'),
        width: 24,
        height: 2,
      }),
    );
    if (props.alarms.length > 0) {
      this.dashboard.addWidgets(
        new cw.AlarmStatusWidget({
          title: 'Alarm status',
          alarms: [...props.alarms],
          width: 24,
          height: Math.min(2 + Math.ceil(props.alarms.length / 4), 12),
          sortBy: cw.AlarmStatusWidgetSortBy.STATE_UPDATED_TIMESTAMP,
        }),
      );
    }
    for (const section of props.sections) {
      this.dashboard.addWidgets(heading(`## ${section.title}`));
      for (const row of section.widgetRows()) this.dashboard.addWidgets(...row);
    }
    if (props.businessWidgets && props.businessWidgets.length > 0) {
      this.dashboard.addWidgets(heading('## Business'));
      this.dashboard.addWidgets(...props.businessWidgets);
    }
    if (props.logGroups.length > 0) {
      this.dashboard.addWidgets(heading('## Recent errors'));
      this.dashboard.addWidgets(
        new cw.LogQueryWidget({
          title: 'Recent errors (level ERROR and above)',
          logGroupNames: props.logGroups.map((group) => group.logGroupName),
          queryString: LOG_QUERIES.errors.query,
          view: cw.LogQueryVisualizationType.TABLE,
          width: 24,
          height: 8,
        }),
      );
    }
  }
}
