/**
 * `npm run build`: the package as it ships. tsc compiles the library and the constructs to
 * JavaScript with declarations (dist/lib); esbuild bundles each function Lookout deploys into a
 * Lambda asset (dist/assets/<name>/index.mjs), the way ObservedFunction bundles a user's.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptions } from '../lib/cdk/bundling.js';
import type { LookoutAsset } from '../lib/cdk/assets.js';

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
