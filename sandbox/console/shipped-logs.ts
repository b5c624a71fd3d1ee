/**
 * The documents the log shipper indexed, as the console searches them:
 *
 *   GET /api/shipped-logs?q=<text>&correlationId=<id>&index=<name or pattern*>&limit=<n>
 *
 * answers `{ version, total, indices: [{ name, documents }], documents: [...] }`, newest
 * `@timestamp` first, each document flattened to the ECS fields the page shows plus its source.
 */
import type { DocumentQuery, DocumentResult, Source } from '../aws/search.js';

/** What the console needs from the search engine (the sandbox's search stand-in). */
export interface ShippedLogSource {
  /** Goes up with every document indexed. */
  readonly version: number;
  find(query: DocumentQuery): DocumentResult;
}

export interface ShippedLogRow {
  index: string;
  id: string;
  timestamp: string;
  level?: string;
  service?: string;
  correlationId?: string;
  traceId?: string;
  message: string;
  source: Source;
}

export const DEFAULT_SHIPPED_LIMIT = 100;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const member = (source: Source, path: string): unknown =>
  path.split('.').reduce<unknown>((value, key) => (value as Source | undefined)?.[key], source);

export function shippedLogs(source: ShippedLogSource, query: DocumentQuery) {
  const result = source.find({ limit: DEFAULT_SHIPPED_LIMIT, ...query });
  return {
    version: source.version,
    total: result.total,
    indices: result.indices,
    documents: result.documents.map(({ index, id, source: document }): ShippedLogRow => {
      const optional = {
        level: text(member(document, 'log.level')),
        service: text(member(document, 'service.name')),
        correlationId: text(member(document, 'labels.correlation_id')),
        traceId: text(member(document, 'trace.id')),
      };
      return {
        index,
        id,
        timestamp: text(document['@timestamp']) ?? '',
        ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
        message: text(document.message) ?? '',
        source: document,
      };
    }),
  };
}
