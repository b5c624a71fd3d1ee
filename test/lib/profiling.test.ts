/** Sampled CPU profiles: which invocations are profiled, where profiles go, and failures that stay out of the handler. */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ProfilingOptions } from '../../lib/profiling/index.js';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';

setLambdaEnv({
  POWERTOOLS_TRACE_ENABLED: 'false',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
});
const { withObservability } = await import('../../lib/index.js');
const { listProfiles, parseProfileKey, profileKey } = await import('../../lib/profiling/layout.js');
const { CpuProfiler } = await import('../../lib/profiling/profiler.js');
const { cpuProfiler } = await import('../../lib/profiling/index.js');
interface CpuProfile {
  nodes: { callFrame: { functionName: string } }[];
  samples: number[];
  startTime: number;
  endTime: number;
}

const PROFILE_ENV = [
  'LOOKOUT_PROFILE_DIR',
  'LOOKOUT_PROFILE_BUCKET',
  'LOOKOUT_PROFILE_PREFIX',
  'AWS_ENDPOINT_URL_S3',
];
let output: CapturedOutput | undefined;
const folders: string[] = [];

afterEach(() => {
  output?.restore();
  output = undefined;
  for (const key of PROFILE_ENV) delete process.env[key];
});
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function profileFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'lookout-profiles-'));
  folders.push(folder);
  return folder;
}

/** Burns CPU for about `ms`. */
function spin(ms: number): number {
  const until = performance.now() + ms;
  let x = 0;
  while (performance.now() < until) x += Math.sqrt(x + 1);
  return x;
}

// Named frames to look for in a profile, one per test, so that no test finds code the optimizer
// reshaped in an earlier one.
function spinWhenSampled(ms: number): number {
  return spin(ms) + spin(0);
}
function spinWhenSlow(ms: number): number {
  return spin(ms) + spin(0);
}

/**
 * Time left in the invocation for tests that are not about the time bound. A write waits no longer
 * than the invocation has left, and on a busy machine stopping the profiler, writing the file or
 * loading the S3 client and sending its first request can take seconds; a write cut short would
 * log its line after the test has stopped listening.
 */
const TIME_LEFT_MS = 15_000;
const context = () => lambdaContext({ remainingMs: TIME_LEFT_MS });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const functionNames = (profile: CpuProfile) => profile.nodes.map((node) => node.callFrame.functionName);

/** A handler profiled with `profiling`, writing where the environment says (read when it is created). */
function profiledHandler(
  profiling: ProfilingOptions,
  work: { waitMs?: number; spinMs?: number; spinner?: (ms: number) => number } = {},
) {
  return withObservability(
    async () => {
      if (work.waitMs) await sleep(work.waitMs);
      if (work.spinMs) (work.spinner ?? spin)(work.spinMs);
      return { statusCode: 200, body: 'ok' };
    },
    { tracing: 'off', profiler: cpuProfiler(profiling) },
  );
}

const capturedLines = (captured: CapturedOutput) =>
  captured.logs().filter((line) => line.message === 'CPU profile captured');

