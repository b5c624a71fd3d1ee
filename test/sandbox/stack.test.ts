/** The sandbox reads the demo stack back from its synthesized template, and fails clearly. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { LookoutDemoStack } from '../../infra/demo-stack.js';
import type { SandboxStack } from '../../sandbox/template/index.js';
import {
  localize,
  readStack,
  SANDBOX_ACCOUNT,
  SANDBOX_REGION,
  synthesize,
  SynthError,
} from '../../sandbox/template/index.js';
import { randomUUID } from 'node:crypto';
import type { SearchStandIn } from '../../sandbox/aws/search.js';
import { localizeLogShipper, sigV4From, startSearchStandIn } from '../../sandbox/aws/search.js';
import type { SqsStandIn } from '../../sandbox/aws/sqs.js';
import { startSqsStandIn } from '../../sandbox/aws/sqs.js';
import { routesTo, startHttpGateway } from '../../sandbox/gateway/index.js';
import type { HttpGateway } from '../../sandbox/gateway/index.js';
import type { FunctionManager } from '../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../sandbox/lambda/index.js';
import { SANDBOX_CREDENTIALS } from '../../sandbox/lambda/environment.js';
import type { LogSubscriptions } from '../../sandbox/sources/log-subscription.js';
import { startLogSubscriptions } from '../../sandbox/sources/log-subscription.js';
import type { LocalDynamo } from '../support/dynalite.js';
import { createDemoTable, startDynalite } from '../support/dynalite.js';
import { waitFor } from './lambda/support.js';

let outdir: string;
let stack: SandboxStack;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'lookout-sandbox-stack-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  new LookoutDemoStack(app, 'LookoutDemo', {});
  app.synth();
  stack = readStack(outdir);
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('readStack on the demo stack', () => {
  it('finds the five functions with their bundles, memory, timeout and resolved environment', () => {
    expect(stack.functions.map((fn) => fn.logicalId.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'AlertsNotifier',
      'HealthCheck',
      'LogShippingShipper',
      'OrderWorker',
      'OrdersApi',
    ]);
    for (const fn of stack.functions) {
      expect(existsSync(join(fn.assetDir, 'index.mjs'))).toBe(true);
      expect(fn.name).toMatch(/^LookoutDemo-/);
      expect(fn.memoryMb).toBeGreaterThanOrEqual(128);
      expect(fn.timeoutSeconds).toBeGreaterThan(0);
    }
    const api = stack.functions.find((fn) => fn.logicalId.startsWith('OrdersApi'))!;
    const table = stack.tables.find((t) => t.logicalId.startsWith('OrdersTable'))!;
    expect(api.environment.TABLE_NAME).toBe(table.name);
    expect(api.environment.ORDERS_QUEUE_URL).toBe(
      stack.queues.find((q) => q.logicalId.startsWith('OrdersQueue'))!.url,
    );
    expect(api.environment.POWERTOOLS_SERVICE_NAME).toBe('orders');
  });

  it('leaves out the function CloudFormation runs to empty the profile bucket when the stack is deleted', () => {
    const resources = Object.entries(stack.template.Resources ?? {}) as [
      string,
      { Type: string; Properties?: { ServiceToken?: { 'Fn::GetAtt': string[] } } },
    ][];
    expect(resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function')).toHaveLength(6);
    const [, autoDelete] = resources.find(([, r]) => r.Type === 'Custom::S3AutoDeleteObjects')!;
    const handler = autoDelete.Properties!.ServiceToken!['Fn::GetAtt'][0]!;
    expect(stack.functions.map((fn) => fn.logicalId)).not.toContain(handler);
    const api = stack.functions.find((fn) => fn.logicalId.startsWith('OrdersApi'))!;
    expect(api.environment.LOOKOUT_PROFILE_BUCKET).toMatch(
      /^lookoutdemo-profilesbucket[0-9a-f]{8}-[0-9a-f]{12}$/,
    );
  });

  it('points the health check at the local front door once its address is known', () => {
    const check = stack.functions.find((fn) => fn.logicalId.startsWith('HealthCheck'))!;
    const [api] = stack.apis;
    expect(check.environment.HEALTH_CHECK_URL).toBe(`${api!.deployedOrigin}/health`);
    expect(
      localize(check.environment, { [api!.deployedOrigin]: 'http://127.0.0.1:3001/' }).HEALTH_CHECK_URL,
    ).toBe('http://127.0.0.1:3001/health');
  });

  it('reads the HTTP routes, the queue mapping, the schedule, the tables and the alarm topic subscription', () => {
    expect(stack.apis).toHaveLength(1);
    const [api] = stack.apis;
    // The demo's explicit $default stage: no stage in the URL.
    expect(api).toMatchObject({ kind: 'http', stage: '$default' });
    expect(api!.routes.map((route) => route.routeKey)).toEqual(
      expect.arrayContaining(['GET /health', 'POST /orders', 'GET /orders/{id}', 'GET /stats/hourly']),
    );
    const ordersApi = stack.functions.find((fn) => fn.logicalId.startsWith('OrdersApi'))!.name;
    for (const route of api!.routes)
      expect(route).toMatchObject({ functionName: ordersApi, payloadVersion: '2.0' });
    expect(stack.apiNotices).toEqual([]);
    const [mapping] = stack.eventSourceMappings;
    expect(mapping).toMatchObject({ reportBatchItemFailures: true });
    expect(mapping!.functionName).toBe(
      stack.functions.find((fn) => fn.logicalId.startsWith('OrderWorker'))!.name,
    );
    const queue = stack.queues.find((q) => q.name === mapping!.queueName)!;
    expect(queue.deadLetter?.maxReceiveCount).toBeGreaterThan(0);
    const checker = stack.functions.find((fn) => fn.logicalId.startsWith('HealthCheck'))!;
    expect(stack.rules).toEqual([
      expect.objectContaining({
        scheduleExpression: 'rate(1 minute)',
        busName: 'default',
        targets: [expect.objectContaining({ functionName: checker.name })],
      }),
    ]);
    expect(stack.tables).toHaveLength(2);
    const notifier = stack.functions.find((fn) => fn.logicalId.startsWith('AlertsNotifier'))!;
    expect(stack.snsSubscriptions.map((s) => [s.protocol, s.endpoint])).toEqual([['lambda', notifier.name]]);
    expect(stack.eventProblems).toEqual([]);
  });

  it('reads every alarm, and the dashboard body as JSON', () => {
    expect(stack.alarmProblems).toEqual([]);
    expect(stack.alarms.length).toBeGreaterThanOrEqual(20);
    expect(stack.alarms.some((alarm) => alarm.kind === 'composite')).toBe(true);
    // every alarm action is a topic the sandbox delivers to
    const topics = new Set(stack.snsSubscriptions.map((s) => s.topicArn));
    const alarmTopic = [...topics][0]!;
    // (the SLO window alarms only feed their burn-rate composites and have no actions)
    const sloWindow = (name: string) => /-Slo-.+-(Long|Short)$/.test(name);
    expect(
      stack.alarms
        .filter((alarm) => alarm.name.includes('-orders-') && !sloWindow(alarm.name))
        .every((alarm) => alarm.alarmActions.includes(alarmTopic)),
    ).toBe(true);
    expect(
      stack.alarms.filter((alarm) => sloWindow(alarm.name)).map((alarm) => alarm.alarmActions.length),
    ).toEqual(Array(16).fill(0));
    expect(stack.dashboards).toHaveLength(1);
    expect(stack.dashboards[0]!.dashboard.widgets.length).toBeGreaterThan(10);
    expect(stack.dashboardProblems).toEqual([]);
  });
});

describe('log shipping from the synthesized stack', () => {
  it('reads one subscription filter per shipped function, all to the shipper, with LogShipping’s pattern', () => {
    const shipper = stack.functions.find((fn) => fn.logicalId.startsWith('LogShippingShipper'))!;
    const others = stack.functions.filter((fn) => fn !== shipper).map((fn) => fn.name);
    expect(stack.subscriptionFilters.map((filter) => filter.sourceFunction).sort()).toEqual(others.sort());
    for (const filter of stack.subscriptionFilters) {
      expect(filter).toMatchObject({ destinationFunction: shipper.name, filterPattern: '' });
      expect(filter.logGroupName).toMatch(/^LookoutDemo-\w+LogGroup/);
    }
  });

  /**
   * The orders API and the prebuilt shipper, both run from their CDK assets; the gateway, DynamoDB,
   * SQS (the shipper's dead-letter queue) and the search engine on loopback; the subscription
   * filters between them, as the Sandbox wires them.
   */
  describe('a request’s log lines, shipped', () => {
    let dynamo: LocalDynamo;
    let sqs: SqsStandIn;
    let search: SearchStandIn;
    let subscriptions: LogSubscriptions;
    let gateway: HttpGateway;
    const running: FunctionManager[] = [];

    beforeAll(async () => {
      [dynamo, sqs, search] = await Promise.all([
        startDynalite(),
        startSqsStandIn(),
        startSearchStandIn({
          authorize: sigV4From(SANDBOX_CREDENTIALS.AWS_ACCESS_KEY_ID, SANDBOX_REGION, 'es'),
        }),
      ]);
      for (const queue of stack.queues) sqs.createQueue(queue.name);
      const ordersSpec = stack.functions.find((fn) => fn.logicalId.startsWith('OrdersApi'))!;
      await createDemoTable(dynamo.endpoint, ordersSpec.environment.TABLE_NAME!);
      const start = async (prefix: string) => {
        const spec = stack.functions.find((fn) => fn.logicalId.startsWith(prefix))!;
        const environment = localize(spec.environment, {
          [stack.apis[0]!.deployedOrigin]: 'http://127.0.0.1:9',
        });
        for (const queue of stack.queues)
          for (const [key, value] of Object.entries(environment))
            environment[key] = value.split(queue.url).join(sqs.queueUrl(queue.name));
        localizeLogShipper(environment, search.url);
        const manager = await createFunctionManager({
          name: spec.name,
          bundle: spec.assetDir,
          handler: spec.handler,
          timeoutSeconds: 30,
          memoryMb: spec.memoryMb,
          environment: {
            ...environment,
            LOOKOUT_TRACING: 'off',
            AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
            AWS_ENDPOINT_URL_SQS: sqs.url,
          },
          region: SANDBOX_REGION,
          accountId: SANDBOX_ACCOUNT,
        });
        running.push(manager);
        return manager;
      };
      const [ordersApi, shipper] = await Promise.all([start('OrdersApi'), start('LogShippingShipper')]);
      subscriptions = startLogSubscriptions({
        filters: stack.subscriptionFilters,
        owner: SANDBOX_ACCOUNT,
        invoke: async (name, event) =>
          name === shipper.name && (await shipper.invoke(event)).status === 'success',
      });
      ordersApi.onInvocation((record) => subscriptions.deliverInvocation(record));
      gateway = await startHttpGateway({
        routes: routesTo(
          ordersApi,
          stack.apis[0]!.routes.map((route) => route.routeKey),
        ),
      });
    }, 60_000);

    afterAll(async () => {
      subscriptions?.stop();
      await gateway?.close();
      await Promise.all(running.map((manager) => manager.close()));
      await Promise.all([dynamo?.close(), sqs?.close(), search?.close()]);
    });

    it('comes out as ECS documents, and the control message, EMF and nothing else with them', async () => {
      const correlationId = `ship-${randomUUID()}`;
      const response = await fetch(`${gateway.url}/orders/${randomUUID()}`, {
        headers: { 'x-correlation-id': correlationId },
      });
      expect(response.status).toBe(404);
      await waitFor(() => search.find({ correlationId }).total > 0, 30_000, 'the shipped documents');
      await subscriptions.flush();

      const [access] = search.find({ correlationId, text: '"status_code":404' }).documents;
      const ordersLogGroup = stack.subscriptionFilters.find((f) => f.sourceFunction?.includes('OrdersApi'))!;
      expect(access!.index).toMatch(/^lookout-logs-orders-\d{4}\.\d{2}\.\d{2}$/);
      expect(access!.source).toMatchObject({
        '@timestamp': expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
        log: { level: 'warn' },
        service: { name: 'orders' },
        labels: { correlation_id: correlationId },
        trace: { id: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/) },
        http: { response: { status_code: 404 }, route: 'GET /orders/{id}' },
        event: { id: expect.stringMatching(/^\d{56}$/) },
        aws: {
          cloudwatch: {
            log_group: ordersLogGroup.logGroupName,
            log_stream: expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/),
          },
        },
      });
      // Skipped by the shipper: the control messages, and the EMF lines (metrics, not logs).
      expect(search.find({ text: 'CWL CONTROL MESSAGE' }).total).toBe(0);
      expect(search.find({ text: 'CloudWatchMetrics' }).total).toBe(0);
      expect(subscriptions.stats.failedBatches).toBe(0);
    }, 60_000);
  });
});

