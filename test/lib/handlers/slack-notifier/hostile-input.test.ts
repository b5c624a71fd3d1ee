/**
 * Text from an alarm is data, never markup: every string a notification carries is replaced in
 * turn by each of a class of hostile values, and every message the notifier would post (blocks,
 * fields, top-level text, the plain-text retry, the unreadable fallback) is checked for live
 * markup and for values found on Object.prototype.
 */
import { describe, expect, it } from '@jest/globals';
import type { AlarmNotification } from '../../../../lib/handlers/slack-notifier/alarm.js';
import {
  alarmConsoleUrl,
  logsInsightsUrl,
  severityOf,
} from '../../../../lib/handlers/slack-notifier/alarm-facts.js';
import type { SlackMessage } from '../../../../lib/handlers/slack-notifier/block-kit.js';
import { parseAlert, splitEvent } from '../../../../lib/handlers/slack-notifier/parse-notification.js';
import {
  buildAlarmMessage,
  buildPlainAlarmMessage,
  buildUnreadableMessage,
  describeCondition,
} from '../../../../lib/handlers/slack-notifier/slack-message.js';
import type { FixtureName } from './support/alerts.js';
import { fixture, snsEvent, snsRecord } from './support/alerts.js';

const HOSTILE = [
  '<!channel>',
  '<!here|here>',
  '<@U0123ABCD>',
  '<http://evil.example|click here>',
  '<!channel> <http://evil.example|click here>',
  '&',
  '&lt;!channel&gt;',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'arn:aws:cloudwatch:evil.example/phish?:123456789012:alarm:x',
  'arn:aws:cloudwatch:<!channel>:123456789012:alarm:x',
  'evil.example/phish?',
];

const FIXTURES: FixtureName[] = [
  'metric-alarm',
  'metric-alarm-quirks',
  'metric-math-alarm',
  'anomaly-alarm',
  'composite-alarm',
  'eventbridge-metric-alarm',
  'eventbridge-math-alarm-ok',
  'eventbridge-composite-alarm',
  'eventbridge-composite-suppressed',
  'lambda-action-metric-alarm',
  'lambda-action-composite-alarm',
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a string in `value`, object keys of maps included (as `{key}` steps). */
function stringPaths(value: Json, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, i) => stringPaths(item, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
  return [];
}

function withValue(value: Json, path: (string | number)[], replacement: string): Json {
  const copy = structuredClone(value);
  let node = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, Json>;
  node[path.at(-1)!] = replacement;
  return copy;
}

/** The same map with one more entry whose key is hostile (tags, dimensions). */
function withKey(value: Json, path: string[], key: string): Json {
  const copy = structuredClone(value);
  let node = copy as Record<string, Json>;
  for (const step of path) node = node[step] as Record<string, Json>;
  Object.defineProperty(node, key, { value: 'critical', enumerable: true, writable: true });
  return copy;
}

const CONSOLE_LINK =
  /<https:\/\/(?:[a-z]{2}-[a-z]+-\d{1,2}\.console\.aws\.amazon\.com|console\.amazonaws\.cn|console\.amazonaws-us-gov\.com)\/cloudwatch\/home\?region=[a-z0-9-]+#[^\s<>|]*\|[^<>|]*>/g;
const RUNBOOK_LINK = /<https:\/\/runbooks\.example\.com\/[^\s<>|]*\|Runbook>/g;
const DATE = /<!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|[\dTZ:.-]+>/g;

/** What in one mrkdwn string Slack would read as markup that the notifier did not put there. */
function liveMarkup(text: string, allowHere: boolean): string[] {
  let rest = text.replace(CONSOLE_LINK, '').replace(RUNBOOK_LINK, '').replace(DATE, '');
  if (allowHere) rest = rest.replace(/^<!here> /, '');
  const problems: string[] = [];
  if (/[<>]/.test(rest)) problems.push(`raw < or > in ${JSON.stringify(text.slice(0, 300))}`);
  if (/&(?!amp;|lt;|gt;)/.test(rest)) problems.push(`raw & in ${JSON.stringify(text.slice(0, 300))}`);
  return problems;
}

/** Every mrkdwn string of a message (top-level text and mrkdwn text objects). */
function mrkdwnStrings(message: SlackMessage): { text: string; topLevel: boolean }[] {
  const out = [{ text: message.text, topLevel: true }];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      if (object.type === 'mrkdwn' && typeof object.text === 'string')
        out.push({ text: object.text, topLevel: false });
      Object.values(object).forEach(walk);
    }
  };
  walk(message.blocks);
  walk(message.attachments);
  return out;
}

