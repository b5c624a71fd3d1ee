/** The alarms of a synthesized template, read with the template reader's resolver. */
import type { CloudFormationTemplate, TemplateOptions, TemplateProblem } from '../template/resolver.js';
import { IntrinsicResolver, resourcesOfType, TemplateError } from '../template/resolver.js';
import { AlarmDefinitionError, parseCompositeAlarm, parseMetricAlarm } from './definitions.js';
import type { AlarmDefinition } from './types.js';

export interface TemplateAlarms {
  alarms: AlarmDefinition[];
  /** Alarm resources that could not be read, with the reason; the rest are still returned. */
  problems: TemplateProblem[];
}

/**
 * Reads every AWS::CloudWatch::Alarm and AWS::CloudWatch::CompositeAlarm of a
 * synthesized template. Resources that cannot be read are listed in
 * `problems` with the reason; the others are returned.
 */
export function readAlarmsFromTemplate(
  template: CloudFormationTemplate,
  /** The stack reader's resolver, or the options to make one with. */
  source: TemplateOptions | IntrinsicResolver = {},
): TemplateAlarms {
  if (typeof template !== 'object' || template === null)
    throw new TemplateError('template must be an object');
  const resolver = source instanceof IntrinsicResolver ? source : new IntrinsicResolver(template, source);
  const alarms: AlarmDefinition[] = [];
  const problems: TemplateProblem[] = [];
  for (const [logicalId, resource] of resourcesOfType(
    template,
    'AWS::CloudWatch::Alarm',
    'AWS::CloudWatch::CompositeAlarm',
  )) {
    const type = resource.Type;
    try {
      const properties = resolver.resolve(resource.Properties ?? {});
      const identity = {
        fallbackName: resolver.physicalName(logicalId),
        logicalId,
        region: resolver.region,
        accountId: resolver.accountId,
        partition: resolver.partition,
      };
      alarms.push(
        type === 'AWS::CloudWatch::Alarm'
          ? parseMetricAlarm(properties, identity)
          : parseCompositeAlarm(properties, identity),
      );
    } catch (error) {
      if (error instanceof TemplateError || error instanceof AlarmDefinitionError) {
        problems.push({ logicalId, message: error.message });
        continue;
      }
      throw error;
    }
  }
  return { alarms, problems };
}
