/**
 * What a bundle carries follows from its imports: `lookout` brings X-Ray, `lookout/otel`
 * OpenTelemetry, `lookout/profiling` the profiler, under plain esbuild with no flags. And
 * ObservedFunction's own bundles: the environment it sets, builtins loaded without their ES-module
 * facade, and a bundle that runs. The fixtures import Lookout by package name, so these bundles are
 * made from the built package (npm run build).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { BuildOptions } from 'esbuild';
import { buildSync } from 'esbuild';
import { ObservedFunction } from '../../lib/cdk/index.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`./fixtures/entry-points/${name}.ts`, import.meta.url));
// String literals each SDK keeps in a minified bundle.
const XRAY_MARKER = 'AWS_XRAY_DAEMON_ADDRESS';
const OTEL_MARKER = 'OTEL_EXPORTER_OTLP_COMPRESSION';
// ...and that Lookout's own modules keep.
const OTEL_BACKEND_MARKER = 'faas.trigger';
const PROFILER_MARKER = 'Profiler.start';
const S3_CLIENT_MARKER = 'x-amz-bucket-region';
const invokeBundle = fileURLToPath(new URL('./fixtures/invoke-bundle.mjs', import.meta.url));

/** What `esbuild --bundle --minify --format=esm --platform=node` makes, and nothing more. */
const plainBundle = (input: Pick<BuildOptions, 'entryPoints' | 'stdin'>): string =>
  buildSync({
    ...input,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;

describe('plain esbuild bundles carry what their imports reach', () => {
  const plain = new Map<string, string>();
  beforeAll(() => {
    for (const name of ['xray', 'otel', 'profiling'])
      plain.set(name, plainBundle({ entryPoints: [fixture(name)] }));
  });
  // Booleans, so that a failure does not print a megabyte of bundle.
  const has = (name: string, marker: string) => plain.get(name)!.includes(marker);

  it('lookout: X-Ray and no OpenTelemetry', () => {
    expect({ xray: has('xray', XRAY_MARKER), otel: has('xray', OTEL_MARKER) }).toEqual({
      xray: true,
      otel: false,
    });
    expect(has('xray', OTEL_BACKEND_MARKER)).toBe(false);
  });

  it('lookout/otel: OpenTelemetry and no X-Ray, even with a helper imported from lookout', () => {
    expect({ xray: has('otel', XRAY_MARKER), otel: has('otel', OTEL_MARKER) }).toEqual({
      xray: false,
      otel: true,
    });
    expect(has('otel', OTEL_BACKEND_MARKER)).toBe(true);
  });

  it('the profiler only where lookout/profiling is imported, and never the S3 client', () => {
    expect({ xray: has('xray', PROFILER_MARKER), profiling: has('profiling', PROFILER_MARKER) }).toEqual({
      xray: false,
      profiling: true,
    });
    // The profiler takes its S3 client from the Lambda runtime, not from the bundle.
    expect(has('profiling', S3_CLIENT_MARKER)).toBe(false);
  });

  // Importing one makes Node build its ES-module facade, which reads every export, and one of
  // http's is a lazy getter that loads undici: a large share of a cold start.
  it('lookout: loads node:http and node:https without their ES-module facade', () => {
    const importsHttp = (code: string) =>
      /import\s*[\w$]*\s*(?:\*\s*as\s*[\w$]+\s*)?(?:\{[^}]*\}\s*)?from\s*"(?:node:)?https?"/.test(code);
    expect({
      xray: importsHttp(plain.get('xray')!),
      profiling: importsHttp(plain.get('profiling')!),
    }).toEqual({
      xray: false,
      profiling: false,
    });
    // Checked on something that has one: the same test finds the Powertools Tracer's import.
    const tracer = plainBundle({
      stdin: {
        contents: "export { Tracer } from '@aws-lambda-powertools/tracer';",
        resolveDir: process.cwd(),
      },
    });
    expect(importsHttp(tracer)).toBe(true);
  });

  it('keeps the module that gives the X-Ray SDK a require, which esbuild would otherwise drop', () => {
    const definesRequire = (name: string) => /globalThis\.require\?\?=/.test(plain.get(name)!);
    expect({ xray: definesRequire('xray'), otel: definesRequire('otel') }).toEqual({
      xray: true,
      otel: false,
    });
  });
});

describe('ObservedFunction bundles', () => {
  let outdir: string;
  const templates = new Map<string, Template>();
  const bundles = new Map<string, string>();
  const bundlePaths = new Map<string, string>();

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'lookout-tracing-'));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stacks = new Map<string, Stack>();
    for (const tracing of ['xray', 'otel', 'off'] as const) {
      const stack = new Stack(app, `Fn-${tracing}`);
      new ObservedFunction(stack, 'Api', {
        entry: fixture(tracing === 'otel' ? 'otel' : 'xray'),
        tracing,
        ...(tracing === 'otel' ? { otelEndpoint: 'http://collector.internal:4318' } : {}),
      });
      stacks.set(tracing, stack);
    }
    const profiled = new Stack(app, 'Fn-xray-profiling');
    new ObservedFunction(profiled, 'Api', {
      entry: fixture('profiling'),
      profiling: {
        bucket: s3.Bucket.fromBucketName(profiled, 'Profiles', 'lookout-profiles'),
        sampleRate: 1,
      },
    });
    stacks.set('xray-profiling', profiled);
    const callsApi = new Stack(app, 'Fn-calls-api');
    new ObservedFunction(callsApi, 'Api', { entry: fixture('calls-api') });
    stacks.set('calls-api', callsApi);
    for (const [variant, stack] of stacks) {
      const template = Template.fromStack(stack);
      templates.set(variant, template);
      const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0]!;
      const path = join(outdir, fn.Metadata['aws:asset:path'] as string, 'index.mjs');
      bundlePaths.set(variant, path);
      bundles.set(variant, readFileSync(path, 'utf8'));
    }
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('tells the library which backend to use, and where OpenTelemetry spans go', () => {
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

  it('imports the X-Ray SDK statically, so that no module waits behind import()', () => {
    // esbuild inlines an import() of a bundled module as `Promise.resolve().then(...)` and wraps
    // the modules behind it in lazy initializers.
    expect(bundles.get('xray')!.includes('Promise.resolve().then(')).toBe(false);
    expect(bundles.get('xray')!.includes(XRAY_MARKER)).toBe(true);
    expect(bundles.get('otel')!.includes(XRAY_MARKER)).toBe(false);
  });

  it("loads node:http and node:https with require, never through their ES-module facade, even where the handler's own code imports them", () => {
    for (const [variant, code] of bundles) {
      expect({ variant, esmImport: /import\s*[\w${}\s,*]*from\s*"node:https?"/.test(code) }).toEqual({
        variant,
        esmImport: false,
      });
    }
    // The alias's one-line CommonJS module, minified: `x.exports=__require("https")`.
    expect(bundles.get('calls-api')).toMatch(/\.exports=[\w$]+\("https"\)/);
  });

  it('runs: the profiling bundle answers, logs its access line, and writes a profile locally', () => {
    const folder = mkdtempSync(join(tmpdir(), 'lookout-bundle-profiles-'));
    try {
      const run = spawnSync(process.execPath, [invokeBundle, bundlePaths.get('xray-profiling')!], {
        encoding: 'utf8',
        timeout: 60_000,
        env: {
          PATH: process.env.PATH ?? '',
          AWS_LAMBDA_FUNCTION_NAME: 'bundle-test',
          AWS_REGION: 'eu-west-2',
          LOOKOUT_TRACING: 'xray',
          LOOKOUT_PROFILE_SAMPLE_RATE: '1',
          LOOKOUT_PROFILE_DIR: folder,
        },
      });
      expect(run.status).toBe(0);
      const lines = run.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.at(-1)).toMatchObject({ response: { statusCode: 200, body: 'ok' } });
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            route: 'GET /orders/{id}',
            correlation_id: 'corr-bundle-1',
            status: 200,
          }),
          expect.objectContaining({ message: 'CPU profile captured', correlation_id: 'corr-bundle-1' }),
        ]),
      );
      const [fnFolder] = readdirSync(folder);
      expect(readdirSync(join(folder, fnFolder!))).toEqual([
        expect.stringMatching(/_sampled_bundle-invocation\.cpuprofile$/),
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
