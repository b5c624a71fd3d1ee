import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { TracingMode } from './bundling.js';
import {
  BUNDLE_OUTPUT,
  bundleConditions,
  bundleDefines,
  bundleExternals,
  ESM_REQUIRE_BANNER,
  LEGAL_COMMENTS,
  requiredBuiltinAliases,
} from './bundling.js';

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

/** Key prefix of CPU profiles when none is given (the library's default too). */
export const DEFAULT_PROFILE_PREFIX = 'profiles/';

/** Namespace the Lookout runtime library writes its EMF metrics to when none is configured. */
export const DEFAULT_METRICS_NAMESPACE = 'Lookout';

export interface ObservedFunctionProps extends Omit<
  NodejsFunctionProps,
  | 'runtime'
  | 'architecture'
  | 'tracing'
  | 'loggingFormat'
  | 'logGroup'
  | 'logRetention'
  | 'role'
  | 'profiling'
> {
  /** Path to the handler file (TypeScript or JavaScript). */
  readonly entry: string;
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
   * Tracing backend of the Lookout library (`LOOKOUT_TRACING`): `xray` (Powertools Tracer),
   * `otel` (OpenTelemetry, exporting OTLP/HTTP) or `off`. The other backends' SDKs are left out of
   * the bundle. Lambda active tracing stays on for `xray` and `otel`, so traces join Lambda's.
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
   * to S3: the profiler is bundled, the environment tells the library
   * where and when to profile, and the role may put objects under the prefix only. Without this
   * option the bundle carries no profiler code.
   * @default no profiling
   */
  readonly profiling?: ObservedFunctionProfiling;
}

/**
 * A Node.js Lambda function set up the way the Lookout runtime library expects: Node 24 on arm64,
 * JSON logs into its own log group, active X-Ray tracing, the Powertools environment, and an
 * ES-module esbuild bundle with source maps. Its role may only write to its own log group and
 * send traces; grant anything else explicitly.
 */
export class ObservedFunction extends NodejsFunction {
  readonly serviceName: string;
  readonly metricsNamespace: string;
  /** The timeout the function was deployed with (used by the duration alarm). */
  readonly timeoutDuration: Duration;
  /** Reserved concurrency, when one was set (used by the concurrency alarm). */
  readonly reservedConcurrency: number | undefined;
  readonly observedLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ObservedFunctionProps) {
    const {
      serviceName: serviceNameProp,
      metricsNamespace: namespaceProp,
      logLevel: logLevelProp,
      systemLogLevel,
      logRetention,
      logRemovalPolicy,
      tracing: tracingProp,
      otelEndpoint,
      profiling,
      ...functionProps
    } = props;
    const tracing = tracingProp ?? 'xray';
    const serviceName = serviceNameProp ?? kebabCase(id);
    const metricsNamespace = namespaceProp ?? DEFAULT_METRICS_NAMESPACE;
    const logLevel = logLevelProp ?? 'INFO';
    const timeout = props.timeout ?? Duration.seconds(10);
    const profilePrefix = profiling ? profilingPrefix(id, profiling) : undefined;
    const features = { tracing, profiling: profiling !== undefined };

    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${serviceName} function ${id}`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      memorySize: 512,
      ...functionProps,
      timeout,
      role,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      tracing: tracing === 'off' ? lambda.Tracing.DISABLED : lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: applicationLogLevel(logLevel),
      systemLogLevelV2: systemLogLevel ?? lambda.SystemLogLevel.INFO,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
        POWERTOOLS_LOG_LEVEL: logLevel,
        LOOKOUT_TRACING: tracing,
        ...(tracing === 'otel' && otelEndpoint ? { OTEL_EXPORTER_OTLP_ENDPOINT: otelEndpoint } : {}),
        ...(profiling ? profilingEnvironment(profiling, profilePrefix!) : {}),
      },
      bundling: {
        minify: BUNDLE_OUTPUT.minify,
        sourceMap: BUNDLE_OUTPUT.sourcemap,
        sourcesContent: BUNDLE_OUTPUT.sourcesContent,
        format: OutputFormat.ESM,
        mainFields: BUNDLE_OUTPUT.mainFields,
        target: BUNDLE_OUTPUT.target,
        // Ship the SDK version the code was tested with rather than the one the runtime happens to have.
        bundleAwsSDK: true,
        ...props.bundling,
        externalModules: [...bundleExternals(features), ...(props.bundling?.externalModules ?? [])],
        define: { ...bundleDefines(features), ...props.bundling?.define },
        esbuildArgs: {
          ...props.bundling?.esbuildArgs,
          '--alias': [...requiredBuiltinAliases(), ...argList(props.bundling?.esbuildArgs?.['--alias'])],
          '--legal-comments': LEGAL_COMMENTS,
          '--conditions': [
            ...bundleConditions(features),
            ...argList(props.bundling?.esbuildArgs?.['--conditions']),
          ].join(','),
        },
        banner: [ESM_REQUIRE_BANNER, props.bundling?.banner].filter(Boolean).join('\n'),
      },
    });

    this.serviceName = serviceName;
    this.metricsNamespace = metricsNamespace;
    this.timeoutDuration = timeout;
    this.reservedConcurrency = props.reservedConcurrentExecutions;
    this.observedLogGroup = logGroup;

    if (profiling) {
      const profileObjects = profiling.bucket.arnForObjects(`${profilePrefix}*`);
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [profileObjects] }),
      );
      if (profiling.bucket.encryptionKey) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['kms:GenerateDataKey'],
            resources: [profiling.bucket.encryptionKey.keyArn],
          }),
        );
      }
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flatReference(Stack.of(this).resolve(profileObjects))}]`,
        reason:
          'CPU profile keys are made per invocation (function, time, request id), so PutObject is granted on the profile prefix of the bucket and nowhere else.',
      });
    }

    if (tracing !== 'off') {
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
    LOOKOUT_PROFILE_BUCKET: profiling.bucket.bucketName,
    LOOKOUT_PROFILE_PREFIX: prefix,
    ...(profiling.sampleRate !== undefined
      ? { LOOKOUT_PROFILE_SAMPLE_RATE: String(profiling.sampleRate) }
      : {}),
    ...(profiling.slowerThanMs !== undefined
      ? { LOOKOUT_PROFILE_SLOWER_THAN_MS: String(profiling.slowerThanMs) }
      : {}),
  };
}

/**
 * A resolved CloudFormation value written the way cdk-nag names it in a finding
 * (`<Bucket1234.Arn>/profiles/*`), so that an acknowledgement matches the finding exactly.
 */
function flatReference(node: unknown): string {
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

function argList(value: string | boolean | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' && value !== '' ? [value] : [];
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
