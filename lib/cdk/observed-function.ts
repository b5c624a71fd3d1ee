import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { TracingMode } from '../contract.js';
import { DEFAULT_NAMESPACE, DEFAULT_PROFILE_PREFIX, PROFILING_ENV, TRACING_ENV } from '../contract.js';
import { BUNDLE_OUTPUT, ESM_REQUIRE_BANNER, LEGAL_COMMENTS, requiredBuiltinAliases } from './bundling.js';

/** The log levels Powertools Logger understands and Lambda can filter on. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Where an ObservedFunction's CPU profiles go, and which invocations are profiled. */
export interface ObservedFunctionProfiling {
  /** The bucket profiles are written to; the function may put objects under `prefix` only. */
  readonly bucket: s3.IBucket;
  /** Key prefix of every profile (`LOOKOUT_PROFILE_PREFIX`). @default 'profiles/' */
  readonly prefix?: string;
  /**
   * Share of invocations (0..1) profiled from start to end (`LOOKOUT_PROFILE_SAMPLE_RATE`). Each
   * profiled invocation costs V8 about 10 ms to start its profiler, plus the upload.
   * @default none: set it, or slowerThanMs, here or later in the environment
   */
  readonly sampleRate?: number;
  /** Invocations running longer than this are profiled from then on (`LOOKOUT_PROFILE_SLOWER_THAN_MS`). */
  readonly slowerThanMs?: number;
}

/** Namespace the Lookout runtime library writes its EMF metrics to when none is configured. */
export const DEFAULT_METRICS_NAMESPACE = DEFAULT_NAMESPACE;
export { DEFAULT_PROFILE_PREFIX };

/** What Lookout sets up around a function, whoever builds its code. */
export interface ObservabilityProps {
  /**
   * The service the function belongs to: `POWERTOOLS_SERVICE_NAME`, and the `service` dimension of
   * every metric it emits. Several functions may share one service.
   * @default the construct id in kebab-case
   */
  readonly serviceName?: string;
  /**
   * CloudWatch namespace for the function's EMF metrics (`POWERTOOLS_METRICS_NAMESPACE`).
   * @default 'Lookout'
   */
  readonly metricsNamespace?: string;
  /**
   * Powertools log level (`POWERTOOLS_LOG_LEVEL`). Lambda's application log level is set to the
   * same value, but never above INFO: Lambda files JSON lines without a `level` (the EMF metric
   * lines) under INFO, so a WARN or ERROR filter would silently drop every metric.
   * @default 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * Lambda's own platform log level. INFO keeps the `platform.report` lines (duration, memory,
   * init duration) that the cold-start query reads.
   * @default lambda.SystemLogLevel.INFO
   */
  readonly systemLogLevel?: lambda.SystemLogLevel;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.RETAIN (logs outlive the function unless you say otherwise) */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Tracing backend of the Lookout library (`LOOKOUT_TRACING`): `xray` (the handler imports
   * `lookout`), `otel` (it imports `lookout/otel`) or `off`. Lambda active tracing stays on for
   * `xray` and `otel`, so traces join Lambda's.
   * @default 'xray'
   */
  readonly tracing?: TracingMode;
  /**
   * With `tracing: 'otel'`: the OTLP/HTTP endpoint spans are sent to
   * (`OTEL_EXPORTER_OTLP_ENDPOINT`), such as a collector extension or a gateway. No ADOT layer is
   * added; bring your collector.
   * @default the OpenTelemetry default, http://localhost:4318
   */
  readonly otelEndpoint?: string;
  /**
   * Lookout's sampled CPU profiles (not CodeGuru Profiler: set `profilingGroup` for that), written
   * to S3: the environment tells the handler's `cpuProfiler()` (from `lookout/profiling`) where and
   * when to profile, and the role may put objects under the prefix only.
   * @default no profiling
   */
  readonly profiling?: ObservedFunctionProfiling;
}

/** Options of a NodejsFunction that Lookout sets itself are left out. */
type OwnFunctionOptions =
  | 'runtime'
  | 'architecture'
  | 'tracing'
  | 'loggingFormat'
  | 'logGroup'
  | 'logRetention'
  | 'role'
  | 'profiling'
  | 'systemLogLevel';

export interface ObservedFunctionProps
  extends Omit<NodejsFunctionProps, OwnFunctionOptions>, ObservabilityProps {
  /** Path to the handler file (TypeScript or JavaScript). */
  readonly entry: string;
}

/** What monitoring needs to know of a function set up by Lookout. */
export interface IObservedFunction extends lambda.IFunction {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  /** The timeout the function was deployed with (used by the duration alarm). */
  readonly timeoutDuration: Duration;
  /** Reserved concurrency, when one was set (used by the concurrency alarm). */
  readonly reservedConcurrency: number | undefined;
  readonly observedLogGroup: logs.ILogGroup;
}

