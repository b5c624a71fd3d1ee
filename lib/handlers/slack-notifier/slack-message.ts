/**
 * Builds the Slack messages: the alarm message an on-call person acts on, a plain-text version
 * for when Slack refuses the blocks, and the fallback for a notification that could not be read.
 * Every builder returns a message already fitted to Slack's limits.
 */
import { readErrorBudgetNote } from '../../contract.js';
import type { AlarmNotification, AlarmState, MetricQuery, MetricRef, Severity } from './alarm.js';
import { alarmConsoleUrl, functionNameOf, logsInsightsUrl, runbookUrlOf } from './alarm-facts.js';
import type { NewerState } from './alarm-order.js';
import type { Block, SlackMessage, TextObject } from './block-kit.js';
import { escapeMrkdwn, fitToSlackLimits, mrkdwnLink } from './block-kit.js';

export const STATE_STYLE: Record<AlarmState, { emoji: string; color: string; label: string }> = {
  ALARM: { emoji: ':red_circle:', color: '#E01E5A', label: 'ALARM' },
  OK: { emoji: ':large_green_circle:', color: '#2EB67D', label: 'OK' },
  INSUFFICIENT_DATA: { emoji: ':white_circle:', color: '#9E9E9E', label: 'INSUFFICIENT_DATA' },
};

export const MALFORMED_COLOR = '#ECB22E';

/*
 * Enumerated values are looked up in Maps, never in plain objects: `constructor` or `toString`
 * from a message must not find something inherited. A value not in the table is shown as it came,
 * escaped.
 */
const COMPARISON_WORDS = new Map([
  ['GreaterThanOrEqualToThreshold', 'greater than or equal to'],
  ['GreaterThanThreshold', 'greater than'],
  ['LessThanThreshold', 'less than'],
  ['LessThanOrEqualToThreshold', 'less than or equal to'],
  ['LessThanLowerOrGreaterThanUpperThreshold', 'outside the anomaly band'],
  ['LessThanLowerThreshold', 'below the anomaly band'],
  ['GreaterThanUpperThreshold', 'above the anomaly band'],
]);
const BAND_COMPARISONS = new Set([
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
]);

const MISSING_DATA_WORDS = new Map([
  ['missing', 'missing data is treated as missing'],
  ['notBreaching', 'missing data is treated as good (not breaching)'],
  ['breaching', 'missing data is treated as bad (breaching)'],
  ['ignore', 'missing data is ignored (state kept)'],
]);

/** CloudWatch's StandardUnit values. */
const UNITS = new Set(
  [
    'Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits',
    'Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second',
    'Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second',
    'Terabits/Second Count/Second None',
  ]
    .join(' ')
    .split(' '),
);

/** A state as the message shows it: a known one as is, anything else escaped. */
const stateText = (state: string): string =>
  Object.hasOwn(STATE_STYLE, state) ? state : escapeMrkdwn(state);

export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return String(Number(value.toPrecision(6)));
}

export function formatPeriod(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const code = (text: string): string => `\`${escapeMrkdwn(text.replace(/`/g, "'"))}\``;

function describeDimensions(dimensions: Record<string, string>): string {
  const entries = Object.entries(dimensions);
  return entries.length
    ? entries.map(([name, value]) => `${escapeMrkdwn(name)}=${escapeMrkdwn(value)}`).join(', ')
    : '';
}

/** "`AWS/Lambda` `Errors` (FunctionName=orders-api)" */
export function describeMetric(metric: MetricRef): string {
  const dimensions = describeDimensions(metric.dimensions);
  const name = metric.namespace ? `${code(metric.namespace)} ${code(metric.name)}` : code(metric.name);
  return dimensions ? `${name} (${dimensions})` : name;
}

