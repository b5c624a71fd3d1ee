/** What an event source needs from a function: the Lambda emulation's FunctionManager fits. */
export interface SourceInvocation {
  requestId?: string;
  status: 'success' | 'error' | 'timeout' | 'throttled';
  result?: unknown;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
}

export interface SourceTarget {
  readonly name?: string;
  invoke(event: unknown): Promise<SourceInvocation>;
}
