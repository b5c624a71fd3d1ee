/** Random events, shaped or not like real ones, never make the middleware throw or alter results. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CapturedOutput } from './support.js';
import { captureOutput, events, lambdaContext, setLambdaEnv } from './support.js';
import { expectValidEmf } from './emf.js';

setLambdaEnv({ POWERTOOLS_TRACE_ENABLED: 'false' });
const { withObservability } = await import('../../lib/index.js');

let output: CapturedOutput;
beforeAll(() => {
  output = captureOutput();
});
afterAll(() => output.restore());

const realistic = [
  events.apiGatewayV2(),
  events.apiGatewayV1(),
  events.alb(),
  events.functionUrl(),
  events.sqs(),
  events.sns(),
  events.eventBridge(),
];

/** A real event with random values put at random paths. */
const mutatedEvent = fc
  .tuple(
    fc.constantFrom(...realistic),
    fc.array(
      fc.tuple(
        fc.array(
          fc.constantFrom(
            'headers',
            'requestContext',
            'http',
            'Records',
            '0',
            'Sns',
            'MessageAttributes',
            'detail',
            'routeKey',
            'version',
            'httpMethod',
            'elb',
            'x-correlation-id',
            'messageAttributes',
            'rawQueryString',
            'path',
            'queryStringParameters',
          ),
          { minLength: 1, maxLength: 4 },
        ),
        fc.anything(),
      ),
      { maxLength: 6 },
    ),
  )
  .map(([base, edits]) => {
    const event = structuredClone(base) as Record<string, unknown>;
    for (const [path, value] of edits) {
      let node: Record<string, unknown> = event;
      for (const key of path.slice(0, -1)) {
        if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
      node[path.at(-1)!] = value;
    }
    return event;
  });

describe('property: the middleware never throws', () => {
  it('for any value as the event and any handler result', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), mutatedEvent), fc.anything(), async (event, result) => {
        const handler = withObservability(async () => result, { logEvent: true });
        const returned = await handler(event as never, lambdaContext());
        if (
          typeof result === 'object' &&
          result !== null &&
          typeof (result as { statusCode?: unknown }).statusCode === 'number'
        ) {
          expect(returned).toMatchObject(result as object);
        } else {
          expect(returned).toBe(result);
        }
      }),
      { numRuns: 300 },
    );
    expectValidEmf(output.emf());
  });

  it('for any thrown value, which passes through untouched', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedEvent, fc.anything(), async (event, thrown) => {
        const handler = withObservability(async () => {
          throw thrown;
        });
        let caught: unknown = Symbol('nothing');
        try {
          await handler(event as never, lambdaContext());
        } catch (error) {
          caught = error;
        }
        expect(caught).toBe(thrown);
      }),
      { numRuns: 200 },
    );
  });
});
