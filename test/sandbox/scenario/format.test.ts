/** Scenario files: JSON, YAML and modules, with defaults, and clear errors that say where. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, parseScenario, ScenarioError } from '../../../sandbox/scenario/format.js';

const folder = mkdtempSync(join(tmpdir(), 'lookout-scenario-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  writeFileSync(join(folder, name), text);
  return name;
};

describe('loading a scenario', () => {
  it('reads YAML and fills in the defaults', async () => {
    const file = write(
      'checkout.yaml',
      [
        'phases:',
        '  - name: steady',
        '    minutes: 5',
        '    requests:',
        '      - { path: /health }',
        '      - { method: post, path: /orders, body: { sku: A-1 }, weight: 3 }',
        '  - minutes: 2',
        '    rate: 600',
        "    headers: { x-fail: 'true' }",
        '    requests: [{ path: /boom }]',
        'expect:',
        '  - { alarm: ErrorRate, reaches: ALARM }',
        '  - { alarm: ErrorRate, returnsTo: OK }',
        '  - { slackMentions: ErrorRate }',
        '  - { onlyAlarms: [ErrorRate] }',
      ].join('\n'),
    );
    const scenario = await loadScenario(file, folder);
    expect(scenario.phases[0]!.requests).toEqual([
      { method: 'GET', path: '/health', headers: {}, weight: 1 },
      { method: 'POST', path: '/orders', headers: {}, body: { sku: 'A-1' }, weight: 3 },
    ]);
    expect(scenario.phases[1]).toMatchObject({ minutes: 2, rate: 600, headers: { 'x-fail': 'true' } });
    expect(scenario.expect).toEqual([
      { alarm: 'ErrorRate', reaches: 'ALARM' },
      { alarm: 'ErrorRate', returnsTo: 'OK' },
      { slackMentions: 'ErrorRate', atLeast: 1 },
      { onlyAlarms: ['ErrorRate'] },
    ]);
    expect(scenario.settleMinutes).toBe(30);
  });

  it('reads JSON, and a module whose phases are driven by code', async () => {
    const json = write('s.json', JSON.stringify({ phases: [{ minutes: 1, requests: [{ path: '/' }] }] }));
    expect((await loadScenario(json, folder)).phases).toHaveLength(1);
    const module = write(
      's.mjs',
      'export default { phases: [{ minutes: 1, run: async (api) => { await api("GET", "/") } }] };',
    );
    const scenario = await loadScenario(module, folder);
    expect(typeof scenario.phases[0]!.run).toBe('function');
  });

  it.each([
    ['an unknown extension', 'scenario.txt', 'phases: []', /a \.json, \.yaml or \.yml file, or a module/],
    ['a file that is not there', 'missing.json', undefined, /missing\.json could not be read/],
    ['broken YAML', 'broken.yaml', 'phases: [', /broken\.yaml could not be read/],
  ])('refuses %s', async (_, name, text, message) => {
    if (text !== undefined) write(name, text);
    await expect(loadScenario(name, folder)).rejects.toThrow(message);
    await expect(loadScenario(name, folder)).rejects.toBeInstanceOf(ScenarioError);
  });
});

describe('what a scenario may say', () => {
  const phase = { minutes: 1, requests: [{ path: '/' }] };
  it.each([
    ['no phases', { phases: [] }, /phases: /],
    ['a phase of no time', { phases: [{ ...phase, minutes: 0 }] }, /phases\.0\.minutes: /],
    [
      'a path without its slash',
      { phases: [{ minutes: 1, requests: [{ path: 'orders' }] }] },
      /phases\.0\.requests\.0\.path: a path starting with \//,
    ],
    ['a misspelt key', { phases: [{ ...phase, minuets: 3 }] }, /phases\.0: .*minuets/],
    [
      'both requests and run',
      { phases: [{ ...phase, run: async () => {} }] },
      /either `requests` \(a list\) or `run`/,
    ],
    ['neither requests nor run', { phases: [{ minutes: 1 }] }, /either `requests`/],
    ['an unknown alarm state', { phases: [phase], expect: [{ alarm: 'A', reaches: 'RED' }] }, /expect\.0/],
    [
      'a GET with a body',
      { phases: [{ minutes: 1, requests: [{ path: '/', body: 'x' }] }] },
      /a GET or HEAD request has no body/,
    ],
    ['a negative settle time', { phases: [phase], settleMinutes: -1 }, /settleMinutes: /],
  ])('refuses %s, saying where', (_, value, message) => {
    expect(() => parseScenario(value, 'mine.yaml')).toThrow(/^mine\.yaml is not a valid scenario:/);
    expect(() => parseScenario(value, 'mine.yaml')).toThrow(message);
  });
});