describe('profiling to a local folder', () => {
  it('writes a real profile of a sampled invocation, and logs where with the correlation id', async () => {
    const folder = profileFolder();
    process.env.LOOKOUT_PROFILE_DIR = folder;
    const handler = profiledHandler({ sampleRate: 1 }, { spinMs: 30, spinner: spinWhenSampled });
    output = captureOutput();
    const invocation = context();
    const response = await handler(
      events.apiGatewayV2({ headers: { 'x-correlation-id': 'corr-sampled-1' } }) as never,
      invocation,
    );
    output.restore();

    expect(response).toMatchObject({ statusCode: 200, body: 'ok' });
    const profiles = await listProfiles(folder);
    expect(profiles).toHaveLength(1);
    const [profile] = profiles;
    expect(profile).toMatchObject({
      functionName: 'orders-api',
      reason: 'sampled',
      requestId: invocation.awsRequestId,
    });
    const cpu = JSON.parse(readFileSync(profile!.path, 'utf8')) as CpuProfile;
    // 30 ms at one sample each 0.5 ms is about 60 samples; a loaded CI machine that deschedules the
    // process has given as few as 9, so only their presence is asserted, with the frame they caught.
    expect(cpu.samples.length).toBeGreaterThan(0);
    expect(cpu.endTime).toBeGreaterThan(cpu.startTime);
    expect(functionNames(cpu)).toContain('spinWhenSampled');

    expect(capturedLines(output)).toEqual([
      expect.objectContaining({
        level: 'INFO',
        correlation_id: 'corr-sampled-1',
        function_request_id: invocation.awsRequestId,
        profile_reason: 'sampled',
        profile_key: profile!.key,
        profile_location: profile!.path,
        profile_bytes: profile!.bytes,
      }),
    ]);
  });

  it('profiles a slow invocation from the threshold on', async () => {
    const folder = profileFolder();
    process.env.LOOKOUT_PROFILE_DIR = folder;
    const handler = profiledHandler({ slowerThanMs: 20 }, { waitMs: 60, spinMs: 40, spinner: spinWhenSlow });
    output = captureOutput();
    await handler(events.sqs() as never, context());
    output.restore();

    const [profile, ...others] = await listProfiles(folder);
    expect(others).toEqual([]);
    expect(profile!.reason).toBe('slow');
    const cpu = JSON.parse(readFileSync(profile!.path, 'utf8')) as CpuProfile;
    expect(functionNames(cpu)).toContain('spinWhenSlow');
    // Started by the timer after the threshold, before the 40 ms of work: shorter than the
    // invocation, and long enough for the work.
    const durationMs = (cpu.endTime - cpu.startTime) / 1000;
    const summary = output.logs().find((line) => line.event_source === 'sqs');
    expect(durationMs).toBeGreaterThanOrEqual(39);
    expect(durationMs).toBeLessThan(summary!.latency_ms as number);
    expect(capturedLines(output)).toEqual([expect.objectContaining({ profile_reason: 'slow' })]);
  });

  it('writes nothing for fast invocations that were not sampled, even after the threshold has passed', async () => {
    const folder = profileFolder();
    process.env.LOOKOUT_PROFILE_DIR = folder;
    // A threshold a trivial handler stays under even on a busy machine.
    const handler = profiledHandler({ sampleRate: 0, slowerThanMs: 500 });
    output = captureOutput();
    for (let i = 0; i < 5; i++) await handler(events.apiGatewayV2() as never, context());
    await sleep(600);
    output.restore();
    expect(await listProfiles(folder)).toEqual([]);
    expect(capturedLines(output)).toEqual([]);
  });

  it('profiles an invocation that fails, and passes its error through unchanged', async () => {
    const folder = profileFolder();
    process.env.LOOKOUT_PROFILE_DIR = folder;
    const failure = new TypeError('no such order');
    const handler = withObservability(
      async () => {
        spin(5);
        throw failure;
      },
      { tracing: 'off', profiler: cpuProfiler({ sampleRate: 1 }) },
    );
    output = captureOutput();
    await expect(handler(events.eventBridge() as never, context())).rejects.toBe(failure);
    output.restore();
    expect(await listProfiles(folder)).toHaveLength(1);
  });

  it('is off without a sample rate or a threshold, whatever the environment says about destinations', async () => {
    const folder = profileFolder();
    process.env.LOOKOUT_PROFILE_DIR = folder;
    const handler = withObservability(async () => 'ok', { tracing: 'off' });
    output = captureOutput();
    await handler(events.sqs() as never, context());
    output.restore();
    expect(await listProfiles(folder)).toEqual([]);
    expect(output.stderr.join('')).not.toContain('profiling');
  });
});

