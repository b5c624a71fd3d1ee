/**
 * What the notifier infers from an alarm beyond its raw fields: severity (for routing and
 * `@here`), the Lambda function it watches, a runbook, and console links.
 */
import type { AlarmNotification, Severity } from './alarm.js';

/** A Map, so that a tag such as `constructor` finds nothing inherited. */
const SEVERITY_ALIASES = new Map<string, Severity>([
  ['critical', 'critical'],
  ['crit', 'critical'],
  ['warning', 'warning'],
  ['warn', 'warning'],
]);

const findTag = (tags: Record<string, string>, pattern: RegExp): string | undefined =>
  Object.entries(tags)
    .find(([key, value]) => pattern.test(key) && value.trim())?.[1]
    ?.trim();

/**
 * Severity from the `severity` tag, else from the description (`severity: critical`,
 * `severity=warning`, or `[critical]`); undefined when neither declares one.
 */
export function declaredSeverity(
  tags: Record<string, string>,
  description: string | undefined,
): Severity | undefined {
  const tagged = SEVERITY_ALIASES.get(findTag(tags, /^severity$/i)?.toLowerCase() ?? '');
  if (tagged) return tagged;
  const text = description ?? '';
  const match =
    /\bseverity\s*[:=]\s*\[?\s*(critical|crit|warning|warn)\b/i.exec(text) ??
    /\[(critical|crit|warning|warn)\]/i.exec(text);
  return match ? SEVERITY_ALIASES.get(match[1]!.toLowerCase()) : undefined;
}

/** The severity an alarm is routed by: the one it declares, else `fallback`. */
export function severityOf(alarm: AlarmNotification, fallback: Severity): Severity {
  return declaredSeverity(alarm.tags, alarm.description) ?? fallback;
}

const RUNBOOK_IN_TEXT = /\brunbook(?:[ _-]?url)?\s*[:=]?\s*<?(https?:\/\/[^\s<>|"]+)/i;

/** A runbook link from a `runbook`/`runbook_url` tag or a `runbook: https://...` description line. */
export function runbookUrlOf(alarm: AlarmNotification): string | undefined {
  const tagged = findTag(alarm.tags, /^runbook([ _-]?url)?$/i);
  const candidate = tagged ?? RUNBOOK_IN_TEXT.exec(alarm.description ?? '')?.[1];
  if (!candidate) return undefined;
  const cleaned = candidate.replace(/[).,;]+$/, '');
  try {
    const url = new URL(cleaned);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

const FUNCTION_DIMENSION = /^function_?name$/i;

/** The Lambda function an alarm watches: a `FunctionName`/`function_name` dimension or tag. */
export function functionNameOf(alarm: AlarmNotification): string | undefined {
  const dimensionSets = [alarm.metric?.dimensions, ...alarm.queries.map((query) => query.metric?.dimensions)];
  for (const dimensions of dimensionSets) {
    const hit = Object.entries(dimensions ?? {}).find(
      ([name, value]) => FUNCTION_DIMENSION.test(name) && value,
    );
    if (hit) return hit[1];
  }
  return findTag(alarm.tags, FUNCTION_DIMENSION);
}

/**
 * Each partition's region codes and console host (AWS General Reference, "AWS Management Console
 * endpoints"; the China and GovCloud (US) user guides). The region and partition come from the
 * message, so a link is made only when both are well formed; anything else gets no link.
 */
const CONSOLES = new Map<string, { region: RegExp; host: (region: string) => string }>([
  [
    'aws',
    {
      region: /^(?!cn-|us-gov-|us-iso)[a-z]{2}-[a-z]+-\d{1,2}$/,
      host: (region) => `${region}.console.aws.amazon.com`,
    },
  ],
  ['aws-cn', { region: /^cn-[a-z]+-\d{1,2}$/, host: () => 'console.amazonaws.cn' }],
  ['aws-us-gov', { region: /^us-gov-[a-z]+-\d{1,2}$/, host: () => 'console.amazonaws-us-gov.com' }],
]);

/** `https://<console host>/cloudwatch/home?region=<region>`, or undefined. */
function cloudWatchHome(alarm: AlarmNotification): string | undefined {
  const partition = CONSOLES.get(alarm.partition);
  const region = alarm.regionCode;
  if (!partition || !region || !partition.region.test(region)) return undefined;
  return `https://${partition.host(region)}/cloudwatch/home?region=${region}`;
}

/** The alarm's page in the CloudWatch console, when the region is known. */
export function alarmConsoleUrl(alarm: AlarmNotification): string | undefined {
  const home = cloudWatchHome(alarm);
  return home && `${home}#alarmsV2:alarm/${encodeURIComponent(alarm.alarmName)}`;
}

/**
 * JSURL, the notation the CloudWatch console reads its Logs Insights state from (`~(key~'value)`);
 * only the types the query detail uses.
 */
export function toJsurl(value: string | number | boolean | readonly unknown[] | object): string {
  const encode = (text: string): string =>
    text.replace(/[^\w.-]/g, (ch) => {
      if (ch === '$') return '!';
      const code = ch.charCodeAt(0);
      return code < 0x100
        ? `*${code.toString(16).padStart(2, '0')}`
        : `**${code.toString(16).padStart(4, '0')}`;
    });
  if (typeof value === 'string') return `~'${encode(value)}`;
  if (typeof value === 'number') return Number.isFinite(value) ? `~${value}` : '~null';
  if (typeof value === 'boolean') return `~${value}`;
  if (Array.isArray(value)) {
    return `~(${value.map((item) => toJsurl(item as string)).join('') || '~'})`;
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  return `~(${entries.map(([key, item]) => `${encode(key)}${toJsurl(item as string)}`).join('~')})`;
}

export const LOGS_INSIGHTS_QUERY = [
  'fields @timestamp, level, message, correlation_id, @requestId',
  'sort @timestamp desc',
  'limit 200',
].join('\n| ');

/**
 * A Logs Insights query over the function's log group for the time around the state change:
 * from a little before the evaluation window to five minutes after.
 */
export function logsInsightsUrl(
  alarm: AlarmNotification,
  functionName: string,
  now = new Date(),
): string | undefined {
  const home = cloudWatchHome(alarm);
  if (!home) return undefined;
  const changedAt = alarm.changedAt ?? now;
  const periodSeconds =
    alarm.metric?.periodSeconds ?? alarm.queries.find((q) => q.metric)?.metric?.periodSeconds ?? 60;
  const windowSeconds = periodSeconds * (alarm.evaluationPeriods ?? 1);
  const lookbackMs = Math.min(24 * 3600_000, Math.max(15 * 60_000, 2 * windowSeconds * 1000));
  const logGroup = findTag(alarm.tags, /^log_?group$/i) ?? `/aws/lambda/${functionName}`;
  const detail = toJsurl({
    end: new Date(changedAt.getTime() + 5 * 60_000).toISOString(),
    start: new Date(changedAt.getTime() - lookbackMs).toISOString(),
    timeType: 'ABSOLUTE',
    tz: 'UTC',
    editorString: LOGS_INSIGHTS_QUERY,
    source: [logGroup],
  });
  // The console keeps its state in the fragment, percent-encoded with `$` in place of `%`.
  const fragment = encodeURIComponent(`?queryDetail=${detail}`).replace(/%/g, '$');
  return `${home}#logsV2:logs-insights${fragment}`;
}
