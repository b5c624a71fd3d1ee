import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  WebhookConfigError,
  createWebhookSource,
  parseWebhookSetting,
  redactWebhooks,
} from '../../../../lib/handlers/slack-notifier/webhooks.js';
import { TEST_CREDENTIALS, TEST_REGION } from '../../../support/aws-env.js';
import type { FakeSecretsManager } from './support/fake-secrets-manager.js';
import { startFakeSecretsManager } from './support/fake-secrets-manager.js';

const CRITICAL = 'https://hooks.slack.com/services/T000/B001/xCRITICALxSECRETx';
const WARNING = 'https://hooks.slack.com/services/T000/B002/xWARNINGxSECRETx';

function configError(run: () => unknown): WebhookConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookConfigError);
    return error as WebhookConfigError;
  }
  throw new Error('expected a WebhookConfigError');
}

describe('webhook settings', () => {
  it('sends every severity to a single URL', () => {
    expect(parseWebhookSetting(` ${CRITICAL}\n`, 'X')).toEqual({ critical: CRITICAL, warning: CRITICAL });
  });

  it('routes by severity with JSON', () => {
    expect(parseWebhookSetting(JSON.stringify({ critical: CRITICAL, warning: WARNING }), 'X')).toEqual({
      critical: CRITICAL,
      warning: WARNING,
    });
  });

  it('sends both severities to the one channel named, rather than dropping one', () => {
    expect(parseWebhookSetting(JSON.stringify({ critical: CRITICAL }), 'X')).toEqual({
      critical: CRITICAL,
      warning: CRITICAL,
    });
    expect(parseWebhookSetting(JSON.stringify({ warning: WARNING }), 'X')).toEqual({
      critical: WARNING,
      warning: WARNING,
    });
  });

  it('accepts plain http only on loopback', () => {
    expect(parseWebhookSetting('http://127.0.0.1:9999/hook', 'X').critical).toBe(
      'http://127.0.0.1:9999/hook',
    );
    expect(
      configError(() => parseWebhookSetting('http://hooks.slack.com/services/T/B/xSECRETx', 'X')).message,
    ).toBe('X must be an https:// URL');
  });

  it.each([
    ['not a url xSECRETx', /X is not a valid URL/],
    ['{"critical": "xSECRETx"', /X looks like JSON but does not parse/],
    ['{"critical": 5}', /X \(critical\) is empty/],
    ['{"page": "https://x.example/xSECRETx"}', /X has neither "critical" nor "warning"/],
    ['{"critical": "ftp://x.example/xSECRETx"}', /X \(critical\) must be an https:\/\/ URL/],
  ])('rejects %j with a clear error that does not repeat the value', (value, expected) => {
    const error = configError(() => parseWebhookSetting(value, 'X'));
    expect(error.message).toMatch(expected);
    expect(error.message).not.toContain('xSECRETx');
  });

  it('redacts webhook URLs and their token paths from text', () => {
    const routes = { critical: CRITICAL, warning: WARNING };
    expect(redactWebhooks(`failed ${CRITICAL} and /services/T000/B002/xWARNINGxSECRETx`, routes)).toBe(
      'failed [webhook] and [webhook-path]',
    );
  });
});

describe('webhook source', () => {
  let secrets: FakeSecretsManager;
  const saved = { ...process.env };
  const secretArn = (name: string) => `arn:aws:secretsmanager:${TEST_REGION}:123456789012:secret:${name}`;

  beforeAll(async () => {
    secrets = await startFakeSecretsManager();
    Object.assign(process.env, {
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    });
  });
  afterAll(async () => {
    process.env = saved;
    await secrets.close();
  });

  it('prefers SLACK_WEBHOOK_URL when set, without asking Secrets Manager', async () => {
    const before = secrets.calls.length;
    const source = createWebhookSource({
      env: { SLACK_WEBHOOK_URL: CRITICAL, SLACK_WEBHOOK_SECRET_ARN: secretArn('unused') },
    });
    await expect(source.resolve()).resolves.toEqual({ critical: CRITICAL, warning: CRITICAL });
    expect(secrets.calls.length).toBe(before);
  });

  it('reads the secret through the real SDK client and caches it', async () => {
    const arn = secretArn('lookout/slack-webhooks');
    secrets.secrets.set(arn, JSON.stringify({ critical: CRITICAL, warning: WARNING }));
    const source = createWebhookSource({
      env: { ...process.env, SLACK_WEBHOOK_SECRET_ARN: arn, SLACK_WEBHOOK_URL: '' },
    });
    await expect(source.resolve()).resolves.toEqual({ critical: CRITICAL, warning: WARNING });
    await expect(source.resolve()).resolves.toEqual({ critical: CRITICAL, warning: WARNING });
    expect(secrets.calls.filter((id) => id === arn)).toHaveLength(1);
  });

  it('fails clearly when the secret does not exist', async () => {
    const arn = secretArn('missing');
    const source = createWebhookSource({ env: { ...process.env, SLACK_WEBHOOK_SECRET_ARN: arn } });
    await expect(source.resolve()).rejects.toThrow(
      new WebhookConfigError(
        `Could not read the Slack webhook secret ${arn}: ResourceNotFoundException (HTTP 400): Secrets Manager can't find the specified secret.`,
      ),
    );
  });

  it('fails clearly when the function may not read the secret', async () => {
    const arn = secretArn('denied');
    secrets.failWith = 'AccessDeniedException';
    try {
      const source = createWebhookSource({ env: { ...process.env, SLACK_WEBHOOK_SECRET_ARN: arn } });
      await expect(source.resolve()).rejects.toThrow(
        /Could not read the Slack webhook secret .*denied: AccessDeniedException/,
      );
    } finally {
      delete secrets.failWith;
    }
  });

  it('fails without repeating the value when the secret is not a webhook setting', async () => {
    const arn = secretArn('garbled');
    secrets.secrets.set(arn, 'hunter2-xSECRETx');
    const source = createWebhookSource({ env: { ...process.env, SLACK_WEBHOOK_SECRET_ARN: arn } });
    const error = await source.resolve().then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toBe(
      `The Slack webhook secret ${arn} is not a valid URL; expected a webhook URL or JSON {"critical": "https://...", "warning": "https://..."}`,
    );
  });

  it('says what to set when nothing is configured', async () => {
    await expect(createWebhookSource({ env: {} }).resolve()).rejects.toThrow(
      'No Slack webhook configured: set SLACK_WEBHOOK_SECRET_ARN (or SLACK_WEBHOOK_URL for local use)',
    );
  });
});
