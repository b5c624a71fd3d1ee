/**
 * Lookout as a user gets it: the packed tarball installed into projects made from scratch, in
 * every way the package promises to work. A change that breaks outside use fails here.
 *
 *   - TypeScript ESM, `NodeNext` and `Bundler` resolution, the strictest flags, `skipLibCheck: false`,
 *     with TypeScript 5.9 and 7;
 *   - plain Node 22 and 24, `import` and `require`, a wrapped handler running, and `lookout/otel`
 *     exporting a span with only its optional peers added;
 *   - a CDK app made by `cdk init app --language typescript` with the pinned CLI (CommonJS, TS 7,
 *     tsx), an ES-module app run by tsx, and the older ts-node layout: type check and `cdk synth`;
 *   - the lowest aws-cdk-lib, constructs and esbuild the peer ranges allow;
 *   - a handler bundled by plain esbuild, by NodejsFunction's defaults and with SAM's esbuild
 *     settings: each sends its X-Ray segments to a UDP daemon;
 *   - a runtime-only install within 1.25x the disk of the Powertools packages it builds on, and
 *     `npm ls --all` clean.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Daemon, RunResult } from './support/consumer.js';
import {
  diskKb,
  FIXTURES,
  invokeBundle,
  lockedVersion,
  npm,
  npmInstall,
  pack,
  project,
  resultOf,
  ROOT,
  run,
  succeeded,
  xrayDaemon,
} from './support/consumer.js';

const MINUTES = 60_000;
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The lowest version a peer range admits: `^2.252.0` → `2.252.0`. */
const lowest = (peer: string) => manifest.peerDependencies[peer]!.replace(/^[\^~>=]+/, '');
const OTEL_PEERS = Object.keys(manifest.peerDependencies).filter((name) =>
  name.startsWith('@opentelemetry/'),
);
const TYPESCRIPT_7 = 'ts7@npm:typescript@^7.0.2';

let work: string;
let tarball: string;
let daemon: Daemon;

/**
 * Every consumer project, installing from the moment the tarball exists: npm spends most of its
 * time on disk and network, so the installs run side by side and each test waits for its own.
 */
const projects = new Map<string, Promise<string>>();
function prepare(name: string, make: () => Promise<string>): void {
  const made = make();
  made.catch(() => {}); // awaited, and its failure reported, by the tests that need it
  projects.set(name, made);
}
const projectReady = (name: string): Promise<string> => projects.get(name)!;

/** Installs, or throws with what npm printed. */
async function install(folder: string, specs: string[]): Promise<string> {
  const installed = await npmInstall(folder, specs);
  if (installed.status !== 0) throw new Error(`npm install in ${folder}: ${succeeded(installed)}`);
  return folder;
}