/**
 * A Node.js Lambda function set up the way the Lookout runtime library expects: Node 24 on arm64,
 * JSON logs into its own log group, active X-Ray tracing, the Powertools environment, and an
 * ES-module esbuild bundle with source maps. Its role may only write to its own log group and
 * send traces; grant anything else explicitly.
 */
export class ObservedFunction extends NodejsFunction implements IObservedFunction {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly timeoutDuration: Duration;
  readonly reservedConcurrency: number | undefined;
  readonly observedLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ObservedFunctionProps) {
    const setup = new ObservedSetup(scope, id, props);
    const { functionProps, bundling } = setup.split(props);
    super(scope, id, {
      ...functionProps,
      ...setup.functionOptions(props),
      bundling: {
        minify: BUNDLE_OUTPUT.minify,
        sourceMap: BUNDLE_OUTPUT.sourcemap,
        sourcesContent: BUNDLE_OUTPUT.sourcesContent,
        format: OutputFormat.ESM,
        mainFields: BUNDLE_OUTPUT.mainFields,
        target: BUNDLE_OUTPUT.target,
        // Ship the SDK version the code was tested with rather than the one the runtime happens to have.
        bundleAwsSDK: true,
        ...bundling,
        esbuildArgs: {
          ...requiredBuiltinAliases(),
          '--legal-comments': LEGAL_COMMENTS,
          ...bundling?.esbuildArgs,
        },
        banner: [ESM_REQUIRE_BANNER, bundling?.banner].filter(Boolean).join('\n'),
      },
    });
    this.serviceName = setup.serviceName;
    this.metricsNamespace = setup.metricsNamespace;
    this.timeoutDuration = setup.timeout;
    this.reservedConcurrency = props.reservedConcurrentExecutions;
    this.observedLogGroup = setup.logGroup;
    setup.finish(this);
  }
}

export interface PrebuiltObservedFunctionProps
  extends Omit<lambda.FunctionProps, OwnFunctionOptions | 'runtime'>, ObservabilityProps {}

/**
 * A function whose code is already built (a Lambda asset folder), set up as `ObservedFunction`
 * sets up its own: what Lookout deploys for you ships this way, bundled when the package is built.
 */
export class PrebuiltObservedFunction extends lambda.Function implements IObservedFunction {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly timeoutDuration: Duration;
  readonly reservedConcurrency: number | undefined;
  readonly observedLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PrebuiltObservedFunctionProps) {
    const setup = new ObservedSetup(scope, id, props);
    const { functionProps } = setup.split(props);
    super(scope, id, { ...functionProps, ...setup.functionOptions(props) });
    this.serviceName = setup.serviceName;
    this.metricsNamespace = setup.metricsNamespace;
    this.timeoutDuration = setup.timeout;
    this.reservedConcurrency = props.reservedConcurrentExecutions;
    this.observedLogGroup = setup.logGroup;
    setup.finish(this);
  }
}

/** Everything both kinds of observed function share: made before the function, finished after it. */
class ObservedSetup {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  readonly timeout: Duration;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly tracing: TracingMode;
  readonly #logLevel: LogLevel;
  readonly #profiling: ObservedFunctionProfiling | undefined;
  readonly #profilePrefix: string | undefined;

