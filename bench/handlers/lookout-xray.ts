/** Bench variant: withObservability with tracing 'xray' and default settings. */
import { withObservability } from '../../lib/index.js';

export const handler = withObservability(async () => ({ statusCode: 200, body: '{"ok":true}' }), {
  routes: ['GET /orders/{id}'],
  tracing: 'xray',
});
