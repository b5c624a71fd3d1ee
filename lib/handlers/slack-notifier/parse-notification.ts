/**
 * Turns what Lambda hands the notifier into `AlarmNotification`s, or into a clear problem
 * statement when a message cannot be read. Field shapes follow the CloudWatch documentation
 * ("Notifying users on alarm changes" for SNS, "Alarm events and EventBridge" for EventBridge,
 * "Lambda alarm actions" for the payload of an alarm that invokes the function directly),
 * read leniently: a wrong optional field is dropped, only a missing alarm name or state makes a
 * message unreadable.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AlarmKind, AlarmNotification, ChildAlarm, MetricQuery, MetricRef } from './alarm.js';
import { ALARM_STATES } from './alarm.js';

/** One alert to deliver: an SNS record, a whole EventBridge event, or a Lambda alarm action's payload. */
export interface IncomingAlert {
  messageId: string;
  source: 'sns' | 'eventbridge' | 'lambda' | 'unknown';
  subject?: string;
  /** The message as text, for the fallback Slack message when it cannot be read. */
  rawText: string;
  /** The SNS topic, whose ARN names the region when the alarm's ARN is missing. */
  topicArn?: string;
  /** EventBridge events and Lambda alarm actions arrive already parsed. */
  parsed?: unknown;
}

export type ParseResult =
  | { ok: true; alarm: AlarmNotification; skipped?: undefined }
  /** `skipped` is set for a notification that is not an alert, left out on purpose. */
  | { ok: false; problem: string; skipped?: string };

export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';
/** Sent when an alarm is created, updated or deleted: nothing for a person to act on. */
export const ALARM_CONFIGURATION_CHANGE = 'CloudWatch Alarm Configuration Change';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

function stringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The duplicate-suppression key of a message that carries no id: a digest of its content, so that
 * a redelivery of the same message gets the same key and a different message never does.
 */
export function contentKey(content: string): string {
  return `content-${createHash('sha256').update(content).digest('hex').slice(0, 32)}`;
}

/** Splits a Lambda event into the alerts it carries. Never throws. */
export function splitEvent(event: unknown): IncomingAlert[] {
  if (isRecord(event) && Array.isArray(event.Records)) {
    return event.Records.map((record: unknown): IncomingAlert => {
      const sns = isRecord(record) && isRecord(record.Sns) ? record.Sns : undefined;
      if (!sns) {
        const id = isRecord(record) ? (asString(record.messageId) ?? asString(record.eventID)) : undefined;
        const rawText = stringify(record);
        return { messageId: id ?? contentKey(rawText), source: 'unknown', rawText };
      }
      const rawText = typeof sns.Message === 'string' ? sns.Message : stringify(sns.Message);
      const topicArn = asString(sns.TopicArn);
      return {
        messageId: asString(sns.MessageId) ?? contentKey(`${topicArn ?? ''}\n${rawText}`),
        source: 'sns',
        subject: asString(sns.Subject),
        rawText,
        topicArn,
      };
    });
  }
  if (isRecord(event) && isRecord(event.alarmData)) {
    // CloudWatch invoking the function as an alarm action: one alarm, and no id of its own.
    const rawText = stringify(event);
    return [
      {
        messageId: contentKey(rawText),
        source: 'lambda',
        subject: 'Lambda alarm action',
        rawText,
        parsed: event,
      },
    ];
  }
  if (isRecord(event) && 'detail-type' in event) {
    const rawText = stringify(event);
    return [
      {
        messageId: asString(event.id) ?? contentKey(rawText),
        source: 'eventbridge',
        subject: asString(event['detail-type']),
        rawText,
        parsed: event,
      },
    ];
  }
  const rawText = stringify(event);
  return [{ messageId: contentKey(rawText), source: 'unknown', rawText }];
}

// ---- wire shapes ---------------------------------------------------------------------------

/** An optional field: absent, null or of the wrong type all read as undefined. */
const opt = <T extends z.ZodType>(schema: T) => schema.nullish().catch(undefined);
const optText = opt(z.string());
const optNumber = opt(z.coerce.number());
const StateValue = z.enum(ALARM_STATES);

const SnsDimensions = z.array(z.record(z.string(), z.unknown()));

