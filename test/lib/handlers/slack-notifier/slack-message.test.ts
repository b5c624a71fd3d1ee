import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { errorBudgetNote } from '../../../../lib/contract.js';
import type { AlarmNotification, Severity } from '../../../../lib/handlers/slack-notifier/alarm.js';
import {
  alarmConsoleUrl,
  functionNameOf,
  logsInsightsUrl,
  runbookUrlOf,
  severityOf,
  toJsurl,
} from '../../../../lib/handlers/slack-notifier/alarm-facts.js';
import {
  fitToSlackLimits,
  truncateMrkdwn,
  truncatePlain,
} from '../../../../lib/handlers/slack-notifier/block-kit.js';
import { parseAlert, splitEvent } from '../../../../lib/handlers/slack-notifier/parse-notification.js';
import {
  buildAlarmMessage,
  buildPlainAlarmMessage,
  buildUnreadableMessage,
  describeCondition,
} from '../../../../lib/handlers/slack-notifier/slack-message.js';
import type { FixtureName } from './support/alerts.js';
import { fixture, snsEvent, snsRecord } from './support/alerts.js';
import { blockKitViolations, messageText } from './support/block-kit-rules.js';

function alarmFrom(name: FixtureName): AlarmNotification {
  const event = name.startsWith('eventbridge')
    ? fixture(name)
    : snsEvent(snsRecord(fixture(name), { messageId: `id-${name}` }));
  const result = parseAlert(splitEvent(event)[0]!);
  if (!result.ok) throw new Error(result.problem);
  return result.alarm;
}

const ALL_FIXTURES: FixtureName[] = [
  'metric-alarm',
  'metric-alarm-ok',
  'metric-alarm-quirks',
  'metric-math-alarm',
  'anomaly-alarm',
  'composite-alarm',
  'eventbridge-metric-alarm',
  'eventbridge-math-alarm-ok',
  'eventbridge-composite-alarm',
];

const attachmentOf = (message: ReturnType<typeof buildAlarmMessage>) => message.attachments![0]!;

