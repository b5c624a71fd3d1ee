/**
 * The one reader of synthesized templates' intrinsics: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`,
 * ... resolved as they read once deployed, generated physical names shaped like CloudFormation's,
 * and the resources of a type. Every other reader (the stack, the alarms, the dashboards, the APIs,
 * the log subscriptions) goes through it.
 */
import { createHash } from 'node:crypto';

/** Region and account a template resolves against when the caller names none. */
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '123456789012';

/** One resource of a template, as the readers look at it. */
export interface TemplateResource {
  Type?: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** The parts of a synthesized CloudFormation template the reader looks at. */
export interface CloudFormationTemplate {
  Parameters?: Record<string, { Default?: unknown } | undefined>;
  Resources?: Record<string, TemplateResource | undefined>;
  Outputs?: Record<string, { Value?: unknown; Description?: string } | undefined>;
}

/** The template's resources of the given types (all of them when none is given), in template order. */
export function resourcesOfType(
  template: CloudFormationTemplate,
  ...types: string[]
): [logicalId: string, resource: TemplateResource][] {
  return Object.entries(template.Resources ?? {}).flatMap(([logicalId, resource]) =>
    resource && (types.length === 0 || types.includes(resource.Type ?? '')) ? [[logicalId, resource]] : [],
  ) as [string, TemplateResource][];
}

export interface TemplateOptions {
  stackName?: string;
  region?: string;
  accountId?: string;
  partition?: string;
  /** Physical names by logical id (e.g. the sandbox's function names); Ref and Fn::GetAtt Arn are derived from them by type. */
  physicalNames?: Record<string, string>;
  /** Values for `Fn::GetAtt`, keyed "LogicalId.Attribute", taking precedence over the built-in Arn rules. */
  attributes?: Record<string, string>;
  /** Values for template parameters (otherwise their Default). */
  parameters?: Record<string, string>;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export interface TemplateProblem {
  logicalId: string;
  message: string;
}

const NO_VALUE = Symbol('AWS::NoValue');

const NAME_PROPERTY: Record<string, string> = {
  'AWS::CloudWatch::Alarm': 'AlarmName',
  'AWS::CloudWatch::CompositeAlarm': 'AlarmName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::SSM::Parameter': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::S3::Bucket': 'BucketName',
};

/**
 * Resolves the CloudFormation intrinsics CDK emits (Ref, Fn::GetAtt, Fn::Join,
 * Fn::Sub, Fn::Select, Fn::Split and the pseudo parameters) to plain values,
 * the way they would read after deployment. Resources without an explicit
 * name get a stable generated one: "<stack>-<logicalId>-<12 hex>", shaped like
 * CloudFormation's own (secrets "<logicalId>-<12 letters and digits>", SSM parameters
 * "CFN-<logicalId>-<12 letters and digits>"). `Ref` on a secret is its ARN, with the suffix.
 */
export class IntrinsicResolver {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  private readonly resolvingNames = new Set<string>();

  constructor(
    private readonly template: CloudFormationTemplate,
    private readonly options: TemplateOptions = {},
  ) {
    this.stackName = options.stackName ?? 'Sandbox';
    this.region = options.region ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.partition = options.partition ?? 'aws';
  }

