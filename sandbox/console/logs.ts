/**
 * The log lines the console searches: an interface any store can implement, and a bounded
 * in-memory store fed with each invocation's output lines.
 */

/** Severity order for "this level and above" searches; unknown levels count as INFO. */
const LEVEL_RANK: Record<string, number> = {
  TRACE: 0,
  DEBUG: 1,
  INFO: 2,
  WARN: 3,
  WARNING: 3,
  ERROR: 4,
  CRITICAL: 5,
  FATAL: 5,
};

export interface LogRecord {
  /** Increases by one per stored line; newest has the highest. */
  seq: number;
  /** Epoch ms: the line's own timestamp when it has one, else when it was appended. */
  timestamp: number;
  functionName: string;
  requestId?: string;
  level: string;
  message: string;
  correlationId?: string;
  traceId?: string;
  service?: string;
  /** The parsed JSON of a structured line. */
  fields?: Record<string, unknown>;
  /** The line as written (cut at the store's maxLineLength). */
  raw: string;
}

export interface LogSearch {
  correlationId?: string;
  requestId?: string;
  traceId?: string;
  functionName?: string;
  /** This level and more severe (WARN finds WARN, ERROR and CRITICAL). */
  level?: string;
  /** Case-insensitive substring of the raw line. */
  text?: string;
  /** Default 200, at most 1000. */
  limit?: number;
}

/** What the console needs from a log store. */
export interface LogSource {
  /** Matching lines, newest first. */
  search(query: LogSearch): LogRecord[];
  /** Changes whenever lines are added, so a page knows when to search again. */
  readonly version: number;
  /** Function names seen, for the search form. */
  functionNames?(): string[];
}

export interface AppendInput {
  functionName: string;
  line: string;
  /** The invocation's request id when the caller knows it (lines that carry one override it). */
  requestId?: string;
  /** Epoch ms; default now. */
  timestamp?: number;
}

export interface LogStoreOptions {
  /** Lines kept; the oldest go first. Default 10 000. */
  maxLines?: number;
  /** Longer lines are cut (the console is for reading, not archiving). Default 16 384. */
  maxLineLength?: number;
  now?: () => number;
}

export const DEFAULT_SEARCH_LIMIT = 200;
export const MAX_SEARCH_LIMIT = 1000;

const TEXT_LINE = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\t([0-9a-f-]{8,}|undefined)\t([A-Z]+)\t([\s\S]*)$/i;
const PLATFORM_LINE = /^(START|END|REPORT|INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT)\b(.*)$/;
const REQUEST_ID_IN_TEXT = /RequestId:\s*([0-9a-f-]{8,})/i;

/**
 * Keeps the last `maxLines` lines of every function. Understands Powertools JSON lines
 * (`level`, `message`, `correlation_id`, `xray_trace_id`, `function_request_id`), the Node
 * runtime's text format (`time\trequestId\tLEVEL\tmessage`), Lambda platform lines (`START`,
 * `END`, `REPORT`, and `platform.*` JSON records). EMF documents are metrics, not log lines:
 * they are skipped.
 */
export class LogStore implements LogSource {
  readonly maxLines: number;
  readonly maxLineLength: number;
  private readonly now: () => number;
  private readonly records: (LogRecord | undefined)[];
  private next = 0;
  private count = 0;
  private seq = 0;
  private readonly functions = new Set<string>();

  constructor(options: LogStoreOptions = {}) {
    this.maxLines = positiveInteger(options.maxLines ?? 10_000, 'maxLines');
    this.maxLineLength = positiveInteger(options.maxLineLength ?? 16_384, 'maxLineLength');
    this.now = options.now ?? Date.now;
    this.records = new Array<LogRecord | undefined>(this.maxLines);
  }

  get version(): number {
    return this.seq;
  }

  get size(): number {
    return this.count;
  }

  /** Stores one line; returns the record, or undefined for a blank line or an EMF document. */
  append(input: AppendInput): LogRecord | undefined {
    if (typeof input?.functionName !== 'string' || input.functionName === '') {
      throw new TypeError('append: functionName must be a non-empty string');
    }
    if (typeof input.line !== 'string') throw new TypeError('append: line must be a string');
    const line = input.line.replace(/\r?\n$/, '');
    if (line.trim() === '') return undefined;
    const raw = line.length > this.maxLineLength ? `${line.slice(0, this.maxLineLength)}…` : line;
    const parsed = parseLine(line);
    if (parsed === 'emf') return undefined;
    const timestamp = parsed.timestamp ?? input.timestamp ?? this.now();
    const requestId = parsed.requestId ?? input.requestId;
    const record: LogRecord = {
      seq: ++this.seq,
      timestamp,
      functionName: input.functionName,
      ...(requestId !== undefined ? { requestId } : {}),
      level: parsed.level,
      message: cut(parsed.message, this.maxLineLength),
      ...(parsed.correlationId !== undefined ? { correlationId: parsed.correlationId } : {}),
      ...(parsed.traceId !== undefined ? { traceId: parsed.traceId } : {}),
      ...(parsed.service !== undefined ? { service: parsed.service } : {}),
      ...(parsed.fields !== undefined && line.length <= this.maxLineLength ? { fields: parsed.fields } : {}),
      raw,
    };
    this.records[this.next] = record;
    this.next = (this.next + 1) % this.maxLines;
    this.count = Math.min(this.count + 1, this.maxLines);
    this.functions.add(input.functionName);
    return record;
  }

