/**
 * Sends segment documents to an X-Ray daemon over UDP, as the X-Ray SDKs do: a JSON header line,
 * then the document. Used by the Lambda emulation for the segments Lambda itself records.
 */
import { createSocket, type Socket } from 'node:dgram';

export const DAEMON_HEADER = '{"format": "json", "version": 1}';

export interface DaemonEndpoint {
  host: string;
  port: number;
}

/**
 * Reads AWS_XRAY_DAEMON_ADDRESS: `host:port`, or `udp:host:port tcp:host:port` (the UDP one is used).
 */
export function parseDaemonAddress(address: string): DaemonEndpoint {
  const parts = address.trim().split(/\s+/);
  const udp =
    parts.find((part) => part.startsWith('udp:'))?.slice(4) ?? parts.find((p) => !p.startsWith('tcp:'));
  const match = udp ? /^(.+):(\d{1,5})$/.exec(udp) : null;
  const port = match ? Number(match[2]) : NaN;
  if (!match || !match[1] || port < 1 || port > 65_535) {
    throw new Error(`X-Ray daemon address "${address}" is not host:port or "udp:host:port tcp:host:port"`);
  }
  return { host: match[1], port };
}

export interface SegmentEmitter {
  /** Sends one document; delivery is best effort, as with the real daemon. */
  send(document: Record<string, unknown>): void;
  close(): void;
}

export function createSegmentEmitter(address: string): SegmentEmitter {
  const endpoint = parseDaemonAddress(address);
  let socket: Socket | undefined;
  return {
    send(document) {
      if (!socket) {
        socket = createSocket(endpoint.host.includes(':') ? 'udp6' : 'udp4');
        socket.on('error', () => {});
        socket.unref();
      }
      socket.send(`${DAEMON_HEADER}\n${JSON.stringify(document)}`, endpoint.port, endpoint.host);
    },
    close() {
      socket?.close();
      socket = undefined;
    },
  };
}
