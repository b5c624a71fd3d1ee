/**
 * Lookout's Powertools Logger: the lines its fast path writes are the lines Powertools writes, and
 * the per-invocation bookkeeping (correlation id, appended keys, log level) behaves as before.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';

setLambdaEnv({ POWERTOOLS_TRACE_ENABLED: 'false' });
const { withObservability, getLogger } = await import('../../lib/index.js');
const { LookoutLogFormatter, LookoutLogger } = await import('../../lib/logging/logger.js');
const { createRedactor } = await import('../../lib/logging/redact.js');

let output: CapturedOutput | undefined;
afterEach(() => {
  output?.restore();
  output = undefined;
  delete process.env.POWERTOOLS_DEV;
});

const redactor = createRedactor();
const context = lambdaContext({ awsRequestId: 'req-fixed' });

/** The same configuration as a Lookout logger, minus Lookout: Powertools' own path. */
const powertools = () => new Logger({ serviceName: 'orders', jsonReplacerFn: redactor.replacer });
const lookout = (correlationId?: string) =>
  new LookoutLogger(
    {
      serviceName: 'orders',
      jsonReplacerFn: redactor.replacer,
      logFormatter: new LookoutLogFormatter(() => correlationId, redactor.isSecretKey),
    },
    () => correlationId,
  );

/** What each logger wrote for `log`, parsed, timestamps set aside; and on which stream. */
function written(logger: Logger, log: (logger: Logger) => void) {
  logger.addContext(context);
  output = captureOutput();
  log(logger);
  output.restore();
  const stream = output.stdout.length > 0 ? 'stdout' : 'stderr';
  const lines = output.lines().map(({ timestamp, ...rest }) => {
    expect(typeof timestamp).toBe('string');
    return rest;
  });
  return { lines, keys: lines.map((line) => Object.keys(line)), stream, raw: output.text() };
}

const sameAsPowertools = (log: (logger: Logger) => void) => {
  const theirs = written(powertools(), log);
  const ours = written(lookout(), log);
  expect(ours.lines).toEqual(theirs.lines);
  expect(ours.keys).toEqual(theirs.keys);
  expect(ours.stream).toBe(theirs.stream);
  return ours;
};

describe('Lookout logger lines are Powertools lines', () => {
  it('a flat line: same members in the same order, empty values dropped', () => {
    const ours = sameAsPowertools((logger) =>
      logger.info('order placed', {
        order_id: 'o-1',
        amount: 34.99,
        gift: false,
        note: '',
        coupon: null,
        missing: undefined,
      }),
    );
    expect(ours.lines[0]).toMatchObject({ order_id: 'o-1', amount: 34.99, gift: false });
    expect(ours.lines[0]).not.toHaveProperty('note');
    expect(ours.lines[0]).not.toHaveProperty('coupon');
  });

  it.each([
    ['debug', 'DEBUG'],
    ['info', 'INFO'],
    ['warn', 'WARN'],
    ['error', 'ERROR'],
    ['critical', 'CRITICAL'],
  ] as const)('%s goes to the stream the Console would use', (method, level) => {
    const ours = sameAsPowertools((logger) => {
      logger.setLogLevel('DEBUG');
      logger[method]('level check', { n: 1 });
    });
    expect(ours.lines[0]).toMatchObject({ level });
  });

  it('secrets in flat lines are redacted, as on the full path', () => {
    const ours = sameAsPowertools((logger) =>
      logger.info('signed in', { user: 'u1', api_token: 'sk_live_1' }),
    );
    expect(ours.lines[0]).toMatchObject({ user: 'u1', api_token: '[REDACTED]' });
  });

  it('nested values, errors and bigints take the full path', () => {
    const stockError = new RangeError('out of stock');
    const ours = sameAsPowertools((logger) => {
      logger.info('nested', { user: { id: 'u1', password: 'p' }, ids: [1, 2] });
      logger.error('failed', stockError);
      logger.info('big', { count: 12n });
    });
    expect(ours.lines[0]).toMatchObject({ user: { id: 'u1', password: '[REDACTED]' }, ids: [1, 2] });
    expect(ours.lines[1]).toMatchObject({ error: { name: 'RangeError', message: 'out of stock' } });
    expect(ours.lines[2]).toMatchObject({ count: '12' });
  });

  it("in Powertools' dev mode, pretty-printed as Powertools does", () => {
    process.env.POWERTOOLS_DEV = 'true';
    // Dev mode writes through the global console.
    const raw = (logger: Logger) => {
      logger.addContext(context);
      const info = jest.spyOn(console, 'info').mockImplementation(() => undefined);
      logger.info('pretty', { n: 1 });
      const printed = info.mock.calls.map((call) => String(call[0])).join('\n');
      info.mockRestore();
      return printed.replace(/"timestamp": "[^"]+"/, '"timestamp": "-"');
    };
    const theirs = raw(powertools());
    expect(theirs).toContain('\n    "message": "pretty"');
    expect(raw(lookout())).toBe(theirs);
  });

  it('the correlation id follows the standard keys, unless the line brings its own', () => {
    const ours = written(lookout('corr-7'), (logger) => {
      logger.info('first', { n: 1 });
      logger.info('second', { correlation_id: 'corr-explicit' });
    });
    expect(ours.keys[0]!.indexOf('correlation_id')).toBe(ours.keys[0]!.indexOf('xray_trace_id') + 1);
    expect(ours.lines.map((line) => line.correlation_id)).toEqual(['corr-7', 'corr-explicit']);
  });
});

