/** Builds the container runtime (runtime.ts) into a plain ES module that Node 22 or 24 can start. */
import type { BuildOptions } from 'esbuild';
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { privateDirectory } from '../private-files.js';
import { SANDBOX_STATE_DIR } from './bundle.js';

const RUNTIME_SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'runtime.ts');
/** The runtime as the lookout-sandbox package ships it, built beside the bundled sandbox. */
const PREBUILT_RUNTIME = join(dirname(fileURLToPath(import.meta.url)), 'lambda-runtime.mjs');

/** How the runtime is built: here, when the sandbox runs from source, and into the lookout-sandbox package. */
export const RUNTIME_BUILD = {
  entryPoints: [RUNTIME_SOURCE],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
} as const satisfies BuildOptions;

const built = new Map<string, Promise<string>>();

/** Path of the built runtime, built once per process and folder. */
export function buildRuntime(outDir: string = join(SANDBOX_STATE_DIR, 'runtime')): Promise<string> {
  if (!existsSync(RUNTIME_SOURCE) && existsSync(PREBUILT_RUNTIME)) return Promise.resolve(PREBUILT_RUNTIME);
  let file = built.get(outDir);
  if (!file) {
    file = buildInto(outDir);
    built.set(outDir, file);
    file.catch(() => built.delete(outDir));
  }
  return file;
}

async function buildInto(outDir: string): Promise<string> {
  const result = await build({ ...RUNTIME_BUILD, write: false, logLevel: 'silent' });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error('Building the sandbox Lambda runtime produced no output');
  await privateDirectory(outDir);
  const file = join(outDir, 'lambda-runtime.mjs');
  // Written aside and renamed, so a process starting a container never sees a half-written file.
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, code, { mode: 0o600 });
  await rename(partial, file);
  return file;
}
