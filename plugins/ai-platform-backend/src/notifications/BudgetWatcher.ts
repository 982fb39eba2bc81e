import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  BUDGET_NOTIFICATION_THRESHOLDS,
  type BudgetVsActualRow,
} from '@internal/plugin-ai-platform-common';
import { monthOf } from '../cost/periods';
import { budgetThreshold, budgetThresholdReached } from './messages';
import type { PlatformNotifier } from './PlatformNotifier';

/** The budget reads the watcher makes. */
export type BudgetSource = {
  budgetVsActual(options: {
    month: string;
    now: number;
  }): Promise<BudgetVsActualRow[]>;
};

/**
 * Tells a team (and the platform admins) when its month-to-date GPU cost or
 * its forecast for the month passes 80 % and 100 % of its budget: once per
 * threshold per team and month, whichever replica runs the check.
 */
export class BudgetWatcher {
  constructor(
    private readonly options: {
      budgets: BudgetSource;
      notifier: PlatformNotifier;
      /** Entity refs of the platform admins (`aiPlatform.permissions.platformAdmins`). */
      admins: string[];
      logger: LoggerService;
      now?: () => Date;
    },
  ) {}

  /** Checks the current month's budgets; the number of notifications sent. */
  async checkOnce(): Promise<number> {
    const now = (this.options.now?.() ?? new Date()).getTime();
    const rows = await this.options.budgets.budgetVsActual({
      month: monthOf(Math.floor(now / 1000)),
      now: Math.floor(now / 1000),
    });
    let sent = 0;
    for (const row of rows) {
      const reached = budgetThresholdReached(
        row,
        BUDGET_NOTIFICATION_THRESHOLDS,
      );
      if (!reached) continue;
      const notification = budgetThreshold(row, reached, this.options.admins);
      if (await this.options.notifier.send(notification)) sent += 1;
    }
    if (sent) {
      this.options.logger.info('Sent budget notifications', { sent });
    }
    return sent;
  }
}
