/**
 * Shipped documents for the console tests: Lookout log lines turned into ECS documents by the
 * shipper's own mapping and indexed over HTTP with `_bulk` into the sandbox's search engine.
 */
import { toDocument } from '../../../../lib/handlers/log-shipper/documents.js';
import type { LogBatch } from '../../../../lib/handlers/log-shipper/payload.js';
import type { SearchStandIn } from '../../../../sandbox/aws/search.js';
import { startSearchStandIn } from '../../../../sandbox/aws/search.js';

export const SHIPPED_CORRELATION = 'corr-shipped-1';
/** A message that would be markup if the page ever used innerHTML. */
export const MARKUP_MESSAGE = '<img src=x onerror="window.__shippedXss=1"> payment <b>declined</b>';

const batch = (service: string): LogBatch => ({
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: `/aws/lambda/${service}`,
  logStream: '2025/01/15/[$LATEST]0123456789abcdef0123456789abcdef',
  subscriptionFilters: ['LookoutDemo-LogShipping'],
  logEvents: [],
});

const line = (fields: Record<string, unknown>) => JSON.stringify(fields);

export async function shippedLogsFixture(): Promise<SearchStandIn> {
  const search = await startSearchStandIn();
  const events = [
    {
      service: 'orders',
      message: line({
        level: 'INFO',
        message: 'order created',
        timestamp: '2025-01-15T11:58:00.000Z',
        service: 'orders',
        correlation_id: SHIPPED_CORRELATION,
        xray_trace_id: '1-678796a0-0123456789abcdef01234567',
      }),
    },
    {
      service: 'orders',
      message: line({
        level: 'ERROR',
        message: MARKUP_MESSAGE,
        timestamp: '2025-01-15T11:59:00.000Z',
        service: 'orders',
        correlation_id: SHIPPED_CORRELATION,
      }),
    },
    {
      service: 'health-check',
      message: line({
        level: 'INFO',
        message: 'health check passed',
        timestamp: '2025-01-15T11:57:00.000Z',
        service: 'health-check',
        correlation_id: 'corr-health',
      }),
    },
  ];
  const body = events
    .map((event, i) => {
      const request = toDocument(
        {
          id: String(i + 1).padStart(56, '0'),
          timestamp: Date.parse('2025-01-15T12:00:00Z'),
          message: event.message,
        },
        batch(event.service),
        'lookout-logs',
      )!;
      return `${JSON.stringify({ index: { _index: request.index, _id: request.id } })}\n${JSON.stringify(request.document)}\n`;
    })
    .join('');
  const response = await fetch(`${search.url}/_bulk`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body,
  });
  const result = (await response.json()) as { errors: boolean };
  if (response.status !== 200 || result.errors)
    throw new Error(`the fixture could not be indexed: ${JSON.stringify(result)}`);
  return search;
}
