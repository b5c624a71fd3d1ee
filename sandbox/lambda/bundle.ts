/**
 * Bundles a function's handler the way the CDK's NodejsFunction builds its asset (see
 * lib/cdk/observed-function.ts): one minified ES module, `index.mjs`, with every dependency
 * inside (the AWS SDK included) and a linked source map.
 */
import { build, type BuildFailure, type Message } from 'esbuild';
import { esbuildOptions } from '../../lib/cdk/bundling.js';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePrivate, privateDirectory } from '../private-files.js';

/** The project root: sandbox/lambda/ is two levels below it. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the sandbox keeps what it builds (gitignored). */
export const SANDBOX_STATE_DIR = join(PROJECT_ROOT, '.sandbox');

export interface BundleOptions {
  /** The function's name, used in errors and for the default output folder. */
  name: string;
  /** Path of the handler file (absolute, or relative to the project root). */
  entry: string;
  /** Output folder. @default `.sandbox/functions/<name>` */
  outDir?: string;
}

export interface FunctionBundle {
  name: string;
  /** The folder holding `index.mjs` and its map: the function's LAMBDA_TASK_ROOT. */
  directory: string;
  /** `<directory>/index.mjs`. */
  file: string;
}

export class BundleError extends Error {
  override name = 'BundleError';
  constructor(
    readonly functionName: string,
    message: string,
  ) {
    super(message);
  }
}

const formatMessage = (message: Message): string => {
  const where = message.location
    ? `${message.location.file}:${message.location.line}:${message.location.column}: `
    : '';
  return `${where}${message.text}`;
};

export async function bundleFunction(options: BundleOptions): Promise<FunctionBundle> {
  const entry = resolve(PROJECT_ROOT, options.entry);
  const directory = resolve(options.outDir ?? join(SANDBOX_STATE_DIR, 'functions', options.name));
  const file = join(directory, 'index.mjs');
  await rm(directory, { recursive: true, force: true });
  await privateDirectory(directory);
  try {
    await build({
      ...esbuildOptions(),
      entryPoints: [entry],
      outfile: file,
      logLevel: 'silent',
    });
  } catch (error) {
    const failure = error as Partial<BuildFailure>;
    const details = Array.isArray(failure.errors)
      ? failure.errors.map(formatMessage).join('\n')
      : error instanceof Error
        ? error.message
        : String(error);
    throw new BundleError(
      options.name,
      `Could not bundle function "${options.name}" from ${options.entry}:\n${details}`,
    );
  }
  await makePrivate(directory);
  return { name: options.name, directory, file };
}
