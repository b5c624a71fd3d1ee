/**
 * What a function's log looks like, as Lambda's Node.js runtime writes it: one record per
 * `console.*` call (newlines kept), at the method's level, in text or JSON format; handler, init
 * and uncaught errors logged with their type, message and stack; the platform's INIT_REPORT.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionConfig, InvocationResult } from '../../../sandbox/lambda/index.js';
import { createFunctionManager } from '../../../sandbox/lambda/index.js';
import { LogStore } from '../../../sandbox/console/logs.js';

const root = mkdtempSync(join(tmpdir(), 'lookout-runtime-logs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
async function invokeOnce(source: string, config: Partial<FunctionConfig> = {}): Promise<InvocationResult> {
  const folder = join(root, `fn-${++folders}`);
  mkdirSync(folder);
  writeFileSync(join(folder, 'index.mjs'), source);
  const fn = await createFunctionManager({ name: 'logs', bundle: folder, ...config });
  try {
    return await fn.invoke({});
  } finally {
    await fn.close();
  }
}

const CONSOLE_HANDLER = `
export const handler = async (event, context) => {
  console.log('first line\\nsecond line');
  console.error('went wrong', new Error('boom'));
  console.warn('careful');
  console.info('%s items', 3);
  console.debug('details');
  process.stdout.write('raw one\\nraw two\\n');
  return context.awsRequestId;
};
`;

const RECORD = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\t([0-9a-f-]{36})\t([A-Z]+)\t([\s\S]*)$/;

describe('console output', () => {
  it('writes one record per console call, newlines kept, at the method’s level', async () => {
    const result = await invokeOnce(CONSOLE_HANDLER);
    const records = result.lines.slice(0, 5).map((line) => RECORD.exec(line));
    expect(records.map((record) => record?.[2])).toEqual(Array(5).fill(result.requestId));
    expect(records.map((record) => [record?.[3], record?.[4]?.split('\n')[0]])).toEqual([
      ['INFO', 'first line'],
      ['ERROR', 'went wrong Error: boom'],
      ['WARN', 'careful'],
      ['INFO', '3 items'],
      ['DEBUG', 'details'],
    ]);
    expect(records[0]![4]).toBe('first line\nsecond line');
    expect(records[1]![4]).toContain('\n    at ');
    // Written straight to stdout, not through console: one event per line, as Lambda splits them.
    expect(result.lines.slice(5)).toEqual(['raw one', 'raw two']);
  });

  it('writes JSON records filtered by the application log level when LoggingConfig asks for JSON', async () => {
    const result = await invokeOnce(CONSOLE_HANDLER, { logFormat: 'JSON', applicationLogLevel: 'INFO' });
    const records = result.lines.slice(0, 4).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => [record.level, record.message])).toEqual([
      ['INFO', 'first line\nsecond line'],
      ['ERROR', expect.stringMatching(/^went wrong Error: boom\n/)],
      ['WARN', 'careful'],
      ['INFO', '3 items'],
    ]);
    expect(records[0]).toEqual({
      timestamp: expect.stringMatching(/Z$/),
      level: 'INFO',
      requestId: result.requestId,
      message: 'first line\nsecond line',
    });
    expect(records[1]).toMatchObject({
      errorType: 'Error',
      errorMessage: 'boom',
      stackTrace: expect.any(Array),
    });
    // DEBUG is below the INFO level: dropped.
    expect(result.lines.slice(4)).toEqual(['raw one', 'raw two']);
  });

  it('keeps a multi-line record as one entry in the console’s log store, with its level', async () => {
    const result = await invokeOnce(CONSOLE_HANDLER);
    const store = new LogStore();
    for (const line of result.lines)
      store.append({ functionName: 'logs', line, requestId: result.requestId });
    const errors = store.search({ level: 'ERROR' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ level: 'ERROR', requestId: result.requestId });
    expect(errors[0]!.message).toMatch(/^went wrong Error: boom\n/);
    expect(store.search({ text: 'second line' }).map((record) => record.message)).toEqual([
      'first line\nsecond line',
    ]);
  });
});

describe('errors in the log', () => {
  it('logs a handler’s error as "Invoke Error" with its type, message and stack', async () => {
    const result = await invokeOnce(`
      class CardDeclined extends Error { name = 'CardDeclined'; code = 'E42'; }
      export const handler = async () => { throw new CardDeclined('card declined'); };
    `);
    expect(result.error).toMatchObject({ errorType: 'CardDeclined', errorMessage: 'card declined' });
    const line = result.lines.at(-1)!;
    const [, , requestId, level, message] = RECORD.exec(line)!;
    expect([requestId, level]).toEqual([result.requestId, 'ERROR']);
    expect(message!.startsWith('Invoke Error \t{')).toBe(true);
    const logged = JSON.parse(message!.slice('Invoke Error \t'.length)) as Record<string, unknown>;
    expect(logged).toMatchObject({ errorType: 'CardDeclined', errorMessage: 'card declined', code: 'E42' });
    expect((logged.stack as string[])[0]).toBe('CardDeclined: card declined');
    expect((logged.stack as string[]).length).toBeGreaterThan(1);
    expect(Object.keys(logged)).toEqual(['errorType', 'errorMessage', 'code', 'name', 'stack']);
  });

  it('logs a handler’s error as a JSON record in JSON format', async () => {
    const result = await invokeOnce(
      `export const handler = async () => { throw new TypeError('bad input'); };`,
      {
        logFormat: 'JSON',
      },
    );
    const logged = JSON.parse(result.lines.at(-1)!) as Record<string, unknown>;
    expect(logged).toMatchObject({
      level: 'ERROR',
      requestId: result.requestId,
      message: { errorType: 'TypeError', errorMessage: 'bad input', stackTrace: expect.any(Array) },
    });
  });

  it('logs an init failure as an uncaught exception, then the platform’s INIT_REPORT', async () => {
    const result = await invokeOnce(`throw new Error('no config');\nexport const handler = async () => 1;`);
    expect(result).toMatchObject({
      status: 'error',
      error: { errorType: 'Error', errorMessage: 'no config' },
    });
    const [uncaught, report] = result.lines.slice(-2);
    const [, , requestId, level, message] = RECORD.exec(
      uncaught!.replace('\tundefined\t', `\t${'0'.repeat(36)}\t`),
    )!;
    expect([requestId, level]).toEqual(['0'.repeat(36), 'ERROR']);
    expect(uncaught).toContain(
      '\tundefined\tERROR\tUncaught Exception \t{"errorType":"Error","errorMessage":"no config"',
    );
    expect(JSON.parse(message!.slice('Uncaught Exception \t'.length)).stack[0]).toBe('Error: no config');
    expect(report).toMatch(
      /^INIT_REPORT Init Duration: \d+\.\d{2} ms\tPhase: init\tStatus: error\tError Type: Error$/,
    );
  });

  it('logs a missing module at init as Runtime.ImportModuleError, and reports it in JSON when asked', async () => {
    const result = await invokeOnce(`import 'no-such-package-here';\nexport const handler = async () => 1;`, {
      logFormat: 'JSON',
    });
    expect(result.error?.errorType).toBe('Runtime.ImportModuleError');
    const [uncaught, report] = result.lines
      .slice(-2)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(uncaught).toMatchObject({
      level: 'ERROR',
      message: { errorMessage: expect.stringContaining("Cannot find package 'no-such-package-here'") },
    });
    expect(report).toEqual({
      time: expect.any(String),
      type: 'platform.initReport',
      record: {
        initializationType: 'on-demand',
        phase: 'init',
        status: 'error',
        errorType: 'Runtime.ImportModuleError',
        metrics: { durationMs: result.initDurationMs },
      },
    });
  });
});
