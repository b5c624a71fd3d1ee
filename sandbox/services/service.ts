/**
 * The shape every part of the running sandbox has: an AWS stand-in (SQS, SNS, ...), an event source
 * (queue mappings, schedules, log subscriptions, the API front doors), the functions themselves, the
 * alarms and the console. Each reads what it runs from the stack, starts, and stops; `Sandbox.start`
 * starts them in order and stops them in reverse.
 */
import type { CompressedClock } from '../alarms/index.js';
import type { LogStore, ProfileFolder } from '../console/index.js';
import type { FunctionManager, InvocationRecord } from '../lambda/index.js';
import type { MetricStore } from '../metrics/index.js';
import type { AsyncInvokeOptions } from '../sources/async-invoke.js';
import { invokeAsync } from '../sources/async-invoke.js';
import type { SandboxStack } from '../template/index.js';
import type { SandboxValues } from '../values.js';

export interface SandboxService {
  /** A short name; a stand-in with an endpoint is listed under it (`sqs`, `sns`, ...). */
  readonly name: string;
  /**
   * The template resource types it runs (a trailing `*` matches a prefix); start-up names the
   * types no service runs.
   */
  readonly resourceTypes?: readonly string[];
  start(context: ServiceContext): Promise<void>;
  /** Also called after a start that failed part-way: stops whatever did start. */
  stop(): Promise<void>;
  /** The local AWS endpoint, for stand-ins an SDK talks to. */
  readonly endpoint?: string;
}

export interface SandboxCounters {
  invocations: number;
  coldStarts: number;
  errors: number;
  timeouts: number;
  throttles: number;
  [name: string]: number;
}

/** What the services share while they start and run. */
export interface ServiceContext {
  readonly stack: SandboxStack;
  readonly clock: CompressedClock;
  readonly metrics: MetricStore;
  readonly logs: LogStore;
  /** Where the functions write CPU profiles instead of S3. */
  readonly profiles: ProfileFolder;
  readonly counters: SandboxCounters;
  readonly functions: SandboxFunctions;
  readonly settings: {
    consolePort?: number | undefined;
    apiPort?: number | undefined;
    slackWebhookUrl?: string | undefined;
    /** The values file's secrets and parameters, and the file's name. */
    values?: (SandboxValues & { source: string }) | undefined;
  };
  /** Progress messages. */
  log(message: string): void;
  /** A service started earlier in the list; throws when it is not there. */
  service<T extends SandboxService>(kind: abstract new (...args: never[]) => T): T;
  /** The endpoints of the stand-ins started so far, by service name. */
  endpoints(): Record<string, string>;
}

/** The stack's functions as the emulation runs them, by name, and what each invocation recorded. */
export class SandboxFunctions {
  readonly byName = new Map<string, FunctionManager>();
  private readonly listeners: ((record: InvocationRecord) => void)[] = [];
  private readonly asyncOptions = new Map<string, (event: unknown) => AsyncInvokeOptions>();

  constructor(private readonly compression: number) {}

  get(name: string): FunctionManager | undefined {
    return this.byName.get(name);
  }

  add(name: string, manager: FunctionManager): void {
    this.byName.set(name, manager);
    manager.onInvocation((record) => {
      for (const listener of this.listeners) {
        try {
          listener(record);
        } catch {
          // one listener's failure does not keep the record from the others
        }
      }
    });
  }

  /** Every invocation's record, to each listener in the order they were added. */
  onInvocation(listener: (record: InvocationRecord) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Lambda's asynchronous invocation, with its retries; resolves true once an attempt succeeded,
   * false when every retry failed or there is no such function.
   */
  invokeAsync(name: string, event: unknown): Promise<boolean> {
    const target = this.get(name);
    if (!target) return Promise.resolve(false);
    const configure = this.asyncOptions.get(name);
    return invokeAsync(target, event, this.compression, configure?.(event));
  }

  /** Sets how a function's asynchronous invocations retry and what follows each (its `EventInvokeConfig`). */
  configureAsync(name: string, options: (event: unknown) => AsyncInvokeOptions): void {
    this.asyncOptions.set(name, options);
  }
}
