/**
 * Segment documents grouped by trace, bounded, and assembled into trees on demand: what a
 * waterfall view needs. Subsegments may arrive embedded in their parent or on their own (the
 * X-Ray SDK streams them in Lambda), in any order; a later copy of a document replaces an earlier
 * one (an in-progress segment followed by the finished one).
 */
import type { SegmentDocument, SubsegmentDocument } from './protocol.js';

export interface TraceNode {
  id: string;
  name: string;
  kind: 'segment' | 'subsegment';
  parentId?: string;
  /** Epoch seconds, as X-Ray records them. */
  startTime: number;
  endTime?: number;
  durationMs?: number;
  inProgress: boolean;
  origin?: string;
  namespace?: string;
  error: boolean;
  fault: boolean;
  throttle: boolean;
  annotations?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  http?: unknown;
  aws?: unknown;
  sql?: unknown;
  cause?: unknown;
  children: TraceNode[];
}

export interface TraceTree {
  traceId: string;
  /** Earliest start and latest end over all segments, epoch seconds. */
  startTime: number;
  endTime?: number;
  durationMs?: number;
  /** Segments with no parent in the trace (the entry point, and any whose parent was never received). */
  roots: TraceNode[];
  /** Nodes in the tree, embedded subsegments included. */
  nodeCount: number;
  error: boolean;
  fault: boolean;
  /** Epoch milliseconds when a document of this trace last arrived. */
  updatedAt: number;
}

export interface TraceStoreOptions {
  /** Traces kept; the least recently updated one goes first. @default 1000 */
  maxTraces?: number;
  /** Documents kept per trace; later ones are dropped. @default 2000 */
  maxDocumentsPerTrace?: number;
}

interface StoredTrace {
  documents: Map<string, SegmentDocument>;
  updatedAt: number;
}

const optionalNumber = (value: unknown) => (typeof value === 'number' ? value : undefined);
const optionalString = (value: unknown) => (typeof value === 'string' ? value : undefined);
const optionalRecord = (value: unknown) =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

function toNode(doc: SubsegmentDocument, kind: TraceNode['kind'], parentId: string | undefined): TraceNode {
  const endTime = optionalNumber(doc.end_time);
  return {
    id: doc.id,
    name: doc.name,
    kind,
    ...(parentId !== undefined && parentId !== doc.id && { parentId }),
    startTime: doc.start_time,
    ...(endTime !== undefined && { endTime, durationMs: Math.round((endTime - doc.start_time) * 1e6) / 1e3 }),
    inProgress: endTime === undefined,
    ...(optionalString(doc.origin) && { origin: optionalString(doc.origin) }),
    ...(optionalString(doc.namespace) && { namespace: optionalString(doc.namespace) }),
    error: doc.error === true,
    fault: doc.fault === true,
    throttle: doc.throttle === true,
    ...(optionalRecord(doc.annotations) && { annotations: optionalRecord(doc.annotations) }),
    ...(optionalRecord(doc.metadata) && { metadata: optionalRecord(doc.metadata) }),
    ...(doc.http !== undefined && { http: doc.http }),
    ...(doc.aws !== undefined && { aws: doc.aws }),
    ...(doc.sql !== undefined && { sql: doc.sql }),
    ...(doc.cause !== undefined && { cause: doc.cause }),
    children: [],
  };
}

/** A node seen twice (embedded in an in-progress parent, then sent finished) keeps the finished copy. */
const better = (current: TraceNode | undefined, candidate: TraceNode) =>
  !current || (current.inProgress && !candidate.inProgress) ? candidate : current;

export function assembleTrace(
  traceId: string,
  documents: Iterable<SegmentDocument>,
  updatedAt = 0,
): TraceTree {
  const nodes = new Map<string, TraceNode>();
  const collect = (doc: SubsegmentDocument, kind: TraceNode['kind'], parentId: string | undefined) => {
    const node = toNode(doc, kind, parentId);
    nodes.set(node.id, better(nodes.get(node.id), node));
    for (const child of Array.isArray(doc.subsegments) ? doc.subsegments : [])
      collect(child, 'subsegment', doc.id);
  };
  for (const doc of documents) {
    collect(doc, doc.type === 'subsegment' ? 'subsegment' : 'segment', optionalString(doc.parent_id));
  }
  for (const node of nodes.values()) node.children = [];

  const roots: TraceNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === undefined ? undefined : nodes.get(node.parentId);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  // A parent cycle (malformed input) would hide its members: cut each one loose as a root.
  const reached = new Set<string>();
  const walk = (node: TraceNode) => {
    reached.add(node.id);
    for (const child of node.children) if (!reached.has(child.id)) walk(child);
  };
  roots.forEach(walk);
  for (const node of nodes.values()) {
    if (reached.has(node.id)) continue;
    const parent = node.parentId === undefined ? undefined : nodes.get(node.parentId);
    if (parent) parent.children = parent.children.filter((child) => child !== node);
    roots.push(node);
    walk(node);
  }
  const byStart = (a: TraceNode, b: TraceNode) => a.startTime - b.startTime;
  for (const node of nodes.values()) node.children.sort(byStart);
  roots.sort(byStart);

  const all = [...nodes.values()];
  const startTime = Math.min(...all.map((node) => node.startTime));
  const ends = all.map((node) => node.endTime);
  const endTime = ends.every((end) => end !== undefined) ? Math.max(...(ends as number[])) : undefined;
  return {
    traceId,
    startTime,
    ...(endTime !== undefined && { endTime, durationMs: Math.round((endTime - startTime) * 1e6) / 1e3 }),
    roots,
    nodeCount: all.length,
    error: all.some((node) => node.error),
    fault: all.some((node) => node.fault),
    updatedAt,
  };
}

export class TraceStore {
  private readonly traceMap = new Map<string, StoredTrace>();
  private readonly maxTraces: number;
  private readonly maxDocumentsPerTrace: number;

  constructor(options: TraceStoreOptions = {}) {
    this.maxTraces = options.maxTraces ?? 1000;
    this.maxDocumentsPerTrace = options.maxDocumentsPerTrace ?? 2000;
  }

  /** Stores a document that parsePacket accepted. Returns false when the trace is full. */
  add(document: SegmentDocument, now = Date.now()): boolean {
    let trace = this.traceMap.get(document.trace_id);
    if (trace) {
      this.traceMap.delete(document.trace_id);
    } else {
      trace = { documents: new Map(), updatedAt: now };
    }
    // Re-inserted: the Map's order is least recently updated first.
    this.traceMap.set(document.trace_id, trace);
    trace.updatedAt = now;
    if (!trace.documents.has(document.id) && trace.documents.size >= this.maxDocumentsPerTrace) return false;
    trace.documents.set(document.id, document);
    while (this.traceMap.size > this.maxTraces) {
      const oldest = this.traceMap.keys().next().value;
      if (oldest === undefined) break;
      this.traceMap.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.traceMap.size;
  }

  /** Every trace, most recently updated first; `limit` keeps the newest ones. */
  traces(limit?: number): TraceTree[] {
    const ids = [...this.traceMap.keys()].reverse().slice(0, limit);
    return ids.map((id) => this.trace(id)).filter((tree): tree is TraceTree => tree !== undefined);
  }

  trace(traceId: string): TraceTree | undefined {
    const trace = this.traceMap.get(traceId);
    return trace ? assembleTrace(traceId, trace.documents.values(), trace.updatedAt) : undefined;
  }

  clear(): void {
    this.traceMap.clear();
  }
}
