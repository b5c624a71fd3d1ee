/**
 * The demo orders service's scenario, as a module scenario for `lookout sandbox --scenario`: people
 * register, log in, look at their profile, place orders and read them back, and the business
 * monitor is read now and then. Normal traffic, then an error burst and a latency spike (the demo's
 * fault headers, honoured only with `-c demoFaults=true`), each followed by a recovery. Lengths are in
 * simulated minutes, sized for the stack's alarms (a 5-minute error-rate window, 5 of 5 one-minute
 * latency periods).
 */
import { randomUUID } from 'node:crypto';
import { ORDER_CATEGORIES } from '../../functions/orders-core/order.js';
import type { ApiCaller, ScenarioPhase } from '../scenario/format.js';

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** One simulated customer's session, request by request. */
async function session(api: ApiCaller): Promise<void> {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await api(method, path, {
      headers: { 'x-correlation-id': `traffic-${randomUUID()}` },
      ...(body === undefined ? {} : { body }),
    });
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    return json as { id?: string } | undefined;
  };

  const email = `shopper-${randomUUID()}@example.com`;
  const password = 'correct horse battery';
  const userId = (await call('POST', '/users', { email, name: 'Sandbox Shopper', password }))?.id;
  await call('POST', '/login', { email, password: Math.random() < 0.15 ? 'wrong password!' : password });
  if (!userId) return;
  await call('GET', `/users/${userId}`);
  await call('GET', `/users/${userId}`);
  for (let i = 0; i < 2; i++) {
    const order = await call('POST', '/orders', {
      userId,
      category: pick(ORDER_CATEGORIES),
      items: [
        {
          sku: `SKU-${Math.floor(Math.random() * 50)}`,
          quantity: 1 + Math.floor(Math.random() * 3),
          unitPrice: Math.round(5 + Math.random() * 200),
        },
      ],
    });
    if (order?.id) await call('GET', `/orders/${order.id}`);
  }
  if (Math.random() < 0.3) await call('GET', '/stats/hourly');
  if (Math.random() < 0.2) await call('GET', '/');
}

const phase = (name: string, minutes: number, headers: Record<string, string> = {}): ScenarioPhase => ({
  name,
  minutes,
  headers,
  run: session,
  concurrency: 3,
});

export const phases: ScenarioPhase[] = [
  phase('normal traffic', 5),
  phase('error burst', 12, { 'x-demo-failure-rate': '0.5' }),
  phase('recovery', 12),
  phase('latency spike', 10, { 'x-demo-latency-ms': '1500' }),
  phase('recovery', 12),
];

/**
 * The alarms the scenario is meant to fire and resolve (by construct path), each announced and
 * resolved in Slack. The
 * error burst burns the availability SLO's budget far faster than 14.4×, so its fast-burn page
 * fires, and resolves five minutes after the burst, once the short window is clean again.
 */
const EXPECTED_ALARMS = [
  'OrdersMonitoring/Http/ErrorRate',
  'OrdersMonitoring/Http/LatencyP95',
  'OrdersMonitoring/ServiceUnhealthy',
  'OrdersMonitoring/Slos/Availability/FastBurn',
];

/** The sandbox ships the demo's logs to its local search engine: nothing about that may fail. */
const QUIET_ALARMS = ['LogShipping/ShippingFailed', 'LogShipping/ShipperErrors', 'LogShipping/LostBatches'];

export default {
  phases,
  expect: [
    ...EXPECTED_ALARMS.flatMap((alarm) => [
      { alarm, reaches: 'ALARM' },
      { alarm, returnsTo: 'OK' },
      { slackMentions: alarm, atLeast: 2 },
    ]),
    ...QUIET_ALARMS.map((alarm) => ({ alarm, never: 'ALARM' })),
  ],
  settleMinutes: 60,
};
