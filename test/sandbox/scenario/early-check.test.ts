/**
 * A scenario that names an alarm the stack does not have is refused as soon as the stack is read:
 * exit code 2, the stack's alarms listed, and nothing started.
 */
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../sandbox/cli.js';

const work = mkdtempSync(join(tmpdir(), 'lookout-early-check-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function synthesize(): string {
  const outdir = join(work, 'cdk.out');
  const app = new App({ outdir });
  const stack = new Stack(app, 'Checked');
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => 1;'),
  });
  new cloudwatch.Alarm(stack, 'FnErrors', {
    alarmName: 'checked-fn-errors',
    metric: fn.metricErrors({ period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  app.synth();
  return outdir;
}

describe('lookout sandbox --ci --scenario', () => {
  it('refuses an alarm the stack does not have before starting anything', async () => {
    const cdkOut = synthesize();
    const scenario = join(work, 'scenario.yaml');
    writeFileSync(
      scenario,
      'phases:\n  - { minutes: 1, requests: [{ path: / }] }\nexpect:\n  - { alarm: checked-fn-errorz, reaches: ALARM }\n',
    );
    const stdout: string[] = [];
    const stderr: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    let code: number;
    try {
      code = await main(['sandbox', '--cdk-out', cdkOut, '--ci', '--scenario', scenario, '--no-traffic']);
    } finally {
      jest.restoreAllMocks();
    }
    expect(code).toBe(2);
    expect(stderr.join('')).toContain(`${scenario}: no alarm "checked-fn-errorz" in the stack`);
    expect(stderr.join('')).toContain('checked-fn-errors');
    expect(stdout.join('')).not.toMatch(/starting|functions from their CDK assets/);
  });
});
