/**
 * The AWS metrics the sandbox produces, by namespace: the one list start-up reads to tell which of
 * the stack's alarms watch something that never arrives here. Every namespace outside `AWS/` is
 * the functions' own, from their EMF lines.
 */
export const PRODUCED_AWS_METRICS = {
  'AWS/Lambda': [
    'Invocations',
    'Errors',
    'Throttles',
    'Duration',
    'ConcurrentExecutions',
    'UrlRequestCount',
    'Url4xxCount',
    'Url5xxCount',
    'UrlRequestLatency',
  ],
  'AWS/SQS': ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage'],
  'AWS/SNS': ['NumberOfNotificationsDelivered', 'NumberOfNotificationsFailed'],
  'AWS/ApiGateway': [
    // REST APIs
    'Count',
    '4XXError',
    '5XXError',
    'Latency',
    'IntegrationLatency',
    // HTTP APIs (Count, Latency and IntegrationLatency too)
    '4xx',
    '5xx',
    'DataProcessed',
  ],
  'AWS/Events': ['Invocations', 'FailedInvocations', 'TriggeredRules', 'MatchedEvents'],
} as const;

export type ProducedNamespace = keyof typeof PRODUCED_AWS_METRICS;
export type ProducedMetric<N extends ProducedNamespace> = (typeof PRODUCED_AWS_METRICS)[N][number];

/** Does anything in the sandbox ever put this metric? */
export function isProducedMetric(namespace: string, name: string): boolean {
  if (!namespace.startsWith('AWS/')) return true;
  const names: readonly string[] | undefined = PRODUCED_AWS_METRICS[namespace as ProducedNamespace];
  return names?.includes(name) ?? false;
}
