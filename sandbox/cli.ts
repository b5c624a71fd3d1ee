/**
 * `lookout sandbox`: a CDK app's stack on this machine, no AWS account needed. Run it in the app's
 * folder; it synthesizes the app, runs its functions, alarms, dashboard and Slack path on loopback,
 * and, given a scenario, sends its traffic and checks what should follow.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ServedApi } from './sandbox.js';
import { Sandbox } from './sandbox.js';
import { checkExpectations, knownAlarms, resolveExpectations } from './scenario/expectations.js';
import type { ResolvedExpectation } from './scenario/expectations.js';
import type { Scenario } from './scenario/format.js';
import { loadScenario, ScenarioError } from './scenario/format.js';
import { playPhases, phaseName, progressLine } from './scenario/play.js';
import type { PlayProgress } from './scenario/play.js';
import type { StackOutput } from './template/index.js';
import { SynthError } from './template/index.js';
import { summarize } from './summary.js';
import { ValuesError } from './values.js';

const USAGE = `Usage: lookout sandbox [options]

Runs the CDK app in this folder on this machine: its functions, alarms, dashboard and Slack alerts.

  --app "<command>"    the CDK app to synthesize (default: cdk.json's "app")
  --cdk-out DIR        run an already synthesized cloud assembly instead
  --stack NAME         which stack, when the app has several
  -c, --context K=V    CDK context for the synth (repeatable), as with cdk synth
  --scenario FILE      traffic to send and what must follow (JSON, YAML or a module)
  --values FILE        secret and parameter values (JSON or YAML): over the template's, or for
                       what the stack imports; e.g. secrets: { db: { password: x } }
  --ci                 play the scenario once, headless; exit 0 only if its expectations held
  --no-traffic         run the stack without playing the scenario
  --port N             the console (dashboard) port (default 3000; with --ci any free port)
  --api-port N         the first API's port (default 3001; with --ci any free port)
  --compression N      simulated seconds per real second (default 20, or the scenario's; --ci 30)
  -h, --help           this help
`;

const say = (message: string) => process.stdout.write(`${message}\n`);
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

class UsageError extends Error {}

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      app: { type: 'string' },
      'cdk-out': { type: 'string' },
      stack: { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true, default: [] },
      scenario: { type: 'string' },
      values: { type: 'string' },
      ci: { type: 'boolean', default: false },
      'no-traffic': { type: 'boolean', default: false },
      port: { type: 'string' },
      'api-port': { type: 'string' },
      compression: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (positionals.length > 0 && positionals[0] !== 'sandbox')
    throw new UsageError(`unknown command "${positionals[0]}"; the command is: lookout sandbox`);
  if (values.app && values['cdk-out']) throw new UsageError('--app and --cdk-out are alternatives: pass one');
  if (values.ci && !values.scenario) throw new UsageError('--ci plays a scenario: pass --scenario FILE');
  const context: Record<string, string> = {};
  for (const entry of values.context) {
    const at = entry.indexOf('=');
    if (at <= 0) throw new UsageError(`--context takes key=value, not "${entry}"`);
    context[entry.slice(0, at)] = entry.slice(at + 1);
  }
  const number = (name: 'port' | 'api-port' | 'compression', min: number, max: number) => {
    const text = values[name];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, not "${text}"`);
    return value;
  };
  return {
    ...values,
    context,
    port: number('port', 0, 65535),
    apiPort: number('api-port', 0, 65535),
    compression: number('compression', 1, 600),
  };
}

const KIND_NAMES = { http: 'HTTP', rest: 'REST', url: 'function URL' } as const;

/** The start-up lines for the stack's outputs: none without outputs; every value in one column. */
export function outputLines(outputs: StackOutput[]): string[] {
  if (outputs.length === 0) return [];
  const width = Math.max(14, ...outputs.map((output) => output.name.length + 2));
  return [
    "outputs (the stack's CfnOutputs, as they read here):",
    ...outputs.map(
      (output) => `  ${output.name.padEnd(width)}${output.value ?? `(not known here: ${output.problem})`}`,
    ),
  ];
}

/** `API  http://127.0.0.1:3001/prod  OrdersApi (REST, stage prod): GET /items, ANY /{proxy+}` */
export function apiLine(api: ServedApi): string {
  const stage = api.kind !== 'url' && api.stage !== '$default' ? `, stage ${api.stage}` : '';
  const routes =
    api.kind === 'url'
      ? `every method and path → ${api.functionNames.join(', ')}`
      : api.routes.slice(0, 6).join(', ') +
        (api.routes.length > 6 ? `, … (${api.routes.length} routes)` : '');
  return `API         ${api.url}   ${api.logicalId} (${KIND_NAMES[api.kind]}${stage}): ${routes}`;
}

/**
 * The API a scenario's paths go to: the one it names by logical id or construct path (with or
 * without the stack's name in front), else the first.
 */
export function chooseApi(apis: ServedApi[], wanted: string | undefined): ServedApi | undefined {
  if (wanted === undefined) return apis[0];
  const found = apis.find(
    (api) =>
      api.logicalId === wanted ||
      api.constructPath === wanted ||
      api.constructPath?.split('/').slice(1).join('/') === wanted,
  );
  if (found) return found;
  const known = apis.map((api) => `${api.logicalId}${api.constructPath ? ` (${api.constructPath})` : ''}`);
  throw new ScenarioError(
    `the scenario's api "${wanted}" is none of the stack's APIs; they are: ${known.join(', ') || '(none)'}`,
  );
}

