/** DynamoDB: dynalite on loopback, with the stack's tables created in it. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { acceptLoopbackOnly } from '../loopback-http.js';
import type { SandboxStack } from '../template/index.js';
import { SANDBOX_REGION } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';

export class DynamoDbService implements SandboxService {
  readonly name = 'dynamodb';
  readonly resourceTypes = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'];
  endpoint = '';
  private server: Server | undefined;

  async start({ stack }: ServiceContext): Promise<void> {
    const server = acceptLoopbackOnly(dynalite({ createTableMs: 0 }));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await createTables(stack, this.endpoint);
  }

  async stop(): Promise<void> {
    const { server } = this;
    this.server = undefined;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function createTables(stack: SandboxStack, endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: SANDBOX_REGION,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
  try {
    for (const table of stack.tables) {
      await client.send(
        new CreateTableCommand({
          TableName: table.name,
          KeySchema: table.keySchema,
          AttributeDefinitions: table.attributeDefinitions as never,
          BillingMode: 'PAY_PER_REQUEST',
          ...(table.globalSecondaryIndexes.length > 0
            ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes }
            : {}),
          ...(table.localSecondaryIndexes.length > 0
            ? { LocalSecondaryIndexes: table.localSecondaryIndexes }
            : {}),
        }),
      );
    }
  } finally {
    client.destroy();
  }
}
