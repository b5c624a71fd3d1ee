/**
 * What the X-Ray backend records around the handler, in a fresh process on the built package as a
 * function runs it: outgoing `fetch` and `node:http` calls as remote subsegments carrying the trace
 * header, and only inside a Lambda execution environment. Segments go to a real UDP socket, calls to a real HTTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import type { IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startXRayDaemon } from '../support/xray-daemon.js';

const script = fileURLToPath(new URL('./fixtures/xray-calls.mjs', import.meta.url));
const ROOT = '1-6748d2a0-0123456789abcdef01234567';

interface Segment {
  name: string;
  id: string;
  trace_id?: string;
  parent_id?: string;
  namespace?: string;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  http?: {
    request?: { url: string; method: string };
    response?: { status: number; content_length?: number };
  };
  cause?: { exceptions?: { message: string; remote?: boolean }[] };
  subsegments?: Segment[];
}

const requests: { path: string; headers: IncomingHttpHeaders }[] = [];
const STATUS: Record<string, number> = {
  '/ok': 200,
  '/missing': 404,
  '/busy': 429,
  '/broken': 503,
  '/legacy': 200,
};
const server = createServer((request, response) => {
  const path = request.url!.split('?')[0]!;
  requests.push({ path, headers: request.headers });
  response
    .writeHead(STATUS[path] ?? 500, { 'content-type': 'text/plain', 'content-length': '5' })
    .end('hello');
});
let serverUrl = '';
let closedUrl = '';

const daemon = await startXRayDaemon<Segment>();
const received = daemon.segments;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/closed`;
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(() => {
  daemon.close();
  server.close();
});

/** Runs the fixture with a Lambda environment and `env` on top (undefined removes a variable). */
async function run(env: Record<string, string | undefined>): Promise<unknown> {
  received.length = 0;
  requests.length = 0;
  const lambdaEnv: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'calls',
    AWS_REGION: 'eu-west-2',
    _HANDLER: 'index.handler',
    _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: daemon.address,
    SERVER_URL: serverUrl,
    CLOSED_URL: closedUrl,
    ...env,
  };
  // Not spawnSync: the server the child calls answers from this process's event loop.
  const child = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const options = {
      encoding: 'utf8' as const,
      timeout: 60_000,
      env: Object.fromEntries(Object.entries(lambdaEnv).filter(([, value]) => value !== undefined)),
    };
    execFile(process.execPath, [script], options, (error, stdout, stderr) =>
      resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
  expect({ status: child.status, stderr: child.stderr }).toEqual({ status: 0, stderr: '' });
  // Datagrams from the child may still be in the socket's queue.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!);
}

/** Every segment document, with those embedded in their parents. */
const flatten = (segments: Segment[]): Segment[] =>
  segments.flatMap((segment) => [segment, ...flatten(segment.subsegments ?? [])]);

const remote = () => flatten(received).filter((segment) => segment.namespace === 'remote');

describe('X-Ray around the handler', () => {
  it('records fetch and node:http calls as remote subsegments that carry the trace on', async () => {
    expect(await run({})).toBe('called');
    const handler = flatten(received).find((segment) => segment.name === '## index.handler')!;
    expect(handler.trace_id).toBe(ROOT);
    const calls = remote();
    const byPath = (path: string) => calls.find((call) => call.http?.request?.url.endsWith(path));

    // The query, where credentials may travel, stays out of the recorded URL.
    expect(byPath('/ok')).toMatchObject({
      name: '127.0.0.1',
      parent_id: handler.id,
      http: {
        request: { url: `${serverUrl}/ok`, method: 'GET' },
        response: { status: 200, content_length: 5 },
      },
    });
    expect(calls.some((call) => call.http?.request?.url.includes('secret'))).toBe(false);
    expect(byPath('/missing')).toMatchObject({ error: true, http: { response: { status: 404 } } });
    expect(byPath('/missing')?.fault).toBeUndefined();
    expect(byPath('/busy')).toMatchObject({ error: true, throttle: true });
    expect(byPath('/broken')).toMatchObject({ fault: true, http: { response: { status: 503 } } });
    expect(byPath('/closed')).toMatchObject({ error: true, cause: { exceptions: [{ remote: true }] } });
    expect(byPath('/legacy')).toMatchObject({
      parent_id: handler.id,
      http: { request: { method: 'GET' }, response: { status: 200 } },
    });

    // Each request names its own subsegment as the parent of whatever the callee records.
    for (const path of ['/ok', '/missing', '/legacy']) {
      const header = requests.find((request) => request.path === path)?.headers['x-amzn-trace-id'];
      expect(header).toBe(`Root=${ROOT};Parent=${byPath(path)!.id};Sampled=1`);
    }
  });

  it('records no calls and adds no header when captureHttpRequests is off', async () => {
    expect(await run({ POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false' })).toBe('called');
    expect(flatten(received).some((segment) => segment.name === '## index.handler')).toBe(true);
    expect(remote()).toEqual([]);
    expect(requests.map((request) => request.headers['x-amzn-trace-id'])).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it.each([
    ['outside a Lambda execution environment', { AWS_EXECUTION_ENV: undefined }],
    ['under sam local', { AWS_SAM_LOCAL: 'true' }],
    ["under Amplify's mock", { AWS_EXECUTION_ENV: 'AWS_Lambda_amplify-mock' }],
  ])('sends nothing %s', async (_where, env) => {
    expect(await run(env)).toBe('called');
    expect(received).toEqual([]);
    expect(requests.every((request) => request.headers['x-amzn-trace-id'] === undefined)).toBe(true);
  });
});
