/**
 * Where the functions Lookout deploys are found: built into the package's `dist/assets/<name>`
 * when the package is built (scripts/build.ts), and deployed from there as they are. A consumer's
 * `cdk synth` bundles nothing of Lookout's own.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The functions that ship prebuilt. */
export type LookoutAsset = 'slack-notifier' | 'log-shipper';

/** The package root: the nearest folder above this module holding a package.json. */
function packageRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('lookout: cannot find the package root of lookout/cdk');
    directory = parent;
  }
  return directory;
}

/** The folder of a prebuilt function (its `index.mjs` and source map). Throws if it was not built. */
export function assetDirectory(name: LookoutAsset): string {
  const directory = join(packageRoot(), 'dist', 'assets', name);
  if (!existsSync(join(directory, 'index.mjs'))) {
    throw new Error(
      `lookout: the prebuilt ${name} function is missing from ${directory}. In a checkout of Lookout, run \`npm run build\`; an installed package always has it.`,
    );
  }
  return directory;
}
