/**
 * One execution environment: a child Node process running the sandbox runtime, which imports the
 * bundle once and then serves one invocation at a time. The container collects the lines the
 * process writes and hands them out per invocation.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FunctionError, InvokeMessage, RuntimeMessage } from './protocol.js';

/** Lambda gives an on-demand init phase ten seconds. */
export const INIT_TIME_LIMIT_MS = 10_000;

export interface ContainerOptions {
  runtimeFile: string;
  /** Arguments for the runtime (not the function's business: they stay out of its environment). */
  runtimeArgs?: string[];
  taskRoot: string;
  env: Record<string, string>;
  maxOldSpaceSizeMb: number;
  initTimeLimitMs?: number;
}

export type ContainerStart =
  | { kind: 'ready'; initDurationMs: number }
  | { kind: 'init-error'; error: FunctionError; initDurationMs: number }
  | { kind: 'init-timeout'; initDurationMs: number }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null; initDurationMs: number };

export type ContainerOutcome =
  | { kind: 'result'; payload: string; maxRssKb: number }
  /** The handler threw or rejected (uncaught, the process is ending, when the runtime says `fatal`). */
  | { kind: 'error'; error: FunctionError; maxRssKb: number }
  | { kind: 'timeout' }
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null };

export type ContainerState = 'starting' | 'idle' | 'busy' | 'dead';

export class Container {
  readonly id = randomBytes(8).toString('hex');
  readonly startedAt = Date.now();
  state: ContainerState = 'starting';
  invocations = 0;
  /** Peak resident memory of the process so far, as last reported by the runtime. */
  maxRssKb = 0;
  readonly ready: Promise<ContainerStart>;

  private readonly child: ChildProcess;
  private readonly closed: Promise<void>;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private lines: string[] = [];
  private readonly partial = new Map<string, string>();
  private pending: ((outcome: ContainerOutcome) => void) | undefined;
  private pendingRequestId: string | undefined;
  private readonly deathListeners: (() => void)[] = [];

  constructor(options: ContainerOptions) {
    const spawnedAt = performance.now();
    const initDuration = () => Math.round((performance.now() - spawnedAt) * 100) / 100;
    this.child = fork(options.runtimeFile, options.runtimeArgs ?? [], {
      cwd: options.taskRoot,
      env: options.env,
      execPath: process.execPath,
      // Explicit, so the parent's own flags (a TypeScript loader, --inspect, ...) are not inherited.
      execArgv: [`--max-old-space-size=${options.maxOldSpaceSizeMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    // Output that bypasses the runtime's forwarding (Node's own fatal-error printing, native code).
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => this.append('raw-stdout', text));
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => this.append('raw-stderr', text));

    this.closed = new Promise((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        this.exit = { code, signal };
        this.state = 'dead';
        this.settle({ kind: 'exit', code, signal });
        for (const listener of [...this.deathListeners]) listener();
        resolve();
      };
      this.child.once('close', finish);
      this.child.once('error', () => {
        // A spawn failure never emits 'close' for a process that did not start.
        if (this.child.pid === undefined) finish(null, null);
      });
    });

    this.ready = new Promise<ContainerStart>((resolve) => {
      const limit = setTimeout(() => {
        cleanup();
        this.kill();
        resolve({ kind: 'init-timeout', initDurationMs: initDuration() });
      }, options.initTimeLimitMs ?? INIT_TIME_LIMIT_MS);
      const onMessage = (message: RuntimeMessage) => {
        if (message.type === 'ready') {
          cleanup();
          this.maxRssKb = Math.max(this.maxRssKb, message.maxRssKb);
          this.state = 'idle';
          resolve({ kind: 'ready', initDurationMs: initDuration() });
        } else if (message.type === 'init-error') {
          cleanup();
          this.state = 'dead';
          resolve({ kind: 'init-error', error: message.error, initDurationMs: initDuration() });
        }
      };
      const onClose = () => {
        cleanup();
        resolve({
          kind: 'exit',
          code: this.exit?.code ?? null,
          signal: this.exit?.signal ?? null,
          initDurationMs: initDuration(),
        });
      };
      const cleanup = () => {
        clearTimeout(limit);
        this.child.off('message', onMessage);
        const index = this.deathListeners.indexOf(onClose);
        if (index >= 0) this.deathListeners.splice(index, 1);
      };
      this.child.on('message', onMessage);
      this.deathListeners.push(onClose);
    });

    this.child.on('message', (message: RuntimeMessage) => this.onMessage(message));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs one invocation; resolves when it ends, however it ends. Never rejects. */
  run(message: InvokeMessage, timeoutMs: number): Promise<ContainerOutcome> {
    if (this.state !== 'idle' && this.state !== 'busy') {
      return Promise.resolve({
        kind: 'exit',
        code: this.exit?.code ?? null,
        signal: this.exit?.signal ?? null,
      });
    }
    this.state = 'busy';
    this.invocations += 1;
    return new Promise<ContainerOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.state = 'dead';
        this.settle({ kind: 'timeout' });
        this.kill();
      }, timeoutMs);
      this.pendingRequestId = message.requestId;
      this.pending = (outcome) => {
        clearTimeout(timer);
        this.pending = undefined;
        this.pendingRequestId = undefined;
        if (this.state === 'busy') this.state = 'idle';
        resolve(outcome);
      };
      this.child.send(message, (error) => {
        // The process is gone; 'close' settles the invocation with its exit status.
        if (error) this.state = 'dead';
      });
    });
  }

  /**
   * Every log event since the last call, in order: each `console.*` record whole (newlines kept, as
   * Lambda's runtime sends it), and each line written straight to stdout or stderr; a trailing
   * partial line counts as a line.
   */
  takeLines(): string[] {
    for (const text of this.partial.values()) if (text !== '') this.lines.push(text);
    this.partial.clear();
    const lines = this.lines;
    this.lines = [];
    return lines;
  }

  onDeath(listener: () => void): void {
    if (this.state === 'dead' && this.exit) listener();
    else this.deathListeners.push(listener);
  }

  /** Ends the process at once (SIGKILL, as Lambda does with a timed-out environment). */
  kill(): Promise<void> {
    this.state = 'dead';
    if (!this.exit) this.child.kill('SIGKILL');
    return this.closed;
  }

  private settle(outcome: ContainerOutcome): void {
    this.pending?.(outcome);
  }

  private onMessage(message: RuntimeMessage): void {
    switch (message.type) {
      case 'output':
        this.append(message.stream, message.text);
        break;
      case 'log':
        this.lines.push(message.text);
        break;
      case 'result':
        this.maxRssKb = Math.max(this.maxRssKb, message.maxRssKb);
        if (message.requestId === this.pendingRequestId) {
          this.settle({ kind: 'result', payload: message.payload, maxRssKb: message.maxRssKb });
        }
        break;
      case 'error':
      case 'fatal':
        this.maxRssKb = Math.max(this.maxRssKb, message.maxRssKb);
        if (message.type === 'fatal') this.state = 'dead';
        if (message.requestId === undefined || message.requestId === this.pendingRequestId) {
          this.settle({
            kind: 'error',
            error: message.error,
            maxRssKb: message.maxRssKb,
          });
        }
        break;
      default:
        break;
    }
  }

  private append(key: string, text: string): void {
    const parts = ((this.partial.get(key) ?? '') + text).split('\n');
    this.partial.set(key, parts.pop() ?? '');
    for (const part of parts) this.lines.push(part.endsWith('\r') ? part.slice(0, -1) : part);
  }
}
