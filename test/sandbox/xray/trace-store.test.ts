/** Segment documents in the daemon protocol, and their assembly into trace trees. */
import { describe, expect, it } from '@jest/globals';
import type { SegmentDocument, TraceNode } from '../../../sandbox/xray/index.js';
import {
  assembleTrace,
  DAEMON_HEADER,
  parseDaemonAddress,
  parsePacket,
  TraceStore,
} from '../../../sandbox/xray/index.js';

const TRACE = '1-6b0a3d29-f1c291ad07ccf65fb2878e45';
const id = (n: number) => n.toString(16).padStart(16, '0');

const segment = (n: number, fields: Partial<SegmentDocument> = {}): SegmentDocument => ({
  id: id(n),
  trace_id: TRACE,
  name: `segment-${n}`,
  start_time: 1000 + n,
  end_time: 1010 + n,
  ...fields,
});

const packet = (document: unknown) => `${DAEMON_HEADER}\n${JSON.stringify(document)}`;

/** name(child, child(...)) for compact assertions on tree shape. */
const shape = (node: TraceNode): string =>
  node.children.length === 0 ? node.name : `${node.name}(${node.children.map(shape).join(', ')})`;

describe('daemon packets', () => {
  it('accepts a segment and a separately sent subsegment', () => {
    expect(parsePacket(packet(segment(1)))).toEqual({ ok: true, document: segment(1) });
    const sub = segment(2, { type: 'subsegment', parent_id: id(1) });
    expect(parsePacket(Buffer.from(packet(sub)))).toEqual({ ok: true, document: sub });
    expect(parsePacket(packet(segment(3, { end_time: undefined, in_progress: true })))).toMatchObject({
      ok: true,
    });
  });

  it.each([
    ['no header line', JSON.stringify(segment(1)), 'no header line'],
    [
      'a header of another format',
      `{"format":"xml","version":1}\n${JSON.stringify(segment(1))}`,
      'header is not',
    ],
    ['a body that is not JSON', `${DAEMON_HEADER}\n{oops`, 'document is not JSON'],
    ['a bad id', packet(segment(1, { id: 'xyz' })), 'id must be 16 hexadecimal digits'],
    ['a bad trace id', packet(segment(1, { trace_id: 'nope' })), 'no valid trace_id'],
    [
      'no end and not in progress',
      packet(segment(1, { end_time: undefined })),
      'needs end_time or in_progress',
    ],
    [
      'a lone subsegment without parent',
      packet(segment(1, { type: 'subsegment' })),
      'has no valid parent_id',
    ],
    [
      'a bad embedded subsegment',
      packet(segment(1, { subsegments: [{ id: id(2) } as SegmentDocument] })),
      'has no name',
    ],
  ])('refuses %s', (_label, text, reason) => {
    const parsed = parsePacket(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it('reads AWS_XRAY_DAEMON_ADDRESS in both of its forms', () => {
    expect(parseDaemonAddress('127.0.0.1:2000')).toEqual({ host: '127.0.0.1', port: 2000 });
    expect(parseDaemonAddress('tcp:127.0.0.1:2001 udp:127.0.0.2:2002')).toEqual({
      host: '127.0.0.2',
      port: 2002,
    });
    expect(() => parseDaemonAddress('localhost')).toThrow(
      'X-Ray daemon address "localhost" is not host:port',
    );
  });
});

describe('trace assembly', () => {
  it('hangs embedded and separately sent subsegments under their parents, in start order', () => {
    const root = segment(1, {
      subsegments: [
        { id: id(3), name: 'embedded-late', start_time: 1005, end_time: 1006 },
        {
          id: id(2),
          name: 'embedded-early',
          start_time: 1002,
          end_time: 1004,
          subsegments: [{ id: id(4), name: 'nested', start_time: 1003, end_time: 1003.5 }],
        },
      ],
    });
    // A streamed subsegment under an embedded one, and one that arrives before its parent.
    const streamed = segment(5, {
      type: 'subsegment',
      parent_id: id(2),
      name: 'streamed',
      start_time: 1002.5,
    });
    const tree = assembleTrace(TRACE, [streamed, root]);
    expect(tree.roots.map(shape)).toEqual(['segment-1(embedded-early(streamed, nested), embedded-late)']);
    expect(tree.nodeCount).toBe(5);
    expect(tree.startTime).toBe(1001);
    expect(tree.endTime).toBe(1015);
    expect(tree.durationMs).toBe(14_000);
    const early = tree.roots[0]!.children[0]!;
    expect(early).toMatchObject({ kind: 'subsegment', parentId: id(1), durationMs: 2000, inProgress: false });
  });

  it('keeps a finished copy over an in-progress one, and marks a trace with an open segment as unfinished', () => {
    const open = segment(1, { end_time: undefined, in_progress: true });
    const tree = assembleTrace(TRACE, [open]);
    expect(tree.roots[0]!.inProgress).toBe(true);
    expect(tree.endTime).toBeUndefined();
    const store = new TraceStore();
    store.add(open);
    store.add(segment(1));
    expect(store.trace(TRACE)!.roots[0]).toMatchObject({ inProgress: false, endTime: 1011 });
  });

  it('shows a subsegment whose parent never arrived as a root, and survives a parent cycle', () => {
    const orphan = segment(7, { type: 'subsegment', parent_id: id(99) });
    const a = segment(8, { type: 'subsegment', parent_id: id(9) });
    const b = segment(9, { type: 'subsegment', parent_id: id(8) });
    const tree = assembleTrace(TRACE, [orphan, a, b]);
    expect(tree.nodeCount).toBe(3);
    const names = tree.roots.map(shape);
    expect(names).toContain('segment-7');
    expect(names.some((name) => name === 'segment-8(segment-9)' || name === 'segment-9(segment-8)')).toBe(
      true,
    );
  });

  it('carries what a waterfall shows: origin, annotations, AWS and HTTP details, error flags', () => {
    const tree = assembleTrace(TRACE, [
      segment(1, {
        origin: 'AWS::Lambda::Function',
        fault: true,
        annotations: { route: 'GET /x' },
        aws: { request_id: 'r-1' },
        http: { response: { status: 500 } },
      }),
    ]);
    expect(tree.roots[0]).toMatchObject({
      origin: 'AWS::Lambda::Function',
      fault: true,
      error: false,
      annotations: { route: 'GET /x' },
      aws: { request_id: 'r-1' },
      http: { response: { status: 500 } },
    });
    expect(tree.fault).toBe(true);
  });
});

describe('trace store bounds', () => {
  it('drops the least recently updated trace beyond maxTraces', () => {
    const store = new TraceStore({ maxTraces: 2 });
    const traceId = (n: number) => `1-6b0a3d29-${String(n).padStart(24, '0')}`;
    store.add(segment(1, { trace_id: traceId(1) }));
    store.add(segment(2, { trace_id: traceId(2) }));
    store.add(segment(3, { trace_id: traceId(1) }));
    store.add(segment(4, { trace_id: traceId(3) }));
    expect(store.size).toBe(2);
    expect(store.trace(traceId(2))).toBeUndefined();
    expect(store.traces().map((tree) => tree.traceId)).toEqual([traceId(3), traceId(1)]);
    expect(store.traces(1)).toHaveLength(1);
  });

  it('refuses documents beyond maxDocumentsPerTrace but still accepts updates of known ones', () => {
    const store = new TraceStore({ maxDocumentsPerTrace: 2 });
    expect(store.add(segment(1))).toBe(true);
    expect(store.add(segment(2))).toBe(true);
    expect(store.add(segment(3))).toBe(false);
    expect(store.add(segment(2, { name: 'renamed' }))).toBe(true);
    expect(store.trace(TRACE)!.roots.map((node) => node.name)).toEqual(['segment-1', 'renamed']);
  });
});