let dryRun: RunResult;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lookout-consumers-'));
  tarball = await pack(work);
  daemon = await xrayDaemon();
  // Before the installs below start competing with it for the network.
  dryRun = await npm(work, ['publish', tarball, '--dry-run']);
  const middy = `@middy/core@${lockedVersion('@middy/core')}`;
  prepare('runtime', () =>
    install(
      project(
        join(work, 'runtime'),
        { name: 'runtime', private: true, type: 'module' },
        {
          'run-handler.mjs': 'node/run-handler.mjs',
          'run-handler.cjs': 'node/run-handler.cjs',
        },
      ),
      [tarball, middy],
    ),
  );
  prepare('powertools', () =>
    install(project(join(work, 'powertools'), { name: 'powertools', private: true }), [
      ...['logger', 'metrics', 'tracer'].map(
        (name) => `@aws-lambda-powertools/${name}@${manifest.dependencies['@aws-lambda-powertools/logger']}`,
      ),
      middy,
    ]),
  );
  prepare('node22', () =>
    install(project(join(work, 'node22'), { name: 'node22', private: true }), ['node@22']),
  );
  prepare('otel', () =>
    install(project(join(work, 'otel'), { name: 'otel', private: true, type: 'module' }), [
      tarball,
      ...OTEL_PEERS.map((name) => `${name}@${lockedVersion(name)}`),
    ]),
  );
  prepare('ts-esm', () =>
    install(
      project(
        join(work, 'ts-esm'),
        { name: 'ts-esm', private: true, type: 'module' },
        {
          src: 'ts-esm/src',
          'tsconfig.base.json': 'ts-esm/tsconfig.base.json',
          'tsconfig.nodenext.json': 'ts-esm/tsconfig.nodenext.json',
          'tsconfig.bundler.json': 'ts-esm/tsconfig.bundler.json',
        },
      ),
      [
        tarball,
        `typescript@${lockedVersion('typescript')}`,
        `@types/node@${lockedVersion('@types/node')}`,
        TYPESCRIPT_7,
      ],
    ),
  );
  prepare('cdk-app', async () => {
    const app = join(work, 'consumer-app');
    mkdirSync(app);
    const init = await run(
      join(ROOT, 'node_modules', '.bin', 'cdk'),
      ['init', 'app', '--language', 'typescript', '--generate-only'],
      { cwd: app },
    );
    if (init.status !== 0) throw new Error(`cdk init: ${succeeded(init)}`);
    project(app, JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>, {
      'lib/consumer-app-stack.ts': 'cdk-app/lib/stack.ts',
      src: 'cdk-app/src',
      'bin/esm-app.mts': 'cdk-app/bin/esm-app.mts',
    });
    // What the user does: install the app's own dependencies, then Lookout and esbuild.
    await install(app, []);
    return install(app, [tarball, `esbuild@${lockedVersion('esbuild')}`]);
  });
  prepare('ts-node', () =>
    install(
      project(
        join(work, 'ts-node'),
        JSON.parse(readFileSync(join(ROOT, 'test/package/fixtures/ts-node/package.json'), 'utf8')) as Record<
          string,
          unknown
        >,
        {
          'cdk.json': 'ts-node/cdk.json',
          'tsconfig.json': 'ts-node/tsconfig.json',
          bin: 'ts-node/bin',
          lib: 'ts-node/lib',
        },
      ),
      [
        tarball,
        `aws-cdk-lib@${lockedVersion('aws-cdk-lib')}`,
        `constructs@${lockedVersion('constructs')}`,
        `esbuild@${lockedVersion('esbuild')}`,
        `aws-cdk@${lockedVersion('aws-cdk')}`,
        `typescript@${lockedVersion('typescript')}`,
        `@types/node@${lockedVersion('@types/node')}`,
        'ts-node@^10.9.2',
      ],
    ),
  );
  prepare('lowest', () =>
    install(
      project(
        join(work, 'lowest'),
        { name: 'lowest', private: true },
        {
          'app.cjs': 'lowest/app.cjs',
          'handler.mjs': 'lowest/handler.mjs',
        },
      ),
      [
        tarball,
        `aws-cdk-lib@${lowest('aws-cdk-lib')}`,
        `constructs@${lowest('constructs')}`,
        `esbuild@${lowest('esbuild')}`,
      ],
    ),
  );
}, 2 * MINUTES);

afterAll(async () => {
  // Let every install finish before its folder goes.
  await Promise.allSettled(projects.values());
  daemon?.close();
  rmSync(work, { recursive: true, force: true });
}, 5 * MINUTES);

