import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { NotificationLedger } from './DatabaseNotificationLedger';
import type { PlatformNotification } from './messages';

/**
 * Sends the plugin's notifications through Backstage's notifications
 * service, each once: the de-duplication key is claimed in the ledger
 * first (atomically, across replicas), and given back if the send fails so
 * that a later attempt retries. A failed send is logged, never thrown: the
 * decision or deployment that caused it has happened either way.
 */
export class PlatformNotifier {
  constructor(
    private readonly options: {
      notifications?: NotificationService;
      ledger: NotificationLedger;
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  /** True when it was sent now; false when sent before, or not sent. */
  async send(notification: PlatformNotification): Promise<boolean> {
    const { notifications, ledger, logger } = this.options;
    if (!notifications || notification.recipients.length === 0) return false;
    const key = notification.dedupeKey;
    try {
      const claimed = await ledger.claim({
        key,
        topic: notification.payload.topic,
        recipients: notification.recipients,
        at: (this.options.now?.() ?? new Date()).toISOString(),
      });
      if (!claimed) return false;
    } catch (error) {
      logger.warn('Could not record a notification; not sent', {
        key,
        error: String(error),
      });
      return false;
    }
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: notification.recipients },
        payload: notification.payload,
      });
      return true;
    } catch (error) {
      logger.warn('Sending a notification failed; a later run retries', {
        key,
        topic: notification.payload.topic,
        error: String(error),
      });
      await ledger.release(key).catch(() => undefined);
      return false;
    }
  }
}