  /** A deep copy of value with every intrinsic resolved; throws TemplateError for what it cannot resolve. */
  resolve(value: unknown): unknown {
    const resolved = this.resolveValue(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** The physical name of a resource: an explicit override, its name property, or the generated name. */
  physicalName(logicalId: string): string {
    const override = this.options.physicalNames?.[logicalId];
    if (override !== undefined) return override;
    const resource = this.resource(logicalId);
    const property = resource.Type ? NAME_PROPERTY[resource.Type] : undefined;
    const explicit = property ? resource.Properties?.[property] : undefined;
    if (explicit !== undefined) {
      if (this.resolvingNames.has(logicalId))
        throw new TemplateError(`the name of ${logicalId} refers to itself`);
      this.resolvingNames.add(logicalId);
      try {
        const name = this.resolve(explicit);
        if (typeof name === 'string') return name;
      } finally {
        this.resolvingNames.delete(logicalId);
      }
    }
    // Secrets and parameters are named without the stack, as CloudFormation names them.
    if (resource.Type === 'AWS::SecretsManager::Secret')
      return `${logicalId}-${randomLooking(`${this.stackName}/${logicalId}`, 12)}`;
    if (resource.Type === 'AWS::SSM::Parameter')
      return `CFN-${logicalId}-${randomLooking(`${this.stackName}/${logicalId}`, 12)}`;
    const generated = generatedName(this.stackName, logicalId, GENERATED_NAME_LIMIT[resource.Type ?? '']);
    // Bucket names are lowercase; CloudFormation lowercases the names it generates for them.
    return resource.Type === 'AWS::S3::Bucket' ? generated.toLowerCase() : generated;
  }

  /** What `Ref` returns for a resource, by type. */
  ref(logicalId: string): string {
    const resource = this.resource(logicalId);
    const name = this.physicalName(logicalId);
    switch (resource.Type) {
      case 'AWS::SNS::Topic':
        return `arn:${this.partition}:sns:${this.region}:${this.accountId}:${name}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${this.region}.amazonaws.com/${this.accountId}/${name}`;
      case 'AWS::SecretsManager::Secret':
        return this.arn(resource.Type, name);
      case 'AWS::Lambda::LayerVersion':
        // The version's ARN; the sandbox publishes each layer once.
        return `arn:${this.partition}:lambda:${this.region}:${this.accountId}:layer:${name}:1`;
      default:
        return name;
    }
  }

  /** What `Fn::GetAtt` returns: Arn, and a few attributes by type (queues, topics, buckets). */
  getAtt(logicalId: string, attribute: string): string {
    const override = this.options.attributes?.[`${logicalId}.${attribute}`];
    if (override !== undefined) return override;
    const resource = this.resource(logicalId);
    if (attribute === 'Arn') return this.arn(resource.Type ?? '', this.physicalName(logicalId));
    if (attribute === 'QueueName' && resource.Type === 'AWS::SQS::Queue') return this.physicalName(logicalId);
    if (attribute === 'TopicName' && resource.Type === 'AWS::SNS::Topic') return this.physicalName(logicalId);
    if (attribute === 'QueueUrl' && resource.Type === 'AWS::SQS::Queue') return this.ref(logicalId);
    if (attribute === 'TopicArn' && resource.Type === 'AWS::SNS::Topic') return this.ref(logicalId);
    if (attribute === 'Id' && resource.Type === 'AWS::SecretsManager::Secret') return this.ref(logicalId);
    // A stream's label is the time it was enabled; one fixed label keeps the ARN stable.
    if (attribute === 'StreamArn' && resource.Type === 'AWS::DynamoDB::Table')
      return `${this.arn(resource.Type, this.physicalName(logicalId))}/stream/1970-01-01T00:00:00.000`;
    if (resource.Type === 'AWS::SSM::Parameter' && (attribute === 'Type' || attribute === 'Value')) {
      const value = this.resolve(resource.Properties?.[attribute]);
      if (typeof value === 'string') return value;
    }
    if (resource.Type === 'AWS::S3::Bucket') {
      const domain = this.bucketDomain(this.physicalName(logicalId), attribute);
      if (domain !== undefined) return domain;
    }
    throw new TemplateError(
      `cannot resolve Fn::GetAtt ${logicalId}.${attribute}: the sandbox does not know it before deployment`,
    );
  }

  /** A bucket's DomainName, RegionalDomainName, DualStackDomainName or WebsiteURL, as deployed. */
  private bucketDomain(name: string, attribute: string): string | undefined {
    const region = this.region;
    switch (attribute) {
      case 'DomainName':
        return `${name}.s3.amazonaws.com`;
      case 'RegionalDomainName':
        return `${name}.s3.${region}.amazonaws.com`;
      case 'DualStackDomainName':
        return `${name}.s3.dualstack.${region}.amazonaws.com`;
      case 'WebsiteURL':
        // The older regions' website endpoints join the region with a dash, the newer ones with a dot.
        return `http://${name}.s3-website${WEBSITE_DASH_REGIONS.has(region) ? '-' : '.'}${region}.amazonaws.com`;
      default:
        return undefined;
    }
  }

  private arn(type: string, name: string): string {
    const { partition: p, region: r, accountId: a } = this;
    switch (type) {
      case 'AWS::CloudWatch::Alarm':
      case 'AWS::CloudWatch::CompositeAlarm':
        return `arn:${p}:cloudwatch:${r}:${a}:alarm:${name}`;
      case 'AWS::Lambda::Function':
        return `arn:${p}:lambda:${r}:${a}:function:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:${p}:sns:${r}:${a}:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:${p}:sqs:${r}:${a}:${name}`;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
      case 'AWS::IAM::Role':
        return `arn:${p}:iam::${a}:role/${name}`;
      case 'AWS::Logs::LogGroup':
        return `arn:${p}:logs:${r}:${a}:log-group:${name}:*`;
      case 'AWS::SecretsManager::Secret':
        return secretArn(name, r, a, p);
      case 'AWS::SSM::Parameter':
        return `arn:${p}:ssm:${r}:${a}:parameter${name.startsWith('/') ? '' : '/'}${name}`;
      case 'AWS::Events::Rule':
        return `arn:${p}:events:${r}:${a}:rule/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:${p}:s3:::${name}`;
      default: {
        const service = /^AWS::([^:]+)::/.exec(type)?.[1]?.toLowerCase() ?? 'unknown';
        return `arn:${p}:${service}:${r}:${a}:${name}`;
      }
    }
  }

  private resource(logicalId: string) {
    const resource = this.template.Resources?.[logicalId];
    if (!resource) throw new TemplateError(`reference to unknown resource ${logicalId}`);
    return resource;
  }

  private pseudo(name: string): string | typeof NO_VALUE | undefined {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::Partition':
        return this.partition;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:${this.partition}:cloudformation:${this.region}:${this.accountId}:stack/${this.stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        return undefined;
    }
  }

  private refValue(name: string): unknown {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      const value = this.options.parameters?.[name] ?? parameter.Default;
      if (value === undefined) throw new TemplateError(`parameter ${name} has no value and no Default`);
      return value;
    }
    return this.ref(name);
  }

  private resolveValue(value: unknown): unknown {
    if (Array.isArray(value))
      return value.map((item) => this.resolveValue(item)).filter((item) => item !== NO_VALUE);
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, argument] = entries[0]!;
      if (key === 'Ref') return this.refValue(expectString(argument, 'Ref'));
      if (key === 'Fn::GetAtt') return this.resolveGetAtt(argument);
      if (key === 'Fn::Join') return this.resolveJoin(argument);
      if (key === 'Fn::Sub') return this.resolveSub(argument);
      if (key === 'Fn::Select') return this.resolveSelect(argument);
      if (key === 'Fn::Split') return this.resolveSplit(argument);
      if (key.startsWith('Fn::'))
        throw new TemplateError(`intrinsic ${key} is not supported by the sandbox's template reader`);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolveValue(item);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private resolveGetAtt(argument: unknown): string {
    if (typeof argument === 'string') {
      const dot = argument.indexOf('.');
      if (dot < 0)
        throw new TemplateError(`Fn::GetAtt ${JSON.stringify(argument)} must be "LogicalId.Attribute"`);
      return this.getAtt(argument.slice(0, dot), argument.slice(dot + 1));
    }
    if (!Array.isArray(argument) || argument.length !== 2) {
      throw new TemplateError('Fn::GetAtt takes [LogicalId, Attribute]');
    }
    return this.getAtt(
      expectString(argument[0], 'Fn::GetAtt'),
      expectString(this.resolveValue(argument[1]), 'Fn::GetAtt'),
    );
  }

  private resolveJoin(argument: unknown): string {
    if (!Array.isArray(argument) || argument.length !== 2)
      throw new TemplateError('Fn::Join takes [delimiter, [values]]');
    const delimiter = expectString(argument[0], 'Fn::Join delimiter');
    const parts = this.resolveValue(argument[1]);
    if (!Array.isArray(parts)) throw new TemplateError('Fn::Join needs a list of values');
    return parts.map((part) => scalarString(part, 'Fn::Join')).join(delimiter);
  }

  private resolveSub(argument: unknown): string {
    const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
    const source = expectString(text, 'Fn::Sub');
    const resolvedVariables = this.resolveValue(variables ?? {}) as Record<string, unknown>;
    return source.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (Object.hasOwn(resolvedVariables, name)) return scalarString(resolvedVariables[name], 'Fn::Sub');
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      const value = this.refValue(name);
      if (value === NO_VALUE) throw new TemplateError(`Fn::Sub cannot use ${whole}`);
      return scalarString(value, 'Fn::Sub');
    });
  }

