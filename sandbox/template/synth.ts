/**
 * The cloud assembly the sandbox reads: synthesized offline by the project's own CDK CLI, its
 * assets made the user's alone.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makePrivate } from '../private-files.js';

export class SynthError extends Error {
  override name = 'SynthError';
}

/**
 * Runs `cdk synth` for the project's CDK app (`cdk.json`'s `app`, or `app` when given) into
 * `outdir`, offline, with `-c key=value` for each context entry. The project's own CDK CLI runs it,
 * so that its `cdk.json` and `cdk.context.json` apply exactly as they do for `cdk deploy`.
 */
export async function synthesize(
  projectRoot: string,
  outdir: string,
  context: Record<string, string> = {},
  app?: string,
): Promise<void> {
  const cli = join(projectRoot, 'node_modules', '.bin', 'cdk');
  if (!existsSync(cli)) {
    throw new SynthError(
      `the CDK CLI is not installed in ${projectRoot} (npm install --save-dev aws-cdk), or pass --cdk-out DIR with an app you synthesized`,
    );
  }
  if (!app && !existsSync(join(projectRoot, 'cdk.json')))
    throw new SynthError(
      `no cdk.json in ${projectRoot}: run in your CDK app's folder, or pass --app "<command>"`,
    );
  const contextArgs = Object.entries(context).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
  if (app) contextArgs.push('--app', app);
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(cli, ['synth', '--no-notices', '-q', '-o', outdir, ...contextArgs], {
      cwd: projectRoot,
      // CDK's CloudFormation validation (seconds of every start-up) is the deploy's to run: the
      // sandbox runs the template, and its findings are warnings unless the app makes them strict.
      env: { CDK_VALIDATION: 'false', ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', fail);
    child.on('close', done);
  });
  if (code !== 0) {
    const tail = output.join('').trim().split('\n').slice(-25).join('\n');
    throw new SynthError(`cdk synth failed (exit ${code}):\n${tail}`);
  }
}

/**
 * Makes the assembly's assets (`asset.*`, the code the sandbox runs) the user's alone: CDK leaves
 * the folders it bundles into world-writable (0777), so that a Docker build could write them.
 * And puts them outside any package scope above: Lambda's task root has no package.json above it,
 * so a `.js` there is CommonJS unless it is written as an ES module, whatever the project's own
 * package.json says (an empty package.json has no `type`, which is what Node needs to see).
 */
export async function protectAssets(cdkOut: string): Promise<void> {
  for (const name of await readdir(cdkOut)) {
    if (name.startsWith('asset.')) await makePrivate(join(cdkOut, name));
  }
  await writeFile(join(cdkOut, 'package.json'), '{}\n', { mode: 0o600 });
}
