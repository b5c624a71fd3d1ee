/** ObservedFunction's tracing option: its environment, and bundles that carry one backend only. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { TracingMode } from '../../lib/cdk/index.js';
import { ObservedFunction } from '../../lib/cdk/index.js';

const entry = fileURLToPath(new URL('./fixtures/observed/handler.ts', import.meta.url));
// String literals each SDK keeps in a minified bundle.
const XRAY_MARKER = 'AWS_XRAY_DAEMON_ADDRESS';
const OTEL_MARKER = 'OTEL_EXPORTER_OTLP_COMPRESSION';

describe('ObservedFunction tracing backends', () => {
  let outdir: string;
  const templates = new Map<TracingMode, Template>();
  const bundles = new Map<TracingMode, string>();

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'lookout-tracing-'));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stacks = new Map<TracingMode, Stack>();
    for (const tracing of ['xray', 'otel', 'off'] as const) {
      const stack = new Stack(app, `Fn-${tracing}`);
      new ObservedFunction(stack, 'Api', {
        entry,
        tracing,
        ...(tracing === 'otel' ? { otelEndpoint: 'http://collector.internal:4318' } : {}),
      });
      stacks.set(tracing, stack);
    }
    for (const [tracing, stack] of stacks) {
      const template = Template.fromStack(stack);
      templates.set(tracing, template);
      const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0]!;
      bundles.set(
        tracing,
        readFileSync(join(outdir, fn.Metadata['aws:asset:path'] as string, 'index.mjs'), 'utf8'),
      );
    }
    expect(readdirSync(outdir).filter((name) => name.startsWith('asset.'))).toHaveLength(3);
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('tells the library which backend to load, and where OpenTelemetry spans go', () => {
    templates.get('xray')!.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: { LOOKOUT_TRACING: 'xray' } },
    });
    templates.get('otel')!.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: { LOOKOUT_TRACING: 'otel', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.internal:4318' },
      },
    });
    templates.get('off')!.hasResourceProperties('AWS::Lambda::Function', {
      TracingConfig: Match.absent(),
      Environment: { Variables: { LOOKOUT_TRACING: 'off' } },
    });
  });

  it('bundles only the chosen backend', () => {
    // Booleans, so that a failure does not print a megabyte of bundle.
    const has = (tracing: TracingMode, marker: string) => bundles.get(tracing)!.includes(marker);
    expect({
      xray: has('xray', XRAY_MARKER),
      otel: has('otel', XRAY_MARKER),
      off: has('off', XRAY_MARKER),
    }).toEqual({
      xray: true,
      otel: false,
      off: false,
    });
    expect({
      xray: has('xray', OTEL_MARKER),
      otel: has('otel', OTEL_MARKER),
      off: has('off', OTEL_MARKER),
    }).toEqual({
      xray: false,
      otel: true,
      off: false,
    });
    expect(bundles.get('off')!.length).toBeLessThan(bundles.get('xray')!.length);
  });
});
