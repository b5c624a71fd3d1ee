import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Placeholder the "request trail" query filters on; replace it with a real correlation id. */
export const CORRELATION_ID_PLACEHOLDER = 'PASTE-CORRELATION-ID-HERE';

/**
 * Logs Insights queries over the fields Lookout writes: Powertools' (`level`, `service`,
 * `function_name`, `xray_trace_id`, `cold_start`), the library's (`correlation_id`, and on
 * access-log lines `method`, `route`, `status`, `latency_ms`), and Lambda's JSON platform
 * records (`type = "platform.report"`).
 */
export const LOG_QUERIES = {
  errors: {
    title: 'errors with correlation ids',
    query: [
      'fields @timestamp, service, function_name, correlation_id, message, error.name, error.message, xray_trace_id',
      '| filter level in ["ERROR", "CRITICAL", "FATAL"]',
      '| sort @timestamp desc',
      '| limit 100',
    ].join('\n'),
  },
  slowestRequests: {
    title: 'slowest requests',
    query: [
      'fields @timestamp, method, route, status, latency_ms, correlation_id, xray_trace_id',
      '| filter ispresent(route) and ispresent(latency_ms)',
      '| sort latency_ms desc',
      '| limit 50',
    ].join('\n'),
  },
  coldStarts: {
    title: 'cold starts',
    query: [
      'filter type = "platform.report" and ispresent(record.metrics.initDurationMs)',
      '| stats count(*) as cold_starts, avg(record.metrics.initDurationMs) as avg_init_ms, max(record.metrics.initDurationMs) as max_init_ms by @log, bin(15m)',
      '| sort max_init_ms desc',
    ].join('\n'),
  },
  requestTrail: {
    title: 'request trail by correlation id',
    query: [
      'fields @timestamp, service, function_name, level, message, route, status, latency_ms, xray_trace_id',
      `| filter correlation_id = "${CORRELATION_ID_PLACEHOLDER}"`,
      '| sort @timestamp asc',
      '| limit 1000',
    ].join('\n'),
  },
} as const;

export type LogQueryName = keyof typeof LOG_QUERIES;

export interface ServiceLogQueriesProps {
  readonly serviceName: string;
  /** The log groups every query searches (the service's functions). */
  readonly logGroups: readonly logs.ILogGroup[];
}

/** Saves LOG_QUERIES in CloudWatch Logs Insights under a folder named after the service. */
export class ServiceLogQueries extends Construct {
  readonly definitions: Record<LogQueryName, logs.CfnQueryDefinition>;

  constructor(scope: Construct, id: string, props: ServiceLogQueriesProps) {
    super(scope, id);
    if (props.logGroups.length === 0) throw new Error('ServiceLogQueries needs at least one log group');
    const logGroupNames = props.logGroups.map((group) => group.logGroupName);
    const entries = (Object.keys(LOG_QUERIES) as LogQueryName[]).map((name) => {
      const { title, query } = LOG_QUERIES[name];
      const definition = new logs.CfnQueryDefinition(this, name, {
        name: `${props.serviceName}/${title}`,
        queryString: query,
        logGroupNames,
      });
      return [name, definition] as const;
    });
    this.definitions = Object.fromEntries(entries) as Record<LogQueryName, logs.CfnQueryDefinition>;
  }
}
