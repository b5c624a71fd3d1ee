/**
 * Secrets Manager: the stack's secrets, valued from the template (SecretString, or a password made as
 * GenerateSecretString says) or from the values file, which also adds the secrets the stack only
 * imports. Values never reach the log: only how many there are and where they came from.
 */
import type { SecretSeed, SecretsManagerStandIn } from '../aws/secrets-manager.js';
import { generateSecretString, startSecretsManagerStandIn } from '../aws/secrets-manager.js';
import type { GenerateSecretString } from '../aws/secrets-manager.js';
import { resourcesOfType, secretArn } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';

const SECRET_ARN = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/;

export class SecretsManagerService implements SandboxService {
  readonly name = 'secretsmanager';
  readonly resourceTypes = ['AWS::SecretsManager::Secret'];
  private standIn: SecretsManagerStandIn | undefined;

  get endpoint(): string {
    return this.standIn?.url ?? '';
  }

  async start(context: ServiceContext): Promise<void> {
    const { resolver, template } = context.stack;
    const values = context.settings.values;
    const fromFile = new Map(
      Object.entries(values?.secrets ?? {}).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    );
    const seeds: SecretSeed[] = [];
    let fromTemplate = 0;
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
      const name = resolver.physicalName(logicalId);
      const arn = resolver.ref(logicalId);
      const key = [name, logicalId, arn].find((candidate) => fromFile.has(candidate));
      let value = key === undefined ? undefined : fromFile.get(key);
      if (key !== undefined) fromFile.delete(key);
      else {
        try {
          value = templateValue(resource.Properties ?? {}, (v) => resolver.resolve(v));
          if (value !== undefined) fromTemplate++;
        } catch (error) {
          context.log(
            `secret ${logicalId}: its value cannot be made from the template (${error instanceof Error ? error.message : String(error)}); give it in a values file (--values)`,
          );
        }
      }
      const description = resolver.resolve(resource.Properties?.Description);
      seeds.push({ name, arn, value, ...(typeof description === 'string' ? { description } : {}) });
    }
    const added = [...fromFile].map(([key, value]) => {
      // A secret the stack imports by ARN keeps that ARN; one imported by name gets an ARN of ours.
      const inArn = SECRET_ARN.exec(key)?.[1];
      const name = inArn?.replace(/-[A-Za-z0-9]{6}$/, '') ?? key;
      return { name, arn: inArn ? key : secretArn(name, resolver.region, resolver.accountId), value };
    });
    seeds.push(...added);
    this.standIn = await startSecretsManagerStandIn({
      secrets: seeds,
      missingHint:
        'The sandbox has no value for it: add it under `secrets:` in a values file (lookout sandbox --values FILE).',
    });
    const valued = seeds.filter((seed) => seed.value !== undefined).length;
    if (seeds.length > 0)
      context.log(
        `Secrets Manager: ${seeds.length} secret(s), ${fromTemplate} valued by the template` +
          (values ? `, ${valued - fromTemplate} by ${values.source}` : ''),
      );
    for (const seed of seeds.filter((seed) => seed.value === undefined))
      context.log(
        `secret ${seed.name} has no value; give it in a values file (--values) if a function reads it`,
      );
  }

  async stop(): Promise<void> {
    await this.standIn?.close();
  }
}

/** The template's value for a secret: SecretString, or one made as GenerateSecretString says. */
function templateValue(
  properties: Record<string, unknown>,
  resolve: (value: unknown) => unknown,
): string | undefined {
  if (properties.SecretString !== undefined) {
    const value = resolve(properties.SecretString);
    if (typeof value !== 'string') throw new Error('SecretString is not a string');
    return value;
  }
  if (properties.GenerateSecretString !== undefined)
    return generateSecretString(resolve(properties.GenerateSecretString) as GenerateSecretString);
  return undefined;
}
