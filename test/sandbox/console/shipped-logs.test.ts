/** `GET /api/shipped-logs`: what the shipper indexed, newest first, searchable, with index counts. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SearchStandIn } from '../../../sandbox/aws/search.js';
import type { ShippedLogRow } from '../../../sandbox/console/shipped-logs.js';
import { startConsole, type RunningConsole } from '../../../sandbox/console/server.js';
import { MARKUP_MESSAGE, SHIPPED_CORRELATION, shippedLogsFixture } from './support/shipped-logs.js';
import { syntheticConsole } from './support/synthetic-console.js';

let search: SearchStandIn;
let running: RunningConsole;
let bare: RunningConsole;

beforeAll(async () => {
  search = await shippedLogsFixture();
  const { data } = syntheticConsole();
  running = await startConsole({ port: 0, data: { ...data, shippedLogs: search } });
  bare = await startConsole({ port: 0, data });
});

afterAll(async () => {
  await running?.close();
  await bare?.close();
  await search?.close();
});

interface Answer {
  version: number;
  total: number;
  indices: { name: string; documents: number }[];
  documents: ShippedLogRow[];
}

const get = async (console: RunningConsole, query = '') => {
  const response = await fetch(`${console.url}/api/shipped-logs${query}`);
  return { status: response.status, body: (await response.json()) as Answer };
};

describe('GET /api/shipped-logs', () => {
  it('lists every document newest first, with the ECS fields the page shows and each index’s count', async () => {
    const { status, body } = await get(running);
    expect(status).toBe(200);
    expect(body.version).toBe(3);
    expect(body.total).toBe(3);
    expect(body.indices).toEqual([
      { name: 'lookout-logs-health-check-2025.01.15', documents: 1 },
      { name: 'lookout-logs-orders-2025.01.15', documents: 2 },
    ]);
    expect(body.documents.map((d) => [d.timestamp, d.level, d.service, d.correlationId])).toEqual([
      ['2025-01-15T11:59:00.000Z', 'error', 'orders', SHIPPED_CORRELATION],
      ['2025-01-15T11:58:00.000Z', 'info', 'orders', SHIPPED_CORRELATION],
      ['2025-01-15T11:57:00.000Z', 'info', 'health-check', 'corr-health'],
    ]);
    expect(body.documents[0]!.message).toBe(MARKUP_MESSAGE);
    expect(body.documents[1]!.traceId).toBe('1-678796a0-0123456789abcdef01234567');
    expect(body.documents[1]!.source).toMatchObject({ ecs: { version: expect.any(String) } });
  });

  it('filters by text, correlation id and index, and honours the limit', async () => {
    expect((await get(running, '?q=HEALTH')).body.documents.map((d) => d.service)).toEqual(['health-check']);
    expect((await get(running, `?correlationId=${SHIPPED_CORRELATION}`)).body.total).toBe(2);
    expect((await get(running, '?correlationId=nobody')).body.documents).toEqual([]);
    expect((await get(running, '?index=lookout-logs-health-*')).body.total).toBe(1);
    const limited = await get(running, '?limit=1');
    expect(limited.body).toMatchObject({ total: 3, documents: [{ level: 'error' }] });
    expect((await get(running, '?limit=zero')).status).toBe(400);
  });

  it('answers an empty list when the sandbox ships no logs', async () => {
    expect((await get(bare)).body).toEqual({ version: 0, total: 0, indices: [], documents: [] });
  });

  it('tells the page when documents arrive, through the snapshot', async () => {
    const snapshot = (await (await fetch(`${running.url}/api/snapshot`)).json()) as {
      shippedLogsVersion: number;
    };
    expect(snapshot.shippedLogsVersion).toBe(3);
  });
});
