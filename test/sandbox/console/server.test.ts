import { readFile } from 'node:fs/promises';
import { get, request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { parseDashboard } from '../../../sandbox/console/dashboard.js';
import type { ConsoleAlarm } from '../../../sandbox/console/alarms.js';
import type { MetricWidgetData } from '../../../sandbox/console/data.js';
import type { Widget } from '../../../sandbox/console/dashboard.js';
import type { LogRecord } from '../../../sandbox/console/logs.js';
import {
  ConsoleStartError,
  startConsole,
  type ConsoleData,
  type ConsoleSnapshot,
  type HeadlineCounters,
  type ReceivedSlackMessage,
  type RunningConsole,
} from '../../../sandbox/console/server.js';
import type { TraceSummary, Waterfall } from '../../../sandbox/console/traces.js';
import { CORRELATION_FAILED, NOW, TRACE_ID, syntheticConsole } from './support/synthetic-console.js';

const running: RunningConsole[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.close()));
});

async function start(data: ConsoleData, refreshMs = 1000): Promise<RunningConsole> {
  const console = await startConsole({ port: 0, data, refreshMs });
  running.push(console);
  return console;
}

interface DashboardLayout {
  present: boolean;
  windowMs?: number;
  widgets: Widget[];
}
interface LogAnswer {
  records: LogRecord[];
  functionNames: string[];
  version: number;
}
interface SlackPayload {
  attachments: { color: string }[];
}

async function getJson<T = { error: string }>(
  url: string,
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** Opens the event stream and collects `snapshot` events until `count` have arrived. */
function snapshots(
  url: string,
  count: number,
): Promise<{ events: ConsoleSnapshot[]; response: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const events: ConsoleSnapshot[] = [];
    let buffer = '';
    const request = get(`${url}/api/events`, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^event: snapshot\ndata: (.*)$/s.exec(frame)?.[1];
          if (data) events.push(JSON.parse(data) as ConsoleSnapshot);
          end = buffer.indexOf('\n\n');
        }
        if (events.length >= count) {
          request.destroy();
          resolve({ events, response });
        }
      });
    });
    request.on('error', (error) => {
      if (events.length < count) reject(error);
    });
  });
}

