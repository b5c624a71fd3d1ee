/** The subscription payload and the documents made of it, without a network. */
import { describe, expect, it } from '@jest/globals';
import { indexName, toDocument } from '../../../../lib/handlers/log-shipper/documents.js';
import { MalformedPayloadError, decodePayload } from '../../../../lib/handlers/log-shipper/payload.js';
import { AWS_SAMPLE_EVENT, accessLine, emfLine, subscriptionEvent } from './support/subscription.js';

describe('decodePayload', () => {
  it("decodes the Lambda guide's sample event", () => {
    const batch = decodePayload(AWS_SAMPLE_EVENT);
    expect(batch).toMatchObject({
      messageType: 'DATA_MESSAGE',
      owner: '123456789123',
      logGroup: 'testLogGroup',
    });
    expect(batch.logEvents.map((e) => e.id)).toEqual(['eventId1', 'eventId2']);
    expect(batch.logEvents[0]!.message).toBe('[ERROR] First test message');
  });

  it.each([
    ['no awslogs', {}],
    ['not base64 gzip', { awslogs: { data: 'bm90IGd6aXA=' } }],
    [
      'gzip of something else',
      { awslogs: { data: subscriptionEvent([], { messageType: 'OTHER' }).awslogs.data } },
    ],
  ])('says what is wrong with %s', (_name, event) => {
    expect(() => decodePayload(event)).toThrow(MalformedPayloadError);
  });
});

describe('toDocument', () => {
  const batchOf = (message: string) => decodePayload(subscriptionEvent([{ id: 'e1', message }]));

  it('names the fields of a Lookout access line after ECS', () => {
    const batch = batchOf(accessLine());
    const request = toDocument(batch.logEvents[0]!, batch, 'lookout-logs')!;
    expect(request.index).toBe('lookout-logs-orders-2026.12.06');
    expect(request.id).toBe('e1');
    expect(request.document).toMatchObject({
      '@timestamp': '2026-12-06T10:00:00.123Z',
      message: 'GET /orders/o-42 404 12ms',
      log: { level: 'warn' },
      service: { name: 'orders' },
      trace: { id: '1-5759e988-bd862e3fe1be46a994272793' },
      labels: { correlation_id: 'corr-7f3a9c' },
      faas: {
        execution: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
        name: 'LookoutDemo-OrdersApi',
        coldstart: false,
      },
      http: {
        request: { method: 'GET', id: 'Jk2mVgvVIAMEVYQ=' },
        response: { status_code: 404 },
        route: 'GET /orders/{id}',
      },
      url: { path: '/orders/o-42' },
      client: { ip: '203.0.113.7' },
      user_agent: { original: 'curl/8.5.0' },
      event: { id: 'e1', duration: 12_000_000 },
      aws: { cloudwatch: { log_group: '/aws/lambda/LookoutDemo-OrdersApi' } },
      lookout: { http_source: 'http-api', function_memory_size: '256' },
    });
  });

  it('leaves EMF lines out', () => {
    const batch = batchOf(emfLine());
    expect(toDocument(batch.logEvents[0]!, batch, 'lookout-logs')).toBeUndefined();
  });

  it("keeps a plain line whole, under the log group's service and the event's time", () => {
    const batch = decodePayload(AWS_SAMPLE_EVENT);
    const request = toDocument(batch.logEvents[0]!, batch, 'lookout-logs')!;
    expect(request.index).toBe('lookout-logs-testloggroup-2015.08.24');
    expect(request.document).toMatchObject({
      '@timestamp': '2015-08-24T19:03:07.000Z',
      message: '[ERROR] First test message',
      service: { name: 'testLogGroup' },
    });
    expect(request.document).not.toHaveProperty('lookout');
  });

  it('makes index names the engines accept from any service name', () => {
    const day = new Date('2026-01-02T03:04:05Z');
    expect(indexName('lookout-logs', 'Orders API/v2', day)).toBe('lookout-logs-orders-api-v2-2026.01.02');
    expect(indexName('lookout-logs', '_#', day)).toBe('lookout-logs-unknown-2026.01.02');
  });
});
