/**
 * A UDP socket on loopback where the X-Ray daemon would listen: it keeps every segment document
 * the X-Ray SDK sends, in the order they arrive.
 */
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface XRayDaemon<Segment> {
  /** `127.0.0.1:<port>`, for AWS_XRAY_DAEMON_ADDRESS. */
  address: string;
  /** What has arrived so far; a test may empty it. */
  segments: Segment[];
  close(): void;
}

export async function startXRayDaemon<Segment = Record<string, unknown>>(): Promise<XRayDaemon<Segment>> {
  const socket = createSocket('udp4');
  const segments: Segment[] = [];
  socket.on('message', (message) => {
    // Each datagram is a JSON header line, `{"format":"json","version":1}`, then one document.
    const [, body] = message.toString('utf8').split('\n');
    if (body) segments.push(JSON.parse(body) as Segment);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(socket.address() as AddressInfo).port}`,
    segments,
    close: () => socket.close(),
  };
}