const SnsQuery = z.object({
  Id: z.string(),
  Expression: optText,
  Label: optText,
  ReturnData: opt(z.boolean()),
  MetricStat: opt(
    z.object({
      Metric: z.object({ MetricName: z.string(), Namespace: optText, Dimensions: opt(SnsDimensions) }),
      Period: optNumber,
      Stat: optText,
      Unit: optText,
    }),
  ),
});

const SnsTrigger = z.object({
  MetricName: optText,
  Namespace: optText,
  StatisticType: optText,
  Statistic: optText,
  ExtendedStatistic: optText,
  Unit: optText,
  Dimensions: opt(SnsDimensions),
  Period: optNumber,
  EvaluationPeriods: optNumber,
  DatapointsToAlarm: optNumber,
  ComparisonOperator: optText,
  Threshold: optNumber,
  TreatMissingData: optText,
  Metrics: opt(z.array(SnsQuery)),
  ThresholdMetricId: optText,
});

const SnsAlarmMessage = z.object({
  AlarmName: z.string().trim().min(1),
  NewStateValue: StateValue,
  OldStateValue: opt(StateValue),
  AlarmDescription: optText,
  AWSAccountId: opt(z.coerce.string()),
  NewStateReason: optText,
  StateChangeTime: optText,
  Region: optText,
  AlarmArn: optText,
  Trigger: opt(SnsTrigger),
  AlarmRule: optText,
  TriggeringChildren: opt(z.array(z.unknown())),
  AlarmTags: z.unknown().optional(),
});

const EventBridgeQuery = z.object({
  id: z.string(),
  expression: optText,
  label: optText,
  returnData: opt(z.boolean()),
  metricStat: opt(
    z.object({
      metric: z.object({
        name: z.string(),
        namespace: optText,
        dimensions: opt(z.record(z.string(), z.unknown())),
      }),
      period: optNumber,
      stat: optText,
      unit: optText,
    }),
  ),
});

const EventBridgeState = z.object({
  value: StateValue,
  reason: optText,
  reasonData: optText,
  timestamp: optText,
  /** Composite alarms with an actions suppressor: `WaitPeriod`, `ExtensionPeriod` or `Alarm`. */
  actionsSuppressedBy: optText,
  actionsSuppressedReason: optText,
});

const EventBridgeAlarmEvent = z.object({
  id: optText,
  'detail-type': z.literal(ALARM_STATE_CHANGE),
  account: optText,
  time: optText,
  region: optText,
  resources: opt(z.array(z.string())),
  detail: z.object({
    alarmName: z.string().trim().min(1),
    state: EventBridgeState,
    previousState: opt(EventBridgeState),
    configuration: opt(
      z.object({
        description: optText,
        metrics: opt(z.array(EventBridgeQuery)),
        alarmRule: optText,
        actionsSuppressor: optText,
      }),
    ),
    alarmTags: z.unknown().optional(),
  }),
});

// ---- normalizing helpers -------------------------------------------------------------------

const ALARM_ARN = /^arn:([^:]+):cloudwatch:([^:]*):(\d*):alarm:(.+)$/;
const ANY_ARN = /^arn:([^:]+):[^:]+:([a-z0-9-]+):(\d{12}):/;

interface ArnParts {
  partition: string;
  region?: string;
  account?: string;
  name?: string;
}

function parseArn(text: string | undefined): ArnParts | undefined {
  // The documented sample of a Lambda alarm action has a space after the region's colon.
  const arn = text?.replace(/\s+/g, '');
  if (!arn) return undefined;
  const alarm = ALARM_ARN.exec(arn);
  if (alarm)
    return {
      partition: alarm[1]!,
      region: alarm[2] || undefined,
      account: alarm[3] || undefined,
      name: alarm[4],
    };
  const other = ANY_ARN.exec(arn);
  if (other) return { partition: other[1]!, region: other[2], account: other[3] };
  return undefined;
}

