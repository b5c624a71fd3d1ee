/**
 * The sandbox's local Lambda: bundle a handler as the CDK does, then run it in containers.
 *
 *     const bundle = await bundleFunction({ name: 'orders-api', entry: 'functions/orders-api/handler.ts' });
 *     const fn = await createFunctionManager({ name: 'orders-api', bundle, environment: { TABLE_NAME: 'demo' } });
 *     fn.onInvocation(({ result, lines, report }) => ...);
 *     const { status, result } = await fn.invoke(event);
 *     await fn.close();
 */
export { bundleFunction, BundleError, SANDBOX_STATE_DIR } from './bundle.js';
export type { BundleOptions, FunctionBundle } from './bundle.js';
export {
  CONTAINER_IMAGE,
  createFunctionManager,
  EMULATED_RUNTIMES,
  InvokeError,
  MAX_PAYLOAD_BYTES,
  runtimeSupport,
} from './function-manager.js';
export type {
  ContainerInfo,
  FunctionConfig,
  FunctionError,
  FunctionManager,
  InvocationListener,
  InvocationRecord,
  InvocationResult,
  InvocationStatus,
  InvokeOptions,
  PlatformReport,
} from './function-manager.js';
export { formatTraceHeader, parseTraceHeader, newTraceId, newSegmentId } from './trace-header.js';
