/**
 * The local Lambda emulation with a test function (fixtures/behaviours.ts) whose behaviour each
 * event chooses: containers are real child processes, invoked over IPC.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  FunctionBundle,
  FunctionConfig,
  FunctionManager,
  InvocationRecord,
} from '../../../sandbox/lambda/index.js';
import {
  BundleError,
  bundleFunction,
  createFunctionManager,
  InvokeError,
  parseTraceHeader,
} from '../../../sandbox/lambda/index.js';
import type { TestBundles } from './support.js';
import { consoleMessage, isAlive, testBundles, waitFor } from './support.js';
import { ESM_REQUIRE_BANNER } from '../../../lib/cdk/bundling.js';

interface Echo {
  pid: number;
  invocations: number;
  env: Record<string, string | undefined>;
  execArgv: string[];
  nodeVersion: string;
  context: Record<string, unknown>;
}

let bundles: TestBundles;
let behaviours: FunctionBundle;
const managers: FunctionManager[] = [];

beforeAll(async () => {
  bundles = await testBundles();
  behaviours = await bundles.bundle('behaviours', 'test/sandbox/lambda/fixtures/behaviours.ts');
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((manager) => manager.close()));
});

afterAll(async () => {
  await bundles.cleanup();
});

async function start(config: Partial<FunctionConfig> = {}): Promise<FunctionManager> {
  const manager = await createFunctionManager({ name: 'behaviours', bundle: behaviours, ...config });
  managers.push(manager);
  return manager;
}

describe('bundling', () => {
  it('writes one ES module with a source map, requiring CommonJS through the banner', async () => {
    const { readFile } = await import('node:fs/promises');
    const code = await readFile(behaviours.file, 'utf8');
    expect(behaviours.file).toMatch(/index\.mjs$/);
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    const map = JSON.parse(await readFile(`${behaviours.file}.map`, 'utf8')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
  });

  it('names the function and repeats esbuild message when a bundle cannot be built', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lookout-broken-'));
    try {
      await writeFile(
        join(dir, 'handler.ts'),
        "import { missing } from './nowhere.js';\nexport const handler = missing;\n",
      );
      const failure = bundleFunction({
        name: 'broken-fn',
        entry: join(dir, 'handler.ts'),
        outDir: join(dir, 'out'),
      });
      await expect(failure).rejects.toBeInstanceOf(BundleError);
      await expect(failure).rejects.toThrow(
        /Could not bundle function "broken-fn"[\s\S]*Could not resolve "\.\/nowhere\.js"/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('configuration', () => {
  it('refuses environment keys that Lambda reserves', async () => {
    await expect(start({ environment: { AWS_REGION: 'eu-west-1', _HANDLER: 'x.y' } })).rejects.toThrow(
      'Function "behaviours" is misconfigured: environment sets keys Lambda reserves: AWS_REGION, _HANDLER',
    );
  });

  it('refuses a code folder that does not exist', async () => {
    await expect(
      createFunctionManager({ name: 'ghost', bundle: join(tmpdir(), 'no-such-bundle') }),
    ).rejects.toThrow(/Function "ghost" has no code folder at .*no-such-bundle; bundle it first/);
  });

  it('refuses an event that is not JSON, without running anything', async () => {
    const fn = await start();
    const invocation = fn.invoke({ amount: BigInt(5) });
    await expect(invocation).rejects.toBeInstanceOf(InvokeError);
    await expect(invocation).rejects.toThrow(/Could not serialize the event for behaviours/);
    expect(fn.containers()).toHaveLength(0);
  });
});

describe('containers', () => {
  it('starts cold, then reuses the warm container; init duration only on the cold start', async () => {
    const fn = await start();
    const cold = await fn.invoke({});
    const warm = await fn.invoke({});
    expect(cold).toMatchObject({ status: 'success', coldStart: true });
    expect(cold.initDurationMs).toBeGreaterThan(0);
    expect(warm).toMatchObject({ status: 'success', coldStart: false, containerId: cold.containerId });
    expect(warm.initDurationMs).toBeUndefined();
    expect((warm.result as Echo).pid).toBe((cold.result as Echo).pid);
    expect((warm.result as Echo).invocations).toBe(2);
    // The cold start's lines begin with what the module logged while it was imported (no request yet).
    expect(cold.lines[0]).toMatch(/^\S+Z\tundefined\tINFO\t\{/);
    expect(JSON.parse(consoleMessage(cold.lines[0]!))).toMatchObject({ message: 'init' });
    expect(warm.lines.map((line) => JSON.parse(consoleMessage(line)).message)).toEqual(['invoked']);
    expect(cold.billedDurationMs).toBeGreaterThanOrEqual(Math.ceil(cold.durationMs + cold.initDurationMs!));
    expect(warm.billedDurationMs).toBe(Math.max(1, Math.ceil(warm.durationMs)));
    expect(warm.maxMemoryUsedMb).toBeGreaterThan(10);
  });

  it('gives the function the Lambda environment, its own variables, and nothing of the parent', async () => {
    process.env.HOME_SECRET_OF_PARENT = 'must-not-leak';
    try {
      const fn = await start({
        memoryMb: 256,
        timeoutSeconds: 7,
        region: 'eu-west-1',
        environment: { OWN_SETTING: 'on' },
        xrayDaemonAddress: '127.0.0.1:2999',
      });
      const { result, requestId, traceHeader } = await fn.invoke({});
      const echo = result as Echo;
      expect(echo.env).toMatchObject({
        AWS_LAMBDA_FUNCTION_NAME: 'behaviours',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        LAMBDA_TASK_ROOT: behaviours.directory,
        _HANDLER: 'index.handler',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/behaviours',
        AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2999',
        OWN_SETTING: 'on',
        _X_AMZN_TRACE_ID: traceHeader,
      });
      expect(echo.env.HOME_SECRET_OF_PARENT).toBeUndefined();
      expect(echo.env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(echo.env.AWS_ACCESS_KEY_ID).toBeTruthy();
      expect(echo.env.AWS_SECRET_ACCESS_KEY).toBeTruthy();
      expect(echo.env.NODE_OPTIONS).toContain('--enable-source-maps');
      expect(echo.execArgv).toEqual(['--max-old-space-size=230']);
      expect(echo.nodeVersion).toBe(process.version);
      expect(echo.context).toMatchObject({
        awsRequestId: requestId,
        functionName: 'behaviours',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:behaviours',
        memoryLimitInMB: '256',
        logGroupName: '/aws/lambda/behaviours',
        logStreamName: echo.env.AWS_LAMBDA_LOG_STREAM_NAME,
      });
      expect(echo.context.remainingTimeInMillis).toBeGreaterThan(6000);
      expect(echo.context.remainingTimeInMillis).toBeLessThanOrEqual(7000);
    } finally {
      delete process.env.HOME_SECRET_OF_PARENT;
    }
  });

  it('sets a fresh trace header per invocation, or continues the caller’s trace', async () => {
    const fn = await start();
    const first = await fn.invoke({});
    const second = await fn.invoke({});
    const format = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$/;
    expect(first.traceHeader).toMatch(format);
    expect(second.traceHeader).toMatch(format);
    expect(parseTraceHeader(first.traceHeader)!.root).not.toBe(parseTraceHeader(second.traceHeader)!.root);
    // The root's first part is the current epoch second, in hex.
    const epoch = parseInt(parseTraceHeader(first.traceHeader)!.root.slice(2, 10), 16);
    expect(Math.abs(epoch - Date.now() / 1000)).toBeLessThan(60);
    expect((second.result as Echo).env._X_AMZN_TRACE_ID).toBe(second.traceHeader);

    const caller = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const continued = await fn.invoke({}, { traceHeader: caller });
    const header = parseTraceHeader(continued.traceHeader)!;
    expect(header.root).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(header.parent).not.toBe('53995c3f42cd8ad8');
  });

  it('keeps every line in order, stdout and stderr, a trailing partial line included', async () => {
    const fn = await start();
    await fn.invoke({});
    const { lines } = await fn.invoke({
      write: { stdout: ['one', 'two'], stderr: ['three'], partial: 'four' },
    });
    expect(lines.slice(1)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('returns a handler error as Lambda does and keeps the container warm', async () => {
    const fn = await start();
    const failed = await fn.invoke({ throwMessage: 'card declined' });
    expect(failed.status).toBe('error');
    expect(failed.error).toMatchObject({ errorType: 'OrderRejected', errorMessage: 'card declined' });
    // Source maps are on: the stack points into the TypeScript source.
    expect(failed.error!.trace!.join('\n')).toContain('fixtures/behaviours.ts');
    const next = await fn.invoke({});
    expect(next).toMatchObject({ status: 'success', coldStart: false, containerId: failed.containerId });
  });

  it('kills a timed-out invocation’s container, reports it as Lambda does, and starts cold next time', async () => {
    const fn = await start({ timeoutSeconds: 0.5 });
    const records: InvocationRecord[] = [];
    fn.onInvocation((record) => records.push(record));
    const warmUp = await fn.invoke({});
    const pid = (warmUp.result as Echo).pid;
    const timedOut = await fn.invoke({ sleepMs: 5000 });
    expect(timedOut).toMatchObject({
      status: 'timeout',
      durationMs: 500,
      error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 0.50 seconds' },
    });
    expect(timedOut.lines.at(-1)).toMatch(
      new RegExp(`^\\S+Z ${timedOut.requestId} Task timed out after 0\\.50 seconds$`),
    );
    expect(records.at(-1)!.report!.record).toMatchObject({
      status: 'timeout',
      errorType: 'Sandbox.Timedout',
    });
    await waitFor(() => !isAlive(pid), 2000, 'the timed-out container to be killed');
    const next = await fn.invoke({});
    expect(next.coldStart).toBe(true);
    expect(next.containerId).not.toBe(timedOut.containerId);
  });

  it('fails an invocation whose container exits, with the exit status, and replaces the container', async () => {
    const fn = await start();
    const exited = await fn.invoke({ exitCode: 3 });
    expect(exited.status).toBe('error');
    expect(exited.error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${exited.requestId} Error: Runtime exited with error: exit status 3`,
    });
    const next = await fn.invoke({});
    expect(next).toMatchObject({ status: 'success', coldStart: true });
  });

  it('reports an uncaught exception and an unhandled rejection as the invocation’s error', async () => {
    const fn = await start();
    const uncaught = await fn.invoke({ uncaught: 'thrown from a timer' });
    expect(uncaught).toMatchObject({
      status: 'error',
      error: { errorType: 'Error', errorMessage: 'thrown from a timer' },
    });
    const rejected = await fn.invoke({ unhandledRejection: 'nobody caught me' });
    expect(rejected).toMatchObject({
      status: 'error',
      coldStart: true,
      error: { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'nobody caught me' },
    });
    expect(fn.containers().map((container) => container.state)).not.toContain('busy');
  });

  it('fails an invocation that runs out of memory, as the process dies', async () => {
    const fn = await start({ memoryMb: 128, timeoutSeconds: 20 });
    const result = await fn.invoke({ exhaustMemory: true });
    expect(result.status).toBe('error');
    expect(result.error?.errorType).toBe('Runtime.ExitError');
    expect(result.error?.errorMessage).toMatch(/Runtime exited with error: (signal: \w+|exit status \d+)$/);
    expect(result.lines.join('\n')).toContain('heap out of memory');
  });

  it('reports a result JSON cannot carry as a malformed response', async () => {
    const fn = await start();
    const result = await fn.invoke({ unserializable: true });
    expect(result.status).toBe('error');
    expect(result.error?.errorType).toBe('Runtime.MalformedHandlerResponse');
  });

  it('fails the invocation when the module cannot initialise', async () => {
    const fn = await createFunctionManager({
      name: 'no-handler',
      bundle: behaviours,
      handler: 'index.missing',
    });
    managers.push(fn);
    const result = await fn.invoke({});
    expect(result).toMatchObject({
      status: 'error',
      coldStart: true,
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: 'index.missing is undefined or not exported',
      },
    });
    expect(result.initDurationMs).toBeGreaterThan(0);
    expect(fn.containers()).toHaveLength(0);
  });

  it('fails the invocation, not hangs, when the container exits while starting', async () => {
    const fn = await start({ environment: { EXIT_DURING_INIT: '9' } });
    const result = await fn.invoke({});
    expect(result).toMatchObject({
      status: 'error',
      coldStart: true,
      error: {
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${result.requestId} Error: Runtime exited with error: exit status 9`,
      },
    });
    expect(fn.containers()).toHaveLength(0);
  });

  it('beyond the containers this machine runs, an invocation waits for one instead of being throttled', async () => {
    const fn = await start({ maxContainers: 2 });
    const results = await Promise.all([1, 2, 3, 4].map(() => fn.invoke({ sleepMs: 300 })));
    expect(results.map((result) => result.status)).toEqual(['success', 'success', 'success', 'success']);
    expect(new Set(results.map((result) => result.containerId)).size).toBe(2);
    expect(results.filter((result) => result.coldStart)).toHaveLength(2);
    expect(fn.containers()).toHaveLength(2);
  });

  it('spreads concurrent invocations over containers and throttles beyond the limit', async () => {
    const fn = await start({ maxConcurrency: 3 });
    const records: InvocationRecord[] = [];
    fn.onInvocation((record) => records.push(record));
    const results = await Promise.all([1, 2, 3, 4].map(() => fn.invoke({ sleepMs: 300 })));
    const ran = results.filter((result) => result.status === 'success');
    const throttled = results.filter((result) => result.status === 'throttled');
    expect(ran).toHaveLength(3);
    expect(new Set(ran.map((result) => result.containerId)).size).toBe(3);
    expect(new Set(ran.map((result) => (result.result as Echo).pid)).size).toBe(3);
    expect(throttled).toEqual([
      expect.objectContaining({
        error: { errorType: 'TooManyRequestsException', errorMessage: 'Rate Exceeded.' },
        lines: [],
        coldStart: false,
      }),
    ]);
    expect(throttled[0]!.containerId).toBeUndefined();
    // The throttled one never ran: no report, but listeners hear of it (for the Throttles metric).
    const throttledRecord = records.find((record) => record.result.status === 'throttled')!;
    expect(throttledRecord.report).toBeUndefined();
    expect(Math.max(...records.map((record) => record.concurrentExecutions))).toBe(3);
    // All three are warm now: the next three run without a cold start.
    const again = await Promise.all([1, 2, 3].map(() => fn.invoke({ sleepMs: 50 })));
    expect(again.map((result) => result.coldStart)).toEqual([false, false, false]);
    expect(fn.containers()).toHaveLength(3);
  });

  it('stops containers that sit idle longer than the idle time', async () => {
    const fn = await start({ idleTimeoutMs: 150 });
    const first = await fn.invoke({});
    const pid = (first.result as Echo).pid;
    await waitFor(() => fn.containers().length === 0, 3000, 'the idle container to be reaped');
    await waitFor(() => !isAlive(pid), 2000, 'the reaped process to exit');
    const next = await fn.invoke({});
    expect(next.coldStart).toBe(true);
  });

  it('close() kills every container', async () => {
    const fn = await createFunctionManager({ name: 'behaviours', bundle: behaviours });
    const results = await Promise.all([1, 2].map(() => fn.invoke({ sleepMs: 50 })));
    const pids = results.map((result) => (result.result as Echo).pid);
    expect(pids.every(isAlive)).toBe(true);
    await fn.close();
    expect(pids.some(isAlive)).toBe(false);
    await expect(fn.invoke({})).rejects.toThrow('Function "behaviours" has been closed');
  });
});

describe('platform reports', () => {
  it('delivers each invocation with its lines and a platform.report record in Lambda’s JSON log format', async () => {
    const fn = await start({ memoryMb: 512 });
    const records: InvocationRecord[] = [];
    const unsubscribe = fn.onInvocation((record) => records.push(record));
    const cold = await fn.invoke({});
    const failed = await fn.invoke({ throwMessage: 'nope' });
    unsubscribe();
    await fn.invoke({});
    expect(records).toHaveLength(2);
    const [coldRecord, failedRecord] = records as [InvocationRecord, InvocationRecord];
    expect(coldRecord.functionName).toBe('behaviours');
    expect(coldRecord.result).toBe(cold);
    expect(coldRecord.lines).toEqual(cold.lines);
    expect(coldRecord.report).toEqual({
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      type: 'platform.report',
      record: {
        requestId: cold.requestId,
        metrics: {
          durationMs: cold.durationMs,
          billedDurationMs: cold.billedDurationMs,
          memorySizeMB: 512,
          maxMemoryUsedMB: cold.maxMemoryUsedMb,
          initDurationMs: cold.initDurationMs,
        },
        status: 'success',
        tracing: {
          spanId: parseTraceHeader(cold.traceHeader)!.parent,
          type: 'X-Amzn-Trace-Id',
          value: cold.traceHeader,
        },
      },
    });
    expect(failedRecord.result).toBe(failed);
    expect(failedRecord.report!.record).toMatchObject({ status: 'error', errorType: 'OrderRejected' });
    expect(failedRecord.report!.record.metrics.initDurationMs).toBeUndefined();
  });
});