describe('the tarball', () => {
  it('holds the built package and nothing of the repository', async () => {
    const listing = await run('tar', ['-tzf', tarball], { cwd: work });
    const files = listing.stdout.trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']),
    );
    expect(files).toContain('package/dist/assets/slack-notifier/index.mjs');
    const outside = files.filter(
      (file) => !/^package\/(dist\/|LICENSE$|README\.md$|package\.json$)/.test(file),
    );
    expect(outside).toEqual([]);
    expect(files.some((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toBe(false);
    // The sandbox is its own package (lookout-sandbox), built beside this one.
    expect(files.filter((file) => file.includes('sandbox-package'))).toEqual([]);
  });

  it('publishes cleanly (npm publish --dry-run)', () => {
    expect(succeeded(dryRun)).toBe('ok');
    // The one warning a dry run always gives here is that nobody is logged in.
    const warnings = dryRun.stderr
      .split('\n')
      .filter((line) => /warn/i.test(line) && !/logged in/.test(line));
    expect(warnings).toEqual([]);
  });

  it(
    'refuses an aws-cdk-lib older than its peer range',
    async () => {
      const folder = project(join(work, 'old-cdk'), { name: 'old-cdk', private: true });
      const attempt = await npm(folder, [
        'install',
        '--dry-run',
        '--prefer-offline',
        tarball,
        'aws-cdk-lib@2.200.0',
      ]);
      expect(attempt.status).not.toBe(0);
      expect(attempt.stderr).toMatch(/ERESOLVE[\s\S]*peerOptional aws-cdk-lib@"\^2\.252\.0" from lookout/);
    },
    2 * MINUTES,
  );
});

describe('runtime-only install', () => {
  it(
    'takes at most 1.25x the disk of Powertools logger, metrics and tracer with @middy/core',
    async () => {
      const runtime = await projectReady('runtime');
      const alone = await projectReady('powertools');
      const lookoutKb = await diskKb(join(runtime, 'node_modules'));
      const powertoolsKb = await diskKb(join(alone, 'node_modules'));
      // The figures show in the failure message.
      expect({ lookoutKb, powertoolsKb, within: lookoutKb <= 1.25 * powertoolsKb }).toEqual({
        lookoutKb,
        powertoolsKb,
        within: true,
      });
      // Neither the OpenTelemetry SDK nor the CDK comes with it.
      const installed = readdirSync(join(runtime, 'node_modules'));
      expect(
        installed.filter((name) => ['@opentelemetry', 'aws-cdk-lib', 'constructs', 'zod'].includes(name)),
      ).toEqual([]);
    },
    5 * MINUTES,
  );

  it(
    'has the lookout command, which says how to add the sandbox when it is not installed',
    async () => {
      const runtime = await projectReady('runtime');
      const attempt = await run('npx', ['lookout', 'sandbox', '--ci'], { cwd: runtime });
      expect(attempt.status).toBe(2);
      expect(attempt.stderr).toContain('npm install --save-dev lookout-sandbox');
      const help = await run('npx', ['lookout', '--help'], { cwd: runtime });
      expect(succeeded(help)).toBe('ok');
      expect(help.stdout).toMatch(/^Usage: lookout sandbox/);
    },
    2 * MINUTES,
  );

  it(
    'npm ls --all is clean',
    async () => {
      expect(succeeded(await npm(await projectReady('runtime'), ['ls', '--all']))).toBe('ok');
    },
    5 * MINUTES,
  );

  it.each(['24', '22'])(
    'loads with import and require on Node %s, and a wrapped handler runs',
    async (major) => {
      const runtime = await projectReady('runtime');
      const node =
        major === '22'
          ? join(await projectReady('node22'), 'node_modules', '.bin', 'node')
          : process.execPath;
      const version = await run(node, ['--version'], { cwd: runtime });
      expect(version.stdout).toMatch(new RegExp(`^v${major}\\.`));
      const esm = await run(node, ['run-handler.mjs'], { cwd: runtime });
      expect(succeeded(esm)).toBe('ok');
      expect(resultOf(esm.stdout)).toEqual([{ statusCode: 200, body: 'hello esm' }, 'chained']);
      const cjs = await run(node, ['run-handler.cjs'], { cwd: runtime });
      expect(succeeded(cjs)).toBe('ok');
      expect(resultOf(cjs.stdout)).toEqual([{ statusCode: 200, body: 'hello cjs' }]);
      // require(esm) is quiet: no experimental warning on stderr
      expect(esm.stderr + cjs.stderr).not.toMatch(/ExperimentalWarning/);
    },
    5 * MINUTES,
  );

  it(
    'lookout/otel exports a span once its optional peers are installed',
    async () => {
      const otel = await projectReady('otel');
      expect(succeeded(await npm(otel, ['ls', '--all']))).toBe('ok');
      const exports: string[] = [];
      const collector = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          exports.push(body);
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
      try {
        cpSync(join(FIXTURES, 'otel', 'run-handler.mjs'), join(otel, 'run-handler.mjs'));
        const port = (collector.address() as AddressInfo).port;
        const ran = await run(process.execPath, ['run-handler.mjs'], {
          cwd: otel,
          env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
        });
        expect(succeeded(ran)).toBe('ok');
        expect(resultOf(ran.stdout)).toBe('traced');
        expect(exports.join('\n')).toContain('otel-consumer');
      } finally {
        collector.close();
      }
    },
    5 * MINUTES,
  );
});

describe('TypeScript ESM consumer, strictest flags, skipLibCheck false', () => {
  it.each([
    ['5.9', 'nodenext'],
    ['5.9', 'bundler'],
    ['7', 'nodenext'],
    ['7', 'bundler'],
  ])(
    'tsc %s, %s resolution: clean',
    async (version, resolution) => {
      const folder = await projectReady('ts-esm');
      const tsc = join(folder, 'node_modules', version === '7' ? 'ts7' : 'typescript', 'bin', 'tsc');
      const checked = await run(tsc, ['-p', `tsconfig.${resolution}.json`, '--listFiles'], { cwd: folder });
      expect(succeeded(checked)).toBe('ok');
      // The declarations of every entry point were read, not skipped.
      for (const entry of ['lib/index.d.ts', 'lib/otel.d.ts', 'lib/profiling/index.d.ts']) {
        expect(checked.stdout).toContain(`node_modules/lookout/dist/${entry}`);
      }
    },
    5 * MINUTES,
  );
});

describe('CDK app made by cdk init, with Lookout added', () => {
  const cdkOut = () => join(work, 'consumer-app', 'cdk.out');

  it(
    'is the CommonJS, NodeNext, TypeScript 7 app the pinned CLI makes',
    async () => {
      const app = await projectReady('cdk-app');
      const made = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as {
        type?: string;
        devDependencies: Record<string, string>;
      };
      expect(made.type).toBeUndefined();
      expect(made.devDependencies.typescript).toMatch(/^~?7\./);
      expect(readFileSync(join(app, 'tsconfig.json'), 'utf8')).toMatch(/"module":\s*"NodeNext"/);
      expect(JSON.parse(readFileSync(join(app, 'cdk.json'), 'utf8')).app).toMatch(/tsc && npx tsx/);
    },
    5 * MINUTES,
  );

  it(
    'npx tsc, then cdk synth: the stack has Lookout in it',
    async () => {
      const app = await projectReady('cdk-app');
      const synth = await run('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', cdkOut()], { cwd: app });
      expect(succeeded(synth)).toBe('ok');
      const template = readFileSync(join(cdkOut(), 'ConsumerAppStack.template.json'), 'utf8');
      expect(template).toContain('"POWERTOOLS_SERVICE_NAME": "consumer-app"');
      expect(template).toContain('"POWERTOOLS_SERVICE_NAME": "slack-notifier"');
      expect(template).toContain('AWS::CloudWatch::Alarm');
      expect(template).toContain('AWS::CloudWatch::Dashboard');
    },
    5 * MINUTES,
  );

  it(
    'the ES-module app runs under tsx',
    async () => {
      const app = await projectReady('cdk-app');
      const out = join(work, 'esm-app.out');
      const synth = await run(
        'npx',
        ['cdk', 'synth', '--no-notices', '-q', '-o', out, '--app', 'npx tsx bin/esm-app.mts'],
        { cwd: app },
      );
      expect(succeeded(synth)).toBe('ok');
      expect(readFileSync(join(out, 'EsmConsumer.template.json'), 'utf8')).toContain(
        '"POWERTOOLS_SERVICE_NAME": "esm-consumer"',
      );
    },
    5 * MINUTES,
  );

  describe('X-Ray segments reach the daemon, however the handler is bundled', () => {
    const entry = () => join(work, 'consumer-app', 'src', 'plain-handler.ts');
    const esbuild = () => join(work, 'consumer-app', 'node_modules', '.bin', 'esbuild');

    it(
      'plain esbuild: --bundle --minify --format=esm --platform=node, no banner',
      async () => {
        const app = await projectReady('cdk-app');
        const outfile = join(work, 'plain-esbuild', 'index.mjs');
        const built = await run(
          esbuild(),
          [entry(), '--bundle', '--minify', '--format=esm', '--platform=node', `--outfile=${outfile}`],
          { cwd: app },
        );
        expect(succeeded(built)).toBe('ok');
        await expectSegments(outfile);
      },
      5 * MINUTES,
    );

    it(
      "NodejsFunction with its defaults (CommonJS, the runtime's AWS SDK)",
      async () => {
        await projectReady('cdk-app');
        // Synthesized by the cdk synth test above.
        const template = JSON.parse(
          readFileSync(join(cdkOut(), 'ConsumerAppStack.template.json'), 'utf8'),
        ) as {
          Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
        };
        const [, plain] = Object.entries(template.Resources).find(
          ([id, resource]) => id.startsWith('PlainFunction') && resource.Type === 'AWS::Lambda::Function',
        )!;
        const asset = join(cdkOut(), plain.Metadata!['aws:asset:path']!);
        expect(readdirSync(asset)).toContain('index.js');
        await expectSegments(join(asset, 'index.js'));
      },
      5 * MINUTES,
    );

    it(
      "SAM's esbuild build (sam build: CommonJS, es2020, minified, source map)",
      async () => {
        const app = await projectReady('cdk-app');
        // What aws-lambda-builders runs for `BuildMethod: esbuild` with the sample template's
        // BuildProperties (Minify, Target es2020, Sourcemap, EntryPoints), format left to its default.
        const outdir = join(work, 'sam-build');
        const built = await run(
          esbuild(),
          [
            '--minify',
            '--sourcemap',
            '--target=es2020',
            '--bundle',
            '--platform=node',
            `--outdir=${outdir}`,
            '--format=cjs',
            entry(),
          ],
          { cwd: app },
        );
        expect(succeeded(built)).toBe('ok');
        await expectSegments(join(outdir, 'plain-handler.js'));
      },
      5 * MINUTES,
    );
  });
});

describe('the older ts-node layout of cdk init', () => {
  it(
    'type checks and synthesizes with ts-node and TypeScript 5',
    async () => {
      const folder = await projectReady('ts-node');
      const synth = await run('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', 'cdk.out'], {
        cwd: folder,
      });
      expect(succeeded(synth)).toBe('ok');
      expect(readFileSync(join(folder, 'cdk.out', 'TsNodeConsumer.template.json'), 'utf8')).toContain(
        '"POWERTOOLS_SERVICE_NAME": "ts-node-consumer"',
      );
    },
    5 * MINUTES,
  );
});