  /** Stores each line of an invocation's output. */
  appendOutput(
    functionName: string,
    output: string,
    meta: { requestId?: string; timestamp?: number } = {},
  ): LogRecord[] {
    const stored: LogRecord[] = [];
    for (const line of output.split(/\r?\n/)) {
      const record = this.append({ functionName, line, ...meta });
      if (record) stored.push(record);
    }
    return stored;
  }

  search(query: LogSearch = {}): LogRecord[] {
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? DEFAULT_SEARCH_LIMIT)), MAX_SEARCH_LIMIT);
    const minimumRank = query.level ? levelRank(query.level) : undefined;
    const text = query.text?.trim().toLowerCase() || undefined;
    const result: LogRecord[] = [];
    for (let i = 1; i <= this.count && result.length < limit; i++) {
      const record = this.records[(this.next - i + this.maxLines) % this.maxLines]!;
      if (query.correlationId && record.correlationId !== query.correlationId) continue;
      if (query.requestId && record.requestId !== query.requestId) continue;
      if (query.traceId && record.traceId !== query.traceId) continue;
      if (query.functionName && record.functionName !== query.functionName) continue;
      if (minimumRank !== undefined && levelRank(record.level) < minimumRank) continue;
      if (text && !record.raw.toLowerCase().includes(text)) continue;
      result.push(record);
    }
    return result;
  }

  functionNames(): string[] {
    return [...this.functions].sort();
  }
}

export function levelRank(level: string): number {
  return LEVEL_RANK[level.toUpperCase()] ?? LEVEL_RANK.INFO!;
}

interface ParsedLine {
  timestamp?: number;
  requestId?: string;
  level: string;
  message: string;
  correlationId?: string;
  traceId?: string;
  service?: string;
  fields?: Record<string, unknown>;
}

function parseLine(line: string): ParsedLine | 'emf' {
  const trimmed = line.trim();
  if (trimmed.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      value = undefined;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return parseJsonLine(value as Record<string, unknown>);
    }
  }
  const text = TEXT_LINE.exec(line);
  if (text) {
    const [, time, requestId, level, message] = text;
    return {
      timestamp: timeOf(time),
      ...(requestId !== 'undefined' ? { requestId } : {}),
      level: level!.toUpperCase(),
      message: message!,
    };
  }
  const platform = PLATFORM_LINE.exec(line);
  if (platform) {
    const requestId = REQUEST_ID_IN_TEXT.exec(line)?.[1];
    return { ...(requestId ? { requestId } : {}), level: 'INFO', message: line.trim() };
  }
  return { level: 'INFO', message: line };
}

function parseJsonLine(fields: Record<string, unknown>): ParsedLine | 'emf' {
  if (typeof fields._aws === 'object' && fields._aws !== null) return 'emf';
  const string = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const type = string(fields.type);
  const record =
    typeof fields.record === 'object' && fields.record !== null
      ? (fields.record as Record<string, unknown>)
      : undefined;
  const isPlatform = type?.startsWith('platform.') ?? false;
  const level = string(fields.level)?.toUpperCase() ?? 'INFO';
  let message: string;
  if (typeof fields.message === 'string') message = fields.message;
  else if (fields.message !== undefined) message = JSON.stringify(fields.message);
  else if (isPlatform) message = `${type} ${JSON.stringify(record?.metrics ?? record ?? {})}`;
  else message = JSON.stringify(fields);
  const requestId =
    string(fields.function_request_id) ??
    string(fields.requestId) ??
    string(fields.request_id) ??
    string(record?.requestId);
  const correlationId = string(fields.correlation_id) ?? string(fields.correlationId);
  const traceId = string(fields.xray_trace_id) ?? string(fields.trace_id);
  const service = string(fields.service);
  const timestamp = timeOf(fields.timestamp ?? fields.time);
  return {
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    level,
    message,
    ...(correlationId !== undefined ? { correlationId } : {}),
    ...(traceId !== undefined ? { traceId } : {}),
    ...(service !== undefined ? { service } : {}),
    fields,
  };
}

function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}
