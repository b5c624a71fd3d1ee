/**
 * The sandbox console: one page on loopback showing the stack's dashboard with live data, the
 * alarms, log search, traces, the Slack messages the alarms produced and the CPU profiles the
 * functions captured. JSON endpoints serve each part; the page gets a fresh snapshot every second
 * over Server-Sent Events.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AlarmDefinition } from '../alarms/types.js';
import { acceptLoopbackOnly, publicErrorMessage } from '../loopback-http.js';
import type { MetricStore } from '../metrics/store.js';
import type { ConsoleAlarm } from './alarms.js';
import { parseDashboard, type Dashboard } from './dashboard.js';
import { computeDashboardData, type MetricWidgetData } from './data.js';
import { computeLogWidgetData, type LogWidgetData } from './logs-insights.js';
import type { LogSearch, LogSource } from './logs.js';
import {
  findProfile,
  listConsoleProfiles,
  PROFILES_PATH,
  readProfileFile,
  type ProfileSource,
} from './profiles.js';
import type { DocumentQuery } from '../aws/search.js';
import { DEFAULT_SHIPPED_LIMIT, shippedLogs, type ShippedLogSource } from './shipped-logs.js';
import { buildWaterfall, summarizeTrace, type TraceSource, type TraceSummary } from './traces.js';

export interface HeadlineCounters {
  invocations: number;
  coldStarts: number;
  errors: number;
  /** Any further figures to show in the header (e.g. throttles, timeouts). */
  [name: string]: number;
}

export interface ReceivedSlackMessage {
  /** Epoch ms. */
  receivedAt: number;
  /** The Block Kit payload as posted (`text`, `blocks`, `attachments`). */
  payload: unknown;
  /** Which webhook it went to, e.g. the severity; never the webhook URL. */
  route?: string;
}

/** Everything the console shows; each function is called when the page needs fresh figures. */
export interface ConsoleData {
  /** The dashboard body (JSON text or object) or an already parsed Dashboard. Absent: no dashboard section. */
  dashboard?: Dashboard | string | Record<string, unknown>;
  metrics: MetricStore;
  /** "Now" in the metrics' time (the simulated clock). Default Date.now. */
  now?: () => number;
  /** Time window of the charts. Default: the dashboard's own (`start`, 3 hours when unset). */
  windowMs?: number;
  /** For widgets that draw an alarm (CDK AlarmWidget) and thresholds. */
  alarmDefinitions?: readonly AlarmDefinition[];
  alarms(): readonly ConsoleAlarm[];
  logs: LogSource;
  traces: TraceSource;
  slackMessages(): readonly ReceivedSlackMessage[];
  counters(): HeadlineCounters;
  /** The functions' CPU profiles. Absent: the profiles list is empty. */
  profiles?: ProfileSource;
  /** What the log shipper indexed. Absent: the shipped-logs list is empty. */
  shippedLogs?: ShippedLogSource;
}

export interface ConsoleOptions {
  /** 0 picks a free port. */
  port: number;
  host?: '127.0.0.1';
  data: ConsoleData;
  /** How often the page gets new figures. Default 1000 ms. */
  refreshMs?: number;
  /** Items of each list the live snapshot carries (traces, Slack messages). Default 50. */
  listLimit?: number;
}

/** What `/api/snapshot` returns and each Server-Sent Event (`event: snapshot`) carries. */
export interface ConsoleSnapshot {
  /** "Now" in the metrics' time, epoch ms. */
  now: number;
  counters?: HeadlineCounters;
  alarms?: readonly ConsoleAlarm[];
  widgets?: MetricWidgetData[];
  /** Rows of the dashboard's log widgets, their Logs Insights queries run over the log store. */
  logWidgets?: LogWidgetData[];
  /** Newest first. */
  slack?: ReceivedSlackMessage[];
  /** Most recently updated first. */
  traces?: TraceSummary[];
  /** Changes when log lines are added: the page searches again. */
  logsVersion?: number;
  /** Changes when a CPU profile is written: the page lists them again (`/api/profiles`). */
  profilesVersion?: number;
  /** Changes when the log shipper indexes documents: the page searches them again. */
  shippedLogsVersion?: number;
  /** Parts whose source threw, with the message; the other parts are still there. */
  errors?: Record<string, string>;
}

