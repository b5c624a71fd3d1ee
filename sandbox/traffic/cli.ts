/**
 * `npm run traffic`: drives the demo scenario (normal traffic, an error burst, a latency spike)
 * against a running sandbox — or any deployment of the orders API with `--url`.
 *
 *   npm run traffic                       the sandbox started by `npm start` (read from .sandbox/state.json)
 *   npm run traffic -- --url https://…    another deployment (its demo mode must be on for the faults)
 *   --concurrency N   --compression N (how much faster than simulated minutes; default: the sandbox's)
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { phaseName, playPhases, progressLine } from '../scenario/play.js';
import { phases as demoPhases } from './demo-scenario.js';

const { values: args } = parseArgs({
  options: { url: { type: 'string' }, concurrency: { type: 'string' }, compression: { type: 'string' } },
});
const stateFile = fileURLToPath(new URL('../../.sandbox/state.json', import.meta.url));
const state = existsSync(stateFile)
  ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { apiUrl?: string; compression?: number })
  : {};
const url = args.url ?? state.apiUrl;
if (!url) {
  process.stderr.write('No API to send traffic to: start the sandbox with `npm start`, or pass --url.\n');
  process.exit(2);
}
try {
  await fetch(new URL('/health', url), { signal: AbortSignal.timeout(5000) });
} catch {
  process.stderr.write(`The API at ${url} does not answer: is the sandbox running (npm start)?\n`);
  process.exit(2);
}

const compression = Number(args.compression ?? state.compression ?? 1);
const concurrency = Number(args.concurrency ?? 3);
const phases = demoPhases.map((phase) => ({ ...phase, concurrency }));
process.stdout.write(
  `Sending traffic to ${url}: ${phases.map((p, i) => `${phaseName(p, i)} ${Math.round((p.minutes * 60) / compression)}s`).join(', ')}\n`,
);
const stats = await playPhases(url, phases, {
  compression,
  onProgress: (progress) =>
    process.stdout.isTTY ? process.stdout.write(`\r${progressLine(progress)}\x1b[K`) : undefined,
});
process.stdout.write(
  `\nDone: ${stats.requests} requests (${Object.entries(stats.byStatus)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ')}).\n`,
);