function violations(message: SlackMessage): string[] {
  const problems = mrkdwnStrings(message).flatMap(({ text, topLevel }) => liveMarkup(text, topLevel));
  const json = JSON.stringify(message);
  for (const leak of ['[native code]', 'function ', '[object Object]', 'undefined', 'NaN'])
    if (json.includes(leak)) problems.push(`${leak} in the message`);
  return problems;
}

/** Everything the notifier could post for one alert. */
function render(event: unknown): { messages: SlackMessage[]; alarm?: AlarmNotification } {
  const alert = splitEvent(event)[0]!;
  const parsed = parseAlert(alert);
  if (!parsed.ok) {
    const unreadable = buildUnreadableMessage({
      messageId: alert.messageId,
      subject: alert.subject,
      problem: parsed.problem,
      rawText: alert.rawText,
    });
    return { messages: [unreadable] };
  }
  const severity = severityOf(parsed.alarm, 'warning');
  expect(['critical', 'warning']).toContain(severity);
  const options = { severity, now: new Date('2026-11-28T10:00:00Z') };
  return {
    alarm: parsed.alarm,
    messages: [buildAlarmMessage(parsed.alarm, options), buildPlainAlarmMessage(parsed.alarm, options)],
  };
}

/** EventBridge events and Lambda alarm actions reach the function as they are; the rest through SNS. */
const eventFor = (name: FixtureName, body: Json): unknown =>
  /^(eventbridge|lambda-action)/.test(name) ? body : snsEvent(snsRecord(body, { messageId: `id-${name}` }));

