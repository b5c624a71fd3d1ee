/**
 * The notifier's traces, as the X-Ray daemon would receive them (real Powertools Tracer, real UDP
 * socket on loopback): each alert gets a subsegment, and the webhook URL is in none of them.
 */
import { afterAll, expect, it } from '@jest/globals';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { setHandlerEnv } from '../../../support/aws-env.js';
import { lambdaContext } from '../../../support/lambda-events.js';
import { captureOutput } from '../../../support/output.js';
import { fixture, snsEvent, snsRecord } from './support/alerts.js';
import { startFakeSlack } from './support/fake-slack.js';

const TOKEN = 'xTRACEDxTOKENx5151';
const datagrams: string[] = [];
const daemon = createSocket('udp4');
daemon.on('message', (message) => datagrams.push(message.toString('utf8')));
await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
const { port } = daemon.address() as AddressInfo;

const slack = await startFakeSlack();
setHandlerEnv('lookout-slack-notifier', {
  POWERTOOLS_TRACE_ENABLED: 'true',
  AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
  LAMBDA_TASK_ROOT: '/var/task',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  _HANDLER: 'handler.handler',
  _X_AMZN_TRACE_ID: 'Root=1-6748d2a0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
  SLACK_WEBHOOK_URL: slack.webhookUrl(TOKEN),
});
const { handler } = await import('../../../../lib/handlers/slack-notifier/handler.js');

afterAll(async () => {
  daemon.close();
  await slack.close();
  for (const key of [
    'POWERTOOLS_TRACE_ENABLED',
    'AWS_XRAY_DAEMON_ADDRESS',
    '_X_AMZN_TRACE_ID',
    'SLACK_WEBHOOK_URL',
  ]) {
    delete process.env[key];
  }
});

it('traces each alert without recording the webhook URL', async () => {
  const output = captureOutput();
  try {
    await handler(
      snsEvent(snsRecord(fixture('metric-alarm'))) as never,
      lambdaContext('lookout-slack-notifier'),
    );
  } finally {
    output.restore();
  }
  expect(slack.posts).toHaveLength(1);
  const deadline = Date.now() + 3000;
  while (!datagrams.some((d) => d.includes('slack-notifier alert')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(datagrams.some((d) => d.includes('"name":"slack-notifier alert"'))).toBe(true);
  expect(datagrams.join('\n')).not.toContain(TOKEN);
  expect(output.text()).not.toContain(TOKEN);
});
