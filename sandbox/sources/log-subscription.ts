/**
 * CloudWatch Logs subscription filters with a Lambda destination, as CloudWatch Logs runs them:
 * the log events of each source function's log group that match the filter pattern are batched
 * per log stream, gzipped and base64-encoded into `{ awslogs: { data } }`, and handed to the
 * destination function asynchronously. A CONTROL_MESSAGE goes first, as when a filter is created.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { CloudFormationTemplate } from '../template/resolver.js';
import { resourcesOfType } from '../template/resolver.js';
import type { InvocationRecord } from '../lambda/index.js';
import { compileFilterPattern } from './filter-pattern.js';

export interface SubscriptionFilterSpec {
  logicalId: string;
  /** The filter's name, as the payload's `subscriptionFilters` carries it. */
  name: string;
  logGroupName: string;
  /** The function that writes to that log group, if the stack has one. */
  sourceFunction: string | undefined;
  /** The Lambda function the events go to; undefined for other destinations (Kinesis, Firehose). */
  destinationFunction: string | undefined;
  filterPattern: string;
}

/**
 * The stack's `AWS::Logs::SubscriptionFilter`s. A function's log group is the one its
 * `LoggingConfig` names, else Lambda's default `/aws/lambda/<name>`.
 */
export function readSubscriptionFilters(
  template: CloudFormationTemplate,
  functions: readonly { logicalId: string; name: string }[],
  resolve: (value: unknown) => unknown,
  physicalName: (logicalId: string) => string,
): SubscriptionFilterSpec[] {
  const logGroupOf = new Map<string, string>();
  for (const fn of functions) {
    const config = template.Resources?.[fn.logicalId]?.Properties?.LoggingConfig as
      { LogGroup?: unknown } | undefined;
    const group =
      config?.LogGroup !== undefined ? String(resolve(config.LogGroup)) : `/aws/lambda/${fn.name}`;
    logGroupOf.set(group, fn.name);
  }
  return resourcesOfType(template, 'AWS::Logs::SubscriptionFilter').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const logGroupName = String(resolve(props.LogGroupName));
    const destination = String(resolve(props.DestinationArn));
    return {
      logicalId,
      name: props.FilterName !== undefined ? String(resolve(props.FilterName)) : physicalName(logicalId),
      logGroupName,
      sourceFunction: logGroupOf.get(logGroupName),
      destinationFunction: destination.includes(':function:')
        ? destination.split(':function:')[1]!.split(':')[0]
        : undefined,
      filterPattern: props.FilterPattern === undefined ? '' : String(resolve(props.FilterPattern)),
    };
  });
}

export interface LogLine {
  /** Epoch ms. */
  timestamp: number;
  message: string;
}

export interface LogSubscriptionOptions {
  filters: readonly SubscriptionFilterSpec[];
  /** The account id the payload's `owner` names. */
  owner: string;
  /** Asynchronous invocation of the destination; resolves true when it succeeded (after retries). */
  invoke(functionName: string, event: unknown): Promise<boolean>;
  /** A stream's events are sent at least this often. @default 1000 */
  flushMs?: number;
  /** A batch is sent before its messages would pass this many bytes. @default 256 KiB */
  maxBatchBytes?: number;
  log?(message: string): void;
}

export interface SubscriptionStats {
  /** DATA_MESSAGE batches handed to destinations. */
  batches: number;
  events: number;
  /** Batches the destination still failed after Lambda's retries. */
  failedBatches: number;
}

export interface LogSubscriptions {
  /** Lines one invocation of `functionName` wrote, in order; `containerId` picks the log stream. */
  deliver(functionName: string, containerId: string, lines: readonly LogLine[]): void;
  /** What one invocation wrote to its log group: every line (EMF included) and the platform report. */
  deliverInvocation(record: InvocationRecord): void;
  /** Sends whatever is waiting and waits for every batch sent so far. */
  flush(): Promise<void>;
  /** Stops the timer; what is still waiting is dropped (the functions are going away too). */
  stop(): void;
  readonly stats: SubscriptionStats;
}

interface ActiveFilter {
  spec: SubscriptionFilterSpec & { sourceFunction: string; destinationFunction: string };
  matches(message: string): boolean;
}

interface Stream {
  filter: ActiveFilter;
  logStream: string;
  /** 16 decimal digits naming the stream, inside each event id. */
  tag: string;
  sequence: bigint;
  events: { id: string; timestamp: number; message: string }[];
  bytes: number;
}

const MAX_EVENTS_PER_BATCH = 10_000;
/** What CloudWatch counts per event on top of its message (PutLogEvents' batch size rule). */
const EVENT_OVERHEAD_BYTES = 26;

