/**
 * The runtime inside a container: a child Node process started by the function manager. Like
 * Lambda's Node.js runtime it loads the handler once (the init phase), then runs one invocation at
 * a time. Everything the process writes to stdout and stderr is sent to the parent over IPC, on the
 * same channel as the results, so each line is attributed to the right invocation.
 *
 * Built with esbuild into `.sandbox/runtime/` (see runtime-build.ts); it imports only Node built-ins.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { FunctionError, ParentMessage, RuntimeMessage } from './protocol.js';

type Handler = (event: unknown, context: Record<string, unknown>, callback?: Callback) => unknown;
type Callback = (error?: unknown, result?: unknown) => void;

/** The Lambda runtime this process plays, from AWS_EXECUTION_ENV (`AWS_Lambda_nodejs22.x`). */
const NODE_MAJOR = Number(/nodejs(\d+)\.x$/.exec(process.env.AWS_EXECUTION_ENV ?? '')?.[1] ?? 24);

/** AWS's own words (aws-lambda-nodejs-runtime-interface-client), for a callback handler on Node.js 24. */
const CALLBACK_HANDLER_REMOVED =
  'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.';

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

/** An error of one of the types Lambda's runtime reports (`Runtime.ImportModuleError`, ...). */
const lambdaError = (name: string, message: string): Error => {
  const error = new Error(message);
  error.name = name;
  return error;
};

const toFunctionError = (error: unknown, fallbackType?: string): FunctionError => {
  if (error instanceof Error) {
    return {
      errorType: error.name || error.constructor?.name || fallbackType || 'Error',
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n'),
    };
  }
  // As Lambda's runtime reports a thrown or rejected non-Error: its type and its text.
  return {
    errorType: fallbackType ?? typeof error,
    errorMessage: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)),
  };
};

const maxRssKb = (): number => process.resourceUsage().maxRSS;

