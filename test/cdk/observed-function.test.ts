import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ESM_REQUIRE_BANNER, ObservedFunction } from '../../lib/cdk/index.js';
import { FIXTURE_ENTRY, NO_BUNDLING, onlyResource, resourcesOfType } from './support/template.js';

describe('ObservedFunction', () => {
  let outdir: string;
  let template: Template;
  let fn: ObservedFunction;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'lookout-observed-fn-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Fn');
    fn = new ObservedFunction(stack, 'OrdersApi', { entry: FIXTURE_ENTRY });
    template = Template.fromStack(stack);
  });

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('runs Node 24 on arm64 with active tracing and the default memory and timeout', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 10,
      Handler: 'index.handler',
    });
  });

  it('writes JSON logs into its own log group with retention, application level INFO', () => {
    const [logGroupId, logGroup] = onlyResource(template, 'AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
    expect(logGroup.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'INFO',
        LogGroup: { Ref: logGroupId },
      },
    });
  });

  it('sets the Powertools environment, the service name defaulting to the id in kebab-case', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'orders-api',
          POWERTOOLS_METRICS_NAMESPACE: 'Lookout',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    expect(fn.serviceName).toBe('orders-api');
    expect(fn.metricsNamespace).toBe('Lookout');
    expect(fn.timeoutDuration.toSeconds()).toBe(10);
  });

  it('gives its role only its log group and X-Ray, and no managed policies', () => {
    const [, role] = onlyResource(template, 'AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const [, policy] = onlyResource(template, 'AWS::IAM::Policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement;
    const logGroupId = resourcesOfType(template, 'AWS::Logs::LogGroup')[0]![0];
    expect(statements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      },
      { Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' },
    ]);
  });

  it('bundles an ES module with the createRequire banner and a source map, minified', () => {
    const assetDirs = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const dir = join(outdir, assetDirs[0]!);
    const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
    expect(code).toContain('export{');
    expect(code).toMatch(/\/\/# sourceMappingURL=index\.mjs\.map\s*$/);
    expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    // Minified (comments gone) and self-contained (the logger package inlined, not imported).
    expect(code).not.toContain('stand-in handler');
    expect(code).not.toMatch(/from\s*["']@aws-lambda-powertools/);
    expect(code).toContain('"hello"');
  });
});

describe('ObservedFunction options', () => {
  function synth(props: Partial<ConstructorParameters<typeof ObservedFunction>[2]>) {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'Fn');
    const fn = new ObservedFunction(stack, 'Worker', { entry: FIXTURE_ENTRY, ...props });
    return { fn, template: Template.fromStack(stack) };
  }

  it('takes the service, namespace, memory, timeout, retention and removal policy it is given', () => {
    const { fn, template } = synth({
      serviceName: 'orders',
      metricsNamespace: 'Shop',
      memorySize: 1024,
      timeout: Duration.seconds(30),
      logRetention: logs.RetentionDays.ONE_WEEK,
      logRemovalPolicy: RemovalPolicy.DESTROY,
      reservedConcurrentExecutions: 7,
      environment: { TABLE_NAME: 'orders' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 30,
      ReservedConcurrentExecutions: 7,
      Environment: {
        Variables: Match.objectLike({
          TABLE_NAME: 'orders',
          POWERTOOLS_SERVICE_NAME: 'orders',
          POWERTOOLS_METRICS_NAMESPACE: 'Shop',
        }),
      },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 7 },
      DeletionPolicy: 'Delete',
    });
    expect(fn.reservedConcurrency).toBe(7);
    expect(fn.timeoutDuration.toSeconds()).toBe(30);
  });

  it('does not let the environment override the Powertools variables it manages', () => {
    const { template } = synth({ serviceName: 'orders', environment: { POWERTOOLS_SERVICE_NAME: 'other' } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'orders' }) },
    });
  });

  it('lets DEBUG through Lambda, but never filters above INFO (EMF lines have no level)', () => {
    synth({ logLevel: 'DEBUG' }).template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'DEBUG' }),
      Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }) },
    });
    synth({ logLevel: 'ERROR' }).template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'INFO' }),
      Environment: { Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'ERROR' }) },
    });
  });

  it('creates no log-retention custom resource', () => {
    const { template } = synth({ logRetention: logs.RetentionDays.ONE_DAY });
    expect(Object.keys(template.findResources('Custom::LogRetention'))).toHaveLength(0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });
});
