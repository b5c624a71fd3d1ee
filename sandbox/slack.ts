/**
 * A local Slack: incoming-webhook endpoints on loopback that keep every message posted to them.
 * One webhook per channel, so the notifier's severity routing shows.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptLoopbackOnly } from './loopback-http.js';

export interface SlackMessage {
  channel: string;
  receivedAt: string;
  /** The Block Kit payload as posted. */
  payload: unknown;
}

export interface SlackStandIn {
  url: string;
  /** The webhook URL of a channel. */
  webhookUrl(channel: string): string;
  messages(): SlackMessage[];
  close(): Promise<void>;
}

const MAX_KEPT = 500;

export async function startSlackStandIn(
  options: { port?: number; channels?: string[] } = {},
): Promise<SlackStandIn> {
  const messages: SlackMessage[] = [];
  const server = acceptLoopbackOnly(
    createServer((request, response) => {
      const channel = /^\/services\/[^/]+\/([^/]+)\/[^/]+$/.exec(request.url ?? '')?.[1];
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || !channel) {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
          return;
        }
        let payload: unknown;
        try {
          payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          response.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_payload');
          return;
        }
        messages.push({ channel, receivedAt: new Date().toISOString(), payload });
        if (messages.length > MAX_KEPT) messages.shift();
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhookUrl: (channel) => `${url}/services/TLOOKOUT/${encodeURIComponent(channel)}/sandbox`,
    messages: () => [...messages],
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
