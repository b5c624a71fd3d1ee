/**
 * One subscription batch, shipped: decoded, turned into documents, indexed with `_bulk`, and what
 * could not be indexed parked in the dead-letter queue with its reason.
 */
import type { BulkOptions } from './bulk.js';
import { DEFAULT_BULK_OPTIONS, bulkIndex } from './bulk.js';
import type { DeadLetterSink } from './dead-letter.js';
import { deadLettersOf } from './dead-letter.js';
import type { IndexRequest } from './documents.js';
import { toDocument } from './documents.js';
import { decodePayload } from './payload.js';
import { installTemplate } from './template.js';
import type { Send } from './transport.js';

export interface ShipperMetrics {
  shipped(count: number): void;
  failed(count: number): void;
  skipped(count: number): void;
  retries(count: number): void;
}

export interface ShipperLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ShipperDeps {
  readonly send: Send;
  readonly indexPrefix: string;
  readonly deadLetters: DeadLetterSink;
  readonly metrics: ShipperMetrics;
  readonly logger: ShipperLogger;
  readonly bulk?: Partial<BulkOptions>;
}

export interface ShipSummary {
  readonly logGroup?: string;
  /** Log events in the batch. */
  readonly received: number;
  readonly shipped: number;
  /** EMF lines and control messages: not logs. */
  readonly skipped: number;
  readonly deadLettered: number;
  readonly retries: number;
}

/** A shipper holding its own "template installed" state (one per container). */
export function createShipper(deps: ShipperDeps) {
  const options: BulkOptions = { ...DEFAULT_BULK_OPTIONS, ...deps.bulk };
  let template: Promise<void> | undefined;

  return async function ship(event: unknown, remainingMs: () => number): Promise<ShipSummary> {
    const batch = decodePayload(event);
    if (batch.messageType === 'CONTROL_MESSAGE') {
      deps.metrics.skipped(1);
      return { logGroup: batch.logGroup, received: 0, shipped: 0, skipped: 1, deadLettered: 0, retries: 0 };
    }
    const requests: IndexRequest[] = [];
    for (const logEvent of batch.logEvents) {
      const request = toDocument(logEvent, batch, deps.indexPrefix);
      if (request) requests.push(request);
    }
    const skipped = batch.logEvents.length - requests.length;

    if (requests.length > 0) {
      template ??= installTemplate(
        deps.send,
        deps.indexPrefix,
        Math.min(options.requestTimeoutMs, remainingMs() - options.reserveMs),
      );
      try {
        await template;
      } catch (error) {
        // Tried again by the next invocation; this one fails whole, and Lambda retries it.
        template = undefined;
        throw error;
      }
    }
    const outcome = await bulkIndex(deps.send, requests, remainingMs, options);
    if (outcome.rejected.length > 0) {
      const letters = deadLettersOf(batch, outcome.rejected);
      deps.metrics.failed(letters.length);
      try {
        await deps.deadLetters(letters, Math.max(1000, remainingMs() - 1000));
      } catch (error) {
        deps.logger.error(
          'log events could neither be indexed nor parked; the batch fails for Lambda to retry',
          {
            log_group: batch.logGroup,
            events: letters.length,
            first_reason: letters[0]?.reason,
            error,
          },
        );
        throw error;
      }
      deps.logger.error('log events could not be indexed and were parked in the dead-letter queue', {
        log_group: batch.logGroup,
        events: letters.length,
        first_reason: letters[0]?.reason,
      });
    }
    deps.metrics.shipped(outcome.shipped);
    if (skipped > 0) deps.metrics.skipped(skipped);
    if (outcome.retries > 0) deps.metrics.retries(outcome.retries);
    const summary: ShipSummary = {
      logGroup: batch.logGroup,
      received: batch.logEvents.length,
      shipped: outcome.shipped,
      skipped,
      deadLettered: outcome.rejected.length,
      retries: outcome.retries,
    };
    deps.logger.info('log batch shipped', { ...summary });
    return summary;
  };
}
