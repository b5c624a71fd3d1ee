/** The sandbox's X-Ray daemon stand-in, its trace store, and a sender for segment documents. */
export { startXRayDaemon } from './daemon.js';
export type { XRayDaemon, XRayDaemonOptions, XRayDaemonStats } from './daemon.js';
export { TraceStore, assembleTrace } from './trace-store.js';
export type { TraceNode, TraceStoreOptions, TraceTree } from './trace-store.js';
export { parsePacket, documentProblem } from './protocol.js';
export type { ParsedPacket, SegmentDocument, SubsegmentDocument } from './protocol.js';
export { createSegmentEmitter, parseDaemonAddress, DAEMON_HEADER } from './emitter.js';
export type { DaemonEndpoint, SegmentEmitter } from './emitter.js';
