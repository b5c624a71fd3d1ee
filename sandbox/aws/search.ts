/**
 * OpenSearch / Elasticsearch on loopback, for the log shipper: the part of the REST API a shipper
 * and its user touch, strictly: `_bulk` (NDJSON, newline-terminated, action and source lines in
 * pairs, `index` / `create` with `_index` and `_id`, per-item results and errors, idempotent by
 * id), 413 for bodies over the size limit, 429 when told to refuse, index templates whose `date`
 * and `long` fields are checked, `_doc`, `_count` and a `term` / `match_all` `_search`. Requests
 * without the expected credentials get 401. `find` is the console's read of what was indexed.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOG_SHIPPER_ENV } from '../../lib/contract.js';
import { acceptLoopbackOnly } from '../loopback-http.js';

export type Source = Record<string, unknown>;

export interface ItemFailure {
  readonly status: number;
  readonly type: string;
  readonly reason: string;
}

export interface BulkCall {
  readonly bytes: number;
  readonly status: number;
  readonly documents: number;
  readonly contentType: string | undefined;
}

/** What the console asks for: newest first. */
export interface DocumentQuery {
  /** Case-insensitive substring of the document's JSON. */
  readonly text?: string;
  /** `labels.correlation_id`, exactly. */
  readonly correlationId?: string;
  /** An index name, or a pattern with `*`. */
  readonly index?: string;
  /** @default 100 */
  readonly limit?: number;
}

export interface FoundDocument {
  readonly index: string;
  readonly id: string;
  readonly source: Source;
}

export interface DocumentResult {
  /** Matching documents in all, before the limit. */
  readonly total: number;
  /** Newest `@timestamp` first. */
  readonly documents: FoundDocument[];
  /** Every index with its document count, by name. */
  readonly indices: { name: string; documents: number }[];
}

export interface SearchStandIn {
  readonly url: string;
  /** index → id → source. */
  readonly indices: Map<string, Map<string, Source>>;
  readonly templates: Map<string, Record<string, unknown>>;
  readonly bulkCalls: BulkCall[];
  /** Every request as `METHOD path`. */
  readonly requests: string[];
  /** Bodies larger than this get 413. */
  maxBodyBytes: number;
  /** The next this-many `_bulk` requests get a whole-request 429. */
  rejectBulks: number;
  /** `_bulk` requests get no answer at all while set. */
  stallBulks: boolean;
  /** Decides per item (before indexing) whether it fails. */
  failItem?: (index: string, id: string, source: Source) => ItemFailure | undefined;
  /** `authorization` must match this; requests without it get 401. */
  authorize: (authorization: string | undefined) => boolean;
  /** Goes up with every document indexed, so a page knows when to read again. */
  readonly version: number;
  /** Documents indexed in all (an overwrite counts once). */
  documentCount(): number;
  find(query?: DocumentQuery): DocumentResult;
  close(): Promise<void>;
}

export interface SearchStandInOptions {
  /** The exact `Authorization` header expected. */
  readonly authorization?: string;
  /** Or a check of the header; without either, any request is let in. */
  readonly authorize?: (authorization: string | undefined) => boolean;
}

const error = (status: number, type: string, reason: string) => ({
  error: { root_cause: [{ type, reason }], type, reason },
  status,
});

function reply(
  response: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  response.end(body === undefined ? '' : JSON.stringify(body));
}

