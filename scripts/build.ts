/**
 * `npm run build`: the package as it ships. tsc compiles the library and the constructs to
 * JavaScript with declarations (dist/lib); esbuild bundles each function Lookout deploys into a
 * Lambda asset (dist/assets/<name>/index.mjs), the way ObservedFunction bundles a user's; and the
 * sandbox becomes its own package, `lookout-sandbox` (dist/sandbox-package).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from '../lib/cdk/bundling.js';
import type { LookoutAsset } from '../lib/cdk/assets.js';
import { RUNTIME_BUILD } from '../sandbox/lambda/runtime-build.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (path: string) => `${root}${path}`;

/** Every function a construct deploys, by asset name: its handler source. */
const ASSETS: Record<LookoutAsset, string> = {
  'slack-notifier': 'lib/handlers/slack-notifier/handler.ts',
  'log-shipper': 'lib/handlers/log-shipper/handler.ts',
};

rmSync(at('dist'), { recursive: true, force: true });

const tsc = spawnSync(
  process.execPath,
  [at('node_modules/typescript/bin/tsc'), '-p', at('tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

for (const [name, entry] of Object.entries(ASSETS)) {
  await build({
    ...esbuildOptions(),
    // Without its source map (1.4 MB, more than the bundle): every install carries these assets,
    // and the runtime-only install is held to 1.25x the disk of Powertools alone.
    sourcemap: false,
    entryPoints: [at(entry)],
    outfile: at(`dist/assets/${name}/index.mjs`),
    logLevel: 'warning',
  });
}

await buildSandboxPackage(at('dist/sandbox-package'));

/**
 * `lookout-sandbox`, the package `lookout sandbox` runs: the sandbox bundled into one module (with
 * the parts of the library it reads), its console page, the Lambda runtime it starts functions
 * with, and a package.json whose dependencies are what the bundle leaves out. It is a development
 * dependency of a CDK app; nothing in it reaches a Lambda install.
 */
async function buildSandboxPackage(outDir: string): Promise<void> {
  const manifest = JSON.parse(readFileSync(at('package.json'), 'utf8')) as {
    version: string;
    license: string;
    engines: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  // What the bundle imports, plus the AWS SDK clients Lambda's Node.js runtime provides to functions
  // that leave them out of their bundles (the sandbox resolves those from its own installation).
  const dependencies = [
    'dynalite',
    'esbuild',
    'chart.js',
    'yaml',
    'zod',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/lib-dynamodb',
    '@aws-sdk/client-sqs',
    '@aws-sdk/client-sns',
    '@aws-sdk/client-eventbridge',
    '@aws-sdk/client-s3',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/client-ssm',
  ];
  mkdirSync(join(outDir, 'dist'), { recursive: true });
  await build({
    entryPoints: [at('sandbox/cli.ts')],
    outfile: join(outDir, 'dist', 'cli.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: dependencies,
    logLevel: 'warning',
  });
  await build({
    ...RUNTIME_BUILD,
    outfile: join(outDir, 'dist', 'lambda-runtime.mjs'),
    logLevel: 'warning',
  });
  writeFileSync(
    join(outDir, 'dist', 'bin.mjs'),
    "#!/usr/bin/env node\nimport { main } from './cli.mjs';\n\nprocess.exit(await main(process.argv.slice(2)));\n",
    { mode: 0o755 },
  );
  cpSync(at('sandbox/console/public'), join(outDir, 'dist', 'public'), { recursive: true });
  copyFileSync(at('LICENSE'), join(outDir, 'LICENSE'));
  writeFileSync(
    join(outDir, 'README.md'),
    [
      '# lookout-sandbox',
      '',
      'The sandbox of [Lookout](https://www.npmjs.com/package/lookout): your CDK app on your machine, with',
      'its functions, alarms, dashboard and Slack alerts, and no AWS account. In the app’s folder:',
      '',
      '```sh',
      'npm install --save-dev lookout-sandbox',
      'npx lookout sandbox --help',
      '```',
      '',
    ].join('\n'),
  );
  const versionOf = (name: string) => {
    const version = manifest.devDependencies[name];
    if (!version) throw new Error(`the sandbox depends on ${name}, which package.json does not list`);
    return version;
  };
  const sandboxManifest = {
    name: 'lookout-sandbox',
    version: manifest.version,
    description:
      'Runs a CDK app on one machine with no AWS account: its Lambda functions, alarms, dashboards and Slack alerts (`lookout sandbox`).',
    license: manifest.license,
    type: 'module',
    engines: manifest.engines,
    bin: { 'lookout-sandbox': './dist/bin.mjs' },
    exports: { './cli': './dist/cli.mjs', './package.json': './package.json' },
    files: ['dist'],
    peerDependencies: { lookout: manifest.version },
    dependencies: Object.fromEntries(dependencies.sort().map((name) => [name, versionOf(name)])),
  };
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(sandboxManifest, null, 2)}\n`);
}
