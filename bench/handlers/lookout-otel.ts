/** Bench variant: withObservability from `lookout/otel`, tracing with OpenTelemetry. */
import { withObservability } from 'lookout/otel';

export const handler = withObservability(async () => ({ statusCode: 200, body: '{"ok":true}' }), {
  routes: ['GET /orders/{id}'],
});
