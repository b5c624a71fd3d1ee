/**
 * The runtime inside a container: a child Node process started by the function manager. Like
 * Lambda's Node.js runtime it imports the handler module once (the init phase), then runs one
 * invocation at a time. Everything the process writes to stdout and stderr is sent to the parent
 * over IPC, on the same channel as the results, so each line is attributed to the right invocation.
 *
 * Built with esbuild into `.sandbox/runtime/` (see runtime-build.ts); it imports only Node built-ins.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FunctionError, ParentMessage, RuntimeMessage } from './protocol.js';

type Handler = (event: unknown, context: Record<string, unknown>) => unknown;

const send = (message: RuntimeMessage, then?: () => void): void => {
  if (!process.connected) return;
  process.send?.(message, undefined, {}, () => then?.());
};

const forward = (stream: 'stdout' | 'stderr') => {
  const target = process[stream];
  target.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(
            typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
          );
    send({ type: 'output', stream, text });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof target.write;
};

const toFunctionError = (error: unknown, fallbackType = 'Error'): FunctionError => {
  if (error instanceof Error) {
    return {
      errorType: error.name || error.constructor?.name || fallbackType,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  return {
    errorType: fallbackType,
    errorMessage: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)),
  };
};

const maxRssKb = (): number => process.resourceUsage().maxRSS;

let currentRequestId: string | undefined;

const die = (error: FunctionError, exitCode: number) => {
  send({ type: 'fatal', requestId: currentRequestId, error, maxRssKb: maxRssKb() }, () =>
    process.exit(exitCode),
  );
  // If the channel is gone, the callback may never run.
  setTimeout(() => process.exit(exitCode), 500).unref();
};

async function loadHandler(): Promise<Handler> {
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const handlerSetting = process.env._HANDLER ?? 'index.handler';
  const dot = handlerSetting.lastIndexOf('.');
  const moduleName = dot > 0 ? handlerSetting.slice(0, dot) : handlerSetting;
  const exportName = dot > 0 ? handlerSetting.slice(dot + 1) : 'handler';
  const file = ['.mjs', '.js', '.cjs']
    .map((ext) => join(taskRoot, moduleName + ext))
    .find((f) => existsSync(f));
  if (!file) {
    throw Object.assign(new Error(`Cannot find module '${moduleName}' in ${taskRoot}`), {
      name: 'Runtime.ImportModuleError',
    });
  }
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${handlerSetting} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return handler as Handler;
}

async function invoke(handler: Handler, message: ParentMessage): Promise<void> {
  currentRequestId = message.requestId;
  process.env._X_AMZN_TRACE_ID = message.traceHeader;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
  try {
    const result = await handler(JSON.parse(message.payload), context);
    let payload: string;
    try {
      payload = JSON.stringify(result) ?? 'null';
    } catch (error) {
      throw Object.assign(new Error(`Unable to stringify response body: ${(error as Error).message}`), {
        name: 'Runtime.MalformedHandlerResponse',
      });
    }
    send({ type: 'result', requestId: message.requestId, payload, maxRssKb: maxRssKb() });
  } catch (error) {
    send({
      type: 'error',
      requestId: message.requestId,
      error: toFunctionError(error),
      maxRssKb: maxRssKb(),
    });
  } finally {
    currentRequestId = undefined;
  }
}

forward('stdout');
forward('stderr');

// As Lambda's Node.js runtime does: report the error, then end the process (the container is replaced).
process.on('uncaughtException', (error) => die(toFunctionError(error), 129));
process.on('unhandledRejection', (reason) =>
  die(
    {
      ...toFunctionError(reason),
      errorType: 'Runtime.UnhandledPromiseRejection',
    },
    128,
  ),
);
// The parent went away: nothing more will come.
process.on('disconnect', () => process.exit(0));

try {
  const handler = await loadHandler();
  process.on('message', (message: ParentMessage) => {
    if (message?.type === 'invoke') void invoke(handler, message);
  });
  send({ type: 'ready', maxRssKb: maxRssKb() });
} catch (error) {
  send({ type: 'init-error', error: toFunctionError(error, 'Runtime.ImportModuleError') }, () =>
    process.exit(1),
  );
}
