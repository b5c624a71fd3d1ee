/** What an event source needs from a function: the Lambda emulation's FunctionManager fits. */
export interface SourceInvocation {
  requestId?: string;
  status: 'success' | 'error' | 'timeout' | 'throttled';
  result?: unknown;
}

export interface SourceTarget {
  readonly name?: string;
  invoke(event: unknown): Promise<SourceInvocation>;
}