describe('the lowest versions the peer ranges admit', () => {
  it(
    `aws-cdk-lib ${lowest('aws-cdk-lib')}, constructs ${lowest('constructs')} and esbuild ${lowest('esbuild')}: synth, and the bundle traces`,
    async () => {
      const folder = await projectReady('lowest');
      const synth = await run(process.execPath, ['app.cjs'], { cwd: folder });
      expect(succeeded(synth)).toBe('ok');
      // The function's own asset: bundled at synth, so with a source map (the notifier ships without).
      const bundled = readdirSync(join(folder, 'cdk.out'))
        .filter((name) => name.startsWith('asset.'))
        .map((name) => join(folder, 'cdk.out', name))
        .find((dir) => readdirSync(dir).includes('index.mjs.map'));
      expect(bundled).toBeDefined();
      await expectSegments(join(bundled!, 'index.mjs'));
    },
    5 * MINUTES,
  );
});

/** Runs the bundle once; its handler subsegment must reach the daemon, and nothing be reported. */
async function expectSegments(file: string): Promise<void> {
  const before = daemon.names().length;
  const invoked = await invokeBundle(file, daemon);
  expect(succeeded(invoked)).toBe('ok');
  expect(resultOf(invoked.stdout)).toMatchObject({ statusCode: 200 });
  // Never a silent downgrade: nothing reported about tracing.
  expect(invoked.stdout + invoked.stderr).not.toMatch(/Dynamic require|tracing-init/);
  const deadline = Date.now() + 3000;
  while (!daemon.names().slice(before).includes('## index.handler') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(daemon.names().slice(before)).toContain('## index.handler');
}
