/**
 * The OTLP exporter behind a circuit breaker, so that a missing or hanging collector costs an
 * invocation at most its export budget once, and nothing while it stays down. An export that
 * fails, or outlives the invocation's budget, marks the collector down: spans are then dropped
 * (and counted) without a request until a backoff has passed (1 s, doubling up to 60 s), and one
 * export tries again. One WARN when the collector goes down; one INFO, with the number of spans
 * dropped, when it answers again.
 */
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

/** `ExportResultCode` of @opentelemetry/core, which is no dependency of ours. */
const SUCCESS = 0;
const FAILED = 1;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

export interface ExportLog {
  warn(message: string, fields: Record<string, unknown>): void;
  info(message: string, fields: Record<string, unknown>): void;
}

export class GuardedExporter implements SpanExporter {
  #failures = 0;
  #retryAt = 0;
  #dropped = 0;
  /** Exports under way, each as the callback that counts it failed (at most once). */
  readonly #underWay = new Set<(reason: string) => void>();

  constructor(
    private readonly exporter: SpanExporter,
    private readonly log: () => ExportLog,
  ) {}

  /** The collector counts as down: spans are dropped without a request. */
  get down(): boolean {
    return this.#failures > 0 && (Date.now() < this.#retryAt || this.#underWay.size > 0);
  }

  /** True from a failure until the collector answers again: exports are not waited for. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.down) {
      this.#dropped += spans.length;
      done({ code: FAILED });
      return;
    }
    let counted = false;
    const fail = (reason: string) => {
      if (counted) return;
      counted = true;
      this.#dropped += spans.length;
      this.#failed(reason);
    };
    this.#underWay.add(fail);
    this.exporter.export(spans, (result) => {
      this.#underWay.delete(fail);
      if (result.code === SUCCESS) {
        // Late, but delivered: not dropped after all.
        if (counted) this.#dropped -= spans.length;
        this.#answered();
      } else {
        fail(result.error?.message ?? 'export failed');
      }
      done(result);
    });
  }

  /** The invocation's budget ran out with exports still under way: the collector counts as down. */
  overdue(budgetMs: number): void {
    for (const fail of this.#underWay) fail(`no answer within ${budgetMs} ms`);
  }

  #failed(reason: string): void {
    this.#failures += 1;
    const backoffMs = Math.min(FIRST_BACKOFF_MS * 2 ** (this.#failures - 1), MAX_BACKOFF_MS);
    this.#retryAt = Date.now() + backoffMs;
    if (this.#failures === 1) {
      this.log().warn('OpenTelemetry collector unreachable: spans are dropped until it answers again', {
        reason,
        retry_after_ms: backoffMs,
      });
    }
  }

  #answered(): void {
    if (this.#failures > 0) {
      this.log().info('OpenTelemetry collector answers again', { dropped_spans: this.#dropped });
    }
    this.#failures = 0;
    this.#retryAt = 0;
    this.#dropped = 0;
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}
