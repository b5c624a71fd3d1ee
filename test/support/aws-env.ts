/**
 * The environment a handler under test runs in: a fake Lambda environment, dummy credentials,
 * and endpoints on loopback. Set it before importing the handler, which reads it at import.
 */

export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function setHandlerEnv(functionName: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
    POWERTOOLS_METRICS_NAMESPACE: 'LookoutTest',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    // No X-Ray daemon here; tracing is exercised by lib/'s own tests.
    POWERTOOLS_TRACE_ENABLED: 'false',
    ...extra,
  });
  delete process.env.POWERTOOLS_DEV;
}
