/**
 * A TCP server that accepts connections and never answers (a hung dependency), and a proxy that
 * answers late (a slow one).
 */
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  endpoint: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

async function listen(server: Server, sockets: Set<Socket>): Promise<LocalServer> {
  let connections = 0;
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads every request and never writes a byte back. */
export function startSilentServer(): Promise<LocalServer> {
  const sockets = new Set<Socket>();
  return listen(
    createServer((socket) => socket.resume()),
    sockets,
  );
}

/** Forwards to `target` (http://host:port), holding each client's bytes back for `delayMs`. */
export function startSlowProxy(target: string, delayMs: number): Promise<LocalServer> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => sockets.delete(upstream));
    client.on('data', (chunk) => {
      setTimeout(() => upstream.writable && upstream.write(chunk), delayMs);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
  });
  return listen(server, sockets);
}
