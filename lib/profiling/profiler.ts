/**
 * Sampled CPU profiles, the Lambda counterpart of a pprof endpoint: V8's sampling profiler through
 * `node:inspector`, started for a sampled invocation when it begins, or for a slow one when it
 * passes the threshold (a timer, so that fast invocations pay for the timer only), stopped when the
 * invocation ends and written to S3 or a local folder as a `.cpuprofile` (Chrome DevTools opens it).
 *
 * Nothing here may break the handler: every failure is reported once per step and the profile is
 * dropped. Writing is awaited before the invocation returns (Lambda may freeze the container right
 * after), within the invocation's remaining time.
 */
import type { Profiler as Inspector } from 'node:inspector';
import type { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import type * as S3 from '@aws-sdk/client-s3';
import { reportFailure } from '../report.js';
import { profileKey } from './layout.js';
import type {
  AttachedProfiler,
  ProfiledInvocation,
  ProfileLog,
  ProfileReason,
  ProfileRun,
} from './plugin.js';
import type { ResolvedProfiling } from './settings.js';

/** Microseconds between samples: fine enough for invocations of tens of milliseconds. */
export const SAMPLING_INTERVAL_US = 500;
/** Longest wait for a write, whatever time the invocation has left. */
const MAX_WRITE_WAIT_MS = 5000;

type Writer = (key: string, json: string, metadata: Record<string, string>) => Promise<string>;

let session: Session | undefined;

/**
 * The S3 client is loaded with `require`, from outside the bundle: bundled, its half a megabyte
 * cost 22 ms of every cold start of a profiling function for an upload that rarely happens (see
 * BENCHMARKS.md). In Lambda, `require` finds the SDK v3 that the Node.js runtime ships (through
 * NODE_PATH, which ES-module resolution ignores); elsewhere, the project's own node_modules.
 */
function loadS3Client(): typeof S3 {
  // Resolved from the task root (where Lambda's NODE_PATH also leads), not from import.meta: a
  // CommonJS bundle has no import.meta.
  const root = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  return createRequire(`${root}/index.js`)('@aws-sdk/client-s3') as typeof S3;
}

/** One inspector session per process, connected on first use; its calls are dispatched at once. */
async function inspector(): Promise<Session> {
  if (session) return session;
  const { Session } = await import('node:inspector/promises');
  const created = new Session();
  created.connect();
  session = created;
  return created;
}

export class CpuProfiler implements AttachedProfiler {
  readonly #settings: ResolvedProfiling;
  readonly #log: ProfileLog;
  #session: Session | undefined;
  #writer: Writer | undefined;

  constructor(settings: ResolvedProfiling, log: ProfileLog) {
    this.#settings = settings;
    this.#log = log;
  }

  /** Connects the inspector during init, so that the first sampled invocation starts at once. */
  async prepare(): Promise<void> {
    try {
      const connected = await inspector();
      await connected.post('Profiler.enable');
      await connected.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
      this.#session = connected;
    } catch (error) {
      reportFailure('profiling-init', error);
    }
  }

  /** At the start of an invocation. Never throws. */
  begin(): ProfileRun | undefined {
    if (!this.#session) return undefined;
    const { sampleRate, slowerThanMs } = this.#settings;
    if (sampleRate > 0 && Math.random() < sampleRate) {
      const run: ProfileRun = { reason: 'sampled', running: false, timer: undefined };
      this.#start(run);
      return run;
    }
    if (slowerThanMs === undefined) return undefined;
    const run: ProfileRun = { reason: 'slow', running: false, timer: undefined };
    run.timer = setTimeout(() => {
      run.timer = undefined;
      this.#start(run);
    }, slowerThanMs);
    run.timer.unref();
    return run;
  }

  /**
   * At the end of an invocation: disarms the timer, or stops the profile and writes it. Returns
   * the write to wait for, or undefined when there is none. Never throws, never rejects.
   */
  end(run: ProfileRun, invocation: ProfiledInvocation): Promise<void> | undefined {
    if (run.timer) {
      clearTimeout(run.timer);
      run.timer = undefined;
    }
    if (!run.running || !this.#session) return undefined;
    run.running = false;
    // Dispatched now, so the profile ends here even though its result arrives later.
    const stopped = this.#session.post('Profiler.stop');
    return this.#finish(run.reason, stopped, invocation);
  }

  #start(run: ProfileRun): void {
    const connected = this.#session;
    if (!connected) return;
    run.running = true;
    // Dispatched synchronously: the profiler is sampling when this returns.
    connected.post('Profiler.start').catch((error: unknown) => {
      run.running = false;
      reportFailure('profiling-start', error);
    });
  }

  async #finish(
    reason: ProfileReason,
    stopped: Promise<Inspector.StopReturnType>,
    invocation: ProfiledInvocation,
  ): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const budget = Math.max(0, Math.min(MAX_WRITE_WAIT_MS, invocation.remainingMs - 50));
    try {
      await Promise.race([
        this.#write(reason, stopped, invocation),
        new Promise<void>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`writing the profile took longer than ${budget} ms; it may be lost`)),
            budget,
          );
        }),
      ]);
    } catch (error) {
      reportFailure('profiling-write', error);
    } finally {
      clearTimeout(timer);
    }
  }

  async #write(
    reason: ProfileReason,
    stopped: Promise<Inspector.StopReturnType>,
    invocation: ProfiledInvocation,
  ): Promise<void> {
    const { profile } = await stopped;
    const json = JSON.stringify(profile);
    const durationMs = Math.round((profile.endTime - profile.startTime) / 1000);
    const key = profileKey({
      functionName: invocation.functionName,
      capturedAt: new Date(),
      reason,
      requestId: invocation.requestId,
    });
    this.#writer ??= await createWriter(this.#settings.destination);
    const location = await this.#writer(key, json, {
      'correlation-id': invocation.correlationId,
      'request-id': invocation.requestId,
      reason,
      'duration-ms': String(durationMs),
    });
    this.#log('CPU profile captured', {
      correlation_id: invocation.correlationId,
      profile_reason: reason,
      profile_key: key,
      profile_location: location,
      profile_duration_ms: durationMs,
      profile_bytes: Buffer.byteLength(json),
    });
  }
}

async function createWriter(destination: ResolvedProfiling['destination']): Promise<Writer> {
  if (destination.kind === 'directory') {
    const [{ mkdir, writeFile }, { dirname, join, resolve }] = await Promise.all([
      import('node:fs/promises'),
      import('node:path'),
    ]);
    const root = resolve(destination.path);
    return async (key, json) => {
      const path = join(root, ...key.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, json);
      return path;
    };
  }
  const { S3Client, PutObjectCommand } = loadS3Client();
  // A custom endpoint (AWS_ENDPOINT_URL_S3, a local stand-in) is addressed by path, not by host.
  const customEndpoint = Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
  const client = new S3Client({ forcePathStyle: customEndpoint });
  const { bucket, prefix } = destination;
  return async (key, json, metadata) => {
    const objectKey = `${prefix}${key}`;
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: objectKey,
        Body: json,
        ContentType: 'application/json',
        Metadata: metadata,
      }),
    );
    return `s3://${bucket}/${objectKey}`;
  };
}
