/**
 * CloudWatch Logs filter patterns against the examples of AWS's "Filter pattern syntax" pages
 * (unstructured terms and JSON), the patterns CDK's FilterPattern builds, and what is refused.
 */
import { describe, expect, it } from '@jest/globals';
import { FilterPattern } from 'aws-cdk-lib/aws-logs';
import { compileFilterPattern } from '../../../sandbox/sources/filter-pattern.js';

/** The unstructured events of AWS's term examples. */
const EVENTS = [
  '[ERROR 400] BAD REQUEST',
  '[ERROR 401] UNAUTHORIZED REQUEST',
  '[ERROR 419] MISSING ARGUMENTS',
  '[ERROR 420] INVALID ARGUMENTS',
];

/** The JSON event of AWS's JSON examples. */
const JSON_EVENT = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
  latency: 740,
  user: { id: 1 },
  users: [{ email: 'John.Doe@example.com' }],
  actions: ['GET', 'PUT', 'DELETE'],
});

const matcher = (pattern: string) => {
  const compiled = compileFilterPattern(pattern);
  if (!compiled.supported) throw new Error(`refused ${pattern}: ${compiled.reason}`);
  return compiled.matches;
};

describe('terms and phrases', () => {
  it.each([
    ['', [true, true, true, true]],
    ['ERROR', [true, true, true, true]],
    ['ERROR ARGUMENTS', [false, false, true, true]],
    ['?ERROR ?ARGUMENTS', [true, true, true, true]],
    ['?UNAUTHORIZED ?MISSING', [false, true, true, false]],
    ['"INTERNAL SERVER ERROR"', [false, false, false, false]],
    ['"BAD REQUEST"', [true, false, false, false]],
    ['ERROR -ARGUMENTS', [true, true, false, false]],
    ['-REQUEST', [false, false, true, true]],
    ['error', [false, false, false, false]],
  ])('%j', (pattern, expected) => {
    const matches = matcher(pattern);
    expect(EVENTS.map((event) => matches(event))).toEqual(expected);
  });
});

describe('JSON patterns', () => {
  it.each([
    ['{ $.eventType = "UpdateTrail" }', true],
    ['{ $.eventType = "CreateTrail" }', false],
    ['{ $.eventType = Update* }', true],
    ['{ $.sourceIPAddress != 123.123.* }', true],
    ['{ $.sourceIPAddress != 111.111.* }', false],
    ['{ $.arrayKey[0] = "value" }', true],
    ['{ $.arrayKey[1] = "value" }', false],
    ['{ $.objectList[1].id = 2 }', true],
    ['{ $.objectList[1].id = 1 }', false],
    ['{ $.SomeObject IS NULL }', true],
    ['{ $.SomeOtherObject NOT EXISTS }', true],
    ['{ $.SomeObject NOT EXISTS }', false],
    ['{ $.ThisFlag IS TRUE }', true],
    ['{ $.ThisFlag IS FALSE }', false],
    ['{ $.latency > 500 }', true],
    ['{ $.latency <= 500 }', false],
    ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', true],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', false],
    ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "DELETE" }', true],
    // A field that is not there never compares, not even as unequal.
    ['{ $.missing != "x" }', false],
    ['{ $.constructor = "*" }', false],
  ])('%s → %s', (pattern, expected) => {
    expect(matcher(pattern)(JSON_EVENT)).toBe(expected);
  });

  it('never matches a line that is not JSON', () => {
    expect(matcher('{ $.level = "ERROR" }')('ERROR something broke')).toBe(false);
  });

  it('matches Lookout lines by level, as a user would filter them', () => {
    const matches = matcher('{ $.level = "ERROR" || $.level = "WARN" }');
    expect(matches(JSON.stringify({ level: 'ERROR', message: 'db down' }))).toBe(true);
    expect(matches(JSON.stringify({ level: 'INFO', message: 'ok' }))).toBe(false);
  });
});

describe('the patterns CDK builds', () => {
  it('LogShipping’s own default (allEvents) matches every line', () => {
    const pattern = FilterPattern.allEvents().logPatternString;
    expect(pattern).toBe('');
    const matches = matcher(pattern);
    expect([...EVENTS, JSON_EVENT, ''].every((line) => matches(line))).toBe(true);
  });

  it.each([
    [FilterPattern.allTerms('ERROR', 'MISSING'), [false, false, true, false]],
    [FilterPattern.anyTerm('BAD', 'INVALID'), [true, false, false, true]],
    [FilterPattern.anyTermGroup(['ERROR', 'MISSING'], ['BAD']), [true, false, true, false]],
  ])('%j', (pattern, expected) => {
    expect(EVENTS.map(matcher(pattern.logPatternString))).toEqual(expected);
  });

  it('JSON combinations', () => {
    const pattern = FilterPattern.all(
      FilterPattern.stringValue('$.eventType', '=', 'UpdateTrail'),
      FilterPattern.any(
        FilterPattern.booleanValue('$.ThisFlag', false),
        FilterPattern.numberValue('$.latency', '>', 500),
      ),
    ).logPatternString;
    expect(matcher(pattern)(JSON_EVENT)).toBe(true);
    expect(matcher(FilterPattern.notExists('$.eventType').logPatternString)(JSON_EVENT)).toBe(false);
    expect(matcher(FilterPattern.isNull('$.SomeObject').logPatternString)(JSON_EVENT)).toBe(true);
  });
});

describe('refused patterns, with the reason', () => {
  it.each([
    ['%ERROR [0-9]+%', /regular expressions/],
    ['{ $.eventType = %Update.*% }', /regular expressions/],
    ['[ip, user, status=404, size]', /space-delimited/],
    ['BAD ?ERROR', /after plain terms/],
    ['?ERROR -BAD', /excluded/],
    ['{ $.eventType = }', /value after =/],
    ['{ $.latency > fast }', /compares numbers/],
    ['{ $.a = "x" ', /must end with }/],
  ])('%s', (pattern, reason) => {
    const compiled = compileFilterPattern(pattern);
    expect(compiled.supported).toBe(false);
    if (!compiled.supported) expect(compiled.reason).toMatch(reason);
  });
});
