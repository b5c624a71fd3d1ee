/**
 * Subscription filters as CloudWatch Logs runs them: read from a template, a CONTROL_MESSAGE
 * first, then each source's matching lines batched per log stream into the gzipped, base64
 * `awslogs.data` payload, decoded here with zlib as the shipper does.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { gunzipSync } from 'node:zlib';
import { IntrinsicResolver } from '../../../sandbox/template/index.js';
import type { CloudFormationTemplate } from '../../../sandbox/template/index.js';
import type { LogSubscriptions, SubscriptionFilterSpec } from '../../../sandbox/sources/log-subscription.js';
import {
  lambdaLogStream,
  lineTimestamp,
  readSubscriptionFilters,
  startLogSubscriptions,
} from '../../../sandbox/sources/log-subscription.js';
import { decodePayload } from '../../../lib/handlers/log-shipper/payload.js';

const TEMPLATE = {
  Resources: {
    ApiLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
    Api: {
      Type: 'AWS::Lambda::Function',
      Properties: { FunctionName: 'demo-api', LoggingConfig: { LogGroup: { Ref: 'ApiLogs' } } },
    },
    Worker: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'demo-worker' } },
    Shipper: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'demo-shipper' } },
    ApiToShipper: {
      Type: 'AWS::Logs::SubscriptionFilter',
      Properties: {
        LogGroupName: { Ref: 'ApiLogs' },
        DestinationArn: { 'Fn::GetAtt': ['Shipper', 'Arn'] },
        FilterPattern: '',
      },
    },
    WorkerErrors: {
      Type: 'AWS::Logs::SubscriptionFilter',
      Properties: {
        FilterName: 'worker-errors',
        LogGroupName: '/aws/lambda/demo-worker',
        DestinationArn: {
          'Fn::Join': [
            '',
            ['arn:aws:lambda:eu-west-2:', { Ref: 'AWS::AccountId' }, ':function:demo-shipper'],
          ],
        },
        FilterPattern: '{ $.level = "ERROR" }',
      },
    },
    ShipperToItself: {
      Type: 'AWS::Logs::SubscriptionFilter',
      Properties: {
        LogGroupName: '/aws/lambda/demo-shipper',
        DestinationArn: { 'Fn::GetAtt': ['Shipper', 'Arn'] },
        FilterPattern: '',
      },
    },
    ToKinesis: {
      Type: 'AWS::Logs::SubscriptionFilter',
      Properties: {
        LogGroupName: '/aws/lambda/demo-worker',
        DestinationArn: 'arn:aws:kinesis:eu-west-2:123456789012:stream/logs',
        FilterPattern: '%regex%',
      },
    },
  },
} as unknown as CloudFormationTemplate;

function readFilters(): SubscriptionFilterSpec[] {
  const resolver = new IntrinsicResolver(TEMPLATE, { stackName: 'Demo', accountId: '123456789012' });
  const functions = ['Api', 'Worker', 'Shipper'].map((logicalId) => ({
    logicalId,
    name: resolver.physicalName(logicalId),
  }));
  return readSubscriptionFilters(
    TEMPLATE,
    functions,
    (value) => resolver.resolve(value),
    (id) => resolver.physicalName(id),
  );
}

interface Sent {
  destination: string;
  event: { awslogs: { data: string } };
}

let running: LogSubscriptions | undefined;
afterEach(() => running?.stop());

function start(
  filters: SubscriptionFilterSpec[],
  options: { maxBatchBytes?: number; flushMs?: number } = {},
) {
  const sent: Sent[] = [];
  const logged: string[] = [];
  running = startLogSubscriptions({
    filters,
    owner: '123456789012',
    invoke: (destination, event) => {
      sent.push({ destination, event: event as Sent['event'] });
      return Promise.resolve(true);
    },
    log: (message) => logged.push(message),
    flushMs: options.flushMs ?? 60_000,
    ...options,
  });
  return { subscriptions: running, sent, logged };
}

const decode = (sent: Sent) =>
  JSON.parse(gunzipSync(Buffer.from(sent.event.awslogs.data, 'base64')).toString('utf8')) as {
    messageType: string;
    owner: string;
    logGroup: string;
    logStream: string;
    subscriptionFilters: string[];
    logEvents: { id: string; timestamp: number; message: string }[];
  };

describe('readSubscriptionFilters', () => {
  it('maps log groups to the functions writing them and destinations to functions', () => {
    const filters = readFilters();
    expect(filters).toEqual([
      {
        logicalId: 'ApiToShipper',
        name: expect.stringMatching(/^Demo-ApiToShipper-/),
        logGroupName: expect.stringMatching(/^Demo-ApiLogs-/),
        sourceFunction: 'demo-api',
        destinationFunction: 'demo-shipper',
        filterPattern: '',
      },
      {
        logicalId: 'WorkerErrors',
        name: 'worker-errors',
        logGroupName: '/aws/lambda/demo-worker',
        sourceFunction: 'demo-worker',
        destinationFunction: 'demo-shipper',
        filterPattern: '{ $.level = "ERROR" }',
      },
      expect.objectContaining({ logicalId: 'ShipperToItself', sourceFunction: 'demo-shipper' }),
      expect.objectContaining({ logicalId: 'ToKinesis', destinationFunction: undefined }),
    ]);
  });
});

describe('delivery', () => {
  it('sends a CONTROL_MESSAGE per filter first, and says what it will not run', () => {
    const { sent, logged } = start(readFilters());
    expect(sent.map((s) => [s.destination, decode(s).messageType])).toEqual([
      ['demo-shipper', 'CONTROL_MESSAGE'],
      ['demo-shipper', 'CONTROL_MESSAGE'],
    ]);
    const control = decodePayload(sent[0]!.event);
    expect(control.logEvents[0]!.message).toMatch(/^CWL CONTROL MESSAGE/);
    expect(logged).toEqual([
      expect.stringMatching(
        /^subscription filter Demo-ShipperToItself-\w+: demo-shipper receives log batches itself; not fed \(loop\)$/,
      ),
      expect.stringMatching(/^subscription filter Demo-ToKinesis-\w+: only Lambda destinations/),
    ]);
  });

  it('batches the matching lines per stream into the payload CloudWatch Logs sends', async () => {
    const { subscriptions, sent } = start(readFilters());
    sent.length = 0;
    const at = Date.parse('2026-12-06T10:00:00.000Z');
    const error = JSON.stringify({ level: 'ERROR', message: 'db down' });
    const info = JSON.stringify({ level: 'INFO', message: 'ok' });
    subscriptions.deliver('demo-worker', 'container-1', [
      { timestamp: at, message: info },
      { timestamp: at + 1, message: error },
    ]);
    subscriptions.deliver('demo-api', 'container-2', [{ timestamp: at + 2, message: 'START RequestId: r1' }]);
    subscriptions.deliver('demo-api', 'container-2', [{ timestamp: at + 3, message: info }]);
    subscriptions.deliver('demo-shipper', 'container-3', [{ timestamp: at + 4, message: error }]);
    expect(sent).toHaveLength(0);
    await subscriptions.flush();

    const batches = sent.map(decode);
    expect(sent.map((s) => s.destination)).toEqual(['demo-shipper', 'demo-shipper']);
    const api = batches.find((b) => b.logGroup.startsWith('Demo-ApiLogs-'))!;
    expect(api).toEqual({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: api.logGroup,
      logStream: lambdaLogStream('container-2', at + 2),
      subscriptionFilters: [expect.stringMatching(/^Demo-ApiToShipper-/)],
      logEvents: [
        { id: expect.stringMatching(/^\d{56}$/), timestamp: at + 2, message: 'START RequestId: r1' },
        { id: expect.stringMatching(/^\d{56}$/), timestamp: at + 3, message: info },
      ],
    });
    expect(api.logStream).toMatch(/^2026\/12\/06\/\[\$LATEST\][0-9a-f]{32}$/);
    const worker = batches.find((b) => b.logGroup === '/aws/lambda/demo-worker')!;
    // The filter pattern let only the ERROR line through.
    expect(worker.logEvents.map((e) => e.message)).toEqual([error]);
    expect(worker.subscriptionFilters).toEqual(['worker-errors']);
    // The shipper's decoder reads it, and every id is distinct.
    const ids = [...api.logEvents, ...worker.logEvents].map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(decodePayload(sent[0]!.event).logEvents.length).toBeGreaterThan(0);
    expect(subscriptions.stats).toEqual({ batches: 2, events: 3, failedBatches: 0 });
  });

  it('sends a batch before it would pass the size cap, and the rest on the timer', async () => {
    const [api] = readFilters();
    const { subscriptions, sent } = start([api!], { maxBatchBytes: 1000, flushMs: 50 });
    sent.length = 0;
    const line = 'x'.repeat(300);
    subscriptions.deliver(
      'demo-api',
      'c',
      [1, 2, 3, 4].map((i) => ({ timestamp: i, message: line })),
    );
    expect(sent.map((s) => decode(s).logEvents.length)).toEqual([3]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sent.map((s) => decode(s).logEvents.length)).toEqual([3, 1]);
    const ids = sent.flatMap((s) => decode(s).logEvents.map((e) => e.id));
    expect(new Set(ids).size).toBe(4);
  });

  it('reports an unsupported pattern and then sends every event', async () => {
    const [api] = readFilters();
    const { subscriptions, sent, logged } = start([{ ...api!, filterPattern: '[ip, user, status=404]' }]);
    expect(logged).toEqual([expect.stringContaining('space-delimited patterns')]);
    expect(logged[0]).toContain('every event is sent');
    sent.length = 0;
    subscriptions.deliver('demo-api', 'c', [{ timestamp: 1, message: 'anything' }]);
    await subscriptions.flush();
    expect(decode(sent[0]!).logEvents.map((e) => e.message)).toEqual(['anything']);
  });

  it('counts batches the destination failed after its retries', async () => {
    const [api] = readFilters();
    running = startLogSubscriptions({
      filters: [api!],
      owner: '123456789012',
      invoke: () => Promise.resolve(false),
    });
    running.deliver('demo-api', 'c', [{ timestamp: 1, message: 'a' }]);
    await running.flush();
    expect(running.stats.failedBatches).toBe(1);
  });
});

describe('lineTimestamp', () => {
  it('reads a JSON line’s own time, else uses the fallback', () => {
    expect(lineTimestamp('{"timestamp":"2026-12-06T10:00:00.123Z","level":"INFO"}', 5)).toBe(
      Date.parse('2026-12-06T10:00:00.123Z'),
    );
    expect(lineTimestamp('{"time":"2026-12-06T10:00:01.000Z","type":"platform.report"}', 5)).toBe(
      Date.parse('2026-12-06T10:00:01.000Z'),
    );
    expect(lineTimestamp('plain text', 5)).toBe(5);
    expect(lineTimestamp('{"timestamp":"not a time"}', 5)).toBe(5);
  });
});