describe('per-invocation bookkeeping', () => {
  it('child loggers are Lookout loggers and carry the running correlation id', async () => {
    const handler = withObservability(async () => {
      const child = getLogger().createChild({ persistentKeys: { component: 'payments' } });
      expect(child).toBeInstanceOf(LookoutLogger);
      child.info('charged');
      return 'ok';
    });
    output = captureOutput();
    await handler(events.sqs({ correlationId: 'corr-child' }) as never, lambdaContext());
    output.restore();
    expect(output.logs().find((line) => line.message === 'charged')).toMatchObject({
      component: 'payments',
      correlation_id: 'corr-child',
    });
  });

  it("keys appended during an invocation are gone in the next; the invocation's correlation id is readable", async () => {
    const seen: unknown[] = [];
    const handler = withObservability(async (event: { Records: unknown[] }) => {
      seen.push(getLogger().getCorrelationId());
      if (event.Records.length === 1) getLogger().appendKeys({ order_id: 'o-1' });
      getLogger().info('step');
      return 'ok';
    });
    output = captureOutput();
    await handler(events.sqs({ records: 1, correlationId: 'corr-a' }) as never, lambdaContext());
    await handler(events.sqs({ records: 2, correlationId: 'corr-b' }) as never, lambdaContext());
    output.restore();
    const steps = output.logs().filter((line) => line.message === 'step');
    expect(steps[0]).toMatchObject({ order_id: 'o-1', correlation_id: 'corr-a' });
    expect(steps[1]).not.toHaveProperty('order_id');
    expect(steps[1]).toMatchObject({ correlation_id: 'corr-b' });
    expect(seen).toEqual(['corr-a', 'corr-b']);
  });

  it('a log level changed during an invocation is back to the configured one in the next', async () => {
    let calls = 0;
    const handler = withObservability(
      async () => {
        calls += 1;
        getLogger().debug(`debug in call ${calls}`);
        if (calls === 1) getLogger().setLogLevel('DEBUG');
        getLogger().debug(`debug after the change in call ${calls}`);
        return 'ok';
      },
      { logLevel: 'INFO' },
    );
    output = captureOutput();
    await handler(events.sqs() as never, lambdaContext());
    await handler(events.sqs() as never, lambdaContext());
    output.restore();
    expect(output.logs().map((line) => line.message)).toEqual(
      expect.arrayContaining(['debug after the change in call 1']),
    );
    expect(output.logs().map((line) => line.message)).not.toContain('debug in call 2');
    expect(output.logs().map((line) => line.message)).not.toContain('debug after the change in call 2');
  });
});
