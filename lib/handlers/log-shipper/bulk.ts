/**
 * `_bulk` indexing that loses nothing: items the engine refuses for a passing reason (429, 5xx)
 * are sent again with backoff, a body the engine finds too large (413) is split in two and each
 * half sent again, and whatever still cannot be indexed comes back with its reason.
 */
import type { IndexRequest } from './documents.js';
import type { Send } from './transport.js';

export interface BulkOptions {
  /** Tries per item, the first included. @default 5 */
  readonly maxAttempts: number;
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  /** Bodies are cut at this size before sending (the engine may still answer 413). */
  readonly maxBulkBytes: number;
  /** Per request; shortened to what the invocation has left. */
  readonly requestTimeoutMs: number;
  /** Time kept back at the end of the invocation for the dead-letter queue and metrics. */
  readonly reserveMs: number;
}

export const DEFAULT_BULK_OPTIONS: BulkOptions = {
  maxAttempts: 5,
  baseBackoffMs: 200,
  maxBackoffMs: 5_000,
  maxBulkBytes: 5 * 1024 * 1024,
  requestTimeoutMs: 10_000,
  reserveMs: 5_000,
};

export interface Rejected {
  readonly request: IndexRequest;
  readonly reason: string;
}

export interface BulkOutcome {
  shipped: number;
  retries: number;
  rejected: Rejected[];
}

interface Entry {
  readonly request: IndexRequest;
  readonly ndjson: string;
  readonly bytes: number;
}

interface Chunk {
  readonly entries: Entry[];
  /** Tries so far. */
  readonly attempts: number;
  readonly lastReason?: string;
}

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string } | string;
}

const BULK_PATH = '/_bulk';
/** A request shorter than this is not worth starting. */
const MIN_REQUEST_MS = 500;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function entryOf(request: IndexRequest): Entry {
  const ndjson = `${JSON.stringify({ index: { _index: request.index, _id: request.id } })}\n${JSON.stringify(request.document)}\n`;
  return { request, ndjson, bytes: Buffer.byteLength(ndjson) };
}

function chunksOf(entries: Entry[], maxBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Entry[] = [];
  let size = 0;
  for (const entry of entries) {
    if (current.length > 0 && size + entry.bytes > maxBytes) {
      chunks.push({ entries: current, attempts: 0 });
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entry.bytes;
  }
  if (current.length > 0) chunks.push({ entries: current, attempts: 0 });
  return chunks;
}

const clip = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text);

function itemReason(item: BulkItemResult): string {
  const error = item.error;
  if (typeof error === 'string') return `${item.status ?? '?'} ${clip(error)}`;
  return `${item.status ?? '?'} ${error?.type ?? 'error'}: ${clip(error?.reason ?? 'no reason given')}`;
}

const retryable = (status: number) => status === 429 || status >= 500;

/**
 * Indexes every request, or returns it as rejected with the reason. `remainingMs` tells how long
 * the invocation has left; nothing is started that could outlast it.
 */
export async function bulkIndex(
  send: Send,
  requests: readonly IndexRequest[],
  remainingMs: () => number,
  options: BulkOptions = DEFAULT_BULK_OPTIONS,
): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { shipped: 0, retries: 0, rejected: [] };
  const queue = chunksOf(requests.map(entryOf), options.maxBulkBytes);
  const reject = (entries: Entry[], reason: string) => {
    for (const entry of entries) outcome.rejected.push({ request: entry.request, reason });
  };
  /** Puts entries back for another try after a backoff, or rejects them when out of tries or time. */
  const retry = async (entries: Entry[], chunk: Chunk, reason: string, retryAfterSeconds?: number) => {
    const attempts = chunk.attempts + 1;
    if (attempts >= options.maxAttempts) {
      return reject(entries, `gave up after ${attempts} attempts: ${reason}`);
    }
    const exponential = Math.min(options.maxBackoffMs, options.baseBackoffMs * 2 ** (attempts - 1));
    const delay = Math.max(
      exponential / 2 + Math.random() * (exponential / 2),
      (retryAfterSeconds ?? 0) * 1000,
    );
    if (delay + MIN_REQUEST_MS > remainingMs() - options.reserveMs) {
      return reject(entries, `ran out of time after ${attempts} attempts: ${reason}`);
    }
    outcome.retries += entries.length;
    await sleep(delay);
    queue.unshift({ entries, attempts, lastReason: reason });
  };

  for (let chunk = queue.shift(); chunk; chunk = queue.shift()) {
    const timeoutMs = Math.min(options.requestTimeoutMs, remainingMs() - options.reserveMs);
    if (timeoutMs < MIN_REQUEST_MS) {
      reject(
        chunk.entries,
        `ran out of time${chunk.lastReason ? `: ${chunk.lastReason}` : ' before sending'}`,
      );
      continue;
    }
    let response;
    try {
      response = await send(
        'POST',
        BULK_PATH,
        chunk.entries.map((e) => e.ndjson).join(''),
        timeoutMs,
        'application/x-ndjson',
      );
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      await retry(chunk.entries, chunk, `request failed (${message})`);
      continue;
    }
    if (response.status === 413) {
      if (chunk.entries.length === 1) {
        reject(chunk.entries, 'the engine refused the document as too large (413)');
      } else {
        const half = Math.ceil(chunk.entries.length / 2);
        // Splitting is not a failed try: the halves keep the chunk's tries.
        queue.unshift(
          { ...chunk, entries: chunk.entries.slice(0, half) },
          { ...chunk, entries: chunk.entries.slice(half) },
        );
      }
      continue;
    }
    if (response.status < 200 || response.status >= 300) {
      const reason = `the engine answered ${response.status}: ${clip(response.body)}`;
      if (retryable(response.status)) await retry(chunk.entries, chunk, reason, response.retryAfter);
      else reject(chunk.entries, reason);
      continue;
    }
    let items: BulkItemResult[];
    try {
      const parsed = JSON.parse(response.body) as { items?: Record<string, BulkItemResult>[] };
      items = (parsed.items ?? []).map((item) => Object.values(item)[0] ?? {});
      if (items.length !== chunk.entries.length)
        throw new Error(`${items.length} items for ${chunk.entries.length} documents`);
    } catch (error) {
      await retry(
        chunk.entries,
        chunk,
        `unreadable _bulk response (${error instanceof Error ? error.message : String(error)})`,
      );
      continue;
    }
    const again: Entry[] = [];
    let againReason = '';
    items.forEach((item, index) => {
      const entry = chunk.entries[index]!;
      const status = item.status ?? 0;
      if (status >= 200 && status < 300) outcome.shipped += 1;
      else if (retryable(status)) {
        again.push(entry);
        againReason ||= itemReason(item);
      } else reject([entry], itemReason(item));
    });
    if (again.length > 0) await retry(again, chunk, againReason);
  }
  return outcome;
}
