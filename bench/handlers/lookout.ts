/**
 * Bench variant: withObservability from `lookout` with default settings, imported by package name
 * as a user imports it. Tracing is X-Ray, or off when bench/run.ts sets LOOKOUT_TRACING=off.
 */
import { withObservability } from 'lookout';

export const handler = withObservability(async () => ({ statusCode: 200, body: '{"ok":true}' }), {
  routes: ['GET /orders/{id}'],
});
