/** The HTTP probe behind the health check, against real local servers. */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probe } from '../../../functions/health-check/probe.js';

const servers: Server[] = [];

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('probe', () => {
  it('is not fooled by the server closing idle connections between probes', async () => {
    const url = await serve((_request, response) => response.end('ok'));
    expect(await probe(url, 1000)).toMatchObject({ up: true, status: 200 });
    servers[0]!.closeAllConnections();
    expect(await probe(url, 1000)).toMatchObject({ up: true, status: 200 });
  });

  it('times out when the body does not arrive in time, even after the headers did', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200);
      response.write('partial');
      setTimeout(() => response.end(), 2000).unref();
    });
    expect(await probe(url, 150)).toMatchObject({ up: false, reason: 'timeout' });
  });

  it('counts a redirect as down: only 2xx is up', async () => {
    const url = await serve((_request, response) =>
      response.writeHead(302, { location: '/elsewhere' }).end(),
    );
    expect(await probe(url, 1000)).toMatchObject({ up: false, status: 302, reason: 'non_2xx' });
  });

  it('reports a connection dropped mid-request as a network error', async () => {
    const url = await serve((request) => request.socket.destroy());
    const result = await probe(url, 1000);
    expect(result).toMatchObject({ up: false, reason: 'network_error' });
    expect(result.up === false && result.detail).toMatch(/socket hang up|ECONNRESET/);
  });
});
