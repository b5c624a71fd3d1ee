import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { formatTraceparent, formatXRayHeader, parseTraceparent, parseXRayHeader } from '../../lib/index.js';

const XRAY = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const W3C = '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01';

describe('traceparent ↔ X-Ray header', () => {
  it('maps an X-Ray header to traceparent and back', () => {
    const context = parseXRayHeader(XRAY)!;
    expect(context).toEqual({
      traceId: '5759e988bd862e3fe1be46a994272793',
      spanId: '53995c3f42cd8ad8',
      sampled: true,
    });
    expect(formatTraceparent(context)).toBe(W3C);
    expect(formatXRayHeader(parseTraceparent(W3C)!)).toBe(XRAY);
  });

  it('keeps "not sampled" both ways', () => {
    const context = parseTraceparent('00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00')!;
    expect(context.sampled).toBe(false);
    expect(formatXRayHeader(context)).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
    );
  });

  it('reads headers without Sampled as "undecided", and sends them on as sampled traceparent', () => {
    const context = parseXRayHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8')!;
    expect(context.sampled).toBeUndefined();
    expect(formatXRayHeader(context)).toBe(
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8',
    );
    expect(formatTraceparent(context)).toBe(W3C);
  });

  it('accepts field order, spacing and case variations and extra fields', () => {
    expect(
      parseXRayHeader(
        'Sampled=1; Parent=53995C3F42CD8AD8 ;Root=1-5759E988-BD862E3FE1BE46A994272793;Lineage=a:1',
      ),
    ).toEqual({
      traceId: '5759e988bd862e3fe1be46a994272793',
      spanId: '53995c3f42cd8ad8',
      sampled: true,
    });
  });

  it.each([
    undefined,
    '',
    'garbage',
    'Root=1-5759e988-bd862e3fe1be46a994272793', // no parent
    'Root=2-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8',
    'Root=1-5759e988-bd862e3f;Parent=53995c3f42cd8ad8',
    'Root=1-00000000-000000000000000000000000;Parent=53995c3f42cd8ad8',
    'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=0000000000000000',
  ])('rejects the malformed X-Ray header %p', (header) => {
    expect(parseXRayHeader(header)).toBeUndefined();
  });

  it.each([
    '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8',
    'ff-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01',
    '00-00000000000000000000000000000000-53995c3f42cd8ad8-01',
    '00-5759e988bd862e3fe1be46a994272793-0000000000000000-01',
    '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01-extra',
    '00-xyz9e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01',
  ])('rejects the malformed traceparent %p', (header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it('accepts a future traceparent version with extra fields', () => {
    expect(parseTraceparent('01-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01-future')?.traceId).toBe(
      '5759e988bd862e3fe1be46a994272793',
    );
  });

  it('round-trips any valid context through both formats', () => {
    const hex = (length: number) =>
      fc
        .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length })
        .filter((s) => /[1-9a-f]/.test(s));
    fc.assert(
      fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
        const context = { traceId, spanId, sampled };
        expect(parseTraceparent(formatTraceparent(context))).toEqual(context);
        expect(parseXRayHeader(formatXRayHeader(context))).toEqual(context);
        expect(parseTraceparent(formatTraceparent(parseXRayHeader(formatXRayHeader(context))!))).toEqual(
          context,
        );
      }),
    );
  });
});