export interface RunningConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

export class ConsoleStartError extends Error {
  override name = 'ConsoleStartError';
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');

const STATIC_FILES: Record<string, { path: string; type: string }> = {
  '/': { path: join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/index.html': { path: join(PUBLIC_DIR, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { path: join(PUBLIC_DIR, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/render.js': { path: join(PUBLIC_DIR, 'render.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { path: join(PUBLIC_DIR, 'style.css'), type: 'text/css; charset=utf-8' },
  '/vendor/chart.umd.js': { path: CHART_JS, type: 'text/javascript; charset=utf-8' },
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
};

const MAX_LIST_LIMIT = 500;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Part =
  | 'counters'
  | 'alarms'
  | 'widgets'
  | 'logWidgets'
  | 'slack'
  | 'traces'
  | 'logsVersion'
  | 'profilesVersion'
  | 'shippedLogsVersion';

/** Starts the console on loopback. Rejects with ConsoleStartError when the port is taken or the dashboard cannot be read. */
export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const { data } = options;
  const host = options.host ?? '127.0.0.1';
  const refreshMs = options.refreshMs ?? 1000;
  if (!(refreshMs >= 50)) throw new ConsoleStartError('refreshMs must be at least 50');
  const listLimit = Math.min(Math.max(1, options.listLimit ?? 50), MAX_LIST_LIMIT);
  let dashboard: Dashboard | undefined;
  try {
    dashboard = readDashboard(data.dashboard);
  } catch (error) {
    throw new ConsoleStartError(`the console cannot read the dashboard: ${(error as Error).message}`);
  }
  const now = data.now ?? Date.now;
  let logWidgetCache: { version: number; value: LogWidgetData[] } | undefined;

  const parts: { [K in Part]: () => NonNullable<ConsoleSnapshot[K]> } = {
    counters: () => data.counters(),
    alarms: () => data.alarms(),
    widgets: () =>
      dashboard
        ? computeDashboardData(dashboard, data.metrics, {
            now: now(),
            ...(data.windowMs !== undefined ? { windowMs: data.windowMs } : {}),
            ...(data.alarmDefinitions ? { alarms: data.alarmDefinitions } : {}),
          })
        : [],
    logWidgets: () => {
      // Queries read up to a thousand lines: run them again only when lines were added.
      if (logWidgetCache?.version !== data.logs.version) {
        const widgets = dashboard?.widgets.filter((widget) => widget.type === 'log') ?? [];
        logWidgetCache = {
          version: data.logs.version,
          value: widgets.map((widget) => computeLogWidgetData(widget, data.logs)),
        };
      }
      return logWidgetCache.value;
    },
    slack: () => newestSlack(data.slackMessages(), listLimit),
    traces: () => data.traces.traces(listLimit).map(summarizeTrace),
    logsVersion: () => data.logs.version,
    profilesVersion: () => data.profiles?.version ?? 0,
    shippedLogsVersion: () => data.shippedLogs?.version ?? 0,
  };

  const snapshot = (): ConsoleSnapshot => {
    const result: ConsoleSnapshot = { now: now() };
    const errors: Record<string, string> = {};
    for (const name of Object.keys(parts) as Part[]) {
      try {
        (result as unknown as Record<Part, unknown>)[name] = parts[name]();
      } catch (error) {
        errors[name] = publicErrorMessage(error);
      }
    }
    if (Object.keys(errors).length > 0) result.errors = errors;
    return result;
  };

  const routes: Record<string, (url: URL) => unknown> = {
    '/api/dashboard': () => ({
      ...(dashboard?.name !== undefined ? { name: dashboard.name } : {}),
      present: dashboard !== undefined,
      windowMs: data.windowMs ?? dashboard?.windowMs,
      widgets: dashboard?.widgets ?? [],
    }),
    '/api/snapshot': () => snapshot(),
    '/api/widgets': () => parts.widgets(),
    '/api/alarms': () => parts.alarms(),
    '/api/counters': () => parts.counters(),
    '/api/slack': (url) => newestSlack(data.slackMessages(), limitOf(url, listLimit)),
    '/api/traces': (url) => data.traces.traces(limitOf(url, listLimit)).map(summarizeTrace),
    '/api/logs': (url) => ({
      version: data.logs.version,
      functionNames: data.logs.functionNames?.() ?? [],
      records: data.logs.search(logSearchOf(url)),
    }),
    '/api/shipped-logs': (url) =>
      data.shippedLogs
        ? shippedLogs(data.shippedLogs, shippedQueryOf(url))
        : { version: 0, total: 0, indices: [], documents: [] },
    [PROFILES_PATH]: (url) =>
      data.profiles ? listConsoleProfiles(data.profiles, limitOf(url, listLimit)) : [],
  };

  const streams = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;
  let lastSent = '';
  let lastSentAt = 0;
  const broadcast = (force = false) => {
    let text: string;
    try {
      text = JSON.stringify(snapshot());
    } catch (error) {
      text = JSON.stringify({ errors: { snapshot: publicErrorMessage(error) } });
    }
    const unchanged = text === lastSent;
    if (unchanged && !force && Date.now() - lastSentAt < 15_000) return;
    lastSent = text;
    lastSentAt = Date.now();
    const frame = unchanged && !force ? ': unchanged\n\n' : `event: snapshot\ndata: ${text}\n\n`;
    for (const stream of streams) stream.write(frame);
  };
  const openStream = (request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write('retry: 2000\n\n');
    response.write(`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
    streams.add(response);
    timer ??= setInterval(broadcast, refreshMs);
    request.once('close', () => {
      streams.delete(response);
      if (streams.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
        lastSent = '';
      }
    });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      throw Object.assign(new HttpError(405, `${request.method} is not allowed; the console is read-only`), {
        allow: 'GET, HEAD',
      });
    }
    const url = requestUrl(request);
    if (url.pathname === '/api/events') return openStream(request, response);
    const file = STATIC_FILES[url.pathname];
    if (file) {
      const body = await readFile(file.path);
      response.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': file.type,
        'cache-control': 'no-cache',
      });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    const traceMatch = /^\/api\/traces\/([^/]+)$/.exec(url.pathname);
    if (traceMatch) {
      const id = decodePathSegment(traceMatch[1]!, 'the trace id');
      const tree = data.traces.trace(id);
      if (!tree) throw new HttpError(404, `no trace ${id} (it may have been evicted)`);
      return sendJson(request, response, 200, buildWaterfall(tree));
    }
    if (url.pathname.startsWith(`${PROFILES_PATH}/`)) {
      return sendProfile(request, response, data.profiles, url.pathname.slice(PROFILES_PATH.length + 1));
    }
    const route = routes[url.pathname];
    if (!route) throw new HttpError(404, `nothing at ${url.pathname}`);
    return sendJson(request, response, 200, await route(url));
  };

  const sockets = new Set<Socket>();
  const server = acceptLoopbackOnly(
    createServer((request, response) => {
      handle(request, response).catch((error: unknown) => {
        if (response.headersSent) {
          response.destroy();
          return;
        }
        const status = error instanceof HttpError ? error.status : 500;
        const allow = (error as { allow?: string }).allow;
        if (allow) response.setHeader('allow', allow);
        const message = error instanceof HttpError ? error.message : publicErrorMessage(error);
        sendJson(request, response, status, { error: message });
      });
    }),
  );
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new ConsoleStartError(
          error.code === 'EADDRINUSE'
            ? `the console cannot listen on ${host}:${options.port}: the port is already in use (another sandbox running?); choose another port`
            : `the console cannot listen on ${host}:${options.port}: ${error.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        timer = undefined;
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

function readDashboard(input: ConsoleData['dashboard']): Dashboard | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'object' && input !== null && isParsedDashboard(input)) return input;
  return parseDashboard(input);
}

function isParsedDashboard(value: object): value is Dashboard {
  const widgets = (value as { widgets?: unknown }).widgets;
  return (
    typeof (value as { windowMs?: unknown }).windowMs === 'number' &&
    Array.isArray(widgets) &&
    widgets.every((widget) => typeof widget === 'object' && widget !== null && 'index' in widget)
  );
}

/** The request's URL; a target that is not one is the client's mistake (400). */
function requestUrl(request: IncomingMessage): URL {
  try {
    return new URL(request.url ?? '/', 'http://console.invalid');
  } catch {
    throw new HttpError(400, 'the request target is not a valid URL');
  }
}

/** A percent-encoded path segment, decoded; a malformed escape (`%E0%A4%A`, `%zz`) is a 400. */
function decodePathSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `${what} is not valid percent-encoded UTF-8`);
  }
}

function newestSlack(messages: readonly ReceivedSlackMessage[], limit: number): ReceivedSlackMessage[] {
  return [...messages].sort((a, b) => b.receivedAt - a.receivedAt).slice(0, limit);
}

function limitOf(url: URL, fallback: number): number {
  const raw = url.searchParams.get('limit');
  if (raw === null || raw === '') return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1) throw new HttpError(400, 'limit must be a positive integer');
  return Math.min(limit, MAX_LIST_LIMIT);
}

function logSearchOf(url: URL): LogSearch {
  const value = (name: string) => {
    const raw = url.searchParams.get(name)?.trim();
    return raw ? raw : undefined;
  };
  const search: LogSearch = {};
  const correlationId = value('correlationId');
  const requestId = value('requestId');
  const traceId = value('traceId');
  const functionName = value('function');
  const level = value('level');
  const text = value('q');
  if (correlationId) search.correlationId = correlationId;
  if (requestId) search.requestId = requestId;
  if (traceId) search.traceId = traceId;
  if (functionName) search.functionName = functionName;
  if (level) search.level = level;
  if (text) search.text = text;
  if (value('limit')) search.limit = limitOf(url, 200);
  return search;
}

function shippedQueryOf(url: URL): DocumentQuery {
  const value = (name: string) => url.searchParams.get(name)?.trim() || undefined;
  const text = value('q');
  const correlationId = value('correlationId');
  const index = value('index');
  return {
    ...(text ? { text } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(index ? { index } : {}),
    ...(value('limit') ? { limit: limitOf(url, DEFAULT_SHIPPED_LIMIT) } : {}),
  };
}

/** A profile file as a download; `encodedKey` is the rest of the path, still percent-encoded. */
async function sendProfile(
  request: IncomingMessage,
  response: ServerResponse,
  source: ProfileSource | undefined,
  encodedKey: string,
): Promise<void> {
  if (!source) throw new HttpError(404, 'this console has no CPU profiles');
  const lookup = await findProfile(source, encodedKey);
  if ('status' in lookup) throw new HttpError(lookup.status, lookup.message);
  const profile = lookup.found;
  const body = await readProfileFile(profile.path);
  if (!body) throw new HttpError(404, `no profile ${profile.key}`);
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    // Keys hold only [A-Za-z0-9._-] and one slash, so the name needs no quoting rules.
    'content-disposition': `attachment; filename="${profile.key.replace('/', '_')}"`,
    'content-length': String(body.length),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function sendJson(request: IncomingMessage, response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : text);
}
