#!/usr/bin/env node
/**
 * The `lookout` command. Its command, `lookout sandbox`, lives in the `lookout-sandbox` package, a
 * development dependency, so that the sandbox's own dependencies (dynalite, AWS SDK clients,
 * esbuild) never reach a function's install.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const USAGE = `Usage: lookout sandbox [options]   (lookout sandbox --help for the options)

  sandbox   run this folder's CDK app on this machine: functions, alarms, dashboard, Slack alerts
`;

/** The sandbox's entry, as installed in the project the command runs in (or beside this package). */
function findSandbox(): string | undefined {
  for (const from of [join(process.cwd(), 'package.json'), import.meta.filename]) {
    try {
      return createRequire(from).resolve('lookout-sandbox/cli');
    } catch {
      // not installed there
    }
  }
  return undefined;
}

const [command, ...rest] = process.argv.slice(2);
if (command !== 'sandbox') {
  const unknown = command !== undefined && command !== '--help' && command !== '-h';
  (unknown ? process.stderr : process.stdout).write(
    `${unknown ? `unknown command "${command}"\n\n` : ''}${USAGE}`,
  );
  process.exit(unknown ? 2 : 0);
}
const entry = findSandbox();
if (!entry) {
  process.stderr.write(
    'The sandbox is a separate development dependency. Install it in your CDK app, then run this again:\n\n' +
      '  npm install --save-dev lookout-sandbox\n',
  );
  process.exit(2);
}
const { main } = (await import(pathToFileURL(entry).href)) as { main(argv: string[]): Promise<number> };
process.exit(await main(['sandbox', ...rest]));
