import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { TracingMode } from './bundling.js';
import { ESM_REQUIRE_BANNER, TRACING_EXTERNALS } from './bundling.js';

/** The log levels Powertools Logger understands and Lambda can filter on. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Namespace the Lookout runtime library writes its EMF metrics to when none is configured. */
export const DEFAULT_METRICS_NAMESPACE = 'Lookout';

export { ESM_REQUIRE_BANNER };

export interface ObservedFunctionProps extends Omit<
  NodejsFunctionProps,
  'runtime' | 'architecture' | 'tracing' | 'loggingFormat' | 'logGroup' | 'logRetention' | 'role'
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
      ...functionProps
    } = props;
    const tracing = tracingProp ?? 'xray';
    const serviceName = serviceNameProp ?? kebabCase(id);
    const metricsNamespace = namespaceProp ?? DEFAULT_METRICS_NAMESPACE;
    const logLevel = logLevelProp ?? 'INFO';
    const timeout = props.timeout ?? Duration.seconds(10);

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
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        target: 'node24',
        // Ship the SDK version the code was tested with rather than the one the runtime happens to have.
        bundleAwsSDK: true,
        ...props.bundling,
        externalModules: [...TRACING_EXTERNALS[tracing], ...(props.bundling?.externalModules ?? [])],
        banner: [ESM_REQUIRE_BANNER, props.bundling?.banner].filter(Boolean).join('\n'),
      },
    });

    this.serviceName = serviceName;
    this.metricsNamespace = metricsNamespace;
    this.timeoutDuration = timeout;
    this.reservedConcurrency = props.reservedConcurrentExecutions;
    this.observedLogGroup = logGroup;

    if (tracing !== 'off') {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions; every other statement on this role is scoped to a resource.',
      });
    }
  }
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
