/** One trace view over several trace sources (X-Ray and OpenTelemetry): trees of the same trace id are merged. */
import type { ConsoleTraceTree, TraceSource } from './console/index.js';

function merge(trees: ConsoleTraceTree[]): ConsoleTraceTree {
  if (trees.length === 1) return trees[0]!;
  const ends = trees.map((tree) => tree.endTime ?? tree.startTime);
  return {
    traceId: trees[0]!.traceId,
    startTime: Math.min(...trees.map((tree) => tree.startTime)),
    endTime: Math.max(...ends),
    roots: trees.flatMap((tree) => tree.roots).sort((a, b) => a.startTime - b.startTime),
    nodeCount: trees.reduce((sum, tree) => sum + tree.nodeCount, 0),
  };
}

export function combineTraceSources(...sources: TraceSource[]): TraceSource {
  return {
    traces(limit = 50) {
      const byId = new Map<string, ConsoleTraceTree[]>();
      for (const source of sources) {
        for (const tree of source.traces(limit))
          byId.set(tree.traceId, [...(byId.get(tree.traceId) ?? []), tree]);
      }
      return [...byId.values()]
        .map(merge)
        .sort((a, b) => (b.endTime ?? b.startTime) - (a.endTime ?? a.startTime))
        .slice(0, limit);
    },
    trace(traceId) {
      const found = sources
        .map((source) => source.trace(traceId))
        .filter((tree): tree is ConsoleTraceTree => tree !== undefined);
      return found.length > 0 ? merge(found) : undefined;
    },
  };
}
