/**
 * SSM Parameter Store: the stack's parameters with the template's values, or the values file's,
 * which also adds the parameters the stack only imports.
 */
import type { ParameterSeed, ParameterType, SsmStandIn } from '../aws/ssm.js';
import { startSsmStandIn } from '../aws/ssm.js';
import { resourcesOfType } from '../template/index.js';
import type { SandboxService, ServiceContext } from './service.js';

export class SsmService implements SandboxService {
  readonly name = 'ssm';
  readonly resourceTypes = ['AWS::SSM::Parameter'];
  private standIn: SsmStandIn | undefined;

  get endpoint(): string {
    return this.standIn?.url ?? '';
  }

  async start(context: ServiceContext): Promise<void> {
    const { resolver, template } = context.stack;
    const values = context.settings.values;
    const fromFile = new Map(Object.entries(values?.parameters ?? {}));
    const seeds: ParameterSeed[] = [];
    let fromTemplate = 0;
    for (const [logicalId, resource] of resourcesOfType(template, 'AWS::SSM::Parameter')) {
      const name = resolver.physicalName(logicalId);
      const type = String(resolver.resolve(resource.Properties?.Type ?? 'String')) as ParameterType;
      const key = [name, logicalId].find((candidate) => fromFile.has(candidate));
      if (key !== undefined) {
        seeds.push(fileSeed(name, fromFile.get(key)!, type));
        fromFile.delete(key);
        continue;
      }
      try {
        const value = resolver.resolve(resource.Properties?.Value);
        seeds.push({ name, type, value: Array.isArray(value) ? value.join(',') : String(value) });
        fromTemplate++;
      } catch (error) {
        context.log(
          `parameter ${logicalId}: its value cannot be read from the template (${error instanceof Error ? error.message : String(error)}); give it in a values file (--values)`,
        );
      }
    }
    for (const [name, value] of fromFile) seeds.push(fileSeed(name, value, 'String'));
    this.standIn = await startSsmStandIn({
      parameters: seeds,
      region: resolver.region,
      accountId: resolver.accountId,
      missingHint:
        'The sandbox has no value for it: add it under `parameters:` in a values file (lookout sandbox --values FILE).',
    });
    if (seeds.length > 0)
      context.log(
        `SSM: ${seeds.length} parameter(s), ${fromTemplate} valued by the template` +
          (values ? `, ${seeds.length - fromTemplate} by ${values.source}` : ''),
      );
  }

  async stop(): Promise<void> {
    await this.standIn?.close();
  }
}

/** A list is a StringList; a string keeps the template's type. */
function fileSeed(name: string, value: string | string[], type: ParameterType): ParameterSeed {
  return Array.isArray(value) ? { name, type: 'StringList', value: value.join(',') } : { name, type, value };
}
