/** The messages between the function manager and a container's runtime, over Node's IPC channel. */

/** A function error as Lambda's Node.js runtime reports it. */
export interface FunctionError {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /** The event, as JSON text: Lambda hands handlers a parsed copy, never the caller's object. */
  payload: string;
  /** Epoch milliseconds by which the invocation must end. */
  deadline: number;
  traceHeader: string;
  invokedFunctionArn: string;
}

export type ParentMessage = InvokeMessage;

export type RuntimeMessage =
  | { type: 'output'; stream: 'stdout' | 'stderr'; text: string }
  /** One `console.*` record, as the runtime formats it: a single log event, newlines and all. */
  | { type: 'log'; text: string }
  | { type: 'ready'; maxRssKb: number }
  | { type: 'init-error'; error: FunctionError }
  /** `payload` is the handler's result as JSON text (`null` for undefined). */
  | { type: 'result'; requestId: string; payload: string; maxRssKb: number }
  | { type: 'error'; requestId: string; error: FunctionError; maxRssKb: number }
  /** An uncaught exception or unhandled rejection: the runtime exits right after sending it. */
  | { type: 'fatal'; requestId: string | undefined; error: FunctionError; maxRssKb: number };
