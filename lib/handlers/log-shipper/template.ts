/**
 * The index template for shipped logs, put once per container before the first `_bulk`: ids,
 * levels, routes and names are keywords (exact match, aggregations), messages are text, times are
 * dates. Fields not listed are kept in `_source` but not indexed, so a line with an odd field can
 * never break the mapping.
 */
import type { Send } from './transport.js';

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

export function indexTemplate(prefix: string) {
  return {
    index_patterns: [`${prefix}-*`],
    priority: 200,
    _meta: { description: 'Lookout: Lambda logs shipped from CloudWatch Logs' },
    template: {
      mappings: {
        dynamic: false,
        properties: {
          '@timestamp': { type: 'date' },
          message: { type: 'text' },
          log: { properties: { level: keyword } },
          service: { properties: { name: keyword } },
          trace: { properties: { id: keyword } },
          labels: { properties: { correlation_id: keyword } },
          faas: {
            properties: {
              execution: keyword,
              name: keyword,
              coldstart: { type: 'boolean' },
              trigger: { properties: { type: keyword } },
            },
          },
          http: {
            properties: {
              request: { properties: { method: keyword, id: keyword } },
              response: { properties: { status_code: { type: 'long' } } },
              route: keyword,
            },
          },
          url: { properties: { path: keyword, query: keyword } },
          client: { properties: { ip: { type: 'ip', ignore_malformed: true } } },
          user_agent: { properties: { original: keyword } },
          error: {
            properties: {
              type: keyword,
              message: { type: 'text' },
              stack_trace: { type: 'text', index: false },
            },
          },
          event: { properties: { id: keyword, duration: { type: 'long' } } },
          cloud: { properties: { provider: keyword, account: { properties: { id: keyword } } } },
          aws: { properties: { cloudwatch: { properties: { log_group: keyword, log_stream: keyword } } } },
          ecs: { properties: { version: keyword } },
          lookout: { type: 'object', enabled: false },
        },
      },
    },
  };
}

/** Puts the template; throws with the engine's answer when it is refused. */
export async function installTemplate(send: Send, prefix: string, timeoutMs: number): Promise<void> {
  const response = await send(
    'PUT',
    `/_index_template/${encodeURIComponent(prefix)}`,
    JSON.stringify(indexTemplate(prefix)),
    timeoutMs,
  );
  if (response.status < 200 || response.status >= 300) {
    throw new Error(
      `the engine refused the index template ${prefix} (${response.status}): ${response.body.slice(0, 300)}`,
    );
  }
}
