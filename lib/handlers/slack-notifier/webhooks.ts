/**
 * Where alerts go: one Slack incoming-webhook URL per severity. The setting is either a plain URL
 * (every severity) or JSON `{"critical": "https://...", "warning": "https://..."}`, read from
 * `SLACK_WEBHOOK_URL` (local use, wins when set) or from the Secrets Manager secret named by
 * `SLACK_WEBHOOK_SECRET_ARN`, cached with Powertools Parameters.
 *
 * A webhook URL is a credential: no error raised here ever contains it or the secret's value.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Severity } from './alarm.js';
import { AWS_CLIENT_CONFIG } from './store-budget.js';

export type WebhookRoutes = Record<Severity, string>;

export interface WebhookSource {
  /** The URLs to post to; throws `WebhookConfigError` when they cannot be had. */
  resolve(): Promise<WebhookRoutes>;
}

export class WebhookConfigError extends Error {
  override name = 'WebhookConfigError';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const EXPECTED_FORMAT = 'a webhook URL or JSON {"critical": "https://...", "warning": "https://..."}';

function checkUrl(value: unknown, where: string): string {
  if (typeof value !== 'string' || !value.trim())
    throw new WebhookConfigError(`${where} is empty; expected ${EXPECTED_FORMAT}`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new WebhookConfigError(`${where} is not a valid URL; expected ${EXPECTED_FORMAT}`);
  }
  // Plain http only to this machine (the sandbox and tests play Slack locally).
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!allowed) throw new WebhookConfigError(`${where} must be an https:// URL`);
  return url.toString();
}

/** Reads a webhook setting; `origin` names where it came from, for error messages. */
export function parseWebhookSetting(value: string, origin: string): WebhookRoutes {
  const text = value.trim();
  if (!text.startsWith('{')) {
    const url = checkUrl(text, origin);
    return { critical: url, warning: url };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WebhookConfigError(`${origin} looks like JSON but does not parse; expected ${EXPECTED_FORMAT}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WebhookConfigError(`${origin} must be ${EXPECTED_FORMAT}`);
  }
  const routes = parsed as Record<string, unknown>;
  const critical =
    routes.critical === undefined ? undefined : checkUrl(routes.critical, `${origin} (critical)`);
  const warning = routes.warning === undefined ? undefined : checkUrl(routes.warning, `${origin} (warning)`);
  // One channel named: both severities go there rather than one being dropped.
  const either = critical ?? warning;
  if (!either)
    throw new WebhookConfigError(
      `${origin} has neither "critical" nor "warning"; expected ${EXPECTED_FORMAT}`,
    );
  return { critical: critical ?? either, warning: warning ?? either };
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const cause = error.cause instanceof Error ? error.cause : error;
  const status = (cause as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return `${cause.name}${status ? ` (HTTP ${status})` : ''}: ${cause.message.slice(0, 200)}`;
}

export interface WebhookSourceOptions {
  env?: NodeJS.ProcessEnv;
  /** Wraps the Secrets Manager client, e.g. for tracing. */
  instrumentClient?: <T>(client: T) => T;
  /** Cache lifetime of the secret; defaults to Powertools' POWERTOOLS_PARAMETERS_MAX_AGE, else 300. */
  maxAgeSeconds?: number;
}

export function createWebhookSource(options: WebhookSourceOptions = {}): WebhookSource {
  const env = options.env ?? process.env;
  let provider: SecretsProvider | undefined;
  const maxAge = options.maxAgeSeconds ?? (env.POWERTOOLS_PARAMETERS_MAX_AGE ? undefined : 300);

  return {
    async resolve() {
      const local = env.SLACK_WEBHOOK_URL?.trim();
      if (local) return parseWebhookSetting(local, 'SLACK_WEBHOOK_URL');
      const secretId = env.SLACK_WEBHOOK_SECRET_ARN?.trim();
      if (!secretId) {
        throw new WebhookConfigError(
          'No Slack webhook configured: set SLACK_WEBHOOK_SECRET_ARN (or SLACK_WEBHOOK_URL for local use)',
        );
      }
      if (!provider) {
        const client = new SecretsManagerClient(AWS_CLIENT_CONFIG);
        provider = new SecretsProvider({ awsSdkV3Client: options.instrumentClient?.(client) ?? client });
      }
      let value: unknown;
      try {
        value = await provider.get(secretId, maxAge === undefined ? {} : { maxAge });
      } catch (error) {
        throw new WebhookConfigError(
          `Could not read the Slack webhook secret ${secretId}: ${describeFailure(error)}`,
        );
      }
      if (typeof value !== 'string') {
        throw new WebhookConfigError(
          `The Slack webhook secret ${secretId} has no text value; expected ${EXPECTED_FORMAT}`,
        );
      }
      return parseWebhookSetting(value, `The Slack webhook secret ${secretId}`);
    },
  };
}

/** Replaces every webhook URL (and its path, which holds the token) in `text`. */
export function redactWebhooks(text: string, routes: WebhookRoutes | undefined): string {
  if (!routes) return text;
  let out = text;
  for (const url of new Set(Object.values(routes))) {
    const { pathname } = new URL(url);
    out = out.split(url).join('[webhook]');
    if (pathname.length > 1) out = out.split(pathname).join('[webhook-path]');
  }
  return out;
}
