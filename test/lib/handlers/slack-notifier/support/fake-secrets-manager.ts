/**
 * A loopback server answering Secrets Manager's GetSecretValue (AWS JSON 1.1 protocol), so the
 * real SDK client (through Powertools Parameters) can be pointed at it with
 * AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecretsManager {
  endpoint: string;
  /** SecretId → secret string; ids not here answer ResourceNotFoundException. */
  secrets: Map<string, string>;
  /** When set, every call answers this error type (e.g. AccessDeniedException). */
  failWith?: string;
  /** SecretIds asked for, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const calls: string[] = [];
  const fake: Partial<FakeSecretsManager> = { secrets: new Map(), calls };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { SecretId?: string };
      const secretId = input.SecretId ?? '';
      calls.push(secretId);
      const fail = (status: number, type: string, message: string) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': type,
        });
        response.end(JSON.stringify({ __type: type, message }));
      };
      if (target !== 'secretsmanager.GetSecretValue')
        return fail(400, 'InvalidAction', `unexpected ${String(target)}`);
      if (fake.failWith) return fail(400, fake.failWith, 'denied by the test');
      const value = fake.secrets!.get(secretId);
      if (value === undefined)
        return fail(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({
          ARN: secretId,
          Name: secretId.split(':').pop(),
          SecretString: value,
          VersionId: '00000000-0000-0000-0000-000000000001',
          VersionStages: ['AWSCURRENT'],
          CreatedDate: 1_764_000_000,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  fake.endpoint = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return fake as FakeSecretsManager;
}
