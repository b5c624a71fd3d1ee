/**
 * A CDK app written in a test, synthesized as the CDK CLI does (asset paths in the metadata) and
 * run in a sandbox as `lookout sandbox --cdk-out` runs it, for the suite; stopped and removed after.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type { SandboxOptions } from '../../../sandbox/sandbox.js';
import { Sandbox } from '../../../sandbox/sandbox.js';

export interface AppRun {
  sandbox: Sandbox;
  /** What the sandbox said while it started. */
  startUp: string[];
  /** The project folder: the cloud assembly is in `cdk.out`, the sandbox's state in `.sandbox`. */
  work: string;
}

/** Builds the stack with `define` (which may also write files into the project) before the suite runs. */
export function runApp(
  stackName: string,
  define: (stack: Stack, work: string) => void,
  options: Partial<SandboxOptions> = {},
): AppRun {
  const run = { startUp: [] as string[] } as AppRun;
  beforeAll(async () => {
    run.work = mkdtempSync(join(tmpdir(), `lookout-${stackName}-`));
    const outdir = join(run.work, 'cdk.out');
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    define(new Stack(app, stackName), run.work);
    app.synth();
    run.sandbox = await Sandbox.start({
      projectRoot: run.work,
      cdkOut: outdir,
      consolePort: 0,
      apiPort: 0,
      log: (line) => run.startUp.push(line),
      ...options,
    });
  }, 180_000);
  afterAll(async () => {
    await run.sandbox?.stop();
    if (run.work) rmSync(run.work, { recursive: true, force: true });
  });
  return run;
}
