/**
 * Every HTTP server the sandbox runs on loopback answers only requests addressed to loopback, so a
 * web page cannot reach it through a name of its own (DNS rebinding); and an error message that
 * leaves the sandbox carries no file path.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { startSqsStandIn } from '../../sandbox/aws/sqs.js';
import { startConsole } from '../../sandbox/console/server.js';
import { routesTo, startHttpGateway } from '../../sandbox/gateway/index.js';
import { acceptLoopbackOnly, isLoopbackHost, publicErrorMessage } from '../../sandbox/loopback-http.js';
import { startOtlpReceiver } from '../../sandbox/otlp.js';
import { startSlackStandIn, type SlackStandIn } from '../../sandbox/slack.js';
import { syntheticConsole } from './console/support/synthetic-console.js';

describe('isLoopbackHost', () => {
  it.each([
    '127.0.0.1',
    '127.0.0.1:3000',
    'localhost',
    'localhost:1',
    'LocalHost:3001',
    '[::1]',
    '[::1]:8080',
  ])('accepts %s', (host) => expect(isLoopbackHost(host)).toBe(true));

  it.each([
    undefined,
    '',
    'evil.example',
    'evil.example:3000',
    '127.0.0.1.nip.io',
    'localhost.evil.example',
    'evil-localhost',
    '127.0.0.2',
    '0.0.0.0',
    '127.1',
    '2130706433',
    '[::ffff:127.0.0.1]',
    '[::2]',
    '::1',
    'localhost.',
    '127.0.0.1:',
    '127.0.0.1:abc',
    '127.0.0.1:3000:1',
    'user@127.0.0.1',
    ' 127.0.0.1',
    '127.0.0.1 ',
  ])('refuses %j', (host) => expect(isLoopbackHost(host)).toBe(false));
});

interface Exchange {
  status: number;
  body: string;
}

/** One request written byte for byte on a socket: duplicate or missing Host headers included. */
function exchange(port: number, head: string[], body = ''): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [status = '', ...rest] = text.split('\r\n\r\n');
      resolve({
        status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(status)?.[1] ?? 0),
        body: rest.join('\r\n\r\n'),
      });
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer on port ${port}`)));
    socket.end(
      [...head, `content-length: ${Buffer.byteLength(body)}`, 'connection: close', '', body].join('\r\n'),
    );
  });
}

interface Target {
  name: string;
  port: () => number;
  method: string;
  path: string;
  headers: string[];
  body: string;
  /** How many requests reached the server's own handler. */
  reached?: () => number;
}

const closers: (() => Promise<void>)[] = [];
const targets: Target[] = [];
let slack: SlackStandIn;
let gatewayCalls = 0;

beforeAll(async () => {
  const consoleServer = await startConsole({ port: 0, data: syntheticConsole().data });
  closers.push(() => consoleServer.close());
  const gateway = await startHttpGateway({
    routes: routesTo(
      {
        invoke: async () => {
          gatewayCalls++;
          return { status: 'success', result: { statusCode: 200, body: 'ok' } };
        },
      },
      ['GET /orders'],
    ),
  });
  closers.push(() => gateway.close());
  const sqs = await startSqsStandIn({ queues: ['orders'] });
  closers.push(() => sqs.close());
  slack = await startSlackStandIn();
  closers.push(() => slack.close());
  const otlp = await startOtlpReceiver();
  closers.push(() => otlp.close());
  const dynamo = acceptLoopbackOnly(dynalite({ createTableMs: 0 }) as Server);
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => dynamo.close(() => resolve())));

  const portOf = (url: string) => () => Number(new URL(url).port);
  const span = JSON.stringify({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              {
                traceId: '0af7651916cd43dd8448eb211c80319c',
                spanId: 'b7ad6b7169203331',
                name: 'probe',
                kind: 2,
                startTimeUnixNano: '1700000000000000000',
                endTimeUnixNano: '1700000000100000000',
              },
            ],
          },
        ],
      },
    ],
  });
  targets.push(
    {
      name: 'the console',
      port: portOf(consoleServer.url),
      method: 'GET',
      path: '/api/counters',
      headers: [],
      body: '',
    },
    {
      name: 'the API gateway',
      port: portOf(gateway.url),
      method: 'GET',
      path: '/orders',
      headers: [],
      body: '',
      reached: () => gatewayCalls,
    },
    {
      name: 'the SQS stand-in',
      port: portOf(sqs.url),
      method: 'POST',
      path: '/',
      headers: ['x-amz-target: AmazonSQS.ListQueues', 'content-type: application/x-amz-json-1.0'],
      body: '{}',
    },
    {
      name: 'DynamoDB (dynalite)',
      port: () => (dynamo.address() as AddressInfo).port,
      method: 'POST',
      path: '/',
      headers: ['x-amz-target: DynamoDB_20120810.ListTables', 'content-type: application/x-amz-json-1.0'],
      body: '{}',
    },
    {
      name: 'the OTLP receiver',
      port: portOf(otlp.endpoint),
      method: 'POST',
      path: '/v1/traces',
      headers: ['content-type: application/json'],
      body: span,
    },
    {
      name: 'the Slack stand-in',
      port: portOf(slack.url),
      method: 'POST',
      path: new URL(slack.webhookUrl('alerts')).pathname,
      headers: ['content-type: application/json'],
      body: '{"text":"probe"}',
      reached: () => slack.messages().length,
    },
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(closers.map((close) => close()));
});

const request = (target: Target, hostLines: string[], path = target.path) =>
  exchange(
    target.port(),
    [`${target.method} ${path} HTTP/1.1`, ...hostLines, ...target.headers],
    target.body,
  );

const names = () => targets.map((target) => target.name);
const each = [
  'the console',
  'the API gateway',
  'the SQS stand-in',
  'DynamoDB (dynalite)',
  'the OTLP receiver',
  'the Slack stand-in',
];

describe.each(each)('%s', (name) => {
  const target = () => targets.find((candidate) => candidate.name === name)!;

  it('is one of the servers under test', () => expect(names()).toContain(name));

  it.each([
    ['another name', () => ['host: evil.example']],
    ['another name with the right port', () => [`host: evil.example:${target().port()}`]],
    ['a name that only starts like loopback', () => [`host: 127.0.0.1.nip.io:${target().port()}`]],
    ['a name that only contains localhost', () => [`host: localhost.evil.example:${target().port()}`]],
    ['two Host headers', () => [`host: 127.0.0.1:${target().port()}`, 'host: evil.example']],
  ])('answers 421 with no body to %s, and its handler never sees the request', async (_case, hosts) => {
    const before = target().reached?.();
    const answer = await request(target(), hosts());
    expect(answer).toEqual({ status: 421, body: '' });
    expect(target().reached?.()).toBe(before);
  });

  it('answers 421 to a request without a Host header (HTTP/1.0)', async () => {
    const answer = await exchange(
      target().port(),
      [`${target().method} ${target().path} HTTP/1.0`, ...target().headers],
      target().body,
    );
    expect(answer.status).toBe(421);
  });

  it('answers 421 to an absolute-form target naming another host, whatever the Host header says', async () => {
    const answer = await request(
      target(),
      [`host: 127.0.0.1:${target().port()}`],
      `http://evil.example${target().path}`,
    );
    expect(answer).toEqual({ status: 421, body: '' });
  });

  it.each([
    (port: number) => `127.0.0.1:${port}`,
    (port: number) => `localhost:${port}`,
    (port: number) => `[::1]:${port}`,
    () => 'LOCALHOST',
  ])('answers a loopback Host (%#)', async (host) => {
    const before = target().reached?.() ?? 0;
    const answer = await request(target(), [`host: ${host(target().port())}`]);
    expect(answer.status).not.toBe(421);
    expect(answer.status).toBeGreaterThanOrEqual(200);
    if (target().reached) expect(target().reached!()).toBeGreaterThan(before);
  });
});

describe('publicErrorMessage', () => {
  it('says which call failed, and how, without the path of a system error', async () => {
    const error = await readFile('/nonexistent-lookout-folder/secret.json').catch((e: unknown) => e);
    expect(publicErrorMessage(error)).toBe('open failed (ENOENT)');
  });

  it.each([
    ["cannot read '/home/someone/project/.sandbox/x.json': bad", "cannot read '<path>': bad"],
    ['no bundle at /srv/app/index.mjs; bundle it first', 'no bundle at <path>; bundle it first'],
    ['at file:///home/someone/project/sandbox/x.ts:3:7', 'at <path>'],
    ['C:\\Users\\someone\\project failed', '<path> failed'],
    ['nothing at /api', 'nothing at /api'],
    ['rate must be 1/2 of it', 'rate must be 1/2 of it'],
  ])('%j → %j', (message, expected) => {
    expect(publicErrorMessage(new Error(message))).toBe(expected);
  });
});