export async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = options(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    say(USAGE);
    return 0;
  }
  const projectRoot = process.cwd();
  let scenario: Scenario | undefined;
  try {
    scenario = args.scenario ? await loadScenario(args.scenario, projectRoot) : undefined;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const compression = args.compression ?? scenario?.compression ?? (args.ci ? 30 : 20);

  let sandbox: Sandbox | undefined;
  const stopped = new AbortController();
  const stop = async (code: number) => {
    stopped.abort();
    await sandbox?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(130));
  process.on('SIGTERM', () => void stop(143));

  const startedAt = Date.now();
  let expectations: ResolvedExpectation[] = [];
  try {
    sandbox = await Sandbox.start({
      projectRoot,
      consolePort: args.port ?? (args.ci ? 0 : 3000),
      apiPort: args.apiPort ?? (args.ci ? 0 : 3001),
      compression,
      context: args.context,
      ...(process.env.SLACK_WEBHOOK_URL ? { slackWebhookUrl: process.env.SLACK_WEBHOOK_URL } : {}),
      ...(args['cdk-out'] ? { cdkOut: resolve(projectRoot, args['cdk-out']) } : {}),
      ...(args.app ? { app: args.app } : {}),
      ...(args.stack ? { stack: args.stack } : {}),
      ...(args.values ? { values: args.values } : {}),
      log: (message) => say(`  ${message}`),
      checkStack: (stack) => {
        expectations = resolveExpectations(scenario?.expect ?? [], knownAlarms(stack));
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await sandbox?.stop();
    if (error instanceof ScenarioError) {
      process.stderr.write(`${args.scenario}: ${message}\n`);
      return 2;
    }
    process.stderr.write(`\nThe sandbox could not start: ${message}\n`);
    return error instanceof SynthError || error instanceof ValuesError ? 2 : 1;
  }

  let target: ServedApi | undefined;
  try {
    target = chooseApi(sandbox.apis, scenario?.api);
  } catch (error) {
    process.stderr.write(`${args.scenario}: ${error instanceof Error ? error.message : String(error)}\n`);
    await sandbox.stop();
    return 2;
  }

  writeFileSync(
    join(projectRoot, '.sandbox', 'state.json'),
    `${JSON.stringify({ apiUrl: sandbox.apiUrl, consoleUrl: sandbox.consoleUrl, compression }, null, 2)}\n`,
  );
  const { stack } = sandbox;
  say(
    `\nLookout sandbox is up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (time runs ${compression}× faster for metrics and alarms).`,
  );
  say(
    `  stack       ${stack.stackName}: ${count(stack.functions.length, 'function')}, ${count(stack.alarms.length, 'alarm')}, ${count(stack.dashboards.length, 'dashboard')}`,
  );
  say(`  dashboard   ${sandbox.consoleUrl}`);
  for (const api of sandbox.apis) say(`  ${apiLine(api)}`);
  for (const notice of stack.apiNotices) {
    const effect =
      notice.effect === 'ignored' ? 'requests pass through without it' : 'requests to it will fail';
    say(`  ${notice.effect}: ${notice.logicalId} (${notice.type}): ${notice.why}; ${effect}`);
  }
  say(
    `  Slack       ${process.env.SLACK_WEBHOOK_URL ? 'your webhook (SLACK_WEBHOOK_URL)' : 'local, shown on the dashboard'}`,
  );
  say(
    `  AWS endpoints (aws --endpoint-url URL, or AWS_ENDPOINT_URL_DYNAMODB, _S3, _SQS, _SNS, _EVENTBRIDGE, _LAMBDA, _SECRETS_MANAGER, _SSM):`,
  );
  say(
    `${Object.entries(sandbox.endpoints)
      .map(([service, url]) => `    ${service.padEnd(16)}${url}`)
      .join('\n')}`,
  );
  for (const line of outputLines(sandbox.outputs())) say(`  ${line}`);
  say('');

  const onProgress = process.stdout.isTTY
    ? (progress: PlayProgress) => process.stdout.write(`\r${progressLine(progress)}\x1b[K`)
    : undefined;
  const play = async () => {
    if (!target)
      throw new ScenarioError('the scenario sends requests, but the stack has no API the sandbox serves');
    const stats = await playPhases(target.url, scenario!.phases, {
      compression,
      signal: stopped.signal,
      ...(onProgress ? { onProgress } : {}),
    });
    if (onProgress) say('');
    return stats;
  };

  try {
    if (args.ci) {
      const phases = scenario!.phases;
      say(
        `Playing the scenario once: ${phases.map((phase, index) => `${phaseName(phase, index)} ${phase.minutes} min`).join(', ')} (simulated)`,
      );
      const traffic = await play();
      const settleBy = Date.now() + (scenario!.settleMinutes * 60_000) / compression;
      while (
        !checkExpectations(expectations, sandbox.observed()).every((result) => result.held) &&
        Date.now() < settleBy
      ) {
        await new Promise((done) => setTimeout(done, 1000));
      }
      const summary = await summarize(sandbox, {
        traffic,
        expectations: checkExpectations(expectations, sandbox.observed()),
      });
      say(summary.text);
      await sandbox.stop();
      return summary.ok ? 0 : 1;
    }
    if (scenario && !args['no-traffic']) {
      say('Playing the scenario over and over (Ctrl-C to stop). Watch the alarms fire and resolve.');
      for (;;) {
        const traffic = await play();
        say(
          (
            await summarize(sandbox, {
              traffic,
              expectations: checkExpectations(expectations, sandbox.observed()),
            })
          ).text,
        );
      }
    }
    say('No scenario playing: send your own requests. Ctrl-C to stop.');
    return await new Promise<number>(() => {});
  } catch (error) {
    process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
    await sandbox.stop();
    return 1;
  }
}