interface ReceivedPut {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('profiling to S3 (a local server answering PutObject, the real SDK client)', () => {
  let server: Server;
  let endpoint: string;
  const received: ReceivedPut[] = [];
  let answer: 'ok' | 'error' | 'hang' = 'ok';

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          method: request.method,
          url: request.url,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        if (answer === 'hang') return;
        if (answer === 'error') {
          response
            .writeHead(500, { 'content-type': 'application/xml' })
            .end('<Error><Code>InternalError</Code><Message>disk full</Message></Error>');
          return;
        }
        response.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  afterEach(() => {
    received.length = 0;
    answer = 'ok';
  });

  const useS3 = () => {
    process.env.AWS_ENDPOINT_URL_S3 = endpoint;
    process.env.LOOKOUT_PROFILE_BUCKET = 'lookout-profiles';
  };

  it('puts the profile under the prefix, path-style, with its correlation id as metadata', async () => {
    useS3();
    process.env.LOOKOUT_PROFILE_PREFIX = 'cpu/';
    const handler = profiledHandler({ sampleRate: 1 }, { spinMs: 10 });
    output = captureOutput();
    const invocation = context();
    await handler(events.apiGatewayV2({ headers: { 'x-correlation-id': 'corr-s3-1' } }) as never, invocation);
    output.restore();
    expect(received).toHaveLength(1);
    const [put] = received;
    expect(put!.method).toBe('PUT');
    const key = decodeURIComponent(put!.url!.split('?')[0]!).replace(/^\/lookout-profiles\//, '');
    expect(put!.url!.startsWith('/lookout-profiles/cpu/orders-api/')).toBe(true);
    expect(parseProfileKey(key.slice('cpu/'.length))).toMatchObject({
      functionName: 'orders-api',
      reason: 'sampled',
      requestId: invocation.awsRequestId,
    });
    expect(put!.headers['x-amz-meta-correlation-id']).toBe('corr-s3-1');
    expect(put!.headers['x-amz-meta-reason']).toBe('sampled');
    expect(put!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\//);
    const cpu = JSON.parse(put!.body) as CpuProfile;
    expect(cpu.samples.length).toBeGreaterThan(0);

    expect(capturedLines(output)).toEqual([
      expect.objectContaining({
        correlation_id: 'corr-s3-1',
        profile_location: `s3://lookout-profiles/${key}`,
      }),
    ]);
  });

  it('an upload that fails is reported once and never reaches the handler', async () => {
    useS3();
    answer = 'error';
    let reports: string[] = [];
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../lib/index.js');
      const freshProfiling = await import('../../lib/profiling/index.js');
      const handler = fresh.withObservability(async () => ({ statusCode: 201, body: 'created' }), {
        tracing: 'off',
        profiler: freshProfiling.cpuProfiler({ sampleRate: 1 }),
      });
      output = captureOutput();
      for (let i = 0; i < 2; i++) {
        await expect(handler(events.apiGatewayV2() as never, context())).resolves.toMatchObject({
          statusCode: 201,
          body: 'created',
        });
      }
      output.restore();
      reports = output.stderr.filter((line) => line.includes('lookout: profiling-write failed'));
    });
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(reports).toHaveLength(1);
    expect(JSON.parse(reports[0]!)).toMatchObject({ lookout_step: 'profiling-write' });
    expect(capturedLines(output!)).toEqual([]);
  });

  it('an upload that hangs holds the invocation no longer than its remaining time allows', async () => {
    useS3();
    answer = 'hang';
    let reports: string[] = [];
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../lib/index.js');
      const freshProfiling = await import('../../lib/profiling/index.js');
      const handler = fresh.withObservability(async () => 'done', {
        tracing: 'off',
        profiler: freshProfiling.cpuProfiler({ sampleRate: 1 }),
      });
      output = captureOutput();
      await expect(handler(events.sqs() as never, lambdaContext({ remainingMs: 400 }))).resolves.toBe('done');
      output.restore();
      reports = output.stderr.filter((line) => line.includes('lookout: profiling-write failed'));
    });
    expect(reports).toHaveLength(1);
    // The wait was cut to what the invocation had left (400 ms, less a margin), not the 5 s cap: the
    // invocation resolved while the upload still hung. (How long that took in wall time is not
    // asserted: a loaded CI machine once took 6 s to get there.)
    const budget = Number(/longer than (\d+) ms/.exec(reports[0]!)?.[1]);
    expect(budget).toBeLessThanOrEqual(350);
  });
});

