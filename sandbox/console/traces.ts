/**
 * Traces as the console shows them: a list of recent traces, and one trace as a waterfall of its
 * segments. The shapes below are the part of the X-Ray stand-in's assembled trees
 * (sandbox/xray TraceStore) the console reads, so a TraceStore is a TraceSource as it is.
 */

export interface ConsoleTraceNode {
  id: string;
  name: string;
  kind: 'segment' | 'subsegment';
  parentId?: string;
  /** Epoch seconds, as X-Ray records them. */
  startTime: number;
  endTime?: number;
  inProgress: boolean;
  origin?: string;
  namespace?: string;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  annotations?: Record<string, unknown>;
  http?: unknown;
  cause?: unknown;
  children: ConsoleTraceNode[];
}

export interface ConsoleTraceTree {
  traceId: string;
  /** Epoch seconds. */
  startTime: number;
  endTime?: number;
  roots: ConsoleTraceNode[];
  nodeCount: number;
}

/** What the console needs from a trace store. */
export interface TraceSource {
  /** The most recently updated traces first, at most `limit`. */
  traces(limit?: number): ConsoleTraceTree[];
  trace(traceId: string): ConsoleTraceTree | undefined;
}

export interface TraceSummary {
  id: string;
  /** The first root's name (the entry point). */
  name: string;
  /** Epoch ms. */
  startTime: number;
  /** Undefined while a segment is still in progress. */
  durationMs?: number;
  segmentCount: number;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  method?: string;
  url?: string;
  status?: number;
}

export interface WaterfallRow {
  id: string;
  name: string;
  kind: 'segment' | 'subsegment';
  depth: number;
  parentId?: string;
  /** From the start of the trace. */
  offsetMs: number;
  /** An in-progress node runs to the end of the trace. */
  durationMs: number;
  inProgress: boolean;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  origin?: string;
  namespace?: string;
  method?: string;
  url?: string;
  status?: number;
  annotations?: Record<string, unknown>;
  errorMessage?: string;
}

export interface Waterfall {
  traceId: string;
  /** Epoch ms. */
  startTime: number;
  durationMs: number;
  rows: WaterfallRow[];
}

const round3 = (ms: number) => Math.round(ms * 1e3) / 1e3;

function* walk(
  nodes: readonly ConsoleTraceNode[],
  depth = 0,
  seen = new Set<ConsoleTraceNode>(),
): Generator<{ node: ConsoleTraceNode; depth: number }> {
  for (const node of nodes) {
    if (seen.has(node)) continue;
    seen.add(node);
    yield { node, depth };
    yield* walk(node.children ?? [], depth + 1, seen);
  }
}

/** The latest end over all nodes (an in-progress trace ends at its latest known time). */
function traceEnd(tree: ConsoleTraceTree): number {
  let end = tree.endTime ?? tree.startTime;
  for (const { node } of walk(tree.roots)) end = Math.max(end, node.endTime ?? node.startTime);
  return end;
}

function httpOf(node: ConsoleTraceNode | undefined): { method?: string; url?: string; status?: number } {
  const http = node?.http as
    { request?: { method?: unknown; url?: unknown }; response?: { status?: unknown } } | undefined;
  const method = http?.request?.method;
  const url = http?.request?.url;
  const status = http?.response?.status;
  return {
    ...(typeof method === 'string' ? { method } : {}),
    ...(typeof url === 'string' ? { url } : {}),
    ...(typeof status === 'number' ? { status } : {}),
  };
}

function errorMessageOf(node: ConsoleTraceNode): string | undefined {
  const cause = node.cause as string | { exceptions?: { message?: unknown; type?: unknown }[] } | undefined;
  if (typeof cause === 'string') return cause;
  const exception = cause?.exceptions?.[0];
  if (!exception) return undefined;
  const parts = [exception.type, exception.message].filter((part) => typeof part === 'string' && part !== '');
  return parts.length ? parts.join(': ') : undefined;
}

export function summarizeTrace(tree: ConsoleTraceTree): TraceSummary {
  const root = tree.roots[0];
  const flags = { error: false, fault: false, throttle: false };
  let count = 0;
  for (const { node } of walk(tree.roots)) {
    count++;
    flags.error ||= node.error;
    flags.fault ||= node.fault;
    flags.throttle ||= node.throttle;
  }
  return {
    id: tree.traceId,
    name: root?.name ?? '(no segments)',
    startTime: tree.startTime * 1000,
    ...(tree.endTime !== undefined ? { durationMs: round3((tree.endTime - tree.startTime) * 1000) } : {}),
    segmentCount: count,
    ...flags,
    ...httpOf(root),
  };
}

/** Every segment and subsegment in depth-first order, each with its depth and offsets from the trace start. */
export function buildWaterfall(tree: ConsoleTraceTree): Waterfall {
  const end = traceEnd(tree);
  const rows: WaterfallRow[] = [];
  for (const { node, depth } of walk(tree.roots)) {
    const nodeEnd = node.endTime ?? end;
    const errorMessage = errorMessageOf(node);
    rows.push({
      id: node.id,
      name: node.name || '(unnamed)',
      kind: node.kind,
      depth,
      ...(node.parentId !== undefined ? { parentId: node.parentId } : {}),
      offsetMs: round3((node.startTime - tree.startTime) * 1000),
      durationMs: round3(Math.max(0, nodeEnd - node.startTime) * 1000),
      inProgress: node.inProgress,
      error: node.error,
      fault: node.fault,
      throttle: node.throttle,
      ...(node.origin !== undefined ? { origin: node.origin } : {}),
      ...(node.namespace !== undefined ? { namespace: node.namespace } : {}),
      ...httpOf(node),
      ...(node.annotations ? { annotations: node.annotations } : {}),
      ...(errorMessage ? { errorMessage } : {}),
    });
  }
  return {
    traceId: tree.traceId,
    startTime: tree.startTime * 1000,
    durationMs: round3((end - tree.startTime) * 1000),
    rows,
  };
}
