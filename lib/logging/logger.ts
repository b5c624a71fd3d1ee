/**
 * The Powertools Logger as Lookout configures it: JSON lines, secrets redacted in every logged
 * object, optional debug sampling and log buffering.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { ResolvedConfig } from '../config.js';
import type { Redactor } from './redact.js';

export function createLogger(config: ResolvedConfig, redactor: Redactor): Logger {
  const buffer = config.logBuffer;
  return new Logger({
    serviceName: config.serviceName,
    logLevel: config.logLevel,
    ...(config.debugSampleRate !== undefined ? { sampleRateValue: config.debugSampleRate } : {}),
    jsonReplacerFn: redactor.replacer,
    ...(buffer?.enabled
      ? {
          logBufferOptions: {
            enabled: true,
            flushOnErrorLog: true,
            ...(buffer.maxBytes !== undefined ? { maxBytes: buffer.maxBytes } : {}),
            ...(buffer.bufferAtVerbosity ? { bufferAtVerbosity: buffer.bufferAtVerbosity } : {}),
          },
        }
      : {}),
  });
}

/** The event, redacted, as a loggable value no larger than `maxBytes` of JSON. */
export function loggableEvent(event: unknown, redactor: Redactor, maxBytes: number): unknown {
  const redacted = redactor.redact(event);
  const json = JSON.stringify(redacted) ?? 'undefined';
  if (Buffer.byteLength(json) <= maxBytes) return redacted;
  return {
    truncated: true,
    original_bytes: Buffer.byteLength(json),
    preview: Buffer.from(json)
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, ''),
  };
}