describe('the JSON endpoints', () => {
  test('dashboard layout, widget data, alarms, counters, Slack, traces and one trace', async () => {
    const { data } = syntheticConsole();
    const { url } = await start(data);

    const dashboard = await getJson<DashboardLayout>(`${url}/api/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(dashboard.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(dashboard.body).toMatchObject({ present: true, windowMs: 15 * 60_000 });
    expect(dashboard.body.widgets.map((w) => w.type)).toEqual([
      'text',
      'alarm',
      'metric',
      'metric',
      'metric',
      'log',
    ]);

    const widgets = await getJson<MetricWidgetData[]>(`${url}/api/widgets`);
    expect(widgets.body.map((w) => w.title)).toEqual([
      'Requests and errors',
      'Latency',
      'Orders (last minute)',
    ]);
    expect(widgets.body[0]!.series[2]).toMatchObject({ label: 'error rate %', latest: 30 });

    const alarms = await getJson<ConsoleAlarm[]>(`${url}/api/alarms`);
    expect(alarms.body.map((a) => [a.name, a.state])).toEqual([
      ['orders-high-error-rate', 'ALARM'],
      ['orders-p99-latency', 'OK'],
    ]);

    expect((await getJson<HeadlineCounters>(`${url}/api/counters`)).body).toEqual({
      invocations: 280,
      coldStarts: 3,
      errors: 24,
      timeouts: 1,
    });

    const slack = await getJson<ReceivedSlackMessage[]>(`${url}/api/slack`);
    expect(slack.body).toHaveLength(1);
    expect((slack.body[0]!.payload as SlackPayload).attachments[0]!.color).toBe('#E01E5A');

    const traces = await getJson<TraceSummary[]>(`${url}/api/traces`);
    expect(traces.body).toEqual([expect.objectContaining({ id: TRACE_ID, name: 'orders-api', fault: true })]);
    const trace = await getJson<Waterfall>(`${url}/api/traces/${TRACE_ID}`);
    expect(trace.body.rows.map((r) => r.name)).toEqual([
      'orders-api',
      'DynamoDB PutItem',
      'payment provider',
      'SQS SendMessage',
      'order-worker',
    ]);
  });

  test('log search by correlation id, level, function and text', async () => {
    const { url } = await start(syntheticConsole().data);
    const search = async (query: string) => (await getJson<LogAnswer>(`${url}/api/logs?${query}`)).body;
    const all = await search('');
    expect(all.records.map((r) => r.message)).toEqual([
      'retrying order',
      'payment provider timed out',
      'order created',
      'START RequestId: req-1 Version: $LATEST',
    ]);
    expect(all.functionNames).toEqual(['order-worker', 'orders-api']);
    expect(all.version).toBe(4);
    expect((await search(`correlationId=${CORRELATION_FAILED}`)).records.map((r) => r.message)).toEqual([
      'retrying order',
      'payment provider timed out',
    ]);
    expect((await search('level=WARN')).records).toHaveLength(2);
    expect((await search('function=order-worker')).records.map((r) => r.message)).toEqual(['retrying order']);
    expect((await search('q=PAYMENT&limit=1')).records.map((r) => r.message)).toEqual([
      'payment provider timed out',
    ]);
  });

  test('unknown paths, unknown traces, bad limits and writes get clear errors', async () => {
    const { url } = await start(syntheticConsole().data);
    expect(await getJson(`${url}/api/nothing`)).toMatchObject({
      status: 404,
      body: { error: 'nothing at /api/nothing' },
    });
    expect(await getJson(`${url}/api/traces/1-00000000-000000000000000000000000`)).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/no trace 1-0+-0+/) },
    });
    expect(await getJson(`${url}/api/traces?limit=0`)).toMatchObject({
      status: 400,
      body: { error: 'limit must be a positive integer' },
    });
    const post = await fetch(`${url}/api/alarms`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${url}/../../etc/passwd`)).status).toBe(404);
    // A path the URL parser does not normalise reaches the handler as written.
    const raw = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port: new URL(url).port, path: '/%2e%2e/package.json' },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(raw).toBe(404);
  });

  test('a failing data source is reported, and the rest of the console keeps working', async () => {
    const { data } = syntheticConsole();
    const { url } = await start({
      ...data,
      alarms: () => {
        throw new Error('evaluator exploded');
      },
    });
    expect(await getJson(`${url}/api/alarms`)).toMatchObject({
      status: 500,
      body: { error: 'evaluator exploded' },
    });
    const snapshot = (await getJson<ConsoleSnapshot>(`${url}/api/snapshot`)).body;
    expect(snapshot.errors).toEqual({ alarms: 'evaluator exploded' });
    expect(snapshot.counters?.invocations).toBe(280);
    expect((await getJson(`${url}/api/counters`)).status).toBe(200);
  });
});

describe('hostile requests', () => {
  /** A GET with the path exactly as written; answers status and parsed body. */
  const rawGet = (url: string, path: string) =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const request = httpRequest({ host: '127.0.0.1', port: new URL(url).port, path }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      });
      request.on('error', reject);
      request.end();
    });

  test.each([
    '%E0%A4%A', // a three-byte sequence cut short
    '%', // an escape with no digits
    '%zz', // not hex
    '1-abc%G1', // not hex, after a good start
    '%C0%80', // an overlong encoding of NUL
    '%ED%A0%80', // a UTF-16 surrogate
    '%FF', // never valid in UTF-8
    '%E0%A4%A%E0%A4%A', // twice
  ])('a trace id with a malformed escape (%s) is 400, not 500', async (id) => {
    const { url } = await start(syntheticConsole().data);
    expect(await rawGet(url, `/api/traces/${id}`)).toEqual({
      status: 400,
      body: { error: 'the trace id is not valid percent-encoded UTF-8' },
    });
  });

  test('an error from the file system says what failed but never where', async () => {
    const { data } = syntheticConsole();
    const systemError = await readFile(join(tmpdir(), 'lookout-missing', 'slack.json')).catch(
      (e: unknown) => e,
    );
    const { url } = await start({
      ...data,
      counters: () => {
        throw new Error(`cannot read ${join(tmpdir(), 'lookout-state', 'counters.json')}`);
      },
      slackMessages: () => {
        throw systemError;
      },
    });
    const snapshot = (await getJson<ConsoleSnapshot>(`${url}/api/snapshot`)).body;
    expect(snapshot.errors).toEqual({ counters: 'cannot read <path>', slack: 'open failed (ENOENT)' });
    const counters = await getJson(`${url}/api/counters`);
    expect(counters).toMatchObject({ status: 500, body: { error: 'cannot read <path>' } });
    expect(JSON.stringify(snapshot)).not.toContain(tmpdir());
  });
});

