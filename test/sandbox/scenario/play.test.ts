/** Playing phases against a real HTTP server: the pace, the picks, the headers and bodies sent. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseScenario } from '../../../sandbox/scenario/format.js';
import { playPhases, weightedPick } from '../../../sandbox/scenario/play.js';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}
const seen: Seen[] = [];
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
    response.writeHead(request.url === '/boom' ? 502 : 200).end('{}');
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('playing a scenario', () => {
  it('sends rate × minutes requests per phase, compressed, with the phase’s and the request’s headers', async () => {
    seen.length = 0;
    const scenario = parseScenario({
      phases: [
        // 0.5 simulated minutes at 60 a minute: 30 requests, in 0.5 s of real time at 60× (fewer than
        // the requests allowed in flight, so a slow machine cannot make any go unsent).
        {
          minutes: 0.5,
          rate: 60,
          headers: { 'x-phase': 'one' },
          requests: [
            { method: 'post', path: '/orders', body: { sku: 'A-1' }, headers: { 'x-request': 'r' } },
          ],
        },
        { minutes: 0.25, rate: 40, requests: [{ method: 'PUT', path: '/boom', body: 'plain text' }] },
      ],
    });
    const startedAt = Date.now();
    const stats = await playPhases(url, scenario.phases, { compression: 60 });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(700);
    expect(stats).toEqual({ requests: 40, byStatus: { '2xx': 30, '5xx': 10 }, notSent: 0 });
    const orders = seen.filter((request) => request.url === '/orders');
    expect(orders).toHaveLength(30);
    expect(orders[0]).toMatchObject({
      method: 'POST',
      body: '{"sku":"A-1"}',
      headers: { 'x-phase': 'one', 'x-request': 'r', 'content-type': 'application/json' },
    });
    expect(orders[0]!.headers['x-correlation-id']).toMatch(/^scenario-[0-9a-f-]{36}$/);
    const boom = seen.find((request) => request.url === '/boom')!;
    expect(boom).toMatchObject({ method: 'PUT', body: 'plain text' });
    expect(boom.headers['content-type']).not.toBe('application/json');
    expect(boom.headers['x-phase']).toBeUndefined();
  });

  it('picks requests by weight', () => {
    const [often, rarely] = parseScenario({
      phases: [{ minutes: 1, requests: [{ path: '/often', weight: 9 }, { path: '/rarely' }] }],
    }).phases[0]!.requests!;
    const pick = weightedPick([often!, rarely!]);
    const rolls = Array.from({ length: 1000 }, (_, index) => index / 1000);
    const picked = rolls.map((roll) => pick(roll).path);
    expect(picked.filter((path) => path === '/often')).toHaveLength(900);
    expect(pick(0.8999).path).toBe('/often');
    expect(pick(0.9).path).toBe('/rarely');
    expect(pick(0.99999).path).toBe('/rarely');
  });

  it('runs a module phase’s code as several users until the phase ends', async () => {
    seen.length = 0;
    const users = new Set<number>();
    let user = 0;
    const scenario = parseScenario({
      phases: [
        {
          minutes: 0.5,
          concurrency: 2,
          headers: { 'x-phase': 'code' },
          run: async (api: (method: string, path: string) => Promise<{ status: number }>) => {
            users.add(user++ % 2);
            const { status } = await api('GET', '/session');
            expect(status).toBe(200);
            await new Promise((resolve) => setTimeout(resolve, 20));
          },
        },
      ],
    });
    const stats = await playPhases(url, scenario.phases, { compression: 60 });
    expect(stats.requests).toBeGreaterThan(2);
    expect(seen.every((request) => request.headers['x-phase'] === 'code')).toBe(true);
  });
});
