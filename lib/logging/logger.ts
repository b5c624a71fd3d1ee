/**
 * The Powertools Logger as Lookout configures it: JSON lines, secrets redacted in every logged
 * object, the correlation id on every line, optional debug sampling and log buffering.
 *
 * Under the profiler a Powertools log call cost about 7 µs, most of it around the line rather than
 * in it: a deep merge of the extra fields, a copy to drop empty keys, a JSON.stringify replacer
 * (which takes V8 off its fast path) and a Console. Lookout keeps Powertools' Logger and extends it
 * where Powertools means it to be extended, a log formatter and a subclass, so that a flat line
 * (strings, numbers and booleans under keys that are not secrets: the access log, most handler
 * lines) is built in one pass and serialized once; every other line takes Powertools' own path.
 */
import { LogFormatter, Logger, LogItem, LogLevelThreshold } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { ConstructorOptions, LogLevel } from '@aws-lambda-powertools/logger/types';
import { isDevMode } from '@aws-lambda-powertools/commons/utils/env';
import type { ResolvedConfig } from '../config.js';
import type { Redactor } from './redact.js';

export const CORRELATION_ID_KEY = 'correlation_id';

/** A log item that knows whether JSON.stringify alone writes it exactly as Powertools would. */
class LookoutLogItem extends LogItem {
  constructor(
    attributes: LogAttributes,
    /** No empty values to drop, nothing to redact, nothing a replacer would change. */
    readonly flat: boolean,
  ) {
    super({ attributes });
  }
}

/**
 * Powertools' standard keys, then the correlation id of the running invocation (unless the line
 * or an appended key brings its own), then the line's other keys: the layout of Powertools' own
 * formatter.
 */
export class LookoutLogFormatter extends LogFormatter {
  /** Whether timestamps are plain UTC: Lambda sets `TZ` once per container (`:UTC`). */
  readonly #utc: boolean;

  constructor(
    private readonly correlationId: () => string | undefined,
    private readonly isSecretKey: (key: string) => boolean,
  ) {
    super();
    const timezone = process.env.TZ?.trim() ?? '';
    this.#utc = timezone === '' || timezone.includes('UTC');
  }

  /** Powertools' rule (UTC unless `TZ` names another zone), with `TZ` read once. */
  override formatTimestamp(now: Date): string {
    return this.#utc ? now.toISOString() : super.formatTimestamp(now);
  }

  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const context = attributes.lambdaContext;
    const line: LogAttributes = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: context?.coldStart,
      function_arn: context?.invokedFunctionArn,
      function_memory_size: context?.memoryLimitInMB,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
      sampling_rate: attributes.sampleRateValue,
      xray_trace_id: attributes.xRayTraceId,
      tenant_id: context?.tenantId,
    };
    const correlationId = this.correlationId();
    if (correlationId !== undefined && !(CORRELATION_ID_KEY in additional))
      line[CORRELATION_ID_KEY] = correlationId;

    let flat = true;
    for (const key in line) {
      const value = line[key];
      if (value === '' || value === null) flat = false;
    }
    for (const key in additional) {
      const value = additional[key];
      if (value === null || typeof value === 'object' || typeof value === 'function') {
        // Nested values keep Powertools' merge (which copies them) and its printing path.
        return new LookoutLogItem(line, false).addAttributes(additional);
      }
      // Powertools' merge: an undefined value does not replace a defined one.
      if (value !== undefined || line[key] === undefined) line[key] = value;
      if (value === '' || typeof value === 'bigint' || (value !== undefined && this.isSecretKey(key)))
        flat = false;
    }
    return new LookoutLogItem(line, flat);
  }
}

/**
 * Powertools Logger writing flat lines itself: one JSON.stringify and one write to the stream the
 * Console would have used. Outside Powertools' dev mode (which pretty-prints to the global
 * console), for the levels the Console writes plainly.
 */
