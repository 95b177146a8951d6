import { renderTransitionEmail } from '../../lib/domain/email';
import type { Alert, AlertChannel, DeliveryReceipt } from '../../lib/domain/alert';
import type { Mailer } from '../../lib/domain/ports';
import type { MonitorConfig, Transition } from '../../lib/domain/types';

/** The monitor a test alert is about: none of monitors.yml's, so nothing real looks down. */
export const TEST_MONITOR = { id: 'notify-test', name: 'Test alert from uptime-monitor' } as const;
export const TEST_REASON = 'a test alert sent with npm run notify:test';

/**
 * The test alert: an outage of TEST_MONITOR, made now. `deliveryId` is fresh on every run and is
 * in the alert's key and outage key too, so no receiver deduplicates a second test (a webhook's
 * `webhook-id`, PagerDuty's dedup_key, a FIFO topic's deduplication id all differ each time).
 */
export function buildTestAlert(now: Date, deliveryId: string): Alert {
  const at = now.toISOString();
  return {
    kind: 'monitor.down',
    key: `${TEST_MONITOR.id}#${at}#${deliveryId}`,
    monitor: { id: TEST_MONITOR.id, name: TEST_MONITOR.name, url: null },
    state: 'DOWN',
    previousState: 'UP',
    startedAt: at,
    confirmedAt: at,
    reason: TEST_REASON,
    previousStateSeconds: null,
    outageKey: `${TEST_MONITOR.id}#${deliveryId}`,
    timestamp: at,
  };
}

/**
 * The built-in email channel for a test: the outage email the notifier would send (the same
 * renderer), from notify.from to notify.to, through `mailer`. The notifier itself sends email
 * with its Mailer directly, not through an AlertChannel; this is the smallest adapter that lets the
 * test treat email like every other channel.
 */
export class TestEmailChannel implements AlertChannel {
  readonly type = 'email' as const;

  constructor(
    readonly name: string,
    private readonly mailer: Mailer,
    private readonly envelope: { from: string; to: string[] },
  ) {}

  async deliver(alert: Alert, options: { deliveryId: string; signal?: AbortSignal }): Promise<DeliveryReceipt> {
    if (alert.kind === 'certificate.expiring') throw new TypeError('notify:test sends outage alerts only');
    const transition: Transition = {
      monitorId: alert.monitor.id,
      from: alert.previousState,
      to: alert.state,
      startedAt: alert.startedAt,
      confirmedAt: alert.confirmedAt,
      previousSince: alert.startedAt,
      ...(alert.reason === null ? {} : { reason: alert.reason }),
      tick: alert.confirmedAt,
    };
    const message = renderTransitionEmail({
      transition,
      monitor: testMonitorConfig(alert, this.name, this.envelope.to),
      previousStateMs: null,
      from: this.envelope.from,
      to: this.envelope.to,
    });
    const { messageId } = await this.mailer.send(message, options.signal ? { signal: options.signal } : {});
    return { receipt: `message id ${messageId} (to ${this.envelope.to.join(', ')})` };
  }
}

/** The test monitor as the email renderer wants a monitor; it has no URL (the email leaves the URL line out). */
function testMonitorConfig(alert: Alert, channel: string, to: string[]): MonitorConfig {
  return {
    id: alert.monitor.id,
    name: alert.monitor.name,
    type: 'http',
    dependsOn: [],
    url: '',
    method: 'GET',
    headers: {},
    timeoutMs: 0,
    intervalMs: 0,
    failureThreshold: 1,
    successThreshold: 1,
    expect: { status: [200] },
    notify: { to },
    public: false,
    alerts: [channel],
    sendOnResolved: false,
  };
}
