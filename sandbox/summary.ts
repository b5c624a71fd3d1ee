/** What a sandbox run did, in a few lines; and whether the scenario's expectations held. */
import { isAbsolute, relative } from 'node:path';
import { listProfiles } from '../lib/profiling/layout.js';
import type { Sandbox } from './sandbox.js';
import type { ExpectationResult } from './scenario/expectations.js';
import type { TrafficStats } from './scenario/play.js';

export async function summarize(
  sandbox: Sandbox,
  run: { traffic?: TrafficStats; expectations?: ExpectationResult[] } = {},
): Promise<{ ok: boolean; text: string }> {
  const { traffic, expectations = [] } = run;
  const { counters } = sandbox;
  const lines = ['', 'Summary'];
  if (traffic) {
    const statuses = Object.entries(traffic.byStatus)
      .sort()
      .map(([status, count]) => `${status} ${count}`)
      .join(', ');
    const notSent = traffic.notSent
      ? `; ${traffic.notSent} not sent, the machine could not keep the pace`
      : '';
    lines.push(`  traffic        ${traffic.requests} requests (${statuses})${notSent}`);
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
  for (const expectation of expectations)
    lines.push(`  ${expectation.held ? 'held  ' : 'FAILED'}         ${expectation.text}`);
  const failed = expectations.filter((expectation) => !expectation.held).length;
  const ok = failed === 0 && (shipping?.ok ?? true);
  if (expectations.length > 0 || shipping) {
    lines.push(
      ok
        ? `  result         OK: all ${expectations.length} expectations held${shipping ? ', and the logs were shipped' : ''}`
        : `  result         FAILED: ${failed} of ${expectations.length} expectations did not hold${shipping?.ok === false ? ', and log shipping failed' : ''}`,
    );
  }
  return { ok, text: lines.join('\n') };
}

/**
 * What the log subscriptions and the shipper did: fine unless a batch failed, or events were sent
 * and no document arrived.
 */
function shippingOutcome(sandbox: Sandbox): { ok: boolean; text: string } | undefined {
  if (sandbox.stack.subscriptionFilters.length === 0 || !sandbox.search) return undefined;
  const { indices } = sandbox.search.find({ limit: 0 });
  const documents = sandbox.search.documentCount();
  const { batches, events, failedBatches } = sandbox.logBatches;
  const nothing = events > 0 && documents === 0;
  return {
    ok: failedBatches === 0 && !nothing,
    text:
      `${documents} documents in ${indices.length} indices, from ${events} log events in ${batches} batches` +
      (failedBatches > 0 ? `; ${failedBatches} batches FAILED` : '') +
      (nothing ? '; NOTHING shipped' : ''),
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