describe('the alarm message', () => {
  it.each(ALL_FIXTURES)('keeps Slack limits for %s', (name) => {
    const alarm = alarmFrom(name);
    const message = buildAlarmMessage(alarm, { severity: severityOf(alarm, 'warning') });
    expect(blockKitViolations(message)).toEqual([]);
    expect(blockKitViolations(buildPlainAlarmMessage(alarm, { severity: 'warning' }))).toEqual([]);
  });

  it('shows state, colour, header, description, reason, condition in words, region, account and time', () => {
    const alarm = alarmFrom('metric-alarm');
    const message = buildAlarmMessage(alarm, { severity: 'critical' });
    const attachment = attachmentOf(message);
    expect(attachment.color).toBe('#E01E5A');
    expect(attachment.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: ':red_circle: ALARM: orders-api-errors', emoji: true },
    });
    const text = messageText(message);
    expect(text).toContain('Orders API is returning errors.');
    expect(text).toContain('*Reason*\nThreshold Crossed: 1 out of the last 1 datapoints');
    expect(text).toContain('*State*\nOK → ALARM');
    expect(text).toContain('*Condition*\nSum greater than 1 for 1 of 1 periods of 1 min');
    expect(text).toContain('`AWS/Lambda` `Errors` (FunctionName=lookout-orders-api)');
    expect(text).toContain('*Region*\neu-west-2 (EU (London))');
    expect(text).toContain('*Account*\n123456789012');
    const seconds = Date.parse('2026-11-28T10:15:30.125Z') / 1000;
    expect(text).toContain(
      `<!date^${Math.floor(seconds)}^{date_short_pretty} {time_secs}|2026-11-28T10:15:30.125Z>`,
    );
    expect(text).toContain('missing data is treated as missing');
  });

  it('mentions @here only on a critical ALARM', () => {
    const alarm = alarmFrom('metric-alarm');
    expect(buildAlarmMessage(alarm, { severity: 'critical' }).text).toMatch(/^<!here> /);
    expect(buildAlarmMessage(alarm, { severity: 'warning' }).text).not.toContain('<!here>');
    const ok = alarmFrom('metric-alarm-ok');
    expect(buildAlarmMessage(ok, { severity: 'critical' }).text).not.toContain('<!here>');
  });

  it('colours OK green and INSUFFICIENT_DATA grey, with their emoji', () => {
    const ok = buildAlarmMessage(alarmFrom('metric-alarm-ok'), { severity: 'critical' });
    expect(attachmentOf(ok).color).toBe('#2EB67D');
    expect(messageText(ok)).toContain(':large_green_circle: OK: orders-api-errors');
    expect(messageText(ok)).toContain('ALARM → OK');
    const unknown = buildAlarmMessage(alarmFrom('metric-alarm-quirks'), { severity: 'warning' });
    expect(attachmentOf(unknown).color).toBe('#9E9E9E');
    expect(messageText(unknown)).toContain(':white_circle: INSUFFICIENT_DATA: orders p99 latency');
  });

  it('links the alarm in the console, Logs Insights for its function, and the runbook', () => {
    const message = buildAlarmMessage(alarmFrom('metric-alarm'), { severity: 'critical' });
    const text = messageText(message);
    expect(text).toContain(
      '<https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#alarmsV2:alarm/orders-api-errors|Open alarm in CloudWatch>',
    );
    expect(text).toMatch(
      /<https:\/\/eu-west-2\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-2#logsV2:logs-insights\$3FqueryDetail\$3D~\(.*\|Logs Insights: lookout-orders-api>/,
    );
    expect(text).toContain('<https://runbooks.example.com/orders/errors|Runbook>');
  });

  it('has no Logs Insights link when the alarm watches no function, and no console link without a region', () => {
    const math = messageText(buildAlarmMessage(alarmFrom('metric-math-alarm'), { severity: 'warning' }));
    expect(math).not.toContain('Logs Insights');
    const noRegion = { ...alarmFrom('metric-alarm'), regionCode: undefined };
    const text = messageText(buildAlarmMessage(noRegion, { severity: 'warning' }));
    expect(text).not.toContain('console.aws.amazon.com');
    expect(text).toContain('*Region*\nEU (London)');
  });

  it('lists metric-math queries and the expression alarmed on', () => {
    const text = messageText(buildAlarmMessage(alarmFrom('metric-math-alarm'), { severity: 'warning' }));
    expect(text).toContain('*Expression*');
    expect(text).toContain(
      '• `e1` = `100 * errors / MAX([errors, requests])` — Error rate (%) _(alarmed on)_',
    );
    expect(text).toContain('• `errors` = Sum of `Lookout` `Errors` (service=orders) per 1 min');
    expect(text).toContain('*Condition*\ngreater than or equal to 5 for 2 of 3 periods');
  });

  it('describes an anomaly band alarm', () => {
    const text = messageText(buildAlarmMessage(alarmFrom('anomaly-alarm'), { severity: 'warning' }));
    expect(text).toContain('*Anomaly detection*');
    expect(text).toContain('`ANOMALY_DETECTION_BAND(m1, 2)` — Duration (expected) _(threshold band)_');
    expect(text).toContain('*Condition*\noutside the anomaly band `ad1` for 1 of 1 periods');
    expect(text).toContain('Logs Insights: lookout-orders-api');
  });

  it('shows a composite alarm rule and its triggering children', () => {
    const text = messageText(buildAlarmMessage(alarmFrom('composite-alarm'), { severity: 'critical' }));
    expect(text).toContain(
      '*Rule*\n```ALARM("arn:aws:cloudwatch:eu-west-2:123456789012:alarm:orders-health-check-failing") AND',
    );
    expect(text).toContain('*Triggered by*\n• orders-health-check-failing → ALARM');
  });

  it('gives an SLO burn-rate alarm an "Error budget" section: which SLO, how fast, how much budget', () => {
    const note = errorBudgetNote({
      slo: 'orders <availability>',
      burn: 'over 14.4× for 1 hour (still burning in the last 5 minutes)',
      budget: 'at least 2% of the 30-day budget went in the last 1 hour',
    });
    const alarm = {
      ...alarmFrom('composite-alarm'),
      description: `[critical] Burning. ${note}. First: look.`,
    };
    const text = messageText(buildAlarmMessage(alarm, { severity: 'critical' }));
    expect(text).toContain(
      '*Error budget*\nSLO: orders &lt;availability&gt;\nBurn rate: over 14.4× for 1 hour (still burning in the last 5 minutes)\nBudget: at least 2% of the 30-day budget went in the last 1 hour.',
    );
    const plain = messageText(buildAlarmMessage(alarmFrom('composite-alarm'), { severity: 'critical' }));
    expect(plain).not.toContain('*Error budget*');
  });

  it('shows an EventBridge alarm with the threshold read from reasonData', () => {
    const alarm = alarmFrom('eventbridge-metric-alarm');
    const text = messageText(buildAlarmMessage(alarm, { severity: severityOf(alarm, 'warning') }));
    expect(text).toContain('*Condition*\nMaximum threshold 85');
    expect(text).toContain('via EventBridge');
    expect(text).toContain('Logs Insights: lookout-orders-api');
    expect(text).toContain('<https://runbooks.example.com/orders/memory|Runbook>');
  });

  it('escapes Slack markup in alarm text, so a description cannot mention @channel or forge links', () => {
    const alarm = {
      ...alarmFrom('metric-alarm'),
      description: 'Ping <!channel> & see <https://evil.example|docs>',
    };
    const text = messageText(buildAlarmMessage(alarm, { severity: 'warning' }));
    expect(text).toContain('Ping &lt;!channel&gt; &amp; see &lt;https://evil.example|docs&gt;');
    expect(text).not.toContain('<!channel>');
  });

  it('truncates with an ellipsis instead of failing when everything is huge', () => {
    const huge = 'x'.repeat(10_000);
    const alarm: AlarmNotification = {
      ...alarmFrom('metric-math-alarm'),
      alarmName: `alarm-${huge}`,
      description: huge,
      reason: huge,
      queries: Array.from({ length: 200 }, (_, i) => ({
        id: `m${i}`,
        expression: huge,
        returnData: i === 0,
      })),
      triggeringChildren: Array.from({ length: 100 }, (_, i) => ({
        name: `child-${i}-${huge}`,
        state: 'ALARM',
      })),
      alarmRule: huge,
    };
    const message = buildAlarmMessage(alarm, { severity: 'critical' });
    expect(blockKitViolations(message)).toEqual([]);
    const header = attachmentOf(message).blocks[0] as { text: { text: string } };
    expect(header.text.text).toHaveLength(150);
    expect(header.text.text.endsWith('…')).toBe(true);
  });

  it('keeps the limits for any alarm text (property)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 4000 });
    fc.assert(
      fc.property(
        text,
        text,
        text,
        fc.array(text, { maxLength: 30 }),
        fc.dictionary(fc.string({ maxLength: 300 }), fc.string({ maxLength: 3000 }), { maxKeys: 40 }),
        fc.constantFrom<Severity>('critical', 'warning'),
        (name, description, reason, expressions, dimensions, severity) => {
          const base = alarmFrom('metric-alarm');
          const alarm: AlarmNotification = {
            ...base,
            alarmName: name || 'x',
            description,
            reason,
            metric: { ...base.metric!, dimensions },
            queries: expressions.map((expression, i) => ({ id: `q${i}`, expression, returnData: true })),
            alarmRule: reason,
          };
          expect(blockKitViolations(buildAlarmMessage(alarm, { severity }))).toEqual([]);
          expect(blockKitViolations(buildPlainAlarmMessage(alarm, { severity }))).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the message for an unreadable notification', () => {
  it('shows subject, problem and the raw text in a code block', () => {
    const message = buildUnreadableMessage({
      messageId: 'm-1',
      subject: 'Test from the console',
      problem: 'the message is not JSON',
      rawText: 'hello <world>',
    });
    expect(blockKitViolations(message)).toEqual([]);
    const text = messageText(message);
    expect(text).toContain('*Subject*\nTest from the console');
    expect(text).toContain('*Problem*\nthe message is not JSON');
    expect(text).toContain('*Raw message*\n```hello &lt;world&gt;```');
    expect(message.attachments?.[0]?.color).toBe('#ECB22E');
  });

  it('cuts a huge raw message and keeps the code block closed', () => {
    const message = buildUnreadableMessage({ messageId: 'm', problem: 'p', rawText: '<'.repeat(50_000) });
    expect(blockKitViolations(message)).toEqual([]);
    const raw = messageText(message)
      .split('\n')
      .find((line) => line.startsWith('```'))!;
    expect(raw.startsWith('```&lt;')).toBe(true);
    expect(raw.endsWith('…\n```') || raw.endsWith('…')).toBe(true);
    expect(messageText(message)).toMatch(/…\n```/);
    expect(raw).not.toMatch(/&l$|&lt…/);
  });
});

describe('Block Kit limits', () => {
  it('truncates plain text to the limit with an ellipsis and never splits a surrogate pair', () => {
    expect(truncatePlain('abcdef', 4)).toBe('abc…');
    expect(truncatePlain('abc', 4)).toBe('abc');
    const cut = truncatePlain('ab😀cd', 4);
    expect(cut).toBe('ab…');
  });

  it('truncates mrkdwn without leaving half an entity or link', () => {
    expect(truncateMrkdwn('aaaa &amp; bbbb', 11)).toBe('aaaa …');
    expect(truncateMrkdwn('see <https://example.com|docs> now', 24)).toBe('see …');
  });

  it('caps blocks at 50 and fields at 10, saying what was left out', () => {
    const many = fitToSlackLimits({
      text: 'x',
      attachments: [
        {
          color: '#000000',
          blocks: Array.from({ length: 80 }, () => ({
            type: 'section' as const,
            fields: Array.from({ length: 14 }, () => ({ type: 'mrkdwn' as const, text: 'f' })),
          })),
        },
      ],
    });
    expect(blockKitViolations(many)).toEqual([]);
    const blocks = many.attachments![0]!.blocks;
    expect(blocks).toHaveLength(50);
    expect(JSON.stringify(blocks[49])).toContain('31 more blocks omitted');
    expect(JSON.stringify(blocks[0])).toContain('5 more');
  });
});

describe('alarm facts', () => {
  it('takes severity from a tag, then the description, then the default', () => {
    const alarm = alarmFrom('metric-alarm');
    expect(severityOf({ ...alarm, tags: { Severity: 'WARNING' } }, 'critical')).toBe('warning');
    expect(severityOf(alarm, 'warning')).toBe('critical');
    expect(severityOf(alarmFrom('composite-alarm'), 'warning')).toBe('critical');
    expect(severityOf(alarmFrom('metric-math-alarm'), 'critical')).toBe('warning');
    expect(severityOf(alarmFrom('anomaly-alarm'), 'warning')).toBe('warning');
    expect(severityOf(alarmFrom('anomaly-alarm'), 'critical')).toBe('critical');
  });

  it('finds runbooks in tags or description, and ignores non-http links', () => {
    const alarm = alarmFrom('metric-alarm');
    expect(runbookUrlOf(alarm)).toBe('https://runbooks.example.com/orders/errors');
    expect(runbookUrlOf({ ...alarm, description: 'Runbook URL = <https://wiki.example/x>.' })).toBe(
      'https://wiki.example/x',
    );
    expect(runbookUrlOf({ ...alarm, description: 'runbook: javascript:alert(1)' })).toBeUndefined();
    expect(runbookUrlOf({ ...alarm, description: undefined, tags: { runbook: 'https://t.example/r' } })).toBe(
      'https://t.example/r',
    );
  });

  it('finds the function from dimensions or tags', () => {
    expect(functionNameOf(alarmFrom('metric-alarm'))).toBe('lookout-orders-api');
    expect(functionNameOf(alarmFrom('eventbridge-metric-alarm'))).toBe('lookout-orders-api');
    expect(functionNameOf(alarmFrom('metric-math-alarm'))).toBeUndefined();
    expect(functionNameOf({ ...alarmFrom('metric-math-alarm'), tags: { function_name: 'fn' } })).toBe('fn');
  });

  it('builds console links for each partition', () => {
    const alarm = alarmFrom('metric-alarm');
    expect(alarmConsoleUrl({ ...alarm, alarmName: 'a b/c' })).toBe(
      'https://eu-west-2.console.aws.amazon.com/cloudwatch/home?region=eu-west-2#alarmsV2:alarm/a%20b%2Fc',
    );
    expect(alarmConsoleUrl({ ...alarm, partition: 'aws-cn', regionCode: 'cn-north-1' })).toMatch(
      /^https:\/\/console\.amazonaws\.cn\/cloudwatch\/home\?region=cn-north-1#/,
    );
    expect(alarmConsoleUrl({ ...alarm, partition: 'aws-us-gov', regionCode: 'us-gov-west-1' })).toMatch(
      /^https:\/\/console\.amazonaws-us-gov\.com\//,
    );
    expect(alarmConsoleUrl({ ...alarm, partition: 'aws-iso' })).toBeUndefined();
  });

  it('encodes JSURL as the console reads it', () => {
    expect(toJsurl({ a: 'b c', n: -3600, t: true, list: ['/aws/lambda/x'] })).toBe(
      "~(a~'b*20c~n~-3600~t~true~list~(~'*2faws*2flambda*2fx))",
    );
    expect(toJsurl('$é')).toBe("~'!*e9");
  });

  it('queries the function log group around the state change', () => {
    const alarm = alarmFrom('metric-alarm');
    const url = logsInsightsUrl(alarm, 'lookout-orders-api')!;
    const fragment = decodeURIComponent(url.split('#logsV2:logs-insights')[1]!.replace(/\$/g, '%'));
    expect(fragment).toContain("~source~(~'*2faws*2flambda*2flookout-orders-api)");
    expect(fragment).toContain("start~'2026-11-28T10*3a00*3a30.125Z"); // 15 minutes before
    expect(fragment).toContain("end~'2026-11-28T10*3a20*3a30.125Z"); // 5 minutes after
    expect(fragment).toContain("timeType~'ABSOLUTE");
  });

  it('puts the condition in words for each comparison', () => {
    const alarm = alarmFrom('metric-alarm');
    const words = (comparison: string) => describeCondition({ ...alarm, comparison });
    expect(words('GreaterThanOrEqualToThreshold')).toContain('greater than or equal to 1');
    expect(words('LessThanThreshold')).toContain('less than 1');
    expect(words('LessThanOrEqualToThreshold')).toContain('less than or equal to 1');
    expect(words('GreaterThanUpperThreshold')).toContain('above the anomaly band');
    expect(describeCondition({ ...alarm, comparison: undefined, threshold: undefined })).toBeUndefined();
  });
});