let currentRequestId: string | undefined;

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
/** The function's LoggingConfig: JSON records, filtered by the application log level, or text. */
const JSON_LOGS = process.env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
const MIN_LEVEL = JSON_LOGS
  ? Math.max(0, LEVELS.indexOf((process.env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase()))
  : 0;

const errorFields = (error: Error) => ({
  errorType: error.constructor?.name ?? 'UnknownError',
  errorMessage: error.message,
  stackTrace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
});

/**
 * One log record as Lambda's Node.js runtime writes a `console.*` call: `time\trequestId\tLEVEL\tmessage`,
 * or in JSON format `{timestamp, level, requestId, message}` (an Error's fields added).
 */
function formatRecord(level: string, message: unknown, params: unknown[]): string {
  const timestamp = new Date().toISOString();
  if (!JSON_LOGS) return `${timestamp}\t${currentRequestId}\t${level}\t${format(message, ...params)}`;
  const record: Record<string, unknown> = { timestamp, level, requestId: currentRequestId };
  if (params.length === 0) {
    record.message = message;
    try {
      return JSON.stringify(record, (_key, value: unknown) =>
        value instanceof Error ? Object.assign(errorFields(value), value) : value,
      );
    } catch {
      record.message = format(message);
      return JSON.stringify(record);
    }
  }
  record.message = format(message, ...params);
  const error = params.find((param) => param instanceof Error);
  if (error) Object.assign(record, errorFields(error));
  return JSON.stringify(record);
}

/** Each `console` method writes one record at its level (`log` is INFO); below the log level, nothing. */
function patchConsole(): void {
  const methods = {
    trace: 'TRACE',
    debug: 'DEBUG',
    info: 'INFO',
    warn: 'WARN',
    error: 'ERROR',
    fatal: 'FATAL',
  };
  for (const [method, level] of Object.entries(methods)) {
    (console as unknown as Record<string, unknown>)[method] =
      LEVELS.indexOf(level) < MIN_LEVEL
        ? () => {}
        : (message?: unknown, ...params: unknown[]) =>
            send({ type: 'log', text: formatRecord(level, message, params) });
  }
  console.log = console.info;
}

/** An error with its enumerable fields and its stack as lines, as the runtime logs it. */
const toFormatted = (error: Error): string =>
  `\t${JSON.stringify(error, (_key, value: unknown) =>
    value instanceof Error
      ? Object.assign(
          {
            errorType: value.name,
            errorMessage: value.message,
            code: (value as { code?: unknown }).code,
          },
          value,
          typeof value.stack === 'string' ? { stack: value.stack.split('\n') } : {},
        )
      : value,
  )}`;

/** How the runtime logs an init, invoke or uncaught error (`Invoke Error \t{"errorType":...}`). */
function logError(label: string, error: unknown): void {
  const asError = error instanceof Error ? error : new Error(String(error));
  if (JSON_LOGS) console.error(asError);
  else console.error(label, toFormatted(asError));
}

const die = (error: FunctionError, exitCode: number) => {
  send({ type: 'fatal', requestId: currentRequestId, error, maxRssKb: maxRssKb() }, () =>
    process.exit(exitCode),
  );
  // If the channel is gone, the callback may never run.
  setTimeout(() => process.exit(exitCode), 500).unref();
};

/**
 * What Lambda puts beside the function's code: its layers, extracted into /opt (a later layer's
 * files over an earlier one's), whose `nodejs/node<major>/node_modules` and `nodejs/node_modules`
 * both `require` and `import` search; and the AWS SDK for JavaScript v3, which Lambda's Node.js
 * runtimes provide, so that bundles often mark `@aws-sdk/*` external. What the function's own code
 * does not have, `require` and `import` take from the layers' folders in the assembly, then (only
 * `@aws-sdk/*` and `@smithy/*`) from the sandbox's installation (`sdkHome`); an absolute `/opt/...`
 * path is looked up in the layers. Nothing else comes from there, as nothing else comes with Lambda.
 */
function provideRuntimeModules(sdkHome: string | undefined, layers: string[]): void {
  if (typeof registerHooks !== 'function' || (!sdkHome && layers.length === 0)) return;
  const merged = [...layers].reverse();
  const homes = [
    ...merged.map((layer) => join(layer, 'nodejs', `node${NODE_MAJOR}`, 'node_modules')),
    ...merged.map((layer) => join(layer, 'nodejs', 'node_modules')),
  ];
  const fromSdk = (specifier: string) => sdkHome !== undefined && /^@(aws-sdk|smithy)\//.test(specifier);
  /** Resolving for require() comes back through this hook; that inner call must not fall back again. */
  let fallingBack = false;
  const notFound = (error: unknown) => {
    const code = (error as { code?: unknown } | undefined)?.code;
    return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
  };
  const inOpt = (specifier: string) => {
    const path = specifier.startsWith('file:///opt/') ? specifier.slice('file://'.length) : specifier;
    if (!path.startsWith('/opt/')) return undefined;
    for (const layer of [...layers].reverse()) {
      const candidate = join(layer, path.slice('/opt/'.length));
      if (existsSync(candidate)) return pathToFileURL(candidate).href;
    }
    return undefined;
  };
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (fallingBack || !notFound(error)) throw error;
        const opt = inOpt(specifier);
        if (opt) return { url: opt, shortCircuit: true };
        const bare = !/^[./]|^[a-z]+:/i.test(specifier);
        const places = bare ? [...homes, ...(fromSdk(specifier) ? [sdkHome!] : [])] : [];
        for (const home of places) {
          const anchor = join(home, '..', 'lambda-runtime.js');
          try {
            // require() resolves from the requiring module whatever parentURL says: resolve it here.
            if (context.conditions?.includes('require')) {
              fallingBack = true;
              try {
                return {
                  url: pathToFileURL(createRequire(anchor).resolve(specifier)).href,
                  shortCircuit: true,
                };
              } finally {
                fallingBack = false;
              }
            }
            return nextResolve(specifier, { ...context, parentURL: pathToFileURL(anchor).href });
          } catch (fallbackError) {
            if (!notFound(fallbackError)) throw fallbackError;
          }
        }
        if (fromSdk(specifier)) {
          const name = specifier.split('/').slice(0, 2).join('/');
          throw Object.assign(
            new Error(
              `Cannot find package '${name}': Lambda's Node.js runtime provides the AWS SDK for JavaScript v3, ` +
                `which the sandbox takes from its own installation (${sdkHome}), and that has no '${name}'. ` +
                `Install it as a devDependency: npm install --save-dev ${name}`,
            ),
            { code: (error as { code?: unknown }).code },
          );
        }
        throw error;
      }
    },
  });
}

const isFile = (path: string) => existsSync(path) && statSync(path).isFile();

/**
 * Loads the handler as Lambda's Node.js runtime does: `_HANDLER` is `[path/]module.export[.nested]`;
 * the module is `<module>`, `<module>.js`, `.mjs` or `.cjs` under the task root (Node decides
 * whether a `.js` is an ES module from the nearest package.json), else whatever `require` finds by
 * that name; the export is looked up in the module, then in its default export.
 */
