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

/** Names a secret travels under, from OAuth 2.0, AWS SigV4 presigned URLs, JWTs and session cookies. */
const SECRET_NAMES = [
  // OAuth 2.0 (RFC 6749, 7636, 7523) and OpenID Connect
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'client_assertion',
  'assertion',
  // AWS SigV4 query authentication
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  // JWTs and other credentials
  'jwt',
  'X-Jwt-Assertion',
  'auth',
  'X-Auth-Token',
  'authToken',
  'sig',
  'signature',
  'pwd',
  'passwd',
  'secret',
  'credential',
  'private_key',
  'privateKey',
  'apiKey',
  'refreshToken',
  // session cookies as parameters
  'session',
  'sessionid',
  'sessionId',
  'connect.sid',
  'PHPSESSID',
  'JSESSIONID',
  'ASP.NET_SessionId',
  'laravel_session',
];

/** Names that hold a secret word or fragment inside another word, or are not secrets at all. */
const PLAIN_NAMES = [
  'author',
  'authority',
  'authorName',
  'signal',
  'signup',
  'design',
  'X-Amz-Algorithm',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'zipcode',
  'compass',
  'assessment',
  'inside',
  'state',
];

const redactor = createRedactor();

describe('secret names', () => {
  it.each(SECRET_NAMES)(
    '%s is redacted in query strings, form bodies, JSON bodies, headers and the access log',
    (name) => {
      const event = {
        rawQueryString: `page=2&${encodeURIComponent(name)}=${SECRET}`,
        queryStringParameters: { page: '2', [name]: SECRET },
        multiValueQueryStringParameters: { [name]: [SECRET] },
        headers: {
          [name.toLowerCase()]: SECRET,
          referer: `https://app.example/callback?${name}=${SECRET}#top`,
        },
        form: `grant_type=authorization_code&${name}=${SECRET}`,
        body: JSON.stringify({ user: 'u1', nested: { [name]: SECRET } }),
      };
      const redacted = JSON.stringify(redactor.redact(event));
      expect(redacted).not.toContain(SECRET);
      expect(redacted).toContain('page=2');
      expect(redacted).toContain('grant_type=authorization_code&');
      expect(redacted).toContain('"user\\":\\"u1\\"');
      expect(redactor.redactQuery({ page: '2', [name]: SECRET })).toBe(
        `page=2&${encodeURIComponent(name)}=%5BREDACTED%5D`,
      );
    },
  );

  it.each(PLAIN_NAMES)('%s is kept everywhere', (name) => {
    const event = {
      rawQueryString: `${name}=visible`,
      headers: { [name.toLowerCase()]: 'visible' },
      body: JSON.stringify({ [name]: 'visible' }),
    };
    expect(redactor.redact(event)).toEqual(event);
    expect(redactor.redactQuery({ [name]: 'visible' })).toBe(`${name}=visible`);
  });

  it('redacts the OAuth code (and PKCE verifier) and API keys as query and form parameters only, not as JSON fields', () => {
    expect(redactor.redact({ query: `code=${SECRET}&key=${SECRET}&code_verifier=${SECRET}` })).toEqual({
      query: `code=${REDACTED}&key=${REDACTED}&code_verifier=${REDACTED}`,
    });
    expect(redactor.redact({ queryStringParameters: { code: SECRET } })).toEqual({
      queryStringParameters: { code: REDACTED },
    });
    expect(redactor.redactQuery({ code: SECRET })).toBe('code=%5BREDACTED%5D');
    const body = JSON.stringify({ code: 'E_DECLINED', Key: 'photos/cat.jpg', partitionKey: 'p1' });
    expect(redactor.redact({ body })).toEqual({ body });
  });

  it("redacts a presigned URL's signature and credential wherever it is logged, keeping the rest", () => {
    // The SigV4 query-authentication example of the Amazon S3 API Reference.
    const url =
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
      '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
      '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
      '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    const { body } = redactor.redact({ body: JSON.stringify({ download: url }) });
    expect(JSON.parse(body).download).toBe(
      'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
        `&X-Amz-Credential=${REDACTED}&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400` +
        `&X-Amz-SignedHeaders=host&X-Amz-Signature=${REDACTED}`,
    );
  });

  it('keeps secrets out of the logged event and the access log of a real invocation', async () => {
    const handler = withObservability(async () => ({ statusCode: 200, body: 'ok' }), { logEvent: true });
    const event = events.apiGatewayV2({
      method: 'POST',
      path: '/oauth/callback',
      query: `code=${SECRET}&state=s1&session=${SECRET}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-jwt-assertion': SECRET },
      body: `grant_type=authorization_code&code=${SECRET}&client_secret=${SECRET}&refresh_token=${SECRET}`,
    });
    output = captureOutput();
    await handler(event as never, lambdaContext());
    output.restore();
    expect(output.text()).not.toContain(SECRET);
    const [eventLine, accessLine] = output.logs();
    expect((eventLine!.event as { body: string }).body).toBe(
      `grant_type=authorization_code&code=${REDACTED}&client_secret=${REDACTED}&refresh_token=${REDACTED}`,
    );
    expect(accessLine!.query).toBe('code=%5BREDACTED%5D&state=s1&session=%5BREDACTED%5D');
  });

  it('takes extra whole words, and replaceDefaults drops the default words and parameters too', () => {
    const withPin = createRedactor({ words: ['PIN'] });
    expect(withPin.redact({ cardPin: '1', pin: '2', shipping: '3', auth: '4' })).toEqual({
      cardPin: REDACTED,
      pin: REDACTED,
      shipping: '3',
      auth: REDACTED,
    });
    const own = createRedactor({ words: ['pin'], replaceDefaults: true });
    expect(own.redact({ pin: '1', auth: '2', query: 'code=3&pin=4' })).toEqual({
      pin: REDACTED,
      auth: '2',
      query: `code=3&pin=${REDACTED}`,
    });
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