/** AWS writes `2019-10-02T17:04:40.989+0000`; the offset needs a colon to be ISO 8601. */
export function parseAwsTime(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  // Whitespace is dropped: the documented Lambda alarm action sample writes `12: 36: 15`.
  const date = new Date(value.replace(/\s+/g, '').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/* Maps, not objects: a value such as `constructor` must not find anything inherited. */
const STATISTICS = new Map([
  ['SUM', 'Sum'],
  ['AVERAGE', 'Average'],
  ['MINIMUM', 'Minimum'],
  ['MAXIMUM', 'Maximum'],
  ['SAMPLE_COUNT', 'SampleCount'],
  ['SAMPLECOUNT', 'SampleCount'],
]);

/** SNS sends `SUM`, EventBridge `Sum`; percentiles (`p99`) pass through. */
export function normalizeStatistic(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  return STATISTICS.get(value.toUpperCase()) ?? value;
}

const MISSING_DATA_SETTINGS = new Map([
  ['missing', 'missing'],
  ['notbreaching', 'notBreaching'],
  ['nonbreaching', 'notBreaching'],
  ['breaching', 'breaching'],
  ['ignore', 'ignore'],
]);

/**
 * SNS has been seen sending `- TreatMissingData:                    missing` rather than the
 * plain setting; both read as `missing`.
 */
export function normalizeTreatMissingData(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const setting = value
    .replace(/^[\s-]*TreatMissingData\s*:?\s*/i, '')
    .trim()
    .toLowerCase();
  return MISSING_DATA_SETTINGS.get(setting) ?? (setting || undefined);
}

/** A map with no prototype, so that a key named `__proto__` or `constructor` is just a key. */
const emptyMap = (): Record<string, string> => Object.create(null) as Record<string, string>;

/** SNS: `[{ "value": "x", "name": "FunctionName" }]`; EventBridge: `{ "FunctionName": "x" }`. */
export function normalizeDimensions(value: unknown): Record<string, string> {
  const out = emptyMap();
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!isRecord(item)) continue;
      const name = asString(item.name) ?? asString(item.Name);
      const dimensionValue = item.value ?? item.Value;
      if (name && dimensionValue !== undefined && dimensionValue !== null) out[name] = String(dimensionValue);
    }
  } else if (isRecord(value)) {
    for (const [name, dimensionValue] of Object.entries(value)) {
      if (dimensionValue !== undefined && dimensionValue !== null) out[name] = String(dimensionValue);
    }
  }
  return out;
}

/** Tags as a map (`{ "severity": "critical" }`) or a list (`[{ "Key": "severity", "Value": "critical" }]`). */
export function normalizeTags(value: unknown): Record<string, string> {
  const out = emptyMap();
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!isRecord(item)) continue;
      const key = asString(item.Key) ?? asString(item.key);
      const tagValue = item.Value ?? item.value;
      if (key && typeof tagValue === 'string') out[key] = tagValue;
    }
  } else if (isRecord(value)) {
    for (const [key, tagValue] of Object.entries(value))
      if (typeof tagValue === 'string') out[key] = tagValue;
  }
  return out;
}

function childFromArnOrName(reference: string, state?: string): ChildAlarm {
  const name = parseArn(reference)?.name;
  return name ? { name, arn: reference, state } : { name: reference, state };
}

/** `TriggeringChildren` is documented as strings and sent as `{ Arn, State: { Value } }`. */
function normalizeChildren(value: unknown[] | null | undefined): ChildAlarm[] {
  const children: ChildAlarm[] = [];
  for (const item of value ?? []) {
    if (typeof item === 'string' && item) children.push(childFromArnOrName(item));
    else if (isRecord(item)) {
      const reference =
        asString(item.Arn) ?? asString(item.arn) ?? asString(item.AlarmName) ?? asString(item.alarmName);
      const stateHolder = isRecord(item.State) ? item.State : isRecord(item.state) ? item.state : undefined;
      const state = stateHolder ? (asString(stateHolder.Value) ?? asString(stateHolder.value)) : undefined;
      if (reference) children.push(childFromArnOrName(reference, state));
    }
  }
  return children;
}