  constructor(scope: Construct, id: string, props: ObservabilityProps & { timeout?: Duration }) {
    this.tracing = props.tracing ?? 'xray';
    this.serviceName = props.serviceName ?? kebabCase(id);
    this.metricsNamespace = props.metricsNamespace ?? DEFAULT_METRICS_NAMESPACE;
    this.#logLevel = props.logLevel ?? 'INFO';
    this.timeout = props.timeout ?? Duration.seconds(10);
    this.#profiling = props.profiling;
    this.#profilePrefix = props.profiling ? profilingPrefix(id, props.profiling) : undefined;

    this.logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${this.serviceName} function ${id}`,
    });
    this.logGroup.grantWrite(this.role);
  }

  /** The caller's own function options, without the ones that only Lookout reads. */
  split<T extends ObservabilityProps>(props: T) {
    const {
      serviceName: _serviceName,
      metricsNamespace: _metricsNamespace,
      logLevel: _logLevel,
      systemLogLevel: _systemLogLevel,
      logRetention: _logRetention,
      logRemovalPolicy: _logRemovalPolicy,
      tracing: _tracing,
      otelEndpoint: _otelEndpoint,
      profiling: _profiling,
      ...functionProps
    } = props;
    return { functionProps, bundling: (props as { bundling?: ObservedFunctionProps['bundling'] }).bundling };
  }

  /** The function options Lookout sets. */
  functionOptions(props: ObservabilityProps & { environment?: Record<string, string>; memorySize?: number }) {
    return {
      memorySize: props.memorySize ?? 512,
      timeout: this.timeout,
      role: this.role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: this.tracing === 'off' ? lambda.Tracing.DISABLED : lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: applicationLogLevel(this.#logLevel),
      systemLogLevelV2: props.systemLogLevel ?? lambda.SystemLogLevel.INFO,
      logGroup: this.logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: this.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
        POWERTOOLS_LOG_LEVEL: this.#logLevel,
        [TRACING_ENV]: this.tracing,
        ...(this.tracing === 'otel' && props.otelEndpoint
          ? { OTEL_EXPORTER_OTLP_ENDPOINT: props.otelEndpoint }
          : {}),
        ...(this.#profiling ? profilingEnvironment(this.#profiling, this.#profilePrefix!) : {}),
      },
    };
  }

  /** Grants and cdk-nag acknowledgements, once the function exists. */
  finish(fn: lambda.Function): void {
    const role = this.role;
    if (this.#profiling) {
      const profileObjects = this.#profiling.bucket.arnForObjects(`${this.#profilePrefix}*`);
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [profileObjects] }),
      );
      if (this.#profiling.bucket.encryptionKey) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:GenerateDataKey'],
            resources: [this.#profiling.bucket.encryptionKey.keyArn],
          }),
        );
      }
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flatReference(Stack.of(fn).resolve(profileObjects))}]`,
        reason:
          'CPU profile keys are made per invocation (function, time, request id), so PutObject is granted on the profile prefix of the bucket and nowhere else.',
      });
    }
    if (this.tracing !== 'off') {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; every other statement on this role is scoped to a resource.',
      });
    }
  }
}

function profilingPrefix(id: string, profiling: ObservedFunctionProfiling): string {
  const { sampleRate, slowerThanMs } = profiling;
  if (sampleRate !== undefined && !(sampleRate >= 0 && sampleRate <= 1)) {
    throw new Error(`${id}: profiling.sampleRate must be between 0 and 1, got ${sampleRate}`);
  }
  if (slowerThanMs !== undefined && !(slowerThanMs >= 0 && Number.isFinite(slowerThanMs))) {
    throw new Error(`${id}: profiling.slowerThanMs must be 0 or more, got ${slowerThanMs}`);
  }
  const prefix = profiling.prefix ?? DEFAULT_PROFILE_PREFIX;
  if (prefix.startsWith('/') || prefix.includes('*')) {
    throw new Error(`${id}: profiling.prefix must not start with "/" or contain "*", got "${prefix}"`);
  }
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

function profilingEnvironment(profiling: ObservedFunctionProfiling, prefix: string): Record<string, string> {
  return {
    [PROFILING_ENV.bucket]: profiling.bucket.bucketName,
    [PROFILING_ENV.prefix]: prefix,
    ...(profiling.sampleRate !== undefined
      ? { [PROFILING_ENV.sampleRate]: String(profiling.sampleRate) }
      : {}),
    ...(profiling.slowerThanMs !== undefined
      ? { [PROFILING_ENV.slowerThanMs]: String(profiling.slowerThanMs) }
      : {}),
  };
}

/**
 * A resolved CloudFormation value written the way cdk-nag names it in a finding
 * (`<Bucket1234.Arn>/profiles/*`), so that an acknowledgement matches the finding exactly.
 */
/** A CloudFormation value as cdk-nag names it in a finding (`<Logical.Arn>/prefix*`). */
export function flatReference(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (typeof node !== 'object' || node === null) return String(node ?? '');
  const value = node as Record<string, unknown>;
  if (Array.isArray(value['Fn::Join'])) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flatReference).join(delimiter);
  }
  if (value['Fn::Sub'] !== undefined) return flatReference(value['Fn::Sub']);
  if (Array.isArray(value['Fn::GetAtt'])) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatReference(resource)}.${flatReference(attribute)}>`;
  }
  if (value['Fn::ImportValue'] !== undefined) return flatReference(value['Fn::ImportValue']);
  if (value.Ref !== undefined) return `<${flatReference(value.Ref)}>`;
  return JSON.stringify(node);
}

function applicationLogLevel(level: LogLevel): lambda.ApplicationLogLevel {
  return level === 'DEBUG' ? lambda.ApplicationLogLevel.DEBUG : lambda.ApplicationLogLevel.INFO;
}

function kebabCase(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .toLowerCase();
}