const INVALID_INDEX = /[\\/*?"<>| ,#:A-Z]|^[-_+.]/;

function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

function valueAt(source: Source, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Source | undefined)?.[key], source);
}

type Mapping = { type?: string; properties?: Record<string, Mapping> };

/** Checks typed fields the way the engine's mapper would; returns the failure reason, if any. */
function mapperError(properties: Record<string, Mapping>, source: Source, prefix = ''): string | undefined {
  for (const [name, field] of Object.entries(properties)) {
    const value = source[name];
    if (value === undefined || value === null) continue;
    if (field.properties) {
      if (typeof value !== 'object')
        return `object mapping for [${prefix}${name}] tried to parse a concrete value`;
      const inner = mapperError(field.properties, value as Source, `${prefix}${name}.`);
      if (inner) return inner;
    } else if (field.type === 'date' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
      return `failed to parse field [${prefix}${name}] of type [date]`;
    } else if (field.type === 'long' && !Number.isInteger(value)) {
      return `failed to parse field [${prefix}${name}] of type [long]`;
    }
  }
  return undefined;
}

export async function startSearchStandIn(options: SearchStandInOptions = {}): Promise<SearchStandIn> {
  let version = 0;
  const engine: SearchStandIn = {
    url: '',
    indices: new Map(),
    templates: new Map(),
    bulkCalls: [],
    requests: [],
    maxBodyBytes: 10 * 1024 * 1024,
    rejectBulks: 0,
    stallBulks: false,
    authorize:
      options.authorize ??
      ((authorization) => options.authorization === undefined || authorization === options.authorization),
    get version() {
      return version;
    },
    documentCount: () => [...engine.indices.values()].reduce((sum, documents) => sum + documents.size, 0),
    find: (query = {}) => findDocuments(engine.indices, query),
    close: async () => undefined,
  };

  const templateFor = (index: string) =>
    [...engine.templates.values()].find((t) =>
      ((t.index_patterns as string[]) ?? []).some((pattern) => wildcard(pattern).test(index)),
    );

  function bulk(body: string, contentType: string | undefined, response: ServerResponse) {
    const record = (status: number, documents = 0) =>
      engine.bulkCalls.push({ bytes: Buffer.byteLength(body), status, documents, contentType });
    if (!/^application\/(x-ndjson|json)\b/.test(contentType ?? '')) {
      record(406);
      return reply(
        response,
        406,
        error(406, 'media_type_header_exception', `Content-Type [${contentType}] is not supported`),
      );
    }
    if (!body.endsWith('\n')) {
      record(400);
      return reply(
        response,
        400,
        error(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]'),
      );
    }
    const lines = body.slice(0, -1).split('\n');
    const pairs: { op: string; meta: { _index?: string; _id?: string }; source: Source }[] = [];
    try {
      for (let i = 0; i < lines.length; i += 2) {
        const action = JSON.parse(lines[i]!) as Record<string, { _index?: string; _id?: string }>;
        const [op, meta] = Object.entries(action)[0] ?? [];
        if ((op !== 'index' && op !== 'create') || !meta)
          throw new Error(`Malformed action/metadata line [${i + 1}]`);
        if (lines[i + 1] === undefined) throw new Error(`source missing for action line [${i + 1}]`);
        pairs.push({ op, meta, source: JSON.parse(lines[i + 1]!) as Source });
      }
    } catch (e) {
      record(400);
      return reply(response, 400, error(400, 'illegal_argument_exception', (e as Error).message));
    }
    if (engine.rejectBulks > 0) {
      engine.rejectBulks -= 1;
      record(429, pairs.length);
      return reply(
        response,
        429,
        error(429, 'es_rejected_execution_exception', 'rejected execution of coordinating operation'),
        { 'retry-after': '0' },
      );
    }
    record(200, pairs.length);
    const items = pairs.map(({ op, meta, source }) => {
      const index = meta._index ?? '';
      const id = meta._id ?? `auto-${Math.random().toString(36).slice(2)}`;
      const fail = (status: number, type: string, reason: string) => ({
        [op]: { _index: index, _id: id, status, error: { type, reason, index } },
      });
      if (!index || INVALID_INDEX.test(index))
        return fail(400, 'invalid_index_name_exception', `Invalid index name [${index}]`);
      const injected = engine.failItem?.(index, id, source);
      if (injected) return fail(injected.status, injected.type, injected.reason);
      const properties = (
        templateFor(index)?.template as { mappings?: { properties?: Record<string, Mapping> } }
      )?.mappings?.properties;
      const mapping = properties ? mapperError(properties, source) : undefined;
      if (mapping) return fail(400, 'mapper_parsing_exception', mapping);
      const documents = engine.indices.get(index) ?? new Map<string, Source>();
      engine.indices.set(index, documents);
      const existed = documents.has(id);
      if (existed && op === 'create')
        return fail(
          409,
          'version_conflict_engine_exception',
          `[${id}]: version conflict, document already exists`,
        );
      documents.set(id, source);
      version += 1;
      return {
        [op]: {
          _index: index,
          _id: id,
          _version: 1,
          result: existed ? 'updated' : 'created',
          status: existed ? 200 : 201,
        },
      };
    });
    reply(response, 200, {
      took: 1,
      errors: items.some((item) => 'error' in Object.values(item)[0]!),
      items,
    });
  }

  function search(indexPattern: string, body: string, response: ServerResponse, count: boolean) {
    const query = ((body ? JSON.parse(body) : {}) as { query?: Record<string, Record<string, unknown>> })
      .query ?? { match_all: {} };
    const patterns = indexPattern.split(',').map(wildcard);
    const [kind, spec] = Object.entries(query)[0] ?? ['match_all', {}];
    if (kind !== 'match_all' && kind !== 'term') {
      return reply(
        response,
        400,
        error(
          400,
          'parsing_exception',
          `unknown query [${kind}] (the sandbox's search engine knows term and match_all)`,
        ),
      );
    }
    const [field, wanted] = Object.entries(spec ?? {})[0] ?? [];
    const expected = wanted && typeof wanted === 'object' ? (wanted as { value: unknown }).value : wanted;
    const hits = [...engine.indices.entries()]
      .filter(([name]) => patterns.some((p) => p.test(name)))
      .flatMap(([name, documents]) =>
        [...documents.entries()].map(([id, source]) => ({
          _index: name,
          _id: id,
          _score: 1,
          _source: source,
        })),
      )
      .filter((hit) => kind === 'match_all' || valueAt(hit._source, field!) === expected);
    if (count) return reply(response, 200, { count: hits.length });
    reply(response, 200, {
      took: 1,
      timed_out: false,
      hits: { total: { value: hits.length, relation: 'eq' }, max_score: 1, hits },
    });
  }

  const server = acceptLoopbackOnly(
    createServer((request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = false;
      request.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > engine.maxBodyBytes) tooLarge = true;
        else chunks.push(chunk);
      });
      request.on('end', () => {
        const url = new URL(request.url ?? '/', 'http://localhost');
        const path = url.pathname;
        const method = request.method ?? 'GET';
        engine.requests.push(`${method} ${path}`);
        if (!engine.authorize(request.headers.authorization)) {
          return reply(response, 401, error(401, 'security_exception', 'missing authentication credentials'));
        }
        if (tooLarge) {
          if (path.endsWith('/_bulk'))
            engine.bulkCalls.push({
              bytes: size,
              status: 413,
              documents: 0,
              contentType: request.headers['content-type'],
            });
          return reply(response, 413);
        }
        const body = Buffer.concat(chunks).toString('utf8');
        const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
        try {
          if (method === 'POST' && parts.at(-1) === '_bulk' && engine.stallBulks) {
            engine.bulkCalls.push({
              bytes: size,
              status: 0,
              documents: 0,
              contentType: request.headers['content-type'],
            });
            return;
          }
          if (method === 'POST' && parts.at(-1) === '_bulk')
            return bulk(body, request.headers['content-type'], response);
          if (parts[0] === '_index_template' && parts[1]) {
            if (method === 'PUT') {
              const template = JSON.parse(body) as Record<string, unknown>;
              if (!Array.isArray(template.index_patterns))
                return reply(
                  response,
                  400,
                  error(400, 'action_request_validation_exception', 'index patterns are missing'),
                );
              engine.templates.set(parts[1], template);
              return reply(response, 200, { acknowledged: true });
            }
            const template = engine.templates.get(parts[1]);
            if (!template)
              return reply(
                response,
                404,
                error(404, 'resource_not_found_exception', `index template matching [${parts[1]}] not found`),
              );
            return reply(response, 200, { index_templates: [{ name: parts[1], index_template: template }] });
          }
          if (parts.length === 3 && parts[1] === '_doc' && method === 'GET') {
            const source = engine.indices.get(parts[0]!)?.get(parts[2]!);
            return reply(response, source ? 200 : 404, {
              _index: parts[0],
              _id: parts[2],
              found: Boolean(source),
              ...(source ? { _source: source } : {}),
            });
          }
          if (parts.length === 2 && (parts[1] === '_search' || parts[1] === '_count')) {
            return search(parts[0]!, body, response, parts[1] === '_count');
          }
          if (parts.length === 0)
            return reply(response, 200, {
              version: { distribution: 'opensearch', number: '2.19.0' },
              tagline: 'The OpenSearch Project: https://opensearch.org/',
            });
          reply(
            response,
            400,
            error(
              400,
              'illegal_argument_exception',
              `the sandbox's search engine does not know ${method} ${path}`,
            ),
          );
        } catch (e) {
          reply(response, 400, error(400, 'parse_exception', (e as Error).message));
        }
      });
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(engine, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/**
 * Points a log shipper's environment (if it is one) at the stand-in. It signs with SigV4 there,
 * as for an OpenSearch Service domain: the sandbox's credentials are all that takes, where the
 * API-key mode would need Secrets Manager and a key to put in it.
 */
export function localizeLogShipper(environment: Record<string, string>, searchUrl: string): void {
  if (environment[LOG_SHIPPER_ENV.endpoint] === undefined) return;
  environment[LOG_SHIPPER_ENV.endpoint] = searchUrl;
  environment[LOG_SHIPPER_ENV.auth] = 'aws-es';
  delete environment[LOG_SHIPPER_ENV.apiKeySecretArn];
}

/**
 * A check for SigV4-signed requests from whoever holds `accessKeyId`, for `service` in `region`.
 * The signature itself is not recomputed: the sandbox's credentials are not secret.
 */
export function sigV4From(
  accessKeyId: string,
  region: string,
  service: string,
): (authorization: string | undefined) => boolean {
  const scope = new RegExp(
    `^AWS4-HMAC-SHA256 Credential=${accessKeyId}/\\d{8}/${region}/${service}/aws4_request, SignedHeaders=[^,]+, Signature=[0-9a-f]{64}$`,
  );
  return (authorization) => authorization !== undefined && scope.test(authorization);
}

const DEFAULT_FIND_LIMIT = 100;

function findDocuments(indices: Map<string, Map<string, Source>>, query: DocumentQuery): DocumentResult {
  const pattern = query.index ? wildcard(query.index) : undefined;
  const text = query.text?.toLowerCase();
  const found: (FoundDocument & { at: number })[] = [];
  for (const [index, documents] of indices) {
    if (pattern && !pattern.test(index)) continue;
    for (const [id, source] of documents) {
      if (
        query.correlationId !== undefined &&
        valueAt(source, 'labels.correlation_id') !== query.correlationId
      )
        continue;
      if (text && !JSON.stringify(source).toLowerCase().includes(text)) continue;
      const at = Date.parse(String(source['@timestamp']));
      found.push({ index, id, source, at: Number.isNaN(at) ? 0 : at });
    }
  }
  found.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
  return {
    total: found.length,
    documents: found
      .slice(0, query.limit ?? DEFAULT_FIND_LIMIT)
      .map(({ index, id, source }) => ({ index, id, source })),
    indices: [...indices.entries()]
      .map(([name, documents]) => ({ name, documents: documents.size }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
