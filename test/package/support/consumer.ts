/**
 * Consumer projects made from scratch, the way a user makes them: the packed tarball installed
 * with npm (from the local cache where it can), then compiled, run and bundled there. Nothing in
 * them can reach this repository except through what the tarball holds.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startXRayDaemon } from '../../support/xray-daemon.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** The version this repository itself locks, so that an install finds it in the npm cache. */
export const lockedVersion = (pkg: string): string =>
  (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
    .version;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** How this machine reaches the registry: a user's shell has them too. */
const NETWORK_ENV = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
];

/**
 * The environment a consumer's commands see: this Node first on PATH, none of this repository's
 * own tools (npm scripts put node_modules/.bin there), and none of the variables tests set.
 */
const CLEAN_ENV: Record<string, string> = {
  PATH: [
    dirname(process.execPath),
    ...(process.env.PATH ?? '').split(':').filter((entry) => entry && !entry.startsWith(ROOT)),
  ].join(':'),
  HOME: process.env.HOME ?? '/root',
  ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
  ...Object.fromEntries(
    NETWORK_ENV.flatMap((name) => [name, name.toLowerCase()])
      .filter((name) => process.env[name] !== undefined)
      .map((name) => [name, process.env[name]!]),
  ),
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};

/** Runs a command to its end; never throws for a failing status (the caller asserts on it). */
export function run(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
    /** Sees the output as it comes, for a test that acts while the command runs. */
    onStdout?: (chunk: string) => void;
  },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: withoutUndefined({ ...CLEAN_ENV, ...options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      options.onStdout?.(chunk.toString());
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const withoutUndefined = (env: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );

/** `status` 0, or the output that says why not. */
export function succeeded(result: RunResult): string {
  return result.status === 0
    ? 'ok'
    : `exit ${result.status}\n${result.stdout}\n${result.stderr}`.slice(-6000);
}

export const npm = (cwd: string, args: string[], timeoutMs?: number) =>
  run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    ...(timeoutMs ? { timeoutMs } : {}),
  });

export const npmInstall = (cwd: string, specs: string[], extra: string[] = []) =>
  npm(cwd, ['install', '--prefer-offline', ...extra, ...specs]);

/** A new project folder holding a package.json and the fixture files given. */
export function project(
  folder: string,
  packageJson: Record<string, unknown>,
  fixtures: Record<string, string> = {},
): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  for (const [to, from] of Object.entries(fixtures)) {
    mkdirSync(dirname(join(folder, to)), { recursive: true });
    cpSync(join(FIXTURES, from), join(folder, to), { recursive: true });
  }
  return folder;
}

/** The lookout-sandbox package as the build makes it. */
export const SANDBOX_PACKAGE = join(ROOT, 'dist', 'sandbox-package');

/** `npm pack` of the built package, or of the built lookout-sandbox (npm test builds both first). */
export async function pack(destination: string, folder = ROOT): Promise<string> {
  if (
    !existsSync(join(ROOT, 'dist', 'assets', 'slack-notifier', 'index.mjs')) ||
    !existsSync(SANDBOX_PACKAGE)
  ) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
  }
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: folder,
  });
  if (packed.status !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  return join(destination, filename);
}

/** Kilobytes a folder takes on disk, as `du -sk` counts them. */
export async function diskKb(folder: string): Promise<number> {
  const du = await run('du', ['-sk', folder], { cwd: folder });
  return Number(du.stdout.split(/\s/)[0]);
}

export interface Daemon {
  address: string;
  /** The names of the segments and subsegments received so far. */
  names(): string[];
  close(): void;
}

/** A UDP socket where the X-Ray daemon listens: it records what arrives. */
export async function xrayDaemon(): Promise<Daemon> {
  const daemon = await startXRayDaemon<{ name: string }>();
  return {
    address: daemon.address,
    names: () => daemon.segments.map((segment) => segment.name),
    close: daemon.close,
  };
}

/**
 * Invokes a bundled handler once in a fresh process with Lambda's environment (active tracing, a
 * sampled trace header, the daemon's address) and returns what it printed.
 */
export async function invokeBundle(file: string, daemon: Daemon): Promise<RunResult> {
  return run(process.execPath, [join(FIXTURES, 'invoke-bundle.mjs'), file], {
    cwd: dirname(file),
    env: {
      LAMBDA_TASK_ROOT: dirname(file),
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'consumer-function',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_REGION: 'eu-west-1',
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      _X_AMZN_TRACE_ID: 'Root=1-6748d2a0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
      _HANDLER: 'index.handler',
    },
    timeoutMs: 60_000,
  });
}

/** What the handler returned, from the RESULT line the fixtures print. */
export const resultOf = (output: string): unknown => {
  const line = output.split('\n').find((text) => text.startsWith('RESULT '));
  return line === undefined ? undefined : JSON.parse(line.slice('RESULT '.length));
};