describe('clear failures', () => {
  it('refuses a folder without a stack, and asks which one when there are several', () => {
    const assembly = mkdtempSync(join(tmpdir(), 'lookout-assembly-'));
    expect(() => readStack(assembly)).toThrow(/no stack in .*no \*\.template\.json/);
    expect(() => readStack(join(assembly, 'missing'))).toThrow(/no cloud assembly at/);
    const template = JSON.stringify({ Resources: {} });
    writeFileSync(join(assembly, 'Api.template.json'), template);
    writeFileSync(join(assembly, 'Jobs.template.json'), template);
    expect(() => readStack(assembly)).toThrow(/2 stacks \(Api, Jobs\); choose one with --stack NAME/);
    expect(readStack(assembly, 'Jobs').stackName).toBe('Jobs');
    expect(() => readStack(assembly, 'Web')).toThrow(/no stack Web in .*its stacks are: Api, Jobs/);
    rmSync(assembly, { recursive: true, force: true });
  });

  it('says when the CDK CLI is missing, and shows what a failed synth printed', async () => {
    const project = mkdtempSync(join(tmpdir(), 'lookout-project-'));
    await expect(synthesize(project, join(project, 'out'))).rejects.toThrow(
      /CDK CLI is not installed in .*npm install --save-dev aws-cdk/,
    );
    // A project whose CDK app fails at once, run by the real CLI.
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(
      join(process.cwd(), 'node_modules', '.bin', 'cdk'),
      join(project, 'node_modules', '.bin', 'cdk'),
    );
    writeFileSync(
      join(project, 'cdk.json'),
      JSON.stringify({
        app: `"${process.execPath}" -e "console.error('stack definition is broken'); process.exit(3)"`,
      }),
    );
    const failure = synthesize(project, join(project, 'out'));
    await expect(failure).rejects.toBeInstanceOf(SynthError);
    await expect(failure).rejects.toThrow(/cdk synth failed[\s\S]*stack definition is broken/);
    rmSync(project, { recursive: true, force: true });
  }, 60_000);

  it('passes context to the CDK app, as -c on the command line would', async () => {
    const project = mkdtempSync(join(tmpdir(), 'lookout-project-'));
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(
      join(process.cwd(), 'node_modules', '.bin', 'cdk'),
      join(project, 'node_modules', '.bin', 'cdk'),
    );
    // An app that reports what its App sees, then stops the synth so that synthesize shows it.
    const cdkLib = JSON.stringify(join(process.cwd(), 'node_modules', 'aws-cdk-lib'));
    const script = `const { App } = require(${cdkLib}); const app = new App(); console.error('demoFaults=' + JSON.stringify(app.node.tryGetContext('demoFaults'))); process.exit(3)`;
    writeFileSync(join(project, 'app.cjs'), script);
    writeFileSync(join(project, 'cdk.json'), JSON.stringify({ app: `"${process.execPath}" app.cjs` }));
    await expect(synthesize(project, join(project, 'out'))).rejects.toThrow(/demoFaults=undefined/);
    await expect(synthesize(project, join(project, 'out'), { demoFaults: 'true' })).rejects.toThrow(
      /demoFaults="true"/,
    );
    // --app replaces cdk.json's app, as it does for the CDK CLI.
    writeFileSync(join(project, 'other.cjs'), `console.error('the other app ran'); process.exit(3)`);
    await expect(
      synthesize(project, join(project, 'out'), {}, `"${process.execPath}" other.cjs`),
    ).rejects.toThrow(/the other app ran/);
    rmSync(join(project, 'cdk.json'));
    await expect(synthesize(project, join(project, 'out'))).rejects.toThrow(
      /no cdk.json in .*pass --app "<command>"/,
    );
    rmSync(project, { recursive: true, force: true });
  }, 60_000);
});
