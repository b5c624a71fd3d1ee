/**
 * What the Lambda platform says around an invocation, in its own words: the outcome of an init
 * phase and of a run (status, error, the timeout line), the INIT_REPORT of a failed init, the
 * `platform.report` record, and the function's X-Ray segment with its Initialization and
 * Invocation subsegments.
 */
import type { ContainerOutcome, ContainerStart } from './container.js';
import { INIT_TIME_LIMIT_MS } from './container.js';
import type { FunctionError } from './protocol.js';
import { newSegmentId } from './trace-header.js';

export type InvocationStatus = 'success' | 'error' | 'timeout' | 'throttled';

/** Lambda's limit for a synchronous request or response payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: 'killed',
  SIGABRT: 'aborted',
  SIGSEGV: 'segmentation fault',
  SIGTERM: 'terminated',
};

export interface Failure {
  status: InvocationStatus;
  error: FunctionError;
}

/** Lambda's `platform.report` record (JSON log format). */
export interface PlatformReport {
  time: string;
  type: 'platform.report';
  record: {
    requestId: string;
    metrics: {
      durationMs: number;
      billedDurationMs: number;
      memorySizeMB: number;
      maxMemoryUsedMB: number;
      initDurationMs?: number;
    };
    status: 'success' | 'error' | 'timeout';
    errorType?: string;
    tracing?: { spanId: string; type: 'X-Amzn-Trace-Id'; value: string };
  };
}

export function exitError(
  requestId: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): FunctionError {
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${
      code !== null
        ? `exit status ${code}`
        : `signal: ${(signal && SIGNAL_NAMES[signal]) ?? signal ?? 'unknown'}`
    }`,
  };
}

/** How an init phase that did not get ready fails the invocation that started it. */
export function initFailure(start: ContainerStart, requestId: string): Failure | undefined {
  switch (start.kind) {
    case 'ready':
      return undefined;
    case 'init-error':
      return { status: 'error', error: start.error };
    case 'exit':
      return { status: 'error', error: exitError(requestId, start.code, start.signal) };
    case 'init-timeout':
      return {
        status: 'timeout',
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `Init phase timed out after ${(INIT_TIME_LIMIT_MS / 1000).toFixed(2)} seconds`,
        },
      };
  }
}

/** What a run came to: its status, its result or error, and the line Lambda writes for a timeout. */
export function runOutcome(
  outcome: ContainerOutcome,
  { requestId, timeoutMs, endedAt }: { requestId: string; timeoutMs: number; endedAt: number },
): { status: InvocationStatus; result?: unknown; error?: FunctionError; line?: string } {
  switch (outcome.kind) {
    case 'result':
      if (Buffer.byteLength(outcome.payload) > MAX_PAYLOAD_BYTES) {
        return {
          status: 'error',
          error: {
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
          },
        };
      }
      return { status: 'success', result: JSON.parse(outcome.payload) };
    case 'error':
      return { status: 'error', error: outcome.error };
    case 'timeout': {
      const message = `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`;
      return {
        status: 'timeout',
        error: { errorType: 'Sandbox.Timedout', errorMessage: message },
        line: `${new Date(endedAt).toISOString()} ${requestId} ${message}`,
      };
    }
    case 'exit':
      return { status: 'error', error: exitError(requestId, outcome.code, outcome.signal) };
  }
}

/** The platform's line for an init phase that failed (INIT_REPORT, or platform.initReport in JSON). */
export function initReport(
  logFormat: 'Text' | 'JSON' | undefined,
  durationMs: number,
  failure: Failure,
): string {
  const status = failure.status === 'timeout' ? 'timeout' : 'error';
  const errorType = status === 'error' ? failure.error.errorType : undefined;
  if (logFormat === 'JSON') {
    return JSON.stringify({
      time: new Date().toISOString(),
      type: 'platform.initReport',
      record: {
        initializationType: 'on-demand',
        phase: 'init',
        status,
        ...(errorType && { errorType }),
        metrics: { durationMs },
      },
    });
  }
  return `INIT_REPORT Init Duration: ${durationMs.toFixed(2)} ms\tPhase: init\tStatus: ${status}${
    errorType ? `\tError Type: ${errorType}` : ''
  }`;
}

export function platformReport(report: {
  requestId: string;
  endedAt: number;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMB: number;
  maxMemoryUsedMB: number;
  initDurationMs: number | undefined;
  status: InvocationStatus;
  error: FunctionError | undefined;
  /** The span and header of a sampled trace. */
  tracing: { spanId: string; value: string } | undefined;
}): PlatformReport {
  const { requestId, durationMs, billedDurationMs, memorySizeMB, maxMemoryUsedMB, initDurationMs } = report;
  return {
    time: new Date(report.endedAt).toISOString(),
    type: 'platform.report',
    record: {
      requestId,
      metrics: {
        durationMs,
        billedDurationMs,
        memorySizeMB,
        maxMemoryUsedMB,
        ...(initDurationMs !== undefined && { initDurationMs }),
      },
      status: report.status === 'throttled' ? 'error' : report.status,
      ...(report.error && { errorType: report.error.errorType }),
      ...(report.tracing && { tracing: { ...report.tracing, type: 'X-Amzn-Trace-Id' as const } }),
    },
  };
}

/** The segment Lambda records for the function around the handler (epoch milliseconds in, seconds out). */
export function functionSegment(segment: {
  name: string;
  functionArn: string;
  requestId: string;
  trace: { root: string; parent: string; callerParent?: string | undefined };
  times: {
    initStart?: number | undefined;
    initEnd?: number | undefined;
    invokeStart: number;
    invokeEnd: number;
  };
  status: InvocationStatus;
}): Record<string, unknown> {
  const { name, functionArn, requestId, trace, times, status } = segment;
  const seconds = (ms: number) => ms / 1000;
  const subsegment = (label: string, start: number, end: number) => ({
    id: newSegmentId(),
    name: label,
    start_time: seconds(start),
    end_time: seconds(end),
  });
  return {
    name,
    id: trace.parent,
    trace_id: trace.root,
    ...(trace.callerParent && { parent_id: trace.callerParent }),
    start_time: seconds(times.initStart ?? times.invokeStart),
    end_time: seconds(times.invokeEnd),
    origin: 'AWS::Lambda::Function',
    ...(status !== 'success' && { fault: true }),
    aws: { function_arn: functionArn, resource_names: [name], request_id: requestId },
    subsegments: [
      ...(times.initStart !== undefined && times.initEnd !== undefined
        ? [subsegment('Initialization', times.initStart, times.initEnd)]
        : []),
      subsegment('Invocation', times.invokeStart, times.invokeEnd),
    ],
  };
}
