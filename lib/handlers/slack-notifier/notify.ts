/**
 * The notifier's core, free of Lambda wiring: every alert in the event is read, routed by
 * severity, posted once, and counted. One bad alert does not stop the others; any alert that
 * could not be delivered makes the invocation fail at the end (naming the MessageIds) so that
 * Lambda's retries and the on-failure destination keep it.
 */
import type { Context } from 'aws-lambda';
import type { Severity } from './alarm.js';
import { severityOf } from './alarm-facts.js';
import type { AlarmOrder } from './alarm-order.js';
import type { SlackMessage } from './block-kit.js';
import type { DuplicateGuard } from './duplicate-guard.js';
import type { IncomingAlert } from './parse-notification.js';
import { parseAlert, splitEvent } from './parse-notification.js';
import type { DeliveryClock, DeliveryOptions, DeliveryResult } from './slack-delivery.js';
import { DEFAULT_DELIVERY_OPTIONS, SlackDeliveryError, postToSlack, systemClock } from './slack-delivery.js';
import { buildAlarmMessage, buildPlainAlarmMessage, buildUnreadableMessage } from './slack-message.js';
import type { WebhookRoutes, WebhookSource } from './webhooks.js';
import { redactWebhooks } from './webhooks.js';

export interface AlertMetrics {
  /** `AlertsDelivered` */
  delivered(): void;
  /** `AlertsFailed` */
  failed(): void;
  /** `MalformedAlerts` */
  malformed(): void;
  /** `DeliveryLatency`: first attempt to Slack's 2xx, retries included (ms). */
  latency(ms: number): void;
  /** `DeliveryRetries`: attempts beyond the first, for every alert that reached Slack's door. */
  retries(count: number): void;
}

