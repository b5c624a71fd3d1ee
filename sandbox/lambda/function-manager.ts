/**
 * A local Lambda function: invocations run in containers (child processes) that are started on
 * demand, reused while warm, spread out under concurrent load up to a concurrency limit, reaped
 * when idle, and killed on a timeout. Each finished invocation is reported to listeners with its
 * output lines and a `platform.report` record, the way Lambda's JSON log format writes it.
 */
import { SANDBOX_ACCOUNT } from '../account.js';
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createSegmentEmitter, type SegmentEmitter } from '../xray/emitter.js';
import { PROJECT_ROOT, type FunctionBundle } from './bundle.js';
import { Container, INIT_TIME_LIMIT_MS, type ContainerOutcome } from './container.js';
import { ContainerPool } from './container-pool.js';
import { containerEnvironment, maxOldSpaceSizeMb, reservedKeysIn } from './environment.js';
import type { FunctionError } from './protocol.js';
import { buildRuntime } from './runtime-build.js';
import type { Failure, InvocationStatus, PlatformReport } from './platform.js';
import {
  functionSegment,
  initFailure,
  initReport,
  MAX_PAYLOAD_BYTES,
  platformReport,
  runOutcome,
} from './platform.js';
import { formatTraceHeader, invocationTraceHeader } from './trace-header.js';

export type { InvocationStatus, PlatformReport };
export { MAX_PAYLOAD_BYTES };

export type { FunctionError } from './protocol.js';

export interface FunctionConfig {
  name: string;
  /** The bundle from `bundleFunction`, or the function's code folder (its LAMBDA_TASK_ROOT). */
  bundle: FunctionBundle | string;
  /** `[path/]module.export`, as Lambda's Node.js runtime reads it. @default 'index.handler' */
  handler?: string;
  /** The function's Lambda runtime; only the Node.js runtimes Lambda supports can run. @default 'nodejs24.x' */
  runtime?: string;
  /** Why the sandbox cannot run this function's code (its runtime aside); then every invocation fails. */
  notEmulated?: string;
  /** The folders of its layers, in order: what Lambda extracts into /opt. */
  layers?: string[];
  /** LoggingConfig.LogFormat: how the runtime writes `console.*` records and platform lines. @default 'Text' */
  logFormat?: 'Text' | 'JSON';
  /** LoggingConfig.ApplicationLogLevel: the least `console.*` level kept, in JSON format. @default 'INFO' */
  applicationLogLevel?: string;
  /** @default 128 */
  memoryMb?: number;
  /** @default 3 */
  timeoutSeconds?: number;
  /** The function's own environment variables (Lambda's reserved keys are refused). */
  environment?: Record<string, string>;
  /**
   * The function's reserved concurrency: most invocations in flight at once; beyond it an
   * invocation is throttled, as Lambda throttles it. @default no limit but the account's
   */
  maxConcurrency?: number;
  /**
   * Most containers (Node processes) this machine runs for the function. Beyond it an invocation
   * waits for a container to be free rather than being throttled: the limit is the machine's, not
   * the function's, and must not show as Throttles. @default 10
   */
  maxContainers?: number;
  /** How long a warm container may sit unused before it is stopped. @default 300000 (5 minutes) */
  idleTimeoutMs?: number;
  /** @default 'us-east-1' */
  region?: string;
  /** @default the sandbox's account (`SANDBOX_ACCOUNT`) */
  accountId?: string;
  /**
   * The X-Ray daemon (`host:port`): given to the function as AWS_XRAY_DAEMON_ADDRESS, and where the
   * function's own segment (what Lambda records around the handler) is sent.
   */
  xrayDaemonAddress?: string;
  /** Folder for the built container runtime. @default `.sandbox/runtime` */
  runtimeDir?: string;
}

export interface InvokeOptions {
  /** An incoming X-Ray header to continue (`Root=...;Parent=...;Sampled=...`). */
  traceHeader?: string;
  /** @default a random UUID */
  requestId?: string;
}

/** Lambda's default concurrency limit per account and region. */
const ACCOUNT_CONCURRENCY = 1000;

export interface InvocationResult {
  requestId: string;
  status: InvocationStatus;
  /** The handler's result (parsed from its JSON), when it succeeded. */
  result?: unknown;
  error?: FunctionError;
  /** Epoch milliseconds when the invocation was received. */
  startedAt: number;
  durationMs: number;
  /** Rounded up to the millisecond; the init phase of a cold start is billed too. */
  billedDurationMs: number;
  maxMemoryUsedMb: number;
  /** Cold starts only. */
  initDurationMs?: number;
  coldStart: boolean;
  /** Absent when throttled. */
  containerId?: string;
  /** Every line the invocation wrote to stdout or stderr, in order (a cold start's init output first). */
  lines: string[];
  /** The `_X_AMZN_TRACE_ID` the handler ran with. */
  traceHeader: string;
}

