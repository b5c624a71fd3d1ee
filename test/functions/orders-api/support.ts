/**
 * Runs the orders API handler against dynalite and the SQS stand-in, and collects what one
 * invocation returned and wrote.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { EmfDocument, JsonLine } from '../../support/output.js';
import { captureOutput } from '../../support/output.js';
import type { HttpEventOptions } from '../../support/lambda-events.js';
import { httpEvent, lambdaContext } from '../../support/lambda-events.js';

export type ApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface ApiCall {
  status: number;
  headers: Record<string, string>;
  // The parsed JSON body; tests read fields freely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  logs: JsonLine[];
  emf: EmfDocument[];
  /** Everything written during the invocation. */
  output: string;
}

export function apiCaller(handler: ApiHandler) {
  return async (method: string, path: string, options: HttpEventOptions = {}): Promise<ApiCall> => {
    const output = captureOutput();
    let result: APIGatewayProxyStructuredResultV2;
    try {
      result = await handler(httpEvent(method, path, options), lambdaContext('orders-api'));
    } finally {
      output.restore();
    }
    return {
      status: result.statusCode ?? 0,
      headers: (result.headers ?? {}) as Record<string, string>,
      body: typeof result.body === 'string' && result.body !== '' ? JSON.parse(result.body) : undefined,
      logs: output.logs(),
      emf: output.emf(),
      output: output.text(),
    };
  };
}

/** The access-log line lib/ writes for each HTTP invocation. */
export const accessLog = (call: ApiCall): JsonLine | undefined =>
  call.logs.find((line) => 'route' in line && 'status' in line);