export class LookoutLogger extends Logger {
  // Powertools' constructor may log, or set the level, before these fields exist: see the `in` checks.
  #devMode = isDevMode();
  #temporaryKeys = false;
  #levelChanged = false;
  readonly #correlationId: () => string | undefined;

  constructor(options: ConstructorOptions = {}, correlationId: () => string | undefined = () => undefined) {
    super(options);
    this.#correlationId = correlationId;
    // Powertools ignores the first refresh (its constructor has just drawn the sample); spend it
    // here, so that `startInvocation` refreshes whenever it is asked to.
    this.refreshSampleRateCalculation();
  }

  /** Child loggers (`createChild`) are Lookout loggers too, sharing the formatter. */
  protected override createLogger(options?: ConstructorOptions): Logger {
    return new LookoutLogger(options, this.#correlationId);
  }

  /** An appended `correlation_id` key (Powertools' own way), else the running invocation's. */
  override getCorrelationId(): unknown {
    return super.getCorrelationId() ?? this.#correlationId();
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (
      !(#devMode in this) ||
      this.#devMode ||
      !(log instanceof LookoutLogItem) ||
      !log.flat ||
      logLevel < LogLevelThreshold.DEBUG ||
      logLevel >= LogLevelThreshold.SILENT
    ) {
      return super.printLog(logLevel, log);
    }
    const stream = logLevel >= LogLevelThreshold.WARN ? process.stderr : process.stdout;
    try {
      stream.write(`${JSON.stringify(log.getAttributes())}\n`);
    } catch {
      // As the Console does: a broken stream never reaches the caller.
    }
  }

  override appendKeys(attributes: Parameters<Logger['appendKeys']>[0]): void {
    if (#temporaryKeys in this) this.#temporaryKeys = true;
    super.appendKeys(attributes);
  }

  override setLogLevel(logLevel: LogLevel): void {
    if (#levelChanged in this) this.#levelChanged = true;
    super.setLogLevel(logLevel);
  }

  /**
   * Between invocations: drops the keys appended during the last one, and restores the
   * configured level (or draws the debug sample) when there is anything to restore or draw.
   * `coldStart` is the container's one verdict (see observability.ts), which `addContext` then
   * reports instead of this logger's own: with two handlers wrapped, only the first is cold.
   */
  startInvocation(sampling: boolean, coldStart: boolean): void {
    this.coldStart = coldStart;
    this.endInvocation();
    if (sampling || this.#levelChanged) {
      this.refreshSampleRateCalculation();
      this.#levelChanged = false;
    }
  }

  /** Drops the keys appended during the invocation that ended (or before the first), if any. */
  endInvocation(): void {
    if (this.#temporaryKeys) {
      this.resetKeys();
      this.#temporaryKeys = false;
    }
  }
}

export function createLogger(
  config: ResolvedConfig,
  redactor: Redactor,
  correlationId: () => string | undefined,
): LookoutLogger {
  const buffer = config.logBuffer;
  // Powertools reads an undefined option as an absent one.
  return new LookoutLogger(
    {
      serviceName: config.serviceName,
      logLevel: config.logLevel,
      sampleRateValue: config.debugSampleRate,
      jsonReplacerFn: redactor.replacer,
      logFormatter: new LookoutLogFormatter(correlationId, redactor.isSecretKey),
      logBufferOptions: buffer?.enabled
        ? {
            enabled: true,
            flushOnErrorLog: true,
            maxBytes: buffer.maxBytes,
            bufferAtVerbosity: buffer.bufferAtVerbosity,
          }
        : undefined,
    },
    correlationId,
  );
}

/** The event, redacted, as a loggable value no larger than `maxBytes` of JSON. */
export function loggableEvent(event: unknown, redactor: Redactor, maxBytes: number): unknown {
  const redacted = redactor.redact(event);
  const json = Buffer.from(JSON.stringify(redacted) ?? 'undefined');
  if (json.byteLength <= maxBytes) return redacted;
  return {
    truncated: true,
    original_bytes: json.byteLength,
    preview: json
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, ''),
  };
}
