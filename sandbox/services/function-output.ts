/** What the functions write, collected: log lines to the log store, EMF to metrics, the platform report to AWS/Lambda. */
import type { InvocationRecord } from '../lambda/index.js';
import { parseEmfLine, recordLambdaMetrics } from '../metrics/index.js';
import type { SandboxService, ServiceContext } from './service.js';

export class FunctionOutputService implements SandboxService {
  readonly name = 'function-output';
  readonly resourceTypes = ['AWS::Logs::LogGroup'];

  async start(context: ServiceContext): Promise<void> {
    context.functions.onInvocation((record) => collect(context, record));
  }

  async stop(): Promise<void> {}
}

function collect(context: ServiceContext, record: InvocationRecord): void {
  const { clock, counters, metrics, logs, profiles } = context;
  const { functionName, result } = record;
  const at = clock.toSimulated(result.startedAt);
  counters.invocations++;
  if (result.coldStart) counters.coldStarts++;
  if (result.status === 'error') counters.errors++;
  if (result.status === 'timeout') counters.timeouts++;
  if (result.status === 'throttled') {
    counters.throttles++;
    recordLambdaMetrics(metrics, functionName, at, { Throttles: 1 });
    return;
  }
  for (const line of record.lines) {
    if (line.includes('"_aws"')) {
      const parsed = parseEmfLine(line, { mapTimestamp: (timestamp) => clock.toSimulated(timestamp) });
      if (parsed.ok) {
        metrics.putAll(parsed.datapoints);
        continue;
      }
    }
    profiles.observe(
      logs.append({ functionName, line, requestId: result.requestId, timestamp: result.startedAt }),
    );
  }
  if (record.report)
    logs.append({ functionName, line: JSON.stringify(record.report), requestId: result.requestId });
  recordLambdaMetrics(metrics, functionName, at, {
    Invocations: 1,
    Errors: result.status === 'success' ? 0 : 1,
    Duration: result.durationMs,
    ConcurrentExecutions: record.concurrentExecutions,
  });
}
