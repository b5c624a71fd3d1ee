/**
 * `npm start`: the whole stack on this machine, no AWS account needed. Prints where to look, then
 * drives the demo traffic scenario over and over (normal traffic, an error burst, a latency spike)
 * so that alarms fire, reach Slack and resolve.
 *
 *   npm start                      console on :3000, API on :3001, time compressed 20×
 *   npm start -- --ci              run the scenario once, headless; exit 0 only if the expected
 *                                  alarms fired and resolved and their Slack messages arrived
 *   --port N --api-port N --compression N --no-traffic --cdk-out DIR
 */
import { parseArgs } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sandbox } from './sandbox.js';
import { summarize, expectedAlarmsSettled } from './summary.js';
import { progressLine, runScenario, scenarioFor } from './traffic/scenario.js';

const projectRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const { values: args } = parseArgs({
  options: {
    ci: { type: 'boolean', default: false },
    port: { type: 'string' },
    'api-port': { type: 'string' },
    compression: { type: 'string' },
    'no-traffic': { type: 'boolean', default: false },
    'cdk-out': { type: 'string' },
  },
});

const ci = args.ci;
const compression = Number(args.compression ?? (ci ? 30 : 20));
const say = (message: string) => process.stdout.write(`${message}\n`);

let sandbox: Sandbox | undefined;
const shutdown = async (code: number) => {
  await sandbox?.stop();
  process.exit(code);
};
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

try {
  const startedAt = Date.now();
  sandbox = await Sandbox.start({
    projectRoot,
    consolePort: Number(args.port ?? (ci ? 0 : 3000)),
    apiPort: Number(args['api-port'] ?? (ci ? 0 : 3001)),
    compression,
    // The scenario makes the alarms fire with the demo's fault headers, which are off unless asked for.
    context: { demoFaults: 'true' },
    ...(process.env.SLACK_WEBHOOK_URL ? { slackWebhookUrl: process.env.SLACK_WEBHOOK_URL } : {}),
    ...(args['cdk-out'] ? { cdkOut: args['cdk-out'] } : {}),
    log: (message) => say(`  ${message}`),
  });
  writeFileSync(
    join(projectRoot, '.sandbox', 'state.json'),
    `${JSON.stringify({ apiUrl: sandbox.apiUrl, consoleUrl: sandbox.consoleUrl, compression }, null, 2)}\n`,
  );
  say(
    `\nLookout sandbox is up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (time runs ${compression}× faster for metrics and alarms).`,
  );
  say(`  dashboard   ${sandbox.consoleUrl}`);
  say(`  orders API  ${sandbox.apiUrl}   (try: curl ${sandbox.apiUrl}/health)`);
  say(
    `  Slack       ${process.env.SLACK_WEBHOOK_URL ? 'your webhook (SLACK_WEBHOOK_URL)' : 'local, shown on the dashboard'}\n`,
  );

  const phases = scenarioFor(compression);
  const onProgress = process.stdout.isTTY
    ? (progress: Parameters<typeof progressLine>[0]) =>
        process.stdout.write(`\r${progressLine(progress)}\x1b[K`)
    : undefined;

  if (ci) {
    say(`Running the scenario once: ${phases.map((p) => `${p.name} ${p.seconds}s`).join(', ')}`);
    const traffic = await runScenario(sandbox.apiUrl, phases, {
      concurrency: 3,
      ...(onProgress ? { onProgress } : {}),
    });
    if (onProgress) say('');
    const deadline = Date.now() + ((6 * 60_000) / compression) * 10;
    while (!expectedAlarmsSettled(sandbox) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 1000));
    const summary = await summarize(sandbox, traffic);
    say(summary.text);
    await shutdown(summary.ok ? 0 : 1);
  } else if (!args['no-traffic']) {
    say('Driving demo traffic (Ctrl-C to stop). Watch the error-rate and latency alarms fire and resolve.');
    for (;;) {
      await runScenario(sandbox.apiUrl, phases, { concurrency: 3, ...(onProgress ? { onProgress } : {}) });
      if (onProgress) say('');
      say((await summarize(sandbox)).text);
    }
  } else {
    say(
      'No traffic (--no-traffic): send your own, or run `npm run traffic` in another terminal. Ctrl-C to stop.',
    );
  }
} catch (error) {
  process.stderr.write(
    `\nThe sandbox could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  await shutdown(1);
}