describe('hostile text in any field of a notification', () => {
  it.each(FIXTURES)('%s: no field carries live markup into any message', (name) => {
    const original = fixture(name) as Json;
    const problems: string[] = [];
    let renders = 0;
    for (const path of stringPaths(original)) {
      for (const hostile of HOSTILE) {
        for (const message of render(eventFor(name, withValue(original, path, hostile))).messages) {
          renders += 1;
          problems.push(...violations(message).map((p) => `${path.join('.')} = ${hostile}: ${p}`));
        }
      }
    }
    expect(renders).toBeGreaterThan(50);
    expect(problems).toEqual([]);
  });

  it.each(FIXTURES)('%s: hostile tag and dimension names are plain keys', (name) => {
    const original = fixture(name) as Json;
    const maps = name.startsWith('eventbridge')
      ? [['detail', 'alarmTags']]
      : name.startsWith('lambda-action')
        ? [['alarmData', 'alarmTags']]
        : [['AlarmTags']];
    const problems: string[] = [];
    for (const path of maps) {
      const base = structuredClone(original) as Record<string, Json>;
      let node = base;
      for (const step of path) node = (node[step] ??= {}) as Record<string, Json>;
      for (const hostile of HOSTILE) {
        for (const message of render(eventFor(name, withKey(base, path, hostile))).messages)
          problems.push(...violations(message).map((p) => `${path.join('.')}[${hostile}]: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it('shows an unknown operator, unit and statistic escaped, as they came', () => {
    const message = fixture('metric-alarm') as Record<string, Record<string, Json>>;
    const hostile = '<!channel> <http://evil.example|click here>';
    const trigger = (changes: Record<string, Json>) =>
      render(snsEvent(snsRecord({ ...message, Trigger: { ...message.Trigger, ...changes } }))).alarm!;
    expect(describeCondition(trigger({ ComparisonOperator: hostile }))).toBe(
      'Sum &lt;!channel&gt; &lt;http://evil.example|click here&gt; 1 for 1 of 1 periods of 1 min',
    );
    expect(describeCondition(trigger({ ComparisonOperator: 'constructor' }))).toBe(
      'Sum constructor 1 for 1 of 1 periods of 1 min',
    );
    expect(describeCondition(trigger({ Unit: '<!here> & more' }))).toBe(
      'Sum greater than 1 &lt;!here&gt; &amp; more for 1 of 1 periods of 1 min',
    );
    expect(describeCondition(trigger({ Unit: 'Milliseconds', Statistic: 'toString' }))).toBe(
      'toString greater than 1 Milliseconds for 1 of 1 periods of 1 min',
    );
    const text = JSON.stringify(
      buildAlarmMessage(trigger({ TreatMissingData: 'constructor' }), { severity: 'warning' }),
    );
    expect(text).toContain('missing data: constructor');
  });

  it('never routes by an inherited severity', () => {
    const alarm = render(eventFor('metric-math-alarm', fixture('metric-math-alarm') as Json)).alarm!;
    for (const tag of ['constructor', '__proto__', 'toString', 'valueOf'])
      expect(severityOf({ ...alarm, tags: { severity: tag } }, 'warning')).toBe('warning');
  });
});

describe('console links', () => {
  const alarm = render(eventFor('metric-alarm', fixture('metric-alarm') as Json)).alarm!;
  const at = (partition: string, regionCode: string | undefined) =>
    alarmConsoleUrl({ ...alarm, partition, regionCode });

  it('are made for a well-formed region of each partition, on its own console host', () => {
    expect(at('aws', 'eu-west-2')).toBe(
      'https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#alarmsV2:alarm/orders-api-errors',
    );
    expect(at('aws', 'ap-southeast-5')).toMatch(/^https:\/\/ap-southeast-5\.console\.aws\.amazon\.com\//);
    expect(at('aws-cn', 'cn-north-1')).toBe(
      'https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/orders-api-errors',
    );
    expect(at('aws-us-gov', 'us-gov-west-1')).toBe(
      'https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/orders-api-errors',
    );
  });

  it.each([
    ['aws', 'evil.example/phish?'],
    ['aws', 'evil.example'],
    ['aws', '<!channel>'],
    ['aws', 'eu-west-2.evil.example#'],
    ['aws', 'EU (London)'],
    ['aws', 'cn-north-1'],
    ['aws', 'us-gov-west-1'],
    ['aws-cn', 'eu-west-2'],
    ['aws-us-gov', 'us-east-1'],
    ['aws-iso', 'us-iso-east-1'],
    ['constructor', 'eu-west-2'],
    ['__proto__', 'eu-west-2'],
    ['aws', undefined],
  ])('are not made for partition %s and region %s', (partition, region) => {
    expect(at(partition, region)).toBeUndefined();
    expect(logsInsightsUrl({ ...alarm, partition, regionCode: region }, 'fn')).toBeUndefined();
  });

  it('comes from neither a forged alarm ARN nor a forged EventBridge region, in blocks or plain text', () => {
    const sns = fixture('metric-alarm');
    const forgedSns = render(
      snsEvent(
        snsRecord(
          { ...sns, AlarmArn: 'arn:aws:cloudwatch:evil.example/phish?:123456789012:alarm:orders-api-errors' },
          { topicArn: 'arn:aws:sns:<!channel>:123456789012:t' },
        ),
      ),
    );
    const bridge = fixture('eventbridge-metric-alarm');
    const forgedBridge = render({ ...bridge, region: '<!channel>', resources: [] });
    for (const { messages } of [forgedSns, forgedBridge]) {
      for (const message of messages) {
        expect(JSON.stringify(message)).not.toContain('console.aws.amazon.com');
        expect(violations(message)).toEqual([]);
      }
    }
  });
});
