/** Failures inside logging, metrics or tracing never reach the handler's caller. */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import xray from 'aws-xray-sdk-core';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';

// In a Lambda execution environment, so that the X-Ray backend records and its faults can bite.
setLambdaEnv({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' });
const { withObservability, traced, timeDbQuery, businessMetrics, captureAwsClient } =
  await import('../../lib/index.js');
const { MetricSink } = await import('../../lib/metrics/sink.js');

let output: CapturedOutput | undefined;
afterEach(() => {
  output?.restore();
  output = undefined;
  jest.restoreAllMocks();
});

const broken = () => {
  throw new Error('injected fault');
};

const response = { statusCode: 201, body: '{"id":"o-1"}' };
const handlerError = new RangeError('handler says no');

function handlers() {
  return {
    ok: withObservability(async () => {
      await timeDbQuery('PutItem', 'orders', async () => 'stored');
      businessMetrics.count('Orders');
      return traced('step', async () => response);
    }),
    failing: withObservability(async () => {
      await traced('step', async () => 'fine');
      throw handlerError;
    }),
  };
}

async function expectUnaffected() {
  const { ok, failing } = handlers();
  for (const event of [events.apiGatewayV2(), events.sqs(), { weird: true }, null]) {
    const result = await ok(event as never, lambdaContext());
    expect(result).toMatchObject(response);
    await expect(failing(event as never, lambdaContext())).rejects.toBe(handlerError);
  }
}

const faults: [string, () => void][] = [
  [
    'logger: every log call throws',
    () => {
      for (const method of ['info', 'warn', 'error', 'debug'] as const)
        jest.spyOn(Logger.prototype, method).mockImplementation(broken);
    },
  ],
  [
    'logger: adding context throws',
    () => {
      jest.spyOn(Logger.prototype, 'addContext').mockImplementation(broken);
      jest.spyOn(Logger.prototype, 'appendKeys').mockImplementation(broken);
      jest.spyOn(Logger.prototype, 'resetKeys').mockImplementation(broken);
    },
  ],
  [
    'metrics: publishing throws',
    () => {
      jest.spyOn(MetricSink.prototype, 'flush').mockImplementation(broken);
    },
  ],
  [
    'metrics: adding throws',
    () => {
      jest.spyOn(MetricSink.prototype, 'add').mockImplementation(broken);
    },
  ],
  [
    "metrics: the library's own metric groups throw",
    () => {
      jest.spyOn(MetricSink.prototype, 'group').mockImplementation(broken);
    },
  ],
  [
    'tracer: every call throws',
    () => {
      for (const call of ['getSegment', 'setSegment', 'captureAsyncFunc', 'captureAWSv3Client'] as const)
        jest.spyOn(xray, call).mockImplementation(broken);
    },
  ],
  [
    'stdout and stderr throw (a closed pipe)',
    () => {
      jest.spyOn(process.stdout, 'write').mockImplementation(broken);
      jest.spyOn(process.stderr, 'write').mockImplementation(broken);
    },
  ],
];

describe('injected faults leave the handler result unchanged', () => {
  it.each(faults)('%s', async (_name, inject) => {
    output = captureOutput();
    inject();
    await expectUnaffected();
  });

  it('reports each failing step once, on stderr, without the handler noticing', async () => {
    // A fresh module registry: earlier cases already reported this step in this one.
    await jest.isolateModulesAsync(async () => {
      const fresh = await import('../../lib/index.js');
      const sink = await import('../../lib/metrics/sink.js');
      output = captureOutput();
      jest.spyOn(sink.MetricSink.prototype, 'flush').mockImplementation(broken);
      const handler = fresh.withObservability(async () => 'ok');
      for (let i = 0; i < 5; i++)
        await expect(handler(events.sqs() as never, lambdaContext())).resolves.toBe('ok');
      output.restore();
    });
    const reports = output!.stderr.filter((line) => line.includes('lookout: metrics-flush failed'));
    expect(reports).toHaveLength(1);
    expect(JSON.parse(reports[0]!)).toMatchObject({
      level: 'WARN',
      lookout_step: 'metrics-flush',
      error: { message: 'injected fault' },
    });
  });

  it('a tracing backend that fails before running the work still runs it exactly once', async () => {
    output = captureOutput();
    const getSegment = jest.spyOn(xray, 'getSegment').mockImplementation(broken);
    let runs = 0;
    const handler = withObservability(async () => traced('once', async () => ++runs));
    await expect(handler(events.sqs() as never, lambdaContext())).resolves.toBe(1);
    expect(runs).toBe(1);
    expect(getSegment).toHaveBeenCalled();
  });

  it('captureAwsClient returns the client itself when tracing cannot instrument it', () => {
    const capture = jest.spyOn(xray, 'captureAWSv3Client').mockImplementation(broken);
    const client = { send: async () => 'sent' };
    output = captureOutput();
    expect(captureAwsClient(client)).toBe(client);
    expect(capture).toHaveBeenCalled();
  });
});
