/** EventBridge content filtering, on the examples of AWS's "Content filtering in event patterns" page. */
import { describe, expect, it } from '@jest/globals';
import { matchesPattern, PatternError, validatePattern } from '../../../sandbox/sources/event-pattern.js';

const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    'file-name': 'photo.PNG',
    'event-bus-arn': 'arn:aws:events:us-east-1:123456789012:event-bus/orders',
    'response-elements': null,
    tags: ['blue', 'prod'],
  },
};
const matches = (pattern: Record<string, unknown>) => matchesPattern(pattern, ec2Event);

describe('event patterns', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['exact value', { source: ['aws.ec2'] }, true],
    ['exact value, case sensitive', { source: ['AWS.EC2'] }, false],
    ['any of several values', { detail: { state: ['stopped', 'terminated'] } }, true],
    ['every field must match', { source: ['aws.ec2'], detail: { state: ['running'] } }, false],
    [
      'a value in an event array',
      { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] },
      true,
    ],
    ['any element of an event array', { detail: { tags: ['prod'] } }, true],
    ['numbers compare as numbers', { detail: { 'c-count': [5.0] } }, true],
    ['null matches null', { detail: { 'response-elements': [null] } }, true],
    ['null does not match a missing field', { detail: { missing: [null] } }, false],
    ['prefix', { time: [{ prefix: '2017-12-22' }] }, true],
    ['prefix ignoring case', { 'detail-type': [{ prefix: { 'equals-ignore-case': 'ec2 instance' } }] }, true],
    ['suffix', { detail: { 'file-name': [{ suffix: '.png' }] } }, false],
    [
      'suffix ignoring case',
      { detail: { 'file-name': [{ suffix: { 'equals-ignore-case': '.png' } }] } },
      true,
    ],
    [
      'equals-ignore-case',
      { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] },
      true,
    ],
    ['anything-but a value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but a list', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, false],
    ['anything-but a number', { detail: { 'c-count': [{ 'anything-but': 5 }] } }, false],
    ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, false],
    ['anything-but a suffix', { detail: { 'file-name': [{ 'anything-but': { suffix: '.txt' } }] } }, true],
    [
      'anything-but ignoring case',
      { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'TERMINATED'] } }] } },
      false,
    ],
    [
      'anything-but a wildcard',
      { detail: { 'event-bus-arn': [{ 'anything-but': { wildcard: '*/orders' } }] } },
      false,
    ],
    ['anything-but needs the field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    ['numeric, outside the range', { detail: { 'd-count': [{ numeric: ['<', 3] }] } }, false],
    ['numeric equality', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, true],
    ['numeric does not match a string', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
    ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
    ['cidr, another block', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
    ['exists', { detail: { 'c-count': [{ exists: true }] } }, true],
    ['exists: false', { detail: { 'c-count': [{ exists: false }] } }, false],
    ['exists: false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists only on leaves', { detail: [{ exists: true }] }, false],
    [
      'wildcard',
      { detail: { 'event-bus-arn': [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] } },
      true,
    ],
    ['wildcard, no match', { detail: { 'event-bus-arn': [{ wildcard: 'arn:aws:events:eu-*' }] } }, false],
    [
      '$or, one branch matching',
      { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] } },
      true,
    ],
    [
      '$or, no branch matching',
      { source: ['aws.ec2'], $or: [{ region: ['eu-west-1'] }, { account: ['000000000000'] }] },
      false,
    ],
  ])('%s', (_name, pattern, expected) => {
    expect(matches(pattern)).toBe(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a scalar where a list belongs', { source: 'aws.ec2' }],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }],
    ['an odd numeric list', { detail: { 'c-count': [{ numeric: ['>', 0, '<'] }] } }],
    ['a $or of one pattern', { $or: [{ source: ['aws.ec2'] }] }],
  ])('refuses %s', (_name, pattern) => {
    expect(() => matches(pattern)).toThrow(PatternError);
  });

  it('finds a malformed condition that matching would never reach', () => {
    const pattern = { source: ['aws.s3'], detail: { size: [{ numeric: ['>>', 1] }] } };
    expect(matches(pattern)).toBe(false);
    expect(() => validatePattern(pattern)).toThrow('unknown numeric operator ">>"');
    expect(() => validatePattern({ detail: { state: [{ 'anything-but': { contains: 'x' } }] } })).toThrow(
      PatternError,
    );
    expect(() => validatePattern({ source: [{ exists: 'yes' }] })).toThrow('exists takes true or false');
    expect(() =>
      validatePattern({ source: ['aws.ec2', { prefix: 'aws.' }], $or: [{ a: [1] }, { b: [null] }] }),
    ).not.toThrow();
  });
});