function parseJsonObject(text: string | null | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function kindOf(alarmRule: unknown, queries: MetricQuery[], thresholdMetricId: unknown): AlarmKind {
  if (alarmRule) return 'composite';
  if (thresholdMetricId || queries.some((q) => /ANOMALY_DETECTION_BAND/i.test(q.expression ?? ''))) {
    return 'anomaly-detection';
  }
  if (queries.some((q) => q.expression)) return 'metric-math';
  return 'metric';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`)
    .join('; ');
}

// ---- the two wire formats ------------------------------------------------------------------

function fromSnsMessage(body: Record<string, unknown>, alert: IncomingAlert): ParseResult {
  const parsed = SnsAlarmMessage.safeParse(body);
  if (!parsed.success) {
    return { ok: false, problem: `not a CloudWatch alarm notification (${describeIssues(parsed.error)})` };
  }
  const message = parsed.data;
  const trigger = message.Trigger ?? undefined;
  const arn = parseArn(message.AlarmArn ?? undefined);
  const topic = parseArn(alert.topicArn);
  const queries: MetricQuery[] = (trigger?.Metrics ?? []).map((query) => ({
    id: query.Id,
    expression: query.Expression ?? undefined,
    label: query.Label ?? undefined,
    returnData: query.ReturnData ?? false,
    metric: query.MetricStat
      ? {
          name: query.MetricStat.Metric.MetricName,
          namespace: query.MetricStat.Metric.Namespace ?? undefined,
          dimensions: normalizeDimensions(query.MetricStat.Metric.Dimensions),
          stat: normalizeStatistic(query.MetricStat.Stat),
          periodSeconds: query.MetricStat.Period ?? undefined,
          unit: query.MetricStat.Unit ?? undefined,
        }
      : undefined,
  }));
  const metric: MetricRef | undefined =
    trigger?.MetricName && queries.length === 0
      ? {
          name: trigger.MetricName,
          namespace: trigger.Namespace ?? undefined,
          dimensions: normalizeDimensions(trigger.Dimensions),
          stat: trigger.ExtendedStatistic ?? normalizeStatistic(trigger.Statistic),
          periodSeconds: trigger.Period ?? undefined,
          unit: trigger.Unit ?? undefined,
        }
      : undefined;

  const alarm: AlarmNotification = {
    source: 'sns',
    messageId: alert.messageId,
    kind: kindOf(message.AlarmRule, queries, trigger?.ThresholdMetricId),
    alarmName: message.AlarmName,
    alarmArn: message.AlarmArn ?? undefined,
    description: message.AlarmDescription?.trim() || undefined,
    newState: message.NewStateValue,
    oldState: message.OldStateValue ?? undefined,
    reason: message.NewStateReason ?? undefined,
    changedAt: parseAwsTime(message.StateChangeTime),
    // `Region` is a display name ("EU (London)"): the code comes from an ARN.
    regionCode: arn?.region ?? topic?.region,
    regionName: message.Region ?? undefined,
    accountId: message.AWSAccountId ?? arn?.account ?? topic?.account,
    partition: arn?.partition ?? topic?.partition ?? 'aws',
    metric,
    queries,
    thresholdMetricId: trigger?.ThresholdMetricId ?? undefined,
    comparison: trigger?.ComparisonOperator ?? undefined,
    threshold: trigger?.Threshold ?? undefined,
    evaluationPeriods: trigger?.EvaluationPeriods ?? undefined,
    datapointsToAlarm: trigger?.DatapointsToAlarm ?? undefined,
    treatMissingData: normalizeTreatMissingData(trigger?.TreatMissingData),
    alarmRule: message.AlarmRule ?? undefined,
    triggeringChildren: normalizeChildren(message.TriggeringChildren),
    tags: normalizeTags(message.AlarmTags),
  };
  return { ok: true, alarm };
}

function fromEventBridgeEvent(body: Record<string, unknown>, alert: IncomingAlert): ParseResult {
  const detailType = body['detail-type'];
  if (detailType === ALARM_CONFIGURATION_CHANGE)
    return { ok: false, problem: 'not an alert', skipped: 'alarm configuration change' };
  if (detailType !== ALARM_STATE_CHANGE) {
    return { ok: false, problem: `unsupported EventBridge event "${String(detailType).slice(0, 100)}"` };
  }
  const parsed = EventBridgeAlarmEvent.safeParse(body);
  if (!parsed.success) {
    return { ok: false, problem: `not a CloudWatch alarm state change (${describeIssues(parsed.error)})` };
  }
  const event = parsed.data;
  const detail = event.detail;
  const alarmArn = event.resources?.find((resource) => ALARM_ARN.test(resource.replace(/\s+/g, '')));
  const arn = parseArn(alarmArn);
  const reasonData = parseJsonObject(detail.state.reasonData);
  const queries: MetricQuery[] = (detail.configuration?.metrics ?? []).map((query) => ({
    id: query.id,
    expression: query.expression ?? undefined,
    label: query.label ?? undefined,
    returnData: query.returnData ?? false,
    metric: query.metricStat
      ? {
          name: query.metricStat.metric.name,
          namespace: query.metricStat.metric.namespace ?? undefined,
          dimensions: normalizeDimensions(query.metricStat.metric.dimensions),
          stat: normalizeStatistic(query.metricStat.stat),
          periodSeconds: query.metricStat.period ?? undefined,
          unit: query.metricStat.unit ?? undefined,
        }
      : undefined,
  }));
  const alarmRule = detail.configuration?.alarmRule ?? undefined;
  const kind = kindOf(alarmRule, queries, undefined);
  const bandQuery = queries.find((q) => /ANOMALY_DETECTION_BAND/i.test(q.expression ?? ''));
  // A single-metric alarm arrives as one metricStat query and no expression.
  const metric: MetricRef | undefined =
    kind === 'metric' && queries.length === 1 ? queries[0]?.metric : undefined;
  const triggeringAlarms = Array.isArray(reasonData?.triggeringAlarms)
    ? reasonData.triggeringAlarms
    : undefined;
  const threshold = typeof reasonData?.threshold === 'number' ? reasonData.threshold : undefined;
  const topic = parseArn(alert.topicArn);

  const alarm: AlarmNotification = {
    source: alert.source === 'sns' || alert.source === 'lambda' ? alert.source : 'eventbridge',
    messageId: alert.messageId,
    kind,
    alarmName: detail.alarmName,
    alarmArn,
    description: detail.configuration?.description?.trim() || undefined,
    newState: detail.state.value,
    oldState: detail.previousState?.value,
    reason: detail.state.reason ?? undefined,
    changedAt: parseAwsTime(detail.state.timestamp) ?? parseAwsTime(event.time),
    regionCode: arn?.region ?? event.region ?? topic?.region,
    accountId: event.account ?? arn?.account,
    partition: arn?.partition ?? topic?.partition ?? 'aws',
    metric,
    queries: metric ? [] : queries,
    thresholdMetricId: bandQuery?.id,
    threshold,
    triggeringChildren: normalizeChildren(triggeringAlarms),
    alarmRule,
    tags: normalizeTags(detail.alarmTags),
    actionsSuppressed: detail.state.actionsSuppressedBy
      ? {
          by: detail.state.actionsSuppressedBy,
          reason: detail.state.actionsSuppressedReason ?? undefined,
          suppressor: detail.configuration?.actionsSuppressor ?? undefined,
        }
      : undefined,
  };
  return { ok: true, alarm };
}

/**
 * The payload CloudWatch sends when it invokes a function as an alarm action carries the same
 * `alarmData` as an EventBridge event's `detail`, with the envelope's fields named differently.
 */
function fromLambdaAlarmAction(body: Record<string, unknown>, alert: IncomingAlert): ParseResult {
  const alarmArn = asString(body.alarmArn);
  return fromEventBridgeEvent(
    {
      'detail-type': ALARM_STATE_CHANGE,
      account: body.accountId,
      time: body.time,
      region: body.region,
      resources: alarmArn ? [alarmArn] : [],
      detail: body.alarmData,
    },
    alert,
  );
}

/** Reads one alert. Never throws: an unreadable alert becomes `{ ok: false, problem }`. */
export function parseAlert(alert: IncomingAlert): ParseResult {
  if (alert.source === 'unknown') {
    return { ok: false, problem: 'neither an SNS record nor an EventBridge event' };
  }
  let body: unknown = alert.parsed;
  if (body === undefined) {
    try {
      body = JSON.parse(alert.rawText);
    } catch {
      return { ok: false, problem: 'the message is not JSON' };
    }
  }
  if (!isRecord(body)) return { ok: false, problem: 'the message is not a JSON object' };
  // An EventBridge rule may also publish alarm events to the SNS topic.
  if ('detail-type' in body) return fromEventBridgeEvent(body, alert);
  if (isRecord(body.alarmData)) return fromLambdaAlarmAction(body, alert);
  return fromSnsMessage(body, alert);
}
