import type * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type { LookoutAlarm } from '../alarms/alarm-factory.js';

/** One concern's alarms and dashboard rows (a function, the HTTP surface, a queue, ...). */
export interface MonitoringSection {
  /** Heading of this part of the dashboard. */
  readonly title: string;
  readonly alarms: readonly LookoutAlarm[];
  /** Dashboard rows, top to bottom; each row is at most 24 units wide. */
  widgetRows(): cw.IWidget[][];
}