function describeQuery(query: MetricQuery, alarm: AlarmNotification): string {
  const role =
    query.id === alarm.thresholdMetricId ? ' _(threshold band)_' : query.returnData ? ' _(alarmed on)_' : '';
  const label = query.label ? ` — ${escapeMrkdwn(query.label)}` : '';
  if (query.expression) return `• ${code(query.id)} = ${code(query.expression)}${label}${role}`;
  if (query.metric) {
    const stat = query.metric.stat ? `${escapeMrkdwn(query.metric.stat)} of ` : '';
    const period = query.metric.periodSeconds ? ` per ${formatPeriod(query.metric.periodSeconds)}` : '';
    return `• ${code(query.id)} = ${stat}${describeMetric(query.metric)}${period}${label}${role}`;
  }
  return `• ${code(query.id)}${label}${role}`;
}

/** The alarm condition in words: "Sum greater than 1 for 1 of 1 periods of 1 min". */
export function describeCondition(alarm: AlarmNotification): string | undefined {
  const words = alarm.comparison
    ? (COMPARISON_WORDS.get(alarm.comparison) ?? escapeMrkdwn(alarm.comparison))
    : undefined;
  const rawUnit = alarm.metric?.unit;
  const unit = rawUnit ? ` ${UNITS.has(rawUnit) ? rawUnit : escapeMrkdwn(rawUnit)}` : '';
  let condition: string | undefined;
  const againstBand = BAND_COMPARISONS.has(alarm.comparison ?? '');
  if (words && againstBand) {
    condition = alarm.thresholdMetricId ? `${words} ${code(alarm.thresholdMetricId)}` : words;
  } else if (words && alarm.threshold !== undefined) {
    condition = `${words} ${formatNumber(alarm.threshold)}${unit}`;
  } else if (alarm.threshold !== undefined) {
    condition = `threshold ${formatNumber(alarm.threshold)}${unit}`;
  } else if (words) {
    condition = words;
  }
  if (!condition) return undefined;
  const stat = alarm.metric?.stat ? `${escapeMrkdwn(alarm.metric.stat)} ` : '';
  const periods =
    alarm.evaluationPeriods !== undefined
      ? ` for ${alarm.datapointsToAlarm ?? alarm.evaluationPeriods} of ${alarm.evaluationPeriods} periods`
      : '';
  const period =
    periods && alarm.metric?.periodSeconds ? ` of ${formatPeriod(alarm.metric.periodSeconds)}` : '';
  return `${stat}${condition}${periods}${period}`;
}

function slackDate(date: Date): string {
  const seconds = Math.floor(date.getTime() / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time_secs}|${date.toISOString()}>`;
}

const field = (title: string, value: string): TextObject => ({
  type: 'mrkdwn',
  text: `*${title}*\n${value}`,
});
const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });

function regionText(alarm: AlarmNotification): string {
  if (alarm.regionCode && alarm.regionName)
    return `${escapeMrkdwn(alarm.regionCode)} (${escapeMrkdwn(alarm.regionName)})`;
  return escapeMrkdwn(alarm.regionCode ?? alarm.regionName ?? 'unknown');
}

/** `(late)`, `(suppressed)`, or nothing. */
const qualifier = (alarm: AlarmNotification, late: boolean): string =>
  late ? ' (late)' : alarm.actionsSuppressed ? ' (suppressed)' : '';

function headline(alarm: AlarmNotification, late: boolean): string {
  const style = STATE_STYLE[alarm.newState];
  return `${style.emoji} ${style.label}${qualifier(alarm, late)}: ${alarm.alarmName}`;
}

export interface AlarmMessageOptions {
  severity: Severity;
  /** Used for the Logs Insights time window when the alarm carries no time. */
  now?: Date;
  /** Set when a newer state change of the same alarm was posted first. */
  late?: NewerState;
}

/**
 * Nobody is called for a late notification (the alarm has moved on since), nor for a composite
 * alarm whose actions are suppressed: the post says so instead, and the suppression is followed.
 */
const mentionFor = (alarm: AlarmNotification, options: AlarmMessageOptions): string =>
  options.severity === 'critical' && alarm.newState === 'ALARM' && !options.late && !alarm.actionsSuppressed
    ? '<!here> '
    : '';

/** CloudWatch's ActionsSuppressedBy values. */
const SUPPRESSION_WORDS = new Map([
  ['WaitPeriod', 'waiting for the suppressor alarm to go into ALARM'],
  ['ExtensionPeriod', 'in the extension period after the suppressor alarm left ALARM'],
  ['Alarm', 'the suppressor alarm is in ALARM'],
]);

function suppressionNote(alarm: AlarmNotification): string | undefined {
  const suppressed = alarm.actionsSuppressed;
  if (!suppressed) return undefined;
  const words = SUPPRESSION_WORDS.get(suppressed.by) ?? escapeMrkdwn(suppressed.by);
  const suppressor = suppressed.suppressor ? ` (suppressor ${code(suppressed.suppressor)})` : '';
  const reason = suppressed.reason ? `: ${escapeMrkdwn(suppressed.reason)}` : '';
  return `:zipper_mouth_face: *Actions suppressed*, ${words}${suppressor}${reason}, so no one is paged.`;
}

const VIA = { sns: 'SNS', eventbridge: 'EventBridge', lambda: 'Lambda alarm action' } as const;

function lateNote(alarm: AlarmNotification, newer: NewerState, time: (date: Date) => string): string {
  const when = alarm.changedAt ? ` (${time(alarm.changedAt)})` : '';
  const newerText = newer.state
    ? `${newer.state}${newer.changedAt ? ` at ${time(newer.changedAt)}` : ''}`
    : 'a newer state';
  return `:hourglass_flowing_sand: *Late:* this state change${when} arrived after ${newerText} was already posted. The alarm's current state is the newer one.`;
}

