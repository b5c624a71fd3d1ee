/** What a sandbox run did, in a few lines; and whether the demo's alarms did what they should. */
import { isAbsolute, relative } from 'node:path';
import { listProfiles } from '../lib/profiling/layout.js';
import type { Sandbox } from './sandbox.js';
import type { TrafficStats } from './traffic/scenario.js';

/**
 * The alarms the scenario is meant to fire and resolve, by the end of their names. The error burst
 * burns the availability SLO's budget far faster than 14.4×, so its fast-burn page fires, and
 * resolves five minutes after the burst, once the short window is clean again.
 */
export const EXPECTED_ALARMS = [
  '-Http-ErrorRate',
  '-Http-LatencyP95',
  '-ServiceUnhealthy',
  '-Slo-Availability-FastBurn',
];

interface AlarmOutcome {
  name: string;
  fired: boolean;
  resolved: boolean;
  slackMessages: number;
}

function outcomes(sandbox: Sandbox): AlarmOutcome[] {
  const names = sandbox.stack.alarms.map((alarm) => alarm.name);
  const messages = sandbox.slackMessages().map((message) => JSON.stringify(message.payload));
  return EXPECTED_ALARMS.map((suffix) => {
    const name = names.find((candidate) => candidate.endsWith(suffix)) ?? `(no alarm ending ${suffix})`;
    const events = sandbox.alarmEvents.filter((event) => event.alarm === name);
    const firedAt = events.findIndex((event) => event.to === 'ALARM');
    const resolved =
      firedAt >= 0 && events.slice(firedAt + 1).some((event) => event.from === 'ALARM' && event.to === 'OK');
    return {
      name,
      fired: firedAt >= 0,
      resolved,
      slackMessages: messages.filter((text) => text.includes(name)).length,
    };
  });
}

export function expectedAlarmsSettled(sandbox: Sandbox): boolean {
  return outcomes(sandbox).every((alarm) => alarm.fired && alarm.resolved && alarm.slackMessages >= 2);
}

export async function summarize(
  sandbox: Sandbox,
  traffic?: TrafficStats,
): Promise<{ ok: boolean; text: string }> {
  const { counters } = sandbox;
  const lines = ['', 'Summary'];
  if (traffic) {
    const statuses = Object.entries(traffic.byStatus)
      .sort()
      .map(([status, count]) => `${status} ${count}`)
      .join(', ');
    lines.push(`  traffic        ${traffic.requests} requests (${statuses})`);
  }
  lines.push(
    `  invocations    ${counters.invocations} (cold starts ${counters.coldStarts}, errors ${counters.errors}, timeouts ${counters.timeouts}, throttles ${counters.throttles})`,
  );
  for (const [name, manager] of sandbox.functions)
    lines.push(`    ${name}: ${manager.containers().length} containers`);
  const fired = sandbox.alarmEvents.filter((event) => event.to === 'ALARM');
  const resolved = sandbox.alarmEvents.filter((event) => event.from === 'ALARM' && event.to === 'OK');
  lines.push(
    `  alarms fired   ${fired.length}: ${[...new Set(fired.map((event) => event.alarm))].join(', ') || 'none'}`,
  );
  lines.push(
    `  alarms resolved ${resolved.length}: ${[...new Set(resolved.map((event) => event.alarm))].join(', ') || 'none'}`,
  );
  const slack = sandbox.slackMessages();
  const byChannel = new Map<string, number>();
  for (const message of slack)
    byChannel.set(message.route ?? 'slack', (byChannel.get(message.route ?? 'slack') ?? 0) + 1);
  lines.push(
    `  Slack messages ${slack.length} (${[...byChannel].map(([channel, count]) => `${channel} ${count}`).join(', ') || 'none'}); notifications delivered ${sandbox.notificationsDelivered}`,
  );
  lines.push(`  CPU profiles   ${await profilesLine(sandbox.profiles.directory)}`);
  const shipping = shippingOutcome(sandbox);
  if (shipping) lines.push(`  shipped logs   ${shipping.text}`);
  if (sandbox.alarmEvents.length > 0) {
    const origin = sandbox.alarmEvents[0]!.at;
    lines.push('  alarm changes (simulated minutes since the first):');
    for (const event of sandbox.alarmEvents.filter(
      (e) => e.from !== 'INSUFFICIENT_DATA' || e.to === 'ALARM',
    )) {
      lines.push(
        `    +${((event.at - origin) / 60_000).toFixed(1).padStart(5)}  ${event.alarm}  ${event.from} → ${event.to}`,
      );
    }
  }
  const expected = outcomes(sandbox);
  for (const alarm of expected) {
    lines.push(
      `  expected ${alarm.name}: ${alarm.fired ? 'fired' : 'did NOT fire'}, ${alarm.resolved ? 'resolved' : 'did NOT resolve'}, ${alarm.slackMessages} Slack messages`,
    );
  }
  const ok =
    expected.every((alarm) => alarm.fired && alarm.resolved && alarm.slackMessages >= 2) &&
    (shipping?.ok ?? true);
  lines.push(
    ok
      ? '  result         OK: the expected alarms fired, resolved and reached Slack'
      : '  result         FAILED: see the expected alarms and shipped logs above',
  );
  return { ok, text: lines.join('\n') };
}

/**
 * What the log subscriptions and the shipper did; fine when documents arrived and no log-shipping
 * alarm fired. Undefined when the stack ships no logs.
 */
function shippingOutcome(sandbox: Sandbox): { ok: boolean; text: string } | undefined {
  if (sandbox.stack.subscriptionFilters.length === 0 || !sandbox.search) return undefined;
  const { indices } = sandbox.search.find({ limit: 0 });
  const documents = sandbox.search.documentCount();
  const { batches, events, failedBatches } = sandbox.logBatches;
  const shippingAlarms = [
    ...new Set(
      sandbox.alarmEvents
        .filter((event) => event.to === 'ALARM' && event.alarm.includes('-log-shipping-'))
        .map((event) => event.alarm),
    ),
  ];
  const ok = documents > 0 && failedBatches === 0 && shippingAlarms.length === 0;
  return {
    ok,
    text:
      `${documents} documents in ${indices.length} indices, from ${events} log events in ${batches} batches` +
      (failedBatches > 0 ? `; ${failedBatches} batches FAILED` : '') +
      (shippingAlarms.length > 0 ? `; log-shipping alarms fired: ${shippingAlarms.join(', ')}` : '') +
      (documents === 0 ? '; NOTHING shipped' : ''),
  };
}

/** `12 (11 slow, 1 sampled) in .sandbox/profiles; ...`, the folder relative to where npm ran. */
async function profilesLine(directory: string): Promise<string> {
  const fromHere = relative(process.cwd(), directory);
  const where = fromHere === '' || fromHere.startsWith('..') || isAbsolute(fromHere) ? directory : fromHere;
  let profiles;
  try {
    profiles = await listProfiles(directory);
  } catch (error) {
    return `${where} could not be read: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (profiles.length === 0) return `none in ${where}`;
  const slow = profiles.filter((profile) => profile.reason === 'slow').length;
  return (
    `${profiles.length} (${slow} slow, ${profiles.length - slow} sampled) in ${where}; ` +
    'download them from the dashboard, open one in Chrome DevTools (Performance) or VS Code'
  );
}