  private resolveSelect(argument: unknown): unknown {
    if (!Array.isArray(argument) || argument.length !== 2)
      throw new TemplateError('Fn::Select takes [index, list]');
    const index = Number(this.resolveValue(argument[0]));
    const list = this.resolveValue(argument[1]);
    if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
      throw new TemplateError('Fn::Select index is out of range');
    }
    return list[index];
  }

  private resolveSplit(argument: unknown): string[] {
    if (!Array.isArray(argument) || argument.length !== 2)
      throw new TemplateError('Fn::Split takes [delimiter, string]');
    return scalarString(this.resolveValue(argument[1]), 'Fn::Split').split(
      expectString(argument[0], 'Fn::Split'),
    );
  }
}

function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string')
    throw new TemplateError(`${where} expects a string, got ${JSON.stringify(value)}`);
  return value;
}

function scalarString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${where} cannot join ${JSON.stringify(value)}`);
}

/** Longest name each service accepts, where CloudFormation has to cut a generated one to fit. */
const GENERATED_NAME_LIMIT: Record<string, number> = {
  'AWS::Lambda::Function': 64,
  'AWS::IAM::Role': 64,
  'AWS::SQS::Queue': 80,
  'AWS::Events::Rule': 64,
  'AWS::S3::Bucket': 63,
};

/** Regions whose S3 website endpoint is `s3-website-<region>` rather than `s3-website.<region>`. */
const WEBSITE_DASH_REGIONS = new Set([
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'eu-west-1',
  'sa-east-1',
  'us-gov-west-1',
]);

/**
 * A stable stand-in for CloudFormation's generated physical names: `<stack>-<logicalId>-<suffix>`.
 * When that is longer than the service allows, CloudFormation shortens the stack name and the
 * logical id, not the suffix: the longer of the two loses a character at a time (the logical id on
 * a tie), as deployed functions show (stack `mylongerapp-playground-new` and logical id
 * `InstancesLifecycleHandler` became `mylongerapp-playground-ne-InstancesLifecycleHandle-` and a
 * 13-character suffix: 64 characters).
 */
export function generatedName(stackName: string, logicalId: string, maxLength = Infinity): string {
  const suffix = createHash('sha256')
    .update(`${stackName}/${logicalId}`)
    .digest('hex')
    .slice(0, 12)
    .toUpperCase();
  let stack = stackName.length;
  let id = logicalId.length;
  const room = maxLength - suffix.length - 2;
  while (stack + id > room && stack + id > 0) {
    if (stack > id) stack -= 1;
    else id -= 1;
  }
  return `${stackName.slice(0, stack)}-${logicalId.slice(0, id)}-${suffix}`;
}

/**
 * A secret's ARN: Secrets Manager adds a hyphen and six random characters to the name. Here they are
 * derived from the name, so that the ARN stays the same from one start to the next.
 */
export function secretArn(name: string, region: string, accountId: string, partition = 'aws'): string {
  return `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}-${randomLooking(name, 6)}`;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` letters and digits that look random but come from `seed`. */
function randomLooking(seed: string, length: number): string {
  const bytes = createHash('sha256').update(seed).digest();
  return Array.from({ length }, (_, index) => ALPHANUMERIC[bytes[index]! % ALPHANUMERIC.length]).join('');
}
