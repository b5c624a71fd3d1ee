/** CloudWatch Logs subscription events, encoded as CloudWatch Logs sends them to Lambda. */
import { gzipSync } from 'node:zlib';

/** The sample event of the Lambda developer guide ("Using Lambda with CloudWatch Logs"), as published. */
export const AWS_SAMPLE_EVENT = {
  awslogs: {
    data: 'H4sIAAAAAAAAAHWPwQqCQBCGX0Xm7EFtK+smZBEUgXoLCdMhFtKV3akI8d0bLYmibvPPN3wz00CJxmQnTO41whwWQRIctmEcB6sQbFC3CjW3XW8kxpOpP+OC22d1Wml1qZkQGtoMsScxaczKN3plG8zlaHIta5KqWsozoTYw3/djzwhpLwivWFGHGpAFe7DL68JlBUk+l7KSN7tCOEJ4M3/qOI49vMHj+zCKdlFqLaU2ZHV2a4Ct/an0/ivdX8oYc1UVX860fQDQiMdxRQEAAA==',
  },
};

export interface EventSpec {
  id: string;
  timestamp?: number;
  message: string;
}

let sequence = 0;

/** A unique event id, in the shape CloudWatch Logs uses (a long decimal string). */
export function eventId(): string {
  sequence += 1;
  return `3795510473${String(Date.now()).padStart(16, '0')}${String(sequence).padStart(30, '0')}`;
}

export function subscriptionEvent(
  events: EventSpec[],
  batch: { logGroup?: string; messageType?: string } = {},
): { awslogs: { data: string } } {
  const payload = {
    messageType: batch.messageType ?? 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: batch.logGroup ?? '/aws/lambda/LookoutDemo-OrdersApi',
    logStream: '2026/12/06/[$LATEST]0123456789abcdef0123456789abcdef',
    subscriptionFilters: ['LookoutDemo-LogShipping'],
    logEvents: events.map((e) => ({
      id: e.id,
      timestamp: e.timestamp ?? Date.parse('2026-12-06T10:00:00Z'),
      message: e.message,
    })),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } };
}

/** A Lookout access log line as the runtime writes it (lib/logging/accessLog.ts). */
export function accessLine(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    level: 'WARN',
    message: 'GET /orders/o-42 404 12ms',
    timestamp: '2026-12-06T10:00:00.123Z',
    service: 'orders',
    cold_start: false,
    function_arn: 'arn:aws:lambda:us-east-1:123456789012:function:LookoutDemo-OrdersApi',
    function_memory_size: '256',
    function_name: 'LookoutDemo-OrdersApi',
    function_request_id: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    xray_trace_id: '1-5759e988-bd862e3fe1be46a994272793',
    correlation_id: 'corr-7f3a9c',
    http_source: 'http-api',
    method: 'GET',
    route: 'GET /orders/{id}',
    path: '/orders/o-42',
    status: 404,
    latency_ms: 12,
    source_ip: '203.0.113.7',
    user_agent: 'curl/8.5.0',
    request_id: 'Jk2mVgvVIAMEVYQ=',
    ...overrides,
  });
}

/** An EMF document as Powertools Metrics writes it. */
export function emfLine(): string {
  return JSON.stringify({
    _aws: {
      Timestamp: 1_765_015_200_000,
      CloudWatchMetrics: [
        { Namespace: 'Lookout', Dimensions: [['service']], Metrics: [{ Name: 'Requests', Unit: 'Count' }] },
      ],
    },
    service: 'orders',
    Requests: 1,
  });
}