export function startLogSubscriptions(options: LogSubscriptionOptions): LogSubscriptions {
  const log = options.log ?? (() => {});
  const maxBatchBytes = options.maxBatchBytes ?? 256 * 1024;
  const stats: SubscriptionStats = { batches: 0, events: 0, failedBatches: 0 };
  const inFlight = new Set<Promise<unknown>>();
  const send = (destination: string, payload: object) => {
    const event = { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } };
    const sent = options.invoke(destination, event).catch(() => false);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
    return sent;
  };

  const destinations = new Set(options.filters.flatMap((f) => f.destinationFunction ?? []));
  const active: ActiveFilter[] = [];
  for (const spec of options.filters) {
    const { sourceFunction, destinationFunction } = spec;
    if (!destinationFunction) {
      log(`subscription filter ${spec.name}: only Lambda destinations are run locally; skipped`);
      continue;
    }
    if (!sourceFunction) {
      log(`subscription filter ${spec.name}: no function writes to ${spec.logGroupName}; nothing to send`);
      continue;
    }
    if (destinations.has(sourceFunction)) {
      log(`subscription filter ${spec.name}: ${sourceFunction} receives log batches itself; not fed (loop)`);
      continue;
    }
    const compiled = compileFilterPattern(spec.filterPattern);
    if (!compiled.supported) {
      log(
        `subscription filter ${spec.name}: the pattern ${JSON.stringify(spec.filterPattern)} uses ${compiled.reason}, which the sandbox does not evaluate; every event is sent`,
      );
    }
    active.push({
      spec: { ...spec, sourceFunction, destinationFunction },
      matches: compiled.supported ? compiled.matches : () => true,
    });
    send(destinationFunction, {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [
        {
          id: '',
          timestamp: Date.now(),
          message: `CWL CONTROL MESSAGE: Checking health of destination Lambda function ${destinationFunction}.`,
        },
      ],
    });
  }

  const streams = new Map<string, Stream>();
  const flushStream = (stream: Stream) => {
    if (stream.events.length === 0) return;
    const logEvents = stream.events;
    stream.events = [];
    stream.bytes = 0;
    const { spec } = stream.filter;
    stats.batches += 1;
    stats.events += logEvents.length;
    void send(spec.destinationFunction, {
      messageType: 'DATA_MESSAGE',
      owner: options.owner,
      logGroup: spec.logGroupName,
      logStream: stream.logStream,
      subscriptionFilters: [spec.name],
      logEvents,
    }).then((delivered) => {
      if (!delivered) stats.failedBatches += 1;
    });
  };
  const flushAll = () => {
    for (const stream of streams.values()) flushStream(stream);
  };
  const timer = setInterval(flushAll, options.flushMs ?? 1000);
  timer.unref();

  const subscriptions: LogSubscriptions = {
    stats,
    deliverInvocation(record) {
      const { result } = record;
      const written = record.report ? [...record.lines, JSON.stringify(record.report)] : record.lines;
      subscriptions.deliver(
        record.functionName,
        result.containerId ?? record.functionName,
        written.map((line) => ({ timestamp: lineTimestamp(line, result.startedAt), message: line })),
      );
    },
    deliver(functionName, containerId, lines) {
      for (const filter of active) {
        if (filter.spec.sourceFunction !== functionName) continue;
        const key = `${filter.spec.logicalId}\n${containerId}`;
        let stream = streams.get(key);
        if (!stream) {
          const logStream = lambdaLogStream(containerId, lines[0]?.timestamp ?? Date.now());
          stream = {
            filter,
            logStream,
            tag: decimalDigits(`${filter.spec.logGroupName}\n${logStream}`, 16),
            sequence: 0n,
            events: [],
            bytes: 0,
          };
          streams.set(key, stream);
        }
        for (const line of lines) {
          if (!filter.matches(line.message)) continue;
          const bytes = Buffer.byteLength(line.message) + EVENT_OVERHEAD_BYTES;
          // A batch never grows past the cap (a single larger event goes alone).
          if (stream.bytes + bytes > maxBatchBytes || stream.events.length >= MAX_EVENTS_PER_BATCH)
            flushStream(stream);
          stream.sequence += 1n;
          // 56 digits, as CloudWatch's: time, then the stream, then the event's place in it.
          const id = `${String(line.timestamp).padStart(20, '0')}${stream.tag}${stream.sequence.toString().padStart(20, '0')}`;
          stream.events.push({ id, timestamp: line.timestamp, message: line.message });
          stream.bytes += bytes;
        }
      }
    },
    async flush() {
      flushAll();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    stop() {
      clearInterval(timer);
      streams.clear();
    },
  };
  return subscriptions;
}

/** When a line was written: its own `timestamp` / `time` (ISO) when it is a JSON line with one. */
export function lineTimestamp(line: string, fallback: number): number {
  if (!line.startsWith('{')) return fallback;
  const match = /"(?:timestamp|time)"\s*:\s*"([^"]+)"/.exec(line);
  const at = match ? Date.parse(match[1]!) : Number.NaN;
  return Number.isNaN(at) ? fallback : at;
}

/** Lambda's stream name for a container: `yyyy/mm/dd/[$LATEST]<32 hex>`. */
export function lambdaLogStream(containerId: string, at: number): string {
  const day = new Date(at).toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${createHash('sha256').update(containerId).digest('hex').slice(0, 32)}`;
}

function decimalDigits(text: string, count: number): string {
  const hash = BigInt(`0x${createHash('sha256').update(text).digest('hex').slice(0, 16)}`);
  return (hash % 10n ** BigInt(count)).toString().padStart(count, '0');
}