export interface InvocationRecord {
  functionName: string;
  result: InvocationResult;
  lines: string[];
  /** Absent for a throttled invocation, which never ran (Lambda writes no report for it). */
  report?: PlatformReport;
  /** Invocations of this function running when this one started, itself included (0 if throttled). */
  concurrentExecutions: number;
}

export type InvocationListener = (record: InvocationRecord) => void;

export interface ContainerInfo {
  id: string;
  pid: number | undefined;
  state: 'starting' | 'idle' | 'busy' | 'dead';
  invocations: number;
  startedAt: number;
}

export interface FunctionManager {
  readonly name: string;
  readonly runtime: string;
  /** Why the function cannot run here (its runtime), when it cannot; every invocation then fails. */
  readonly notEmulated: string | undefined;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly maxConcurrency: number;
  /** Runs one invocation. Rejects only when the request itself is invalid (see InvokeError). */
  invoke(event: unknown, options?: InvokeOptions): Promise<InvocationResult>;
  /** Calls `listener` after every invocation, throttled ones included; returns an unsubscribe function. */
  onInvocation(listener: InvocationListener): () => void;
  containers(): ContainerInfo[];
  /** Stops every container. Safe to call more than once. */
  close(): Promise<void>;
}

/** A request Lambda's Invoke API would refuse before running anything. */
export class InvokeError extends Error {
  override name = 'InvokeError';
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

/** Node.js runtimes Lambda runs today, newest first (the sandbox runs them all on its own Node). */
export const EMULATED_RUNTIMES = ['nodejs24.x', 'nodejs22.x'] as const;

/** When Lambda stopped creating functions on a deprecated Node.js runtime (from AWS's runtime pages). */
const DEPRECATED_NODE_RUNTIMES: Record<string, string> = {
  'nodejs20.x': 'Aug 31, 2026',
  'nodejs14.x': 'Jan 9, 2024',
};

/** What a function packaged as a container image has for a runtime (its template declares none). */
export const CONTAINER_IMAGE = 'container-image';

/** Why a function on `runtime` cannot run in the sandbox, or undefined when it can. */
export function runtimeSupport(runtime: string): string | undefined {
  if ((EMULATED_RUNTIMES as readonly string[]).includes(runtime)) return undefined;
  const supported = EMULATED_RUNTIMES.join(' or ');
  if (runtime === CONTAINER_IMAGE) {
    return `it is a container image function, and the sandbox runs Node.js functions (${supported}) from their code`;
  }
  if (/^nodejs/.test(runtime)) {
    const since = DEPRECATED_NODE_RUNTIMES[runtime];
    return `its runtime ${runtime} is one Lambda no longer supports${
      since ? ` (no new functions since ${since})` : ''
    }; move it to ${supported}`;
  }
  return `its runtime ${runtime} is not Node.js, and the sandbox runs Node.js functions only (${supported})`;
}

function validate(config: FunctionConfig): void {
  const problems: string[] = [];
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(config.name)) {
    problems.push('name must be 1 to 64 letters, digits, hyphens or underscores');
  }
  const memory = config.memoryMb ?? 128;
  if (!Number.isInteger(memory) || memory < 128 || memory > 10_240) {
    problems.push(`memoryMb must be a whole number from 128 to 10240, not ${memory}`);
  }
  const timeout = config.timeoutSeconds ?? 3;
  if (!Number.isFinite(timeout) || timeout <= 0 || timeout > 900) {
    problems.push(`timeoutSeconds must be more than 0 and at most 900, not ${timeout}`);
  }
  for (const key of ['maxConcurrency', 'maxContainers'] as const) {
    const value = config[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 1))
      problems.push(`${key} must be a whole number of at least 1, not ${value}`);
  }
  const reserved = reservedKeysIn(config.environment ?? {});
  if (reserved.length > 0) {
    problems.push(`environment sets keys Lambda reserves: ${reserved.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new Error(`Function "${config.name}" is misconfigured: ${problems.join('; ')}`);
  }
}

/**
 * The node_modules folder of the sandbox's own installation that holds the AWS SDK for JavaScript
 * v3: Lambda's Node.js runtimes provide the SDK, so bundles often leave `@aws-sdk/*` out, and the
 * containers take it from here when the function's own code has none.
 */
export function runtimeSdkHome(): string {
  const marker = `${sep}node_modules${sep}`;
  const home = (path: string) => {
    const at = path.lastIndexOf(marker);
    return at < 0 ? undefined : path.slice(0, at + marker.length - 1);
  };
  try {
    const found = home(createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb'));
    if (found) return found;
  } catch {
    // No SDK at all: the folder the sandbox is installed in, so a missing client is named there.
  }
  return home(fileURLToPath(import.meta.url)) ?? join(PROJECT_ROOT, 'node_modules');
}

/** The event as Lambda takes it: JSON within the payload limit. */
function serialize(name: string, event: unknown): string {
  let payload: string | undefined;
  try {
    payload = JSON.stringify(event);
  } catch (error) {
    throw new InvokeError(
      'InvalidRequestContentException',
      `Could not serialize the event for ${name}: ${(error as Error).message}`,
    );
  }
  if (payload === undefined) {
    throw new InvokeError('InvalidRequestContentException', `The event for ${name} is not JSON-serializable`);
  }
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
    throw new InvokeError(
      'RequestEntityTooLargeException',
      `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
    );
  }
  return payload;
}

export async function createFunctionManager(config: FunctionConfig): Promise<FunctionManager> {
  validate(config);
  const name = config.name;
  const taskRoot = resolve(typeof config.bundle === 'string' ? config.bundle : config.bundle.directory);
  const handler = config.handler ?? 'index.handler';
  const runtime = config.runtime ?? 'nodejs24.x';
  const notEmulated = config.notEmulated ?? runtimeSupport(runtime);
  try {
    if (!notEmulated && !(await stat(taskRoot)).isDirectory()) throw new Error('not a folder');
  } catch {
    throw new Error(`Function "${name}" has no code folder at ${taskRoot}; bundle it first (bundleFunction)`);
  }
  const memoryMb = config.memoryMb ?? 128;
  const timeoutSeconds = config.timeoutSeconds ?? 3;
  const timeoutMs = Math.round(timeoutSeconds * 1000);
  const maxConcurrency = config.maxConcurrency ?? ACCOUNT_CONCURRENCY;
  const region = config.region ?? 'us-east-1';
  const functionArn = `arn:aws:lambda:${region}:${config.accountId ?? SANDBOX_ACCOUNT}:function:${name}`;
  const runtimeFile = await buildRuntime(config.runtimeDir);
  const runtimeArgs = [runtimeSdkHome(), JSON.stringify(config.layers ?? [])];
  const emitter: SegmentEmitter | undefined = config.xrayDaemonAddress
    ? createSegmentEmitter(config.xrayDaemonAddress)
    : undefined;
  const pool = new ContainerPool({
    name,
    maxContainers: Math.min(config.maxContainers ?? 10, maxConcurrency),
    idleTimeoutMs: config.idleTimeoutMs ?? 300_000,
    spawn: () =>
      new Container({
        runtimeFile,
        runtimeArgs,
        taskRoot,
        maxOldSpaceSizeMb: maxOldSpaceSizeMb(memoryMb),
        initTimeLimitMs: INIT_TIME_LIMIT_MS,
        env: containerEnvironment({
          functionName: name,
          memoryMb,
          region,
          taskRoot,
          runtimeDir: join(runtimeFile, '..'),
          handler,
          runtime,
          ...(config.logFormat && { logFormat: config.logFormat }),
          ...(config.applicationLogLevel && { applicationLogLevel: config.applicationLogLevel }),
          xrayDaemonAddress: config.xrayDaemonAddress,
          environment: config.environment ?? {},
        }),
      }),
  });
  const listeners = new Set<InvocationListener>();
  let running = 0;
  let inFlight = 0;
  let closed = false;

  const deliver = (record: InvocationRecord) => {
    if (closed) return;
    for (const listener of listeners) {
      try {
        listener(record);
      } catch {
        // A collector's failure must not fail the invocation.
      }
    }
  };

  const invoke = async (event: unknown, options: InvokeOptions = {}): Promise<InvocationResult> => {
    if (closed) throw new Error(`Function "${name}" has been closed`);
    const payload = serialize(name, event);
    const requestId = options.requestId ?? randomUUID();
    const trace = invocationTraceHeader(options.traceHeader);
    const traceHeader = formatTraceHeader(trace);
    const startedAt = Date.now();

    /** An invocation that never ran: it fails at once, with no report, and listeners hear of it. */
    const refuse = (status: InvocationStatus, error: FunctionError): InvocationResult => {
      const result: InvocationResult = {
        requestId,
        status,
        error,
        startedAt,
        durationMs: 0,
        billedDurationMs: 0,
        maxMemoryUsedMb: 0,
        coldStart: false,
        lines: [],
        traceHeader,
      };
      deliver({ functionName: name, result, lines: [], concurrentExecutions: 0 });
      return result;
    };
    if (notEmulated) {
      return refuse('error', {
        errorType: 'Sandbox.RuntimeNotEmulated',
        errorMessage: `${name} is not emulated: ${notEmulated}`,
      });
    }
    if (inFlight >= maxConcurrency)
      return refuse('throttled', { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' });
    inFlight += 1;
    let acquired: Awaited<ReturnType<ContainerPool['acquire']>>;
    try {
      acquired = await pool.acquire();
    } catch (error) {
      inFlight -= 1;
      throw error;
    }
    const { container, coldStart } = acquired;
    running += 1;
    const concurrentExecutions = running;
    try {
      let initDurationMs: number | undefined;
      let initStart: number | undefined;
      let initEnd: number | undefined;
      let failure: Failure | undefined;
      if (coldStart) {
        initStart = container.startedAt;
        const start = await container.ready;
        initEnd = Date.now();
        initDurationMs = start.initDurationMs;
        failure = initFailure(start, requestId);
      }

      let outcome: ContainerOutcome | undefined;
      let durationMs = 0;
      const invokeStart = Date.now();
      if (!failure) {
        const began = performance.now();
        outcome = await container.run(
          {
            type: 'invoke',
            requestId,
            payload,
            deadline: invokeStart + timeoutMs,
            traceHeader,
            invokedFunctionArn: functionArn,
          },
          timeoutMs,
        );
        durationMs = outcome.kind === 'timeout' ? timeoutMs : round2(performance.now() - began);
      }
      const invokeEnd = Date.now();

      const lines = container.takeLines();
      if (failure && initDurationMs !== undefined)
        lines.push(initReport(config.logFormat, initDurationMs, failure));
      const ran = outcome && runOutcome(outcome, { requestId, timeoutMs, endedAt: invokeEnd });
      if (ran?.line) lines.push(ran.line);
      const status = failure?.status ?? ran?.status ?? 'success';
      const error = failure?.error ?? ran?.error;
      // A container whose run did not end in a result or an error is not trusted with another.
      pool.release(
        container,
        !failure && (outcome?.kind === 'result' || outcome?.kind === 'error') && container.state !== 'dead',
      );

      const maxMemoryUsedMb = Math.ceil(container.maxRssKb / 1024);
      // Since August 2025 Lambda bills the init phase of on-demand functions as well.
      const billedDurationMs = Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
      const invocation: InvocationResult = {
        requestId,
        status,
        ...(status === 'success' ? { result: ran?.result } : { error }),
        startedAt,
        durationMs,
        billedDurationMs,
        maxMemoryUsedMb,
        ...(initDurationMs !== undefined && { initDurationMs }),
        coldStart,
        containerId: container.id,
        lines,
        traceHeader,
      };
      const report = platformReport({
        requestId,
        endedAt: invokeEnd,
        durationMs,
        billedDurationMs,
        memorySizeMB: memoryMb,
        maxMemoryUsedMB: maxMemoryUsedMb,
        initDurationMs,
        status,
        error,
        tracing: trace.sampled ? { spanId: trace.parent, value: traceHeader } : undefined,
      });
      if (emitter && trace.sampled) {
        emitter.send(
          functionSegment({
            name,
            functionArn,
            requestId,
            trace,
            times: { initStart, initEnd, invokeStart, invokeEnd },
            status,
          }),
        );
      }
      deliver({ functionName: name, result: invocation, lines, report, concurrentExecutions });
      return invocation;
    } finally {
      running -= 1;
      inFlight -= 1;
    }
  };

  return {
    name,
    runtime,
    notEmulated,
    memoryMb,
    timeoutSeconds,
    maxConcurrency,
    invoke,
    onInvocation(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    containers: () =>
      pool.containers.map((container) => ({
        id: container.id,
        pid: container.pid,
        state: container.state,
        invocations: container.invocations,
        startedAt: container.startedAt,
      })),
    async close() {
      closed = true;
      await pool.close();
      emitter?.close();
    },
  };
}
