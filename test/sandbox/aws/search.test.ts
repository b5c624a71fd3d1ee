/**
 * The sandbox's search engine speaks the shipper's subset strictly: `_bulk` NDJSON with per-item
 * results, idempotent by id; the index template's typed fields; SigV4 from the sandbox's
 * credentials only; loopback only; and `find`, the console's newest-first read.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { createTransport } from '../../../lib/handlers/log-shipper/transport.js';
import { indexTemplate } from '../../../lib/handlers/log-shipper/template.js';
import type { SearchStandIn } from '../../../sandbox/aws/search.js';
import { sigV4From, startSearchStandIn } from '../../../sandbox/aws/search.js';

const KEY_ID = 'ASIASANDBOXTEST00000';
let search: SearchStandIn;
let open: SearchStandIn;

beforeAll(async () => {
  search = await startSearchStandIn({ authorize: sigV4From(KEY_ID, 'eu-west-2', 'es') });
  open = await startSearchStandIn();
});
afterAll(async () => {
  await search.close();
  await open.close();
});

const post = (path: string, body: string, contentType = 'application/x-ndjson') =>
  fetch(`${open.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
const ndjson = (...lines: unknown[]) => `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;

describe('_bulk', () => {
  it('refuses a body without its final newline, a wrong content type and an unknown action', async () => {
    const pair = ndjson({ index: { _index: 'logs-a', _id: '1' } }, { message: 'a' });
    const unterminated = await post('/_bulk', pair.slice(0, -1));
    expect(unterminated.status).toBe(400);
    expect(await unterminated.text()).toContain('must be terminated by a newline');
    expect((await post('/_bulk', pair, 'text/plain')).status).toBe(406);
    const deletion = await post('/_bulk', ndjson({ delete: { _index: 'logs-a', _id: '1' } }, {}));
    expect(deletion.status).toBe(400);
    expect(open.documentCount()).toBe(0);
  });

  it('answers per item, indexes the good ones, and is idempotent by id', async () => {
    const body = ndjson(
      { index: { _index: 'logs-a', _id: 'e1' } },
      { '@timestamp': '2026-12-06T10:00:00.000Z', message: 'first' },
      { index: { _index: 'Logs-Upper', _id: 'e2' } },
      { message: 'bad index name' },
      { create: { _index: 'logs-b', _id: 'e3' } },
      { '@timestamp': '2026-12-06T10:00:02.000Z', message: 'third', labels: { correlation_id: 'c-1' } },
    );
    const first = (await (await post('/_bulk', body)).json()) as {
      errors: boolean;
      items: Record<string, { status: number; result?: string; error?: { type: string } }>[];
    };
    expect(first.errors).toBe(true);
    expect(
      first.items.map(
        (item) => Object.entries(item).map(([op, r]) => [op, r.status, r.result ?? r.error?.type])[0],
      ),
    ).toEqual([
      ['index', 201, 'created'],
      ['index', 400, 'invalid_index_name_exception'],
      ['create', 201, 'created'],
    ]);
    const again = (await (await post('/_bulk', body)).json()) as typeof first;
    expect(again.items.map((item) => Object.values(item)[0]!.status)).toEqual([200, 400, 409]);
    expect(open.documentCount()).toBe(2);
  });

  it('checks typed fields against the index template the shipper installs', async () => {
    const put = await fetch(`${open.url}/_index_template/lookout-logs`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(indexTemplate('lookout-logs')),
    });
    expect(put.status).toBe(200);
    const result = (await (
      await post(
        '/_bulk',
        ndjson(
          { index: { _index: 'lookout-logs-orders-2026.12.06', _id: 'x' } },
          { '@timestamp': 'yesterday' },
        ),
      )
    ).json()) as { items: { index: { status: number; error: { type: string } } }[] };
    expect(result.items[0]!.index.status).toBe(400);
    expect(result.items[0]!.index.error.type).toBe('mapper_parsing_exception');
  });
});

describe('find, the console’s read', () => {
  it('returns documents newest first, by correlation id, text or index, with index counts', () => {
    expect(open.find().documents.map((d) => d.id)).toEqual(['e3', 'e1']);
    expect(open.find({ correlationId: 'c-1' }).documents.map((d) => d.id)).toEqual(['e3']);
    expect(open.find({ text: 'FIRST' }).documents.map((d) => d.id)).toEqual(['e1']);
    expect(open.find({ index: 'logs-b*' }).documents.map((d) => d.id)).toEqual(['e3']);
    expect(open.find({ limit: 1 })).toMatchObject({ total: 2, documents: [{ id: 'e3' }] });
    expect(open.find().indices).toEqual([
      { name: 'logs-a', documents: 1 },
      { name: 'logs-b', documents: 1 },
    ]);
  });
});

describe('who may call it', () => {
  it('takes requests signed with the sandbox’s credentials for es, and nothing else', async () => {
    const credentials = {
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      AWS_SESSION_TOKEN: 'token',
    };
    const saved = Object.fromEntries(Object.keys(credentials).map((name) => [name, process.env[name]]));
    Object.assign(process.env, credentials);
    try {
      const signed = createTransport({ endpoint: search.url, auth: 'aws-es', region: 'eu-west-2' });
      expect((await signed('GET', '/', undefined, 2000)).status).toBe(200);
      const wrongService = createTransport({ endpoint: search.url, auth: 'aws-aoss', region: 'eu-west-2' });
      expect((await wrongService('GET', '/', undefined, 2000)).status).toBe(401);
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect((await fetch(`${search.url}/`)).status).toBe(401);
  });

  it('answers only requests addressed to loopback', async () => {
    const { port } = new URL(open.url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', headers: { host: 'evil.example:80' } },
        (res) => {
          res.resume();
          resolve(res.statusCode);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});
