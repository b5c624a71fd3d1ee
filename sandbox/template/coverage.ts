/**
 * What the sandbox does with each resource of the template: a service runs it, it only matters
 * while CloudFormation deploys, or nothing runs it. Start-up names the last kind ("not emulated")
 * so that no resource is skipped without a word.
 */
import type { CloudFormationTemplate } from './resolver.js';

/**
 * Resource types whose effect is on the deployed account, not on what runs: access rules (the
 * sandbox enforces none), encryption keys (it encrypts nothing at rest), networking (the functions
 * run on this machine's network), and CDK's bookkeeping. Patterns ending in `*` match a prefix.
 */
const DEPLOY_TIME_ONLY = [
  'AWS::IAM::*',
  'AWS::Lambda::Permission',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
  'AWS::S3::BucketPolicy',
  'AWS::Events::EventBusPolicy',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::EC2::*',
  'AWS::CDK::Metadata',
];

/** Custom resources run their handler while CloudFormation creates, updates or deletes the stack. */
const CUSTOM_RESOURCE = ['Custom::*', 'AWS::CloudFormation::CustomResource'];

export interface ResourceCoverage {
  /** Logical ids by resource type, for the types no service runs. */
  notEmulated: Map<string, string[]>;
  /** Logical ids of custom resources, which run only while the stack deploys. */
  customResources: string[];
  /** How many resources have an effect only on the deployed account. */
  deployTimeOnly: number;
}

const matches = (type: string, patterns: readonly string[]) =>
  patterns.some((pattern) =>
    pattern.endsWith('*') ? type.startsWith(pattern.slice(0, -1)) : type === pattern,
  );

/** Sorts the template's resources by what the sandbox does with them, given the types its services run. */
export function resourceCoverage(
  template: CloudFormationTemplate,
  runTypes: readonly string[],
): ResourceCoverage {
  const coverage: ResourceCoverage = { notEmulated: new Map(), customResources: [], deployTimeOnly: 0 };
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const type = resource?.Type ?? '';
    if (matches(type, runTypes)) continue;
    if (matches(type, CUSTOM_RESOURCE)) coverage.customResources.push(logicalId);
    else if (matches(type, DEPLOY_TIME_ONLY)) coverage.deployTimeOnly++;
    else coverage.notEmulated.set(type, [...(coverage.notEmulated.get(type) ?? []), logicalId]);
  }
  return coverage;
}

/** The start-up lines for what the sandbox does not run. */
export function coverageLines(coverage: ResourceCoverage): string[] {
  const lines: string[] = [];
  if (coverage.notEmulated.size > 0) {
    const listed = [...coverage.notEmulated].map(([type, ids]) => `${type} (${ids.join(', ')})`);
    lines.push(`not emulated: ${listed.join('; ')}; requests to them will fail`);
  }
  if (coverage.customResources.length > 0)
    lines.push(
      `not run: custom resources (${coverage.customResources.join(', ')}): CloudFormation runs them only while it deploys the stack`,
    );
  if (coverage.deployTimeOnly > 0)
    lines.push(
      `ignored: ${coverage.deployTimeOnly} access-rule, encryption-key, network and CDK bookkeeping resources (the sandbox enforces no IAM policy, encrypts nothing at rest and runs on this machine's network)`,
    );
  return lines;
}
