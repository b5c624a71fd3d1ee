import type { AlarmEvaluator } from './evaluator.js';
import type { AlarmTransition } from './types.js';

/** Simulated time, epoch ms. */
export interface Clock {
  now(): number;
}

export interface CompressedClockOptions {
  /** Simulated seconds per real second; 20 turns a 60-second period into 3 real seconds. Default 1. */
  compression?: number;
  /** Real time source, epoch ms. Default Date.now. */
  realNow?: () => number;
  /** Simulated time at the moment the clock is created. Default: the real time then. */
  simulatedStart?: number;
}

/**
 * A clock that runs `compression` times faster than real time from the moment
 * it is created. Whoever stores metrics timestamps them with now() (or maps a
 * real timestamp with toSimulated()); the alarm evaluator only needs now().
 */
export class CompressedClock implements Clock {
  readonly compression: number;
  private readonly realNow: () => number;
  private readonly realStart: number;
  private readonly simulatedStart: number;

  constructor(options: CompressedClockOptions = {}) {
    this.compression = options.compression ?? 1;
    if (!(Number.isFinite(this.compression) && this.compression > 0)) {
      throw new RangeError('compression must be a positive number');
    }
    this.realNow = options.realNow ?? Date.now;
    this.realStart = this.realNow();
    this.simulatedStart = options.simulatedStart ?? this.realStart;
  }

  now(): number {
    return this.toSimulated(this.realNow());
  }

  /** Maps a real epoch-ms timestamp (e.g. an EMF `_aws.Timestamp`) to simulated time. */
  toSimulated(realMs: number): number {
    return this.simulatedStart + (realMs - this.realStart) * this.compression;
  }

  /** Real milliseconds that a simulated duration takes. */
  realDuration(simulatedMs: number): number {
    return simulatedMs / this.compression;
  }
}

export interface EvaluationLoopOptions {
  evaluator: AlarmEvaluator;
  clock: Clock & { realDuration?(simulatedMs: number): number };
  /** Real ms between evaluations. Default: one simulated minute (CloudWatch evaluates every minute), at least 50 ms. */
  intervalMs?: number;
  onTransitions(transitions: AlarmTransition[]): void;
  /** Called with errors thrown by onTransitions or the evaluator; the loop keeps running. Default: rethrown asynchronously. */
  onError?(error: unknown): void;
}

export interface EvaluationLoop {
  /** Evaluates now, outside the schedule (e.g. at the end of a scenario). */
  evaluateNow(): AlarmTransition[];
  stop(): void;
}

/** Evaluates the alarms on a real-time interval, reading simulated time from the clock. */
export function startEvaluationLoop(options: EvaluationLoopOptions): EvaluationLoop {
  const simulatedMinute = 60_000;
  const intervalMs =
    options.intervalMs ?? Math.max(50, options.clock.realDuration?.(simulatedMinute) ?? simulatedMinute);
  const onError =
    options.onError ??
    ((error: unknown) => {
      queueMicrotask(() => {
        throw error;
      });
    });
  const tick = (): AlarmTransition[] => {
    let transitions: AlarmTransition[] = [];
    try {
      transitions = options.evaluator.evaluate(options.clock.now());
      if (transitions.length > 0) options.onTransitions(transitions);
    } catch (error) {
      onError(error);
    }
    return transitions;
  };
  const timer = setInterval(tick, intervalMs);
  return {
    evaluateNow: tick,
    stop: () => clearInterval(timer),
  };
}
