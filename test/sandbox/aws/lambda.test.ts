/**
 * The local Lambda Invoke endpoint, called as the API reference describes it (no Lambda client is
 * installed here): RequestResponse, Event and DryRun, function errors, and bad requests.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LambdaStandIn } from '../../../sandbox/aws/lambda.js';
import { startLambdaStandIn } from '../../../sandbox/aws/lambda.js';
import type { FunctionManager } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import type { TestBundles } from '../lambda/support.js';
import { testBundles, waitFor } from '../lambda/support.js';

let bundles: TestBundles;
let fn: FunctionManager;
let lambda: LambdaStandIn;
const asyncEvents: unknown[] = [];

beforeAll(async () => {
  bundles = await testBundles();
  const bundle = await bundles.bundle('echo', 'test/sandbox/lambda/fixtures/behaviours.ts');
  fn = await createFunctionManager({ name: 'echo', bundle });
  lambda = await startLambdaStandIn({
    functionNamed: (name) => (name === 'echo' ? fn : undefined),
    invokeAsync: (target, event) => {
      asyncEvents.push(event);
      void target.invoke(event);
    },
    region: 'eu-west-2',
    accountId: '123456789012',
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([fn?.close(), lambda?.close()]);
  await bundles?.cleanup();
});

const invoke = (name: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${lambda.url}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, {
    method: 'POST',
    headers,
    body,
  });

describe('Lambda Invoke endpoint', () => {
  it('returns the payload of a RequestResponse invocation, by name or by ARN', async () => {
    const response = await invoke('echo', '{"respond":{"ok":true}}');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-executed-version')).toBe('$LATEST');
    expect(response.headers.get('x-amz-function-error')).toBeNull();
    expect(await response.json()).toEqual({ ok: true });
    const byArn = await invoke('arn:aws:lambda:eu-west-2:123456789012:function:echo', '{"respond":7}', {
      'X-Amz-Log-Type': 'Tail',
    });
    expect(await byArn.json()).toBe(7);
    const log = Buffer.from(byArn.headers.get('x-amz-log-result') ?? '', 'base64').toString();
    expect(log).toContain('"message":"invoked"');
  });

  it('reports a function error as Lambda does: 200 with X-Amz-Function-Error', async () => {
    const response = await invoke('echo', '{"throwMessage":"no stock"}', {
      'X-Amz-Invocation-Type': 'RequestResponse',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(await response.json()).toMatchObject({ errorType: 'OrderRejected', errorMessage: 'no stock' });
  });

  it('accepts an Event invocation with 202 and a DryRun with 204', async () => {
    const queued = await invoke('echo', '{"respond":"later"}', { 'X-Amz-Invocation-Type': 'Event' });
    expect(queued.status).toBe(202);
    await waitFor(() => asyncEvents.length === 1, 5000, 'the asynchronous invocation');
    expect(asyncEvents).toEqual([{ respond: 'later' }]);
    const dry = await invoke('echo', '{}', { 'X-Amz-Invocation-Type': 'DryRun' });
    expect(dry.status).toBe(204);
    expect(asyncEvents).toHaveLength(1);
  });

  it('answers unknown functions, bad payloads and bad invocation types with clear errors', async () => {
    const missing = await invoke('nope', '{}');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await missing.json()).toEqual({
      Type: 'User',
      message: 'Function not found: arn:aws:lambda:eu-west-2:123456789012:function:nope',
    });
    const bad = await invoke('echo', '{not json');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    const type = await invoke('echo', '{}', { 'X-Amz-Invocation-Type': 'Later' });
    expect(type.status).toBe(400);
    const big = await invoke('echo', JSON.stringify({ pad: 'x'.repeat(300 * 1024) }), {
      'X-Amz-Invocation-Type': 'Event',
    });
    expect(big.status).toBe(413);
    expect(big.headers.get('x-amzn-errortype')).toBe('RequestTooLargeException');
    expect(asyncEvents).toHaveLength(1);
  });
});