async function loadHandler(): Promise<Handler> {
  const appRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const fullHandler = process.env._HANDLER ?? 'index.handler';
  if (fullHandler.includes('..')) {
    throw lambdaError(
      'Runtime.MalformedHandlerName',
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const handlerString = basename(fullHandler);
  const moduleRoot = fullHandler.slice(0, fullHandler.lastIndexOf(handlerString)).replace(/\/$/, '');
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match) throw lambdaError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName = '', exportPath = ''] = match;

  let module: unknown;
  try {
    const stem = resolve(appRoot, moduleRoot, moduleName);
    const file = ['', '.js', '.mjs', '.cjs'].map((extension) => stem + extension).find(isFile);
    if (file) {
      module = await import(pathToFileURL(file).href);
    } else {
      const require = createRequire(join(appRoot, 'index.js'));
      module = require(require.resolve(moduleName, { paths: [appRoot, join(appRoot, moduleRoot)] }));
    }
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw Object.assign(lambdaError('Runtime.UserCodeSyntaxError', String(error)), { stack: error.stack });
    }
    const code = (error as { code?: unknown } | undefined)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw lambdaError('Runtime.ImportModuleError', String(error));
    }
    throw error;
  }

  const find = (from: unknown) =>
    exportPath
      .split('.')
      .reduce<unknown>(
        (value, key) =>
          value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
        from,
      );
  const handler = find(module) ?? find((module as { default?: unknown }).default);
  if (!handler) throw lambdaError('Runtime.HandlerNotFound', `${fullHandler} is undefined or not exported`);
  if (typeof handler !== 'function')
    throw lambdaError('Runtime.HandlerNotFound', `${fullHandler} is not a function`);
  if (handler.length >= 3 && NODE_MAJOR >= 24) {
    throw lambdaError('Runtime.CallbackHandlerDeprecated', CALLBACK_HANDLER_REMOVED);
  }
  return handler as Handler;
}

/** Runs the handler: its promise, or (before Node.js 24) its callback, whichever settles first. */
function runHandler(handler: Handler, event: unknown, context: Record<string, unknown>): Promise<unknown> {
  if (handler.length < 3) return Promise.resolve().then(() => handler(event, context));
  return new Promise((settle, fail) => {
    const callback: Callback = (error, result) => {
      if (error !== undefined && error !== null) fail(error);
      else settle(result);
    };
    Object.assign(context, {
      done: callback,
      succeed: (result: unknown) => callback(null, result),
      fail: (error: unknown) => callback(error ?? 'handled'),
    });
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then(settle, fail);
      }
    } catch (error) {
      fail(error);
    }
  });
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
    const result = await runHandler(handler, JSON.parse(message.payload), context);
    let payload: string;
    try {
      payload = JSON.stringify(result) ?? 'null';
    } catch (error) {
      throw lambdaError(
        'Runtime.MalformedHandlerResponse',
        `Unable to stringify response body: ${(error as Error).message}`,
      );
    }
    send({ type: 'result', requestId: message.requestId, payload, maxRssKb: maxRssKb() });
  } catch (error) {
    logError('Invoke Error', error);
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
patchConsole();
provideRuntimeModules(process.argv[2] || undefined, JSON.parse(process.argv[3] ?? '[]') as string[]);

// As Lambda's Node.js runtime does: log the error, report it, then end the process (the container is replaced).
process.on('uncaughtException', (error) => {
  logError('Uncaught Exception', error);
  die(toFunctionError(error), 129);
});
process.on('unhandledRejection', (reason) => {
  const error = { ...toFunctionError(reason), errorType: 'Runtime.UnhandledPromiseRejection' };
  logError('Unhandled Promise Rejection', lambdaError(error.errorType, error.errorMessage));
  die(error, 128);
});
// The parent went away: nothing more will come.
process.on('disconnect', () => process.exit(0));

try {
  const handler = await loadHandler();
  process.on('message', (message: ParentMessage) => {
    if (message?.type === 'invoke') void invoke(handler, message);
  });
  send({ type: 'ready', maxRssKb: maxRssKb() });
} catch (error) {
  logError('Uncaught Exception', error);
  send({ type: 'init-error', error: toFunctionError(error, 'Runtime.ImportModuleError') }, () =>
    process.exit(1),
  );
}
