/**
 * The sandbox console: the dashboard page with live data, alarms, logs, traces, Slack messages and
 * CPU profiles.
 */
export * from './dashboard.js';
export * from './data.js';
export * from './logs.js';
export * from './logs-insights.js';
export * from './traces.js';
export * from './alarms.js';
export * from './server.js';
export * from './profiles.js';
export * from './shipped-logs.js';
