/**
 * The code the sandbox runs is the user's alone, whatever the umask: CDK's assets (left 0777 by
 * CDK), the Lambda runtime it builds and the bundles it makes get folders 0700 and files without
 * group or other permissions. Symbolic links are left alone and never followed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { LookoutDemoStack } from '../../infra/demo-stack.js';
import { bundleFunction } from '../../sandbox/lambda/bundle.js';
import { buildRuntime } from '../../sandbox/lambda/runtime-build.js';
import { makePrivate, privateDirectory } from '../../sandbox/private-files.js';
import { protectAssets, readStack } from '../../sandbox/template/index.js';

const mode = (path: string) => lstatSync(path).mode & 0o777;

/** Every folder and file under `root` (links excluded), with its permission bits. */
function walk(root: string): { path: string; directory: boolean; mode: number }[] {
  const info = lstatSync(root);
  if (info.isSymbolicLink()) return [];
  if (!info.isDirectory()) return [{ path: root, directory: false, mode: info.mode & 0o777 }];
  return [
    { path: root, directory: true, mode: info.mode & 0o777 },
    ...readdirSync(root).flatMap((name) => walk(join(root, name))),
  ];
}

function expectPrivate(root: string): void {
  const entries = walk(root);
  expect(entries.length).toBeGreaterThan(0);
  for (const entry of entries) {
    if (entry.directory)
      expect({ path: entry.path, mode: entry.mode }).toEqual({ path: entry.path, mode: 0o700 });
    else
      expect({ path: entry.path, open: entry.mode & 0o077, owner: entry.mode & 0o600 }).toEqual({
        path: entry.path,
        open: 0,
        owner: 0o600,
      });
  }
}

let work: string;
let umask: number;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'lookout-private-'));
  umask = process.umask(0);
});
afterEach(() => {
  process.umask(umask);
  rmSync(work, { recursive: true, force: true });
});

describe('makePrivate and privateDirectory', () => {
  it('takes group and other permissions off a tree, keeps an executable executable, and leaves links alone', async () => {
    const outside = join(work, 'outside.txt');
    writeFileSync(outside, 'not ours to change');
    chmodSync(outside, 0o644);
    const tree = join(work, 'asset.abc');
    mkdirSync(join(tree, 'nested'), { recursive: true, mode: 0o777 });
    writeFileSync(join(tree, 'index.mjs'), 'export const handler = () => 1;', { mode: 0o666 });
    writeFileSync(join(tree, 'nested', 'bootstrap'), '#!/bin/sh', { mode: 0o777 });
    symlinkSync(outside, join(tree, 'link'));
    expect(mode(tree)).toBe(0o777);

    await makePrivate(tree);

    expectPrivate(tree);
    expect(mode(join(tree, 'index.mjs'))).toBe(0o600);
    expect(mode(join(tree, 'nested', 'bootstrap'))).toBe(0o700);
    expect(mode(outside)).toBe(0o644);
    expect(lstatSync(join(tree, 'link')).isSymbolicLink()).toBe(true);
  });

  it('creates folders 0700 with a umask of 0, and tightens one that exists', async () => {
    await privateDirectory(join(work, 'a', 'b'));
    expect(mode(join(work, 'a'))).toBe(0o700);
    expect(mode(join(work, 'a', 'b'))).toBe(0o700);
    mkdirSync(join(work, 'open'), { mode: 0o777 });
    await privateDirectory(join(work, 'open'));
    expect(mode(join(work, 'open'))).toBe(0o700);
  });
});

describe('the code the sandbox runs', () => {
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'lookout-private-assets-'));
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    new LookoutDemoStack(app, 'LookoutDemo', {});
    app.synth();
  }, 120_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('protectAssets makes every CDK asset private, and the stack still reads and runs from them', async () => {
    const assets = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assets.length).toBeGreaterThanOrEqual(4);
    await protectAssets(outdir);
    for (const asset of assets) expectPrivate(join(outdir, asset));
    const stack = readStack(outdir);
    for (const fn of stack.functions) expect(mode(join(fn.assetDir, 'index.mjs'))).toBe(0o600);
  });

  it('the Lambda runtime and bundles are built private', async () => {
    const runtime = await buildRuntime(join(work, 'runtime'));
    expectPrivate(join(work, 'runtime'));
    expect(mode(runtime)).toBe(0o600);
    const bundle = await bundleFunction({
      name: 'echo',
      entry: 'test/sandbox/gateway/fixtures/http-echo.ts',
      outDir: join(work, 'bundle'),
    });
    expectPrivate(bundle.directory);
  }, 60_000);
});
