/**
 * An X-Ray daemon stand-in: a UDP socket on loopback that accepts what the X-Ray SDKs send and
 * keeps it, grouped by trace, for the sandbox's trace view. Point functions at it with
 * AWS_XRAY_DAEMON_ADDRESS = `daemon.address`.
 */
import { createSocket } from 'node:dgram';
import type { SegmentDocument } from './protocol.js';
import { parsePacket } from './protocol.js';
import type { TraceStoreOptions, TraceTree } from './trace-store.js';
import { TraceStore } from './trace-store.js';

export interface XRayDaemonOptions extends TraceStoreOptions {
  /** UDP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

export interface XRayDaemonStats {
  /** Documents accepted. */
  received: number;
  /** Datagrams that were not a header line plus a valid segment document. */
  malformed: number;
  /** Documents dropped because their trace was full. */
  dropped: number;
}

export interface XRayDaemon {
  /** `127.0.0.1:<port>`, the value for AWS_XRAY_DAEMON_ADDRESS. */
  address: string;
  port: number;
  /** Every trace as a tree, most recently updated first. */
  traces(limit?: number): TraceTree[];
  trace(traceId: string): TraceTree | undefined;
  /** Called with every accepted document; returns an unsubscribe function. */
  onDocument(listener: (document: SegmentDocument) => void): () => void;
  stats(): XRayDaemonStats;
  /** Safe to call more than once. */
  close(): Promise<void>;
}

export async function startXRayDaemon(options: XRayDaemonOptions = {}): Promise<XRayDaemon> {
  const store = new TraceStore(options);
  const listeners = new Set<(document: SegmentDocument) => void>();
  const stats: XRayDaemonStats = { received: 0, malformed: 0, dropped: 0 };
  const socket = createSocket('udp4');
  const requestedPort = options.port ?? 0;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      socket.close();
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `The X-Ray daemon stand-in cannot listen on UDP 127.0.0.1:${requestedPort}: the port is in use`
            : `The X-Ray daemon stand-in cannot listen on UDP 127.0.0.1:${requestedPort}: ${error.message}`,
        ),
      );
    };
    socket.once('error', onError);
    socket.bind(requestedPort, '127.0.0.1', () => {
      socket.off('error', onError);
      resolve();
    });
  });
  socket.on('error', () => {
    // A datagram error never stops the daemon.
  });
  socket.on('message', (packet) => {
    const parsed = parsePacket(packet);
    if (!parsed.ok) {
      stats.malformed += 1;
      return;
    }
    if (!store.add(parsed.document)) {
      stats.dropped += 1;
      return;
    }
    stats.received += 1;
    for (const listener of listeners) {
      try {
        listener(parsed.document);
      } catch {
        // A listener's failure does not drop the document.
      }
    }
  });

  const port = socket.address().port;
  let closing: Promise<void> | undefined;
  return {
    address: `127.0.0.1:${port}`,
    port,
    traces: (limit) => store.traces(limit),
    trace: (traceId) => store.trace(traceId),
    onDocument(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stats: () => ({ ...stats }),
    close: () => (closing ??= new Promise<void>((resolve) => socket.close(() => resolve()))),
  };
}
