import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { sumOf } from './metric-math.js';

/** The metrics Lambda itself publishes for one function (namespace AWS/Lambda, by FunctionName). */
export class LambdaMetricFactory {
  constructor(readonly fn: lambda.IFunction) {}

  private metric(metricName: string, statistic: string, label: string) {
    return new cw.Metric({
      namespace: 'AWS/Lambda',
      metricName,
      statistic,
      dimensionsMap: { FunctionName: this.fn.functionName },
      label,
    });
  }

  invocations() {
    return this.metric('Invocations', 'Sum', 'invocations');
  }
  errors() {
    return this.metric('Errors', 'Sum', 'errors');
  }
  throttles() {
    return this.metric('Throttles', 'Sum', 'throttles');
  }
  duration(statistic: string) {
    return this.metric('Duration', statistic, `duration ${statistic}`);
  }
  concurrentExecutions() {
    return this.metric('ConcurrentExecutions', 'Maximum', 'concurrent executions');
  }
  /** Async events Lambda could not hand to the function's dead-letter queue. */
  deadLetterErrors() {
    return this.metric('DeadLetterErrors', 'Sum', 'dead-letter errors');
  }
  /** Async events Lambda could not hand to the function's on-failure destination. */
  destinationDeliveryFailures() {
    return this.metric('DestinationDeliveryFailures', 'Sum', 'destination failures');
  }
  /** Async events dropped without ever running (age or retry limit, no destination). */
  asyncEventsDropped() {
    return this.metric('AsyncEventsDropped', 'Sum', 'async events dropped');
  }
  /** Async events lost in all three ways above, as one sum. */
  lostAsyncEvents(label: string) {
    return sumOf(
      {
        dlq: this.deadLetterErrors(),
        destination: this.destinationDeliveryFailures(),
        dropped: this.asyncEventsDropped(),
      },
      label,
    );
  }
}