describe('profiling settings that cannot work', () => {
  it.each([
    ['a sample rate above 1', { sampleRate: 2 }, {}, 'between 0 and 1'],
    ['a negative threshold', { slowerThanMs: -5 }, {}, '0 or more'],
    ['nowhere to write', { sampleRate: 1 }, { noDestination: true }, 'nowhere to write'],
  ])('%s: reported once, profiling off, handler unaffected', async (_name, profiling, how, expected) => {
    const folder = profileFolder();
    if (!('noDestination' in how)) process.env.LOOKOUT_PROFILE_DIR = folder;
    let reports: string[] = [];
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../lib/index.js');
      const freshProfiling = await import('../../lib/profiling/index.js');
      output = captureOutput();
      const handler = fresh.withObservability(async () => 'fine', {
        tracing: 'off',
        profiler: freshProfiling.cpuProfiler(profiling),
      });
      await expect(handler(events.sqs() as never, context())).resolves.toBe('fine');
      output.restore();
      reports = output.stderr.filter((line) => line.includes('lookout: profiling-config failed'));
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain(expected);
    expect(await listProfiles(folder)).toEqual([]);
  });

  it.each([
    ['when an invocation begins', 'begin'],
    ['when it ends', 'end'],
  ] as const)(
    'a profiler that throws %s leaves the handler result and error unchanged',
    async (_when, where) => {
      process.env.LOOKOUT_PROFILE_DIR = profileFolder();
      const broken = () => {
        throw new Error('inspector gone');
      };
      const begin = jest
        .spyOn(CpuProfiler.prototype, 'begin')
        .mockImplementation(
          where === 'begin' ? broken : () => ({ reason: 'sampled', running: true, timer: undefined }),
        );
      const end = jest.spyOn(CpuProfiler.prototype, 'end').mockImplementation(broken);
      try {
        const failure = new Error('handler says no');
        const ok = profiledHandler({ sampleRate: 1 });
        const failing = withObservability(
          async () => {
            throw failure;
          },
          { tracing: 'off', profiler: cpuProfiler({ sampleRate: 1 }) },
        );
        output = captureOutput();
        await expect(ok(events.apiGatewayV2() as never, context())).resolves.toMatchObject({
          statusCode: 200,
        });
        await expect(failing(events.sqs() as never, context())).rejects.toBe(failure);
        output.restore();
        expect((where === 'begin' ? begin : end).mock.calls.length).toBe(2);
      } finally {
        begin.mockRestore();
        end.mockRestore();
      }
    },
  );

  it('a folder that cannot be written is reported, and the handler result passes through', async () => {
    const folder = profileFolder();
    const file = join(folder, 'not-a-folder');
    writeFileSync(file, 'x');
    process.env.LOOKOUT_PROFILE_DIR = join(file, 'profiles');
    let reports: string[] = [];
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../lib/index.js');
      const freshProfiling = await import('../../lib/profiling/index.js');
      const handler = fresh.withObservability(async () => ({ statusCode: 200, body: 'ok' }), {
        tracing: 'off',
        profiler: freshProfiling.cpuProfiler({ sampleRate: 1 }),
      });
      output = captureOutput();
      await expect(handler(events.apiGatewayV2() as never, context())).resolves.toMatchObject({
        statusCode: 200,
      });
      output.restore();
      reports = output.stderr.filter((line) => line.includes('lookout: profiling-write failed'));
    });
    expect(reports).toHaveLength(1);
  });
});

describe('profile layout', () => {
  it('names profiles by function, time, reason and request id, and reads the names back', () => {
    const parts = {
      functionName: 'orders-api',
      capturedAt: new Date('2026-11-28T03:10:00.123Z'),
      reason: 'slow' as const,
      requestId: 'c0ffee/../etc:passwd',
    };
    const key = profileKey(parts);
    expect(key).toBe('orders-api/2026-11-28T03-10-00.123Z_slow_c0ffee_.._etc_passwd.cpuprofile');
    expect(parseProfileKey(key)).toEqual({ ...parts, requestId: 'c0ffee_.._etc_passwd' });
    expect(parseProfileKey('orders-api/notes.txt')).toBeUndefined();
  });

  it('never names a folder `.` or `..`, and reads no key that does', () => {
    const capturedAt = new Date('2026-11-28T03:10:00.123Z');
    for (const functionName of ['..', '.']) {
      const key = profileKey({ functionName, capturedAt, reason: 'sampled', requestId: 'r1' });
      expect(key.split('/')[0]).toBe('_');
      expect(parseProfileKey(`${functionName}/${key.split('/')[1]}`)).toBeUndefined();
    }
    const dotted = profileKey({ functionName: 'v1.2', capturedAt, reason: 'slow', requestId: '..' });
    expect(dotted).toBe('v1.2/2026-11-28T03-10-00.123Z_slow__.cpuprofile');
    expect(parseProfileKey(dotted)).toMatchObject({ functionName: 'v1.2', requestId: '_' });
  });

  it('lists a folder newest first, skipping what is not a profile; a missing folder has none', async () => {
    const folder = profileFolder();
    const write = (key: string) => {
      const path = join(folder, ...key.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, '{}');
    };
    const at = (iso: string, reason: 'sampled' | 'slow', id: string) =>
      profileKey({ functionName: 'worker', capturedAt: new Date(iso), reason, requestId: id });
    write(at('2026-11-28T01:00:00.000Z', 'slow', 'a'));
    write(at('2026-11-28T03:00:00.000Z', 'sampled', 'b'));
    write('worker/readme.txt');
    const listed = await listProfiles(folder);
    expect(listed.map((p) => p.requestId)).toEqual(['b', 'a']);
    expect(listed[0]).toMatchObject({ functionName: 'worker', reason: 'sampled', bytes: 2 });
    expect(await listProfiles(join(folder, 'missing'))).toEqual([]);
  });
});
