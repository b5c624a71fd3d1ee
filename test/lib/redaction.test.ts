import { afterEach, describe, expect, it } from '@jest/globals';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';

setLambdaEnv({ POWERTOOLS_TRACE_ENABLED: 'false' });
const { withObservability, getLogger, REDACTED } = await import('../../lib/index.js');
const { createRedactor } = await import('../../lib/logging/redact.js');

let output: CapturedOutput;
afterEach(() => output?.restore());

const SECRET = 'sk_live_TOPSECRET_4242';

describe('redaction', () => {
  it('keeps secrets out of every line: headers, query string, logged event, handler log objects', async () => {
    const handler = withObservability(
      async () => {
        getLogger().info('user signed in', {
          user: {
            id: 'u1',
            password: SECRET,
            profile: { apiKey: SECRET, nested: [{ session_token: SECRET }] },
          },
          headers: { Authorization: `Bearer ${SECRET}`, Cookie: `sid=${SECRET}` },
        });
        return { statusCode: 200, body: 'ok' };
      },
      { logEvent: true, logLevel: 'DEBUG' },
    );
    const event = events.apiGatewayV2({
      method: 'POST',
      query: `page=2&access_token=${SECRET}`,
      headers: { authorization: `Bearer ${SECRET}`, cookie: `session=${SECRET}`, 'x-api-key': SECRET },
      body: JSON.stringify({ password: SECRET }),
    });
    (event as Record<string, unknown>).cookies = [`sid=${SECRET}`];
    output = captureOutput();
    await handler(event as never, lambdaContext());
    output.restore();

    expect(output.text()).not.toContain(SECRET);
    const [eventLine, userLine, accessLine] = output.logs();
    expect(eventLine).toMatchObject({
      message: 'Lambda invocation event',
      event: {
        headers: { authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED },
        cookies: REDACTED,
      },
    });
    expect(userLine).toMatchObject({
      user: {
        id: 'u1',
        password: REDACTED,
        profile: { apiKey: REDACTED, nested: [{ session_token: REDACTED }] },
      },
      headers: { Authorization: REDACTED, Cookie: REDACTED },
    });
    expect(accessLine!.query).toBe('page=2&access_token=%5BREDACTED%5D');
  });

  it('takes extra keys, or replaces the defaults', () => {
    const extended = createRedactor({ keys: ['ssn', 'card-number'] });
    expect(extended.redact({ SSN: '1', cardNumber: '2', password: '3', name: 'n' })).toEqual({
      SSN: REDACTED,
      cardNumber: REDACTED,
      password: REDACTED,
      name: 'n',
    });
    const replaced = createRedactor({ keys: ['ssn'], replaceDefaults: true });
    expect(replaced.redact({ ssn: '1', password: '3' })).toEqual({ ssn: REDACTED, password: '3' });
  });

  it('applies configured keys to handler log lines too', async () => {
    const handler = withObservability(
      async () => {
        getLogger().info('card', { card_number: SECRET });
        return 'ok';
      },
      { redact: { keys: ['cardNumber'] } },
    );
    output = captureOutput();
    await handler(events.sns() as never, lambdaContext());
    output.restore();
    expect(output.text()).not.toContain(SECRET);
    expect(output.logs()[0]).toMatchObject({ card_number: REDACTED });
  });

  it('survives circular structures in redacted events', () => {
    const event: Record<string, unknown> = { token: SECRET };
    event.self = event;
    expect(createRedactor().redact(event)).toEqual({ token: REDACTED, self: '[Circular]' });
  });
});

describe('event logging', () => {
  it('is off by default', async () => {
    output = captureOutput();
    await withObservability(async () => 'ok')(events.sns() as never, lambdaContext());
    output.restore();
    expect(output.logs().some((l) => l.message === 'Lambda invocation event')).toBe(false);
  });

  it('truncates large events to the configured size', async () => {
    const handler = withObservability(async () => 'ok', { logEvent: true, maxEventBytes: 1024 });
    const event = events.sns({ message: 'x'.repeat(200_000) });
    output = captureOutput();
    await handler(event as never, lambdaContext());
    output.restore();
    const line = output.logs().find((l) => l.message === 'Lambda invocation event')!;
    const logged = line.event as { truncated: boolean; original_bytes: number; preview: string };
    expect(logged.truncated).toBe(true);
    expect(logged.original_bytes).toBeGreaterThan(200_000);
    expect(Buffer.byteLength(logged.preview)).toBeLessThanOrEqual(1024);
    expect(JSON.stringify(line).length).toBeLessThan(3000);
  });
});
