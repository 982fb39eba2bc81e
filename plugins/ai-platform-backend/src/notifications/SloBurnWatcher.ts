import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import type { SloFleetResponse } from '@internal/plugin-ai-platform-common';
import { sloBurning } from './messages';
import type { PlatformNotifier } from './PlatformNotifier';
import type { NotificationLedger } from './DatabaseNotificationLedger';

/** The SLO reads the watcher makes (SloService). */
export type SloFleetSource = {
  fleet(options: {
    credentials: Awaited<ReturnType<AuthService['getOwnServiceCredentials']>>;
  }): Promise<SloFleetResponse>;
};

/**
 * Tells an endpoint's owner when one of its SLOs burns its error budget
 * fast (status `burning`: the 1 h burn rate at least 14.4 or the 6 h one at
 * least 6, what the rendered alerts page on). Once per episode: the claim of
 * an objective is given back only when it has recovered (status ok and a
 * 1 h burn rate below 1, i.e. no faster than the budget allows), so a
 * flapping objective does not send again and again.
 */
export class SloBurnWatcher {
  constructor(
    private readonly options: {
      slos: SloFleetSource;
      auth: AuthService;
      notifier: PlatformNotifier;
      ledger: NotificationLedger;
      logger: LoggerService;
    },
  ) {}

  /** Checks every endpoint with targets; the number of notifications sent. */
  async checkOnce(): Promise<number> {
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items } = await this.options.slos.fleet({ credentials });
    let sent = 0;
    for (const report of items) {
      for (const objective of report.objectives) {
        const notification = sloBurning(report, objective);
        if (objective.status === 'burning') {
          if (await this.options.notifier.send(notification)) sent += 1;
        } else if (
          objective.status === 'ok' &&
          objective.burnRate1h !== undefined &&
          objective.burnRate1h < 1
        ) {
          await this.options.ledger.release(notification.dedupeKey);
        }
      }
    }
    if (sent) this.options.logger.info('Sent SLO burn notifications', { sent });
    return sent;
  }
}
