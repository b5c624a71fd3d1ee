/**
 * Bench variant: withObservability with default settings. The tracing backend comes from
 * LOOKOUT_TRACING, which bench/run.ts sets as ObservedFunction does.
 */
import { withObservability } from '../../lib/index.js';

export const handler = withObservability(async () => ({ statusCode: 200, body: '{"ok":true}' }), {
  routes: ['GET /orders/{id}'],
});
