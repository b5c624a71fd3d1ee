/**
 * The sandbox runs a stack shaped like the public CDK examples (see catalog-stack.ts) from its
 * synthesized assembly: a scenario's requests go through the REST API to CommonJS handlers that use
 * the runtime's AWS SDK, the queue, the event bus, the topic and the schedule carry the work on,
 * and the app's own plain CloudWatch alarms fire and reach Slack.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Sandbox } from '../../../sandbox/sandbox.js';
import {
  checkExpectations,
  knownAlarms,
  resolveExpectations,
} from '../../../sandbox/scenario/expectations.js';
import { parseScenario } from '../../../sandbox/scenario/format.js';
import { playPhases } from '../../../sandbox/scenario/play.js';
import { SANDBOX_REGION } from '../../../sandbox/template/index.js';
import { waitFor } from '../lambda/support.js';
import { synthesizeCatalog } from './catalog-stack.js';

const COMPRESSION = 60;
let work: string;
let sandbox: Sandbox;
const startUp: string[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lookout-catalog-'));
  synthesizeCatalog(join(work, 'cdk.out'));
  sandbox = await Sandbox.start({
    projectRoot: work,
    cdkOut: join(work, 'cdk.out'),
    consolePort: 0,
    apiPort: 0,
    compression: COMPRESSION,
    log: (line) => startUp.push(line),
  });
}, 180_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The table's keys, by the prefix each part of the app writes. */
async function keys(): Promise<string[]> {
  const client = new DynamoDBClient({
    endpoint: sandbox.endpoints.dynamodb,
    region: SANDBOX_REGION,
    credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
  });
  try {
    const table = sandbox.stack.tables[0]!.name;
    const { Items = [] } = await client.send(new ScanCommand({ TableName: table }));
    return Items.map((item) => item.pk!.S!);
  } finally {
    client.destroy();
  }
}

it('runs every function, with names cut the way CloudFormation cuts them', () => {
  expect(startUp.filter((line) => line.startsWith('not emulated'))).toEqual([]);
  expect(sandbox.functions.size).toBe(5 + 1); // the app's five and the Slack notifier
  for (const name of sandbox.functions.keys()) expect(name.length).toBeLessThanOrEqual(64);
  expect(sandbox.apis.map((api) => api.url)).toEqual([
    expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/prod$/),
  ]);
});

it('plays a scenario: the work flows through queue, bus, topic and schedule, and the alarms fire and reach Slack', async () => {
  const scenario = parseScenario({
    phases: [
      {
        name: 'shopping',
        minutes: 3,
        rate: 10,
        requests: [
          { method: 'POST', path: '/items', body: { name: 'lamp', category: 'lighting' } },
          { path: '/items?category=lighting' },
        ],
      },
      {
        name: 'trouble',
        minutes: 3,
        rate: 10,
        requests: [
          { method: 'POST', path: '/items', body: { name: 'poison', category: 'bad' }, weight: 1 },
          { path: '/items', headers: { 'x-fail': 'true' }, weight: 1 },
        ],
      },
    ],
    expect: [
      { alarm: 'CatalogErrors', reaches: 'ALARM' },
      { alarm: 'AuditDeadLettersWaiting', reaches: 'ALARM' },
      { slackMentions: 'CatalogErrors' },
      { onlyAlarms: ['CatalogErrors', 'AuditDeadLettersWaiting'] },
    ],
  });
  const expectations = resolveExpectations(scenario.expect, knownAlarms(sandbox.stack));
  const traffic = await playPhases(sandbox.apis[0]!.url, scenario.phases, { compression: COMPRESSION });
  // The shopping phase's 30 and the trouble phase's poison items succeed; its failing reads do not.
  expect(traffic.byStatus['2xx']).toBeGreaterThanOrEqual(31);
  expect(traffic.byStatus['5xx']).toBeGreaterThan(0);

  // The GSI answers the query by category.
  const listed = (await (await fetch(`${sandbox.apis[0]!.url}/items?category=lighting`)).json()) as {
    items: { name: string }[];
  };
  expect(listed.items.length).toBeGreaterThan(0);
  expect(listed.items.every((item) => item.name === 'lamp')).toBe(true);

  await waitFor(
    () => checkExpectations(expectations, sandbox.observed()).every((result) => result.held),
    60_000,
    'the expectations to hold',
  ).catch(() => undefined);
  expect(checkExpectations(expectations, sandbox.observed())).toEqual(
    expectations.map(() => expect.objectContaining({ held: true })),
  );

  // Queue → audit → bus → announce → topic → queue → archive; and the schedule's runs.
  const prefixes = ['audit#', 'archive#', 'tick#'];
  let found: string[] = [];
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const pks = await keys();
    found = prefixes.filter((prefix) => pks.some((pk) => pk.startsWith(prefix)));
    if (found.length === prefixes.length) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(found).toEqual(prefixes);
}, 240_000);
