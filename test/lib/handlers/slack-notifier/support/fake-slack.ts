/**
 * A real HTTP server on loopback playing Slack's incoming-webhook endpoint, scripted per test:
 * each request takes the next queued reply (then `200 ok`), and every request is kept.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering (for timeouts). */
  delayMs?: number;
}

export interface ReceivedPost {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: unknown;
  receivedAt: number;
}

export interface FakeSlack {
  /** A webhook URL on this server; the token in its path is what must never leak. */
  webhookUrl(token: string): string;
  /** Queues replies, answered in order. */
  reply(...replies: SlackReply[]): void;
  readonly posts: ReceivedPost[];
  close(): Promise<void>;
}

export const OK: SlackReply = { status: 200, body: 'ok' };

export async function startFakeSlack(): Promise<FakeSlack> {
  const queue: SlackReply[] = [];
  const posts: ReceivedPost[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      posts.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        json,
        receivedAt: Date.now(),
      });
      const reply = queue.shift() ?? OK;
      const send = () => {
        timers.delete(timer);
        if (response.destroyed) return;
        response.writeHead(reply.status, { 'content-type': 'text/html', ...reply.headers });
        response.end(reply.body ?? '');
      };
      const timer = setTimeout(send, reply.delayMs ?? 0);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    webhookUrl: (token) => `http://127.0.0.1:${port}/services/T0LOOKOUT/B0ALERTS/${token}`,
    reply: (...replies) => queue.push(...replies),
    posts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A loopback URL where nothing listens: connections are refused. */
export async function refusedUrl(token: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/services/T0LOOKOUT/B0ALERTS/${token}`;
}
