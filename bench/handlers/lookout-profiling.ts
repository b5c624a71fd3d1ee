/**
 * Bench variant: withObservability from `lookout` with the CPU profiler, which takes its settings
 * from the environment bench/run.ts sets (none: the profiler is bundled but off).
 */
import { withObservability } from 'lookout';
import { cpuProfiler } from 'lookout/profiling';

export const handler = withObservability(async () => ({ statusCode: 200, body: '{"ok":true}' }), {
  routes: ['GET /orders/{id}'],
  profiler: cpuProfiler(),
});