/** The Block Kit message for an alarm state change, with its colour bar. */
export function buildAlarmMessage(alarm: AlarmNotification, options: AlarmMessageOptions): SlackMessage {
  const { severity, late } = options;
  const style = STATE_STYLE[alarm.newState];
  const mention = mentionFor(alarm, options);
  const summary = `${style.emoji} *${style.label}*${qualifier(alarm, Boolean(late))}: ${escapeMrkdwn(alarm.alarmName)} (${severity})`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: headline(alarm, Boolean(late)), emoji: true } },
  ];
  if (late) blocks.push(section(lateNote(alarm, late, slackDate)));
  const suppression = suppressionNote(alarm);
  if (suppression) blocks.push(section(suppression));
  if (alarm.description) blocks.push(section(escapeMrkdwn(alarm.description)));
  const budget = readErrorBudgetNote(alarm.description);
  if (budget) {
    const lines = [`SLO: ${budget.slo}`, `Burn rate: ${budget.burn}`, `Budget: ${budget.budget}`];
    blocks.push(section(['*Error budget*', ...lines.map(escapeMrkdwn)].join('\n')));
  }
  if (alarm.reason) blocks.push(section(`*Reason*\n${escapeMrkdwn(alarm.reason)}`));

  const fields: TextObject[] = [
    field(
      'State',
      alarm.oldState
        ? `${stateText(alarm.oldState)} → ${stateText(alarm.newState)}`
        : stateText(alarm.newState),
    ),
    field('Severity', severity),
    field('Region', regionText(alarm)),
    field('Account', escapeMrkdwn(alarm.accountId ?? 'unknown')),
  ];
  if (alarm.changedAt) fields.push(field('Time', slackDate(alarm.changedAt)));
  if (alarm.metric) fields.push(field('Metric', describeMetric(alarm.metric)));
  const condition = describeCondition(alarm);
  if (condition) fields.push(field('Condition', condition));
  if (alarm.treatMissingData) {
    const words =
      MISSING_DATA_WORDS.get(alarm.treatMissingData) ??
      `missing data: ${escapeMrkdwn(alarm.treatMissingData)}`;
    fields.push(field('Missing data', words));
  }
  blocks.push({ type: 'section', fields });

  if (alarm.queries.length) {
    const title = alarm.kind === 'anomaly-detection' ? '*Anomaly detection*' : '*Expression*';
    blocks.push(section([title, ...alarm.queries.map((query) => describeQuery(query, alarm))].join('\n')));
  }
  if (alarm.alarmRule) {
    blocks.push(section(`*Rule*\n\`\`\`${escapeMrkdwn(alarm.alarmRule)}\`\`\``));
  }
  if (alarm.triggeringChildren.length) {
    const lines = alarm.triggeringChildren.map(
      (child) => `• ${escapeMrkdwn(child.name)}${child.state ? ` → ${escapeMrkdwn(child.state)}` : ''}`,
    );
    blocks.push(section(['*Triggered by*', ...lines].join('\n')));
  }

  const links: string[] = [];
  const consoleUrl = alarmConsoleUrl(alarm);
  if (consoleUrl) links.push(`:mag: ${mrkdwnLink(consoleUrl, 'Open alarm in CloudWatch')}`);
  const functionName = functionNameOf(alarm);
  const logsUrl = functionName ? logsInsightsUrl(alarm, functionName, options.now) : undefined;
  if (logsUrl && functionName)
    links.push(`:scroll: ${mrkdwnLink(logsUrl, `Logs Insights: ${functionName}`)}`);
  const runbookUrl = runbookUrlOf(alarm);
  if (runbookUrl) links.push(`:book: ${mrkdwnLink(runbookUrl, 'Runbook')}`);
  // Links are built whole; a link cut in half by truncation would be useless, so each gets its own line.
  if (links.length) blocks.push(section(links.join('\n')));

  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Lookout · ${alarm.kind} alarm · via ${VIA[alarm.source]} · message ${code(alarm.messageId)}`,
      },
    ],
  });

  return fitToSlackLimits({
    text: `${mention}${summary}`,
    attachments: [
      { color: style.color, fallback: `${headline(alarm, Boolean(late))} (${severity})`, blocks },
    ],
  });
}

/** The same alarm as plain text, for when Slack refuses the blocks (`invalid_blocks`, `invalid_payload`). */
export function buildPlainAlarmMessage(alarm: AlarmNotification, options: AlarmMessageOptions): SlackMessage {
  const consoleUrl = alarmConsoleUrl(alarm);
  const late = options.late;
  const lines = [
    `${mentionFor(alarm, options)}${STATE_STYLE[alarm.newState].emoji} *${alarm.newState}*${qualifier(alarm, Boolean(late))}: ${escapeMrkdwn(alarm.alarmName)} (${options.severity})`,
    late ? lateNote(alarm, late, (date) => date.toISOString()) : undefined,
    suppressionNote(alarm),
    alarm.oldState ? `State: ${stateText(alarm.oldState)} → ${stateText(alarm.newState)}` : undefined,
    alarm.reason ? `Reason: ${escapeMrkdwn(alarm.reason)}` : undefined,
    `Region: ${regionText(alarm)} · Account: ${escapeMrkdwn(alarm.accountId ?? 'unknown')}`,
    consoleUrl ? mrkdwnLink(consoleUrl, 'Open alarm in CloudWatch') : undefined,
  ];
  return fitToSlackLimits({ text: lines.filter(Boolean).join('\n') });
}

export interface UnreadableAlert {
  messageId: string;
  subject?: string;
  problem: string;
  rawText: string;
}

/** A notification the notifier could not read still reaches a person: subject, problem, raw text. */
export function buildUnreadableMessage(alert: UnreadableAlert): SlackMessage {
  // Cut before escaping so a huge message costs nothing; the block limit then applies as usual.
  const raw = alert.rawText.slice(0, 3000) || '(empty)';
  const blocks: Block[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: ':warning: Unreadable alert notification', emoji: true },
    },
    {
      type: 'section',
      fields: [
        field('Subject', escapeMrkdwn(alert.subject ?? '(none)')),
        field('Problem', escapeMrkdwn(alert.problem)),
      ],
    },
    section(`*Raw message*\n\`\`\`${escapeMrkdwn(raw)}\`\`\``),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Lookout · message ${code(alert.messageId)}` }] },
  ];
  return fitToSlackLimits({
    text: `:warning: Unreadable alert notification (message ${code(alert.messageId)}): ${escapeMrkdwn(alert.problem)}`,
    attachments: [{ color: MALFORMED_COLOR, fallback: 'Unreadable alert notification', blocks }],
  });
}