describe('the page and its files', () => {
  test('serves the page, its scripts and Chart.js from node_modules, with a strict policy', async () => {
    const { url } = await start(syntheticConsole().data);
    const page = await fetch(url);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<title>Lookout sandbox</title>');
    const chart = await fetch(`${url}/vendor/chart.umd.js`);
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await chart.text()).toMatch(/Chart\.js v4/);
    for (const path of ['/app.js', '/render.js', '/style.css'])
      expect((await fetch(`${url}${path}`)).status).toBe(200);
    const head = await fetch(`${url}/api/counters`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});

describe('live updates', () => {
  test('the event stream sends a snapshot at once and a new one when the figures change', async () => {
    const { data } = syntheticConsole();
    let invocations = 280;
    const { url } = await start(
      { ...data, counters: () => ({ invocations: invocations++, coldStarts: 3, errors: 24 }) },
      50,
    );
    const { events, response } = await snapshots(url, 3);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(events[0]).toMatchObject({ now: NOW, counters: { invocations: 280 }, logsVersion: 4 });
    expect(events[0]!.alarms?.map((a) => a.state)).toEqual(['ALARM', 'OK']);
    expect(events[0]!.traces).toHaveLength(1);
    expect(events[0]!.slack).toHaveLength(1);
    expect(events[0]!.widgets).toHaveLength(3);
    // The log widget's Logs Insights query, run over the log store.
    expect(events[0]!.logWidgets).toEqual([
      {
        index: 5,
        columns: ['@timestamp', 'message'],
        rows: [[NOW - 30_000, 'payment provider timed out']],
        problems: [],
      },
    ]);
    expect(events[2]!.counters!.invocations).toBeGreaterThan(events[1]!.counters!.invocations);
  });

  test('close() ends open streams and frees the port', async () => {
    const console = await startConsole({ port: 0, data: syntheticConsole().data });
    const stream = await new Promise<IncomingMessage>((resolve) => get(`${console.url}/api/events`, resolve));
    const ended = new Promise<void>((resolve) => {
      stream.on('close', () => resolve());
      stream.resume();
    });
    await console.close();
    await ended;
    const again = await startConsole({ port: console.port, data: syntheticConsole().data });
    running.push(again);
    expect(again.port).toBe(console.port);
  });
});

describe('starting', () => {
  test('a busy port gives a clear error', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const attempt = startConsole({ port, data: syntheticConsole().data });
      await expect(attempt).rejects.toThrow(ConsoleStartError);
      await expect(startConsole({ port, data: syntheticConsole().data })).rejects.toThrow(
        `the console cannot listen on 127.0.0.1:${port}: the port is already in use (another sandbox running?); choose another port`,
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('an unreadable dashboard body is refused at start', async () => {
    await expect(
      startConsole({ port: 0, data: { ...syntheticConsole().data, dashboard: '{"widgets":' } }),
    ).rejects.toThrow(/the console cannot read the dashboard: dashboard body is not valid JSON/);
  });

  test('takes an already parsed dashboard, or none', async () => {
    const { data } = syntheticConsole();
    const parsed = await start({
      ...data,
      dashboard: parseDashboard({ widgets: [{ type: 'text', properties: { markdown: 'hi' } }] }),
    });
    expect((await getJson<DashboardLayout>(`${parsed.url}/api/dashboard`)).body.widgets).toEqual([
      expect.objectContaining({ type: 'text', markdown: 'hi' }),
    ]);
    const { dashboard: _, ...withoutDashboard } = data;
    const none = await start(withoutDashboard);
    expect((await getJson<DashboardLayout>(`${none.url}/api/dashboard`)).body).toEqual({
      present: false,
      widgets: [],
    });
    expect((await getJson<MetricWidgetData[]>(`${none.url}/api/widgets`)).body).toEqual([]);
  });
});
