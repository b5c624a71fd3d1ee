/**
 * lookout/cdk: the CDK side of Lookout. Import it from infrastructure code only; Lambda handlers
 * import the runtime library (lookout) and never this.
 */
export {
  ObservedFunction,
  PrebuiltObservedFunction,
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_PROFILE_PREFIX,
} from './observed-function.js';
export { ESM_REQUIRE_BANNER, REQUIRED_BUILTINS, esbuildOptions, requiredBuiltinAliases } from './bundling.js';
export type { TracingMode, EventSource, Severity } from '../contract.js';
export {
  HTTP_METRIC,
  EVENT_METRIC,
  RUNTIME_METRIC,
  DB_METRIC,
  CACHE_METRIC,
  HEALTH_CHECK_METRIC,
  NOTIFIER_METRIC,
  DIMENSION,
  EVENT_SOURCES,
} from '../contract.js';
export type {
  IObservedFunction,
  ObservabilityProps,
  ObservedFunctionProps,
  ObservedFunctionProfiling,
  PrebuiltObservedFunctionProps,
  LogLevel,
} from './observed-function.js';

export { ServiceMonitoring } from './monitoring/service-monitoring.js';
export type {
  ServiceMonitoringProps,
  MonitoredFunction,
  MonitoredQueue,
} from './monitoring/service-monitoring.js';
export { FunctionMonitoring } from './monitoring/function-monitoring.js';
export type { FunctionMonitoringProps, FunctionAlarms } from './monitoring/function-monitoring.js';
export { HttpMonitoring } from './monitoring/http-monitoring.js';
export type { HttpMonitoringProps, HttpAlarms } from './monitoring/http-monitoring.js';
export { DatabaseMonitoring } from './monitoring/database-monitoring.js';
export type { DatabaseMonitoringProps, DatabaseAlarms } from './monitoring/database-monitoring.js';
export { HealthCheckMonitoring } from './monitoring/health-check-monitoring.js';
export type { HealthCheckMonitoringProps, HealthCheckAlarms } from './monitoring/health-check-monitoring.js';
export { QueueMonitoring } from './monitoring/queue-monitoring.js';
export type { QueueMonitoringProps, QueueAlarms } from './monitoring/queue-monitoring.js';
export type { MonitoringSection } from './monitoring/monitoring-section.js';

export { SloMonitoring } from './slo/slo-monitoring.js';
export type { SloMonitoringProps, BurnRateAlert, SloAlerts } from './slo/slo-monitoring.js';
export {
  BURN_RATE_WINDOWS,
  LOWEST_TARGET,
  WINDOW_DAYS,
  validateObjective,
  sliQueries,
  sliExpression,
  burnRate,
} from './slo/objective.js';
export type {
  ServiceLevelObjective,
  AvailabilitySlo,
  LatencySlo,
  BurnRateWindow,
  ResolvedObjective,
} from './slo/objective.js';

export { AlarmFactory, describeAlarm, describeWindow, tune } from './alarms/alarm-factory.js';
export { SEVERITIES, SEVERITY_TAG } from '../contract.js';
export type {
  AlarmFactoryProps,
  AlarmSpec,
  AlarmTuning,
  LookoutAlarm,
  ResolvedTuning,
} from './alarms/alarm-factory.js';
export { ALARM_DEFAULTS } from './alarms/defaults.js';

export { LookoutMetricFactory } from './metrics/lookout-metric-factory.js';
export { LambdaMetricFactory } from './metrics/lambda-metric-factory.js';
export { QueueMetricFactory } from './metrics/queue-metric-factory.js';
export { TopicMetricFactory } from './metrics/topic-metric-factory.js';
export { percentOf, sumOf } from './metrics/metric-math.js';

export { ServiceDashboard } from './dashboard/service-dashboard.js';
export type { ServiceDashboardProps } from './dashboard/service-dashboard.js';
export { businessWidget } from './dashboard/business-widgets.js';
export type { BusinessWidget, BusinessMetric } from './dashboard/business-widgets.js';

export { ServiceLogQueries, LOG_QUERIES, CORRELATION_ID_PLACEHOLDER } from './logs/saved-queries.js';
export type { LogQueryName, ServiceLogQueriesProps } from './logs/saved-queries.js';

export { SlackAlerts, WEBHOOK_PLACEHOLDER } from './alerts/slack-alerts.js';
export type { SlackAlertsProps } from './alerts/slack-alerts.js';
export { AlarmTopic } from './alerts/alarm-topic.js';
export type { AlarmTopicProps } from './alerts/alarm-topic.js';
export { AlertPathMonitoring } from './alerts/alert-path-monitoring.js';
export type { AlertPathAlarms, AlertPathMonitoringProps } from './alerts/alert-path-monitoring.js';

export { LogShipping, LOG_SHIPPING_ALARM_DEFAULTS } from './log-shipping/log-shipping.js';
export type { LogShippingAlarms, LogShippingProps } from './log-shipping/log-shipping.js';
export { LogDestination } from './log-shipping/log-destination.js';
export type { BoundLogDestination, ServerlessCollectionAttributes } from './log-shipping/log-destination.js';
export { LOG_SHIPPER_METRIC, DEFAULT_LOG_INDEX_PREFIX } from '../contract.js';
