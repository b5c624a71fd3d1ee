/**
 * How the library reports its own failures: one JSON line on stderr per failing step per
 * container, written directly so that it works even when the logger is what failed.
 */
const reported = new Set<string>();

/**
 * `ERROR` for what leaves a promised feature off for the container's life (tracing that could not
 * start), so that it cannot pass for noise; `WARN` for the rest.
 */
export function reportFailure(step: string, error: unknown, level: 'WARN' | 'ERROR' = 'WARN'): void {
  if (reported.has(step)) return;
  reported.add(step);
  try {
    const detail =
      error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
    process.stderr.write(
      `${JSON.stringify({
        level,
        message: `lookout: ${step} failed; the handler is unaffected`,
        timestamp: new Date().toISOString(),
        lookout_step: step,
        error: detail,
      })}\n`,
    );
  } catch {
    // Nothing left to report with.
  }
}
