/**
 * The order worker: consumes "order created" messages from the orders queue (SQS, batches) and
 * completes each order. Only failing records are reported back (`batchItemFailures`), so one bad
 * message neither blocks nor replays the rest. Environment: TABLE_NAME.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { withObservability } from 'lookout';
import { createDocumentClient, requireEnv } from '../orders-core/clients.js';
import { OrdersStore } from '../orders-core/store.js';
import type { WorkerDependencies } from './fulfil-order.js';
import { fulfilOrder } from './fulfil-order.js';

const processor = new BatchProcessor(EventType.SQS);

export const handler = withObservability<SQSEvent, SQSBatchResponse>(
  (event, context) =>
    processPartialResponse(event, (record: SQSRecord) => fulfilOrder(record, deps), processor, {
      context,
      // An all-failed batch is still answered with the list, instead of an error for the whole batch.
      throwOnFullBatchFailure: false,
    }),
  { serviceName: 'orders' },
);

// Created once per container, after withObservability so that the client is traced.
const deps: WorkerDependencies = {
  store: new OrdersStore(createDocumentClient(), requireEnv('TABLE_NAME')),
  now: () => new Date(),
};