type Fields = Record<string, unknown>;
export interface NotifierLogger {
  info(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  error(message: string, fields?: Fields): void;
}

export type Tracer = <T>(
  name: string,
  fn: () => Promise<T>,
  attributes?: Record<string, string | number | boolean>,
) => Promise<T>;

export interface NotifierDeps {
  logger: NotifierLogger;
  metrics: AlertMetrics;
  webhooks: WebhookSource;
  duplicates: DuplicateGuard;
  /** Marks a notification that arrives after a newer state of the same alarm. None: no check. */
  order?: AlarmOrder;
  delivery?: Partial<DeliveryOptions>;
  /** Severity of an alarm that names none. Default `warning`. */
  defaultSeverity?: Severity;
  /** Channel for notifications that cannot be read. Default `warning`. */
  unreadableSeverity?: Severity;
  /** Time kept free at the end of the invocation (ms) to report and flush metrics. Default 1000. */
  safetyMarginMs?: number;
  trace?: Tracer;
  clock?: DeliveryClock;
}

export type NotifyContext = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>;

export interface NotifySummary {
  received: number;
  delivered: number;
  duplicates: number;
  unreadable: number;
  /** Notifications that are not alerts (alarm configuration changes), left out on purpose. */
  skipped: number;
}

export interface FailedAlert {
  messageId: string;
  reason: string;
}

export class AlertDeliveryError extends Error {
  override name = 'AlertDeliveryError';
  constructor(
    readonly failures: FailedAlert[],
    total: number,
  ) {
    const listed = failures
      .slice(0, 20)
      .map((failure) => `${failure.messageId} (${failure.reason})`)
      .join('; ');
    const more = failures.length > 20 ? `; and ${failures.length - 20} more` : '';
    super(
      `${failures.length} of ${total} alert(s) not delivered to Slack, failing so that Lambda retries them: ${listed}${more}`,
    );
  }
}

/** Used when the caller gives no Lambda context (e.g. a local run). */
const DEFAULT_REMAINING_MS = 60_000;

interface Delivered extends DeliveryResult {
  /** Slack refused the blocks and the plain-text version went instead. */
  degraded: boolean;
}

export async function notify(
  event: unknown,
  context: NotifyContext | undefined,
  deps: NotifierDeps,
): Promise<NotifySummary> {
  const clock = deps.clock ?? systemClock;
  const options: DeliveryOptions = { ...DEFAULT_DELIVERY_OPTIONS, ...deps.delivery };
  const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_REMAINING_MS;
  const deadline = clock.now() + remaining - (deps.safetyMarginMs ?? 1000);
  const trace: Tracer = deps.trace ?? ((_name, fn) => fn());
  const { logger, metrics } = deps;
  deps.duplicates.registerContext(context as Context | undefined);

  let routes: WebhookRoutes | undefined;
  let routesError: unknown;
  const resolveRoutes = async (): Promise<WebhookRoutes> => {
    if (routes) return routes;
    if (routesError) throw routesError;
    try {
      routes = await deps.webhooks.resolve();
      return routes;
    } catch (error) {
      routesError = error;
      throw error;
    }
  };
  const scrub = (text: string) => redactWebhooks(text, routes);

  const deliver = async (
    url: string,
    message: SlackMessage,
    /** Builds the plain-text version, needed only when Slack refuses the blocks. */
    plain: (() => SlackMessage) | undefined,
    fields: Fields,
  ): Promise<Delivered> => {
    try {
      return { ...(await postToSlack(url, message, deadline, options, clock)), degraded: false };
    } catch (error) {
      const refusedBlocks =
        error instanceof SlackDeliveryError && error.details.permanent && error.details.status === 400;
      if (!plain || !refusedBlocks) throw error;
      logger.warn('Slack refused the message blocks; sending the plain-text version', {
        ...fields,
        slack_error: error.details.slackError,
      });
      const second = await postToSlack(url, plain(), deadline, options, clock);
      return {
        ...second,
        attempts: error.details.attempts + second.attempts,
        retries: error.details.retries + second.retries,
        degraded: true,
      };
    }
  };

  const alerts = splitEvent(event);
  const summary: NotifySummary = {
    received: alerts.length,
    delivered: 0,
    duplicates: 0,
    unreadable: 0,
    skipped: 0,
  };
  const failures: FailedAlert[] = [];

  const handleAlert = async (alert: IncomingAlert): Promise<void> => {
    const parsed = parseAlert(alert);
    if (parsed.skipped) {
      summary.skipped += 1;
      logger.info('Notification skipped: not an alert', {
        message_id: alert.messageId,
        source: alert.source,
        skipped: parsed.skipped,
      });
      return;
    }
    let severity: Severity;
    /** Builds the message and posts it; run once the duplicate guard lets the alert through. */
    let post: (url: string) => Promise<Delivered>;
    let fields: Fields;
    if (parsed.ok) {
      const { alarm } = parsed;
      severity = severityOf(alarm, deps.defaultSeverity ?? 'warning');
      fields = {
        message_id: alert.messageId,
        alarm_name: alarm.alarmName,
        alarm_kind: alarm.kind,
        state: alarm.newState,
        previous_state: alarm.oldState,
        severity,
      };
      post = async (url) => {
        const order = (await deps.order?.claim(alarm)) ?? { kind: 'unknown' };
        const late = order.kind === 'late' ? order.newer : undefined;
        if (late) {
          fields.late = true;
          logger.warn('Alert arrived after a newer state of the same alarm; posting it marked late', {
            ...fields,
            newer_state: late.state,
            newer_changed_at: late.changedAt?.toISOString(),
          });
        }
        const options = { severity, late };
        return deliver(
          url,
          buildAlarmMessage(alarm, options),
          () => buildPlainAlarmMessage(alarm, options),
          fields,
        );
      };
    } else {
      summary.unreadable += 1;
      metrics.malformed();
      severity = deps.unreadableSeverity ?? 'warning';
      fields = { message_id: alert.messageId, source: alert.source, problem: parsed.problem };
      logger.error('Unreadable alert notification; posting the raw text instead', {
        ...fields,
        subject: alert.subject,
      });
      const message = buildUnreadableMessage({
        messageId: alert.messageId,
        subject: alert.subject,
        problem: parsed.problem,
        rawText: alert.rawText,
      });
      post = (url) => deliver(url, message, undefined, fields);
    }

    try {
      const url = (await resolveRoutes())[severity];
      const outcome = await deps.duplicates.once(alert.messageId, () => post(url));
      if (outcome.kind === 'duplicate') {
        summary.duplicates += 1;
        logger.info('Duplicate delivery of an alert suppressed', fields);
        return;
      }
      if (outcome.kind === 'in_progress') {
        logger.warn(
          'Alert is being delivered by another invocation; failing so that Lambda retries later',
          fields,
        );
        failures.push({ messageId: alert.messageId, reason: 'being delivered by another invocation' });
        return;
      }
      const result = outcome.value;
      summary.delivered += 1;
      metrics.delivered();
      metrics.latency(result.latencyMs);
      metrics.retries(result.retries);
      logger.info('Alert delivered to Slack', {
        ...fields,
        attempts: result.attempts,
        latency_ms: result.latencyMs,
        degraded: result.degraded,
      });
    } catch (error) {
      metrics.failed();
      const reason = scrub(error instanceof Error ? error.message : String(error));
      if (error instanceof SlackDeliveryError) {
        metrics.retries(error.details.retries);
        logger.error('Alert could not be delivered to Slack', {
          ...fields,
          reason,
          http_status: error.details.status,
          slack_error: error.details.slackError && scrub(error.details.slackError),
          permanent: error.details.permanent,
          attempts: error.details.attempts,
        });
      } else {
        logger.error('Alert could not be delivered to Slack', {
          ...fields,
          reason,
          error_name: error instanceof Error ? error.name : 'unknown',
        });
      }
      failures.push({ messageId: alert.messageId, reason: reason.slice(0, 300) });
    }
  };

  for (const alert of alerts) {
    await trace('slack-notifier alert', () => handleAlert(alert), { message_source: alert.source });
  }

  if (failures.length) throw new AlertDeliveryError(failures, alerts.length);
  return summary;
}
