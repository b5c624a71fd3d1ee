/**
 * The X-Ray daemon's UDP protocol: each datagram is a JSON header line
 * (`{"format": "json", "version": 1}`) followed by one segment document: a segment (with its
 * subsegments embedded) or an independently sent subsegment (`"type": "subsegment"`, with
 * `parent_id`).
 */

/** A subsegment embedded in its parent's `subsegments`. */
export interface SubsegmentDocument {
  id: string;
  name: string;
  start_time: number;
  end_time?: number;
  in_progress?: boolean;
  subsegments?: SubsegmentDocument[];
  [field: string]: unknown;
}

/** A document as sent to the daemon: a segment, or a subsegment sent on its own. */
export interface SegmentDocument extends SubsegmentDocument {
  trace_id: string;
  parent_id?: string;
  type?: 'subsegment';
}

export type ParsedPacket = { ok: true; document: SegmentDocument } | { ok: false; reason: string };

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/** Checks one document (and, for embedded subsegments, each of them); returns the problem or undefined. */
export function documentProblem(value: unknown, embedded = false): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'document is not a JSON object';
  const doc = value as Record<string, unknown>;
  if (typeof doc.id !== 'string' || !SEGMENT_ID.test(doc.id)) return 'id must be 16 hexadecimal digits';
  if (typeof doc.name !== 'string' || doc.name === '') return `segment ${doc.id} has no name`;
  if (typeof doc.start_time !== 'number' || !Number.isFinite(doc.start_time)) {
    return `segment ${doc.id} has no numeric start_time`;
  }
  if (doc.end_time !== undefined && (typeof doc.end_time !== 'number' || !Number.isFinite(doc.end_time))) {
    return `segment ${doc.id} has a non-numeric end_time`;
  }
  if (doc.end_time === undefined && doc.in_progress !== true) {
    return `segment ${doc.id} needs end_time or in_progress`;
  }
  if (!embedded) {
    if (typeof doc.trace_id !== 'string' || !TRACE_ID.test(doc.trace_id)) {
      return `segment ${doc.id} has no valid trace_id`;
    }
    if (doc.type === 'subsegment' && (typeof doc.parent_id !== 'string' || !SEGMENT_ID.test(doc.parent_id))) {
      return `subsegment ${doc.id} is sent on its own but has no valid parent_id`;
    }
  }
  if (doc.parent_id !== undefined && (typeof doc.parent_id !== 'string' || !SEGMENT_ID.test(doc.parent_id))) {
    return `segment ${doc.id} has an invalid parent_id`;
  }
  if (doc.subsegments !== undefined) {
    if (!Array.isArray(doc.subsegments)) return `segment ${doc.id} has subsegments that are not a list`;
    for (const child of doc.subsegments) {
      const problem = documentProblem(child, true);
      if (problem) return problem;
    }
  }
  return undefined;
}

export function parsePacket(packet: Buffer | string): ParsedPacket {
  const text = typeof packet === 'string' ? packet : packet.toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 0) return { ok: false, reason: 'no header line' };
  let header: unknown;
  let document: unknown;
  try {
    header = JSON.parse(text.slice(0, newline));
  } catch {
    return { ok: false, reason: 'header is not JSON' };
  }
  const { format, version } = (header ?? {}) as { format?: unknown; version?: unknown };
  if (format !== 'json' || version !== 1)
    return { ok: false, reason: 'header is not {"format":"json","version":1}' };
  try {
    document = JSON.parse(text.slice(newline + 1));
  } catch {
    return { ok: false, reason: 'document is not JSON' };
  }
  const problem = documentProblem(document);
  return problem ? { ok: false, reason: problem } : { ok: true, document: document as SegmentDocument };
}
