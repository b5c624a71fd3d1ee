/**
 * The values file (`--values FILE`): JSON or YAML, checked with every problem named by file and path,
 * never quoting a value back; and the command line refusing a bad one with exit code 2.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../sandbox/cli.js';
import { loadValues, ValuesError } from '../../sandbox/values.js';

let dir: string;
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lookout-values-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadValues', () => {
  it('reads YAML and JSON: secrets as strings or objects, parameters as strings or lists', async () => {
    const yaml = file(
      'values.yaml',
      [
        'secrets:',
        '  prod/db: { username: app, password: s3cret }',
        '  ApiKey: k',
        'parameters:',
        '  /a: x',
        '  /b: [one, two]',
        '',
      ].join('\n'),
    );
    expect(await loadValues(yaml)).toEqual({
      secrets: { 'prod/db': { username: 'app', password: 's3cret' }, ApiKey: 'k' },
      parameters: { '/a': 'x', '/b': ['one', 'two'] },
    });
    const json = file('values.json', JSON.stringify({ parameters: { '/a': 'x' } }));
    expect(await loadValues(json)).toEqual({ secrets: {}, parameters: { '/a': 'x' } });
    expect(await loadValues(file('empty.yml', ''))).toEqual({ secrets: {}, parameters: {} });
  });

  it('names the file and the path of every problem, without quoting the values', async () => {
    const bad = file(
      'bad.yaml',
      [
        'secret: {}',
        'secrets:',
        '  db: 42',
        'parameters:',
        '  /list: [ok, "has,comma"]',
        '  /empty: ""',
        '  /number: 7',
        '',
      ].join('\n'),
    );
    const error = await loadValues(bad).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValuesError);
    const message = (error as Error).message;
    expect(message).toContain(`${bad} is not a valid values file`);
    expect(message).toMatch(/\(top level\): Unrecognized key: "secret"/);
    expect(message).toMatch(/secrets\.db: a string or an object/);
    expect(message).toMatch(/parameters\.\/list\.1: a list item has no comma/);
    expect(message).toMatch(/parameters\.\/empty: .*/);
    expect(message).toMatch(/parameters\.\/number: a string or a list of strings/);
  });

  it('says where a syntax error is without showing the line, which may hold a secret', async () => {
    const broken = file('broken.yaml', 'secrets:\n  db: password: hunter2\n');
    const message = await loadValues(broken).then(
      () => '',
      (error: unknown) => (error as Error).message,
    );
    expect(message).toMatch(/broken\.yaml could not be parsed: .*line 2, column \d+$/);
    expect(message).not.toContain('hunter2');
    const json = file('broken.json', '{"secrets": {"db": "hunter2",, }}');
    const jsonMessage = await loadValues(json).then(
      () => '',
      (error: unknown) => (error as Error).message,
    );
    expect(jsonMessage).toMatch(/broken\.json could not be parsed: .*line 1/);
    expect(jsonMessage).not.toContain('hunter2');
  });

  it('refuses a missing file and an unknown extension', async () => {
    await expect(loadValues(join(dir, 'none.yaml'))).rejects.toThrow(/none\.yaml could not be read/);
    await expect(loadValues(file('values.txt', ''))).rejects.toThrow(/a \.json, \.yaml or \.yml file/);
  });
});

describe('lookout sandbox --values', () => {
  const stderr: string[] = [];
  afterEach(() => {
    jest.restoreAllMocks();
    stderr.length = 0;
  });

  it('exits 2 on a bad values file, before synthesizing anything, naming the file and the path', async () => {
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    const bad = file('cli-bad.yaml', 'secrets:\n  db: [not, a, secret]\n');
    const code = await main(['sandbox', '--values', bad, '--cdk-out', join(dir, 'no-such-assembly')]);
    expect(code).toBe(2);
    expect(stderr.join('')).toMatch(
      new RegExp(`${bad} is not a valid values file:\\n  secrets\\.db: a string or an object`),
    );
  });
});
