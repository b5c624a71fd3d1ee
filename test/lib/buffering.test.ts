import { afterEach, describe, expect, it } from '@jest/globals';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';

setLambdaEnv({ POWERTOOLS_TRACE_ENABLED: 'false' });
const { withObservability, getLogger } = await import('../../lib/index.js');

let output: CapturedOutput;
afterEach(() => output?.restore());

const messages = () => output.logs().map((l) => `${l.level} ${l.message}`);

describe('log buffering', () => {
  const handler = withObservability(
    async (event: { detail: { fail: boolean } }) => {
      getLogger().debug('cache lookup detail');
      getLogger().info('charging card');
      if (event.detail.fail) throw new Error('card declined');
      return 'ok';
    },
    { logLevel: 'INFO', logBuffer: { enabled: true, bufferAtVerbosity: 'DEBUG' } },
  );

  it('drops buffered lines when the invocation succeeds', async () => {
    output = captureOutput();
    await handler(events.eventBridge({ detail: { fail: false } }) as never, lambdaContext());
    output.restore();
    expect(messages()).toContain('INFO charging card');
    expect(messages()).not.toContain('DEBUG cache lookup detail');
  });

  it('writes buffered lines, before the error, when the handler fails', async () => {
    output = captureOutput();
    await expect(
      handler(events.eventBridge({ detail: { fail: true } }) as never, lambdaContext()),
    ).rejects.toThrow('card declined');
    output.restore();
    const lines = messages();
    expect(lines).toContain('DEBUG cache lookup detail');
    expect(lines.indexOf('DEBUG cache lookup detail')).toBeLessThan(
      lines.findIndex((l) => l.startsWith('ERROR')),
    );
  });
});

describe('debug sampling', () => {
  it('logs DEBUG for sampled invocations', async () => {
    output = captureOutput();
    const sampled = withObservability(
      async () => {
        getLogger().debug('only when sampled');
        return 'ok';
      },
      { logLevel: 'INFO', debugSampleRate: 1 },
    );
    await sampled(events.sqs() as never, lambdaContext());
    output.restore();
    expect(messages()).toContain('DEBUG only when sampled');
  });

  it('does not log DEBUG otherwise', async () => {
    const unsampled = withObservability(
      async () => {
        getLogger().debug('only when sampled');
        return 'ok';
      },
      { logLevel: 'INFO', debugSampleRate: 0 },
    );
    output = captureOutput();
    await unsampled(events.sqs() as never, lambdaContext());
    output.restore();
    expect(messages()).not.toContain('DEBUG only when sampled');
  });
});
