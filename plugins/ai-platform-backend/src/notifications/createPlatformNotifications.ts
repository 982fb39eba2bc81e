import type {
  AuthService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  type QuotaRequest,
  canonicalEntityRef,
} from '@internal/plugin-ai-platform-common';
import type { Knex } from 'knex';
import type { DeploymentFinishedListener } from '../deploy/DeploymentRunner';
import { type BudgetSource, BudgetWatcher } from './BudgetWatcher';
import { DatabaseNotificationLedger } from './DatabaseNotificationLedger';
import {
  canaryAborted,
  deploymentFailed,
  quotaRequestDecided,
} from './messages';
import type { CanaryEndedListener } from '../deploy/canary/CanaryService';
import { PlatformNotifier } from './PlatformNotifier';
import { scheduleCheck } from './scheduleCheck';
import { SloBurnWatcher, type SloFleetSource } from './SloBurnWatcher';

/**
 * The plugin's notifications, from config (`aiPlatform.notifications`):
 * the hooks the quota workflow and the deploy service call, and the
 * scheduled budget and SLO burn checks. With `enabled: false` nothing is
 * sent.
 */
export function createPlatformNotifications(options: {
  config: RootConfigService;
  knex: Knex;
  logger: LoggerService;
  notifications?: NotificationService;
  now?: () => Date;
}) {
  const { config, logger } = options;
  const enabled =
    config.getOptionalBoolean('aiPlatform.notifications.enabled') ?? true;
  const ledger = DatabaseNotificationLedger.create({ knex: options.knex });
  const notifier = new PlatformNotifier({
    notifications: enabled ? options.notifications : undefined,
    ledger,
    logger,
    now: options.now,
  });
  const admins =
    config.getOptionalStringArray('aiPlatform.permissions.platformAdmins') ??
    [];

  const onDeploymentFinished: DeploymentFinishedListener = async (
    record,
    { endpoint },
  ) => {
    const failed = record.state === 'failed';
    if (record.dryRun || (!failed && record.operation !== 'auto-rollback')) {
      return;
    }
    // A caller refused permission is told by the 403; telling the owners
    // would let anyone send them notifications.
    if (record.error?.check === 'permission') return;
    const owner = endpoint.spec.owner;
    if (!owner) return;
    const ownerRef = canonicalEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: endpoint.metadata.namespace ?? 'default',
    });
    await notifier.send(deploymentFailed(record, ownerRef));
  };

  /** A canary aborted by its analysis (or failed): the owners hear of it; a person's abort is their own doing. */
  const onCanaryEnded: CanaryEndedListener = async (canary, how) => {
    if (how.type !== 'analysis-failed' && canary.phase !== 'failed') return;
    await notifier.send(canaryAborted(canary, canary.team));
  };

  return {
    notifier,
    onDeploymentFinished,
    onCanaryEnded,
    onQuotaRequestDecided: async (decision: {
      request: QuotaRequest;
      quota?: { before: number; after: number };
    }) => {
      await notifier.send(
        quotaRequestDecided(decision.request, decision.quota),
      );
    },
    /** Schedules the budget check (one run per interval across replicas). */
    scheduleBudgetChecks: async (deps: {
      scheduler: SchedulerService;
      budgets: BudgetSource;
    }) => {
      if (!enabled || !options.notifications) return undefined;
      const watcher = new BudgetWatcher({
        budgets: deps.budgets,
        notifier,
        admins,
        logger,
        now: options.now,
      });
      await scheduleCheck({
        scheduler: deps.scheduler,
        id: 'ai-platform-budget-notifications',
        frequencyMinutes:
          config.getOptionalNumber(
            'aiPlatform.notifications.budgetCheckMinutes',
          ) ?? 15,
        check: () => watcher.checkOnce(),
      });
      return watcher;
    },
    /** Schedules the SLO burn check (one run per interval across replicas). */
    scheduleSloChecks: async (deps: {
      scheduler: SchedulerService;
      slos: SloFleetSource;
      auth: AuthService;
    }) => {
      if (!enabled || !options.notifications) return undefined;
      const watcher = new SloBurnWatcher({
        slos: deps.slos,
        auth: deps.auth,
        notifier,
        ledger,
        logger,
      });
      await scheduleCheck({
        scheduler: deps.scheduler,
        id: 'ai-platform-slo-burn-notifications',
        frequencyMinutes:
          config.getOptionalNumber(
            'aiPlatform.notifications.sloCheckMinutes',
          ) ?? 5,
        check: () => watcher.checkOnce(),
      });
      return watcher;
    },
  };
}
