/**
 * `npm start`: `lookout sandbox` pointed at the demo app in this repository, playing the demo's
 * traffic (normal traffic, an error burst, a latency spike) with the demo's fault injection on.
 *
 *   npm start                      console on :3000, API on :3001, time compressed 20×
 *   npm start -- --ci              play the scenario once, headless; exit 0 only if the expected
 *                                  alarms fired and resolved and their Slack messages arrived
 *   npm start -- --help            every option of `lookout sandbox`
 */
import { fileURLToPath } from 'node:url';
import { main } from './cli.js';

const scenario = fileURLToPath(new URL('traffic/demo-scenario.ts', import.meta.url));

process.exit(
  await main(['sandbox', '--scenario', scenario, '--context', 'demoFaults=true', ...process.argv.slice(2)]),
);
