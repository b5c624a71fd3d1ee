/** The environment Lambda gives a Node.js container, plus the function's own variables. */
import { randomBytes } from 'node:crypto';

/** Keys Lambda sets itself and refuses in a function's configuration. */
export const RESERVED_ENVIRONMENT_KEYS = [
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
] as const;

/** Credentials that satisfy the SDK's signer; the local stand-ins do not check them. */
export const SANDBOX_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIASANDBOXLOCAL0000',
  AWS_SECRET_ACCESS_KEY: 'sandbox-secret-access-key-not-a-real-one',
  AWS_SESSION_TOKEN: 'sandbox-session-token',
} as const;

export interface ContainerEnvironmentInput {
  functionName: string;
  memoryMb: number;
  region: string;
  taskRoot: string;
  runtimeDir: string;
  handler: string;
  /** The function's Lambda runtime (`nodejs24.x`). */
  runtime: string;
  /** LoggingConfig.LogFormat. @default 'Text' */
  logFormat?: 'Text' | 'JSON';
  /** LoggingConfig.ApplicationLogLevel (JSON format only). @default 'INFO' */
  applicationLogLevel?: string;
  xrayDaemonAddress?: string;
  /** The function's own variables. */
  environment: Record<string, string>;
}

export function reservedKeysIn(environment: Record<string, string>): string[] {
  const reserved = new Set<string>(RESERVED_ENVIRONMENT_KEYS);
  return Object.keys(environment).filter((key) => reserved.has(key));
}

/** `2026/01/31/[$LATEST]<32 hex>`, one per container. */
export function logStreamName(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

export function containerEnvironment(input: ContainerEnvironmentInput): Record<string, string> {
  const { NODE_OPTIONS: ownNodeOptions, ...own } = input.environment;
  const nodeOptions = ['--enable-source-maps', ...(ownNodeOptions ?? '').split(/\s+/)]
    .filter((option, index, all) => option !== '' && all.indexOf(option) === index)
    .join(' ');
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    ...own,
    NODE_OPTIONS: nodeOptions,
    AWS_LAMBDA_FUNCTION_NAME: input.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(input.memoryMb),
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${input.runtime}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: input.taskRoot,
    LAMBDA_RUNTIME_DIR: input.runtimeDir,
    _HANDLER: input.handler,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${input.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    // As Lambda sets them for a function whose LoggingConfig asks for JSON.
    ...(input.logFormat === 'JSON' && {
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_LAMBDA_LOG_LEVEL: (input.applicationLogLevel ?? 'INFO').toUpperCase(),
    }),
    ...SANDBOX_CREDENTIALS,
    ...(input.xrayDaemonAddress && {
      AWS_XRAY_DAEMON_ADDRESS: input.xrayDaemonAddress,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    }),
  };
}

/** Lambda's Node.js runtime sizes the V8 heap below the function's memory, leaving room for the rest. */
export const maxOldSpaceSizeMb = (memoryMb: number): number => Math.max(32, Math.floor(memoryMb * 0.9));
