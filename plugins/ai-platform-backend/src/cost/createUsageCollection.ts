import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { AuditLog } from '../audit/AuditLog';
import type { FleetSource } from '../fleet/FleetSource';
import type { ClusterReader } from './ClusterObserver';
import type { ClusterObservationStore } from './DatabaseClusterObservationStore';
import type { DatabaseUsageStore } from './DatabaseUsageStore';
import { prometheusFromConfig } from './prometheusFromConfig';
import { seedDemoUsage } from './seed/seedDemoUsage';
import { UsageCollector } from './UsageCollector';

/**
 * Schedules the usage collector once per interval across all replicas
 * (global scope): it reads what runs in the clusters of the fleet's pools.
 * With `aiPlatform.cost.seedDemoHistory`, its first run fills an empty cost
 * store with a year of generated history first (samples marked `demo`),
 * and records it in the audit log as demo data.
 */
export async function scheduleUsageCollection(options: {
  config: RootConfigService;
  scheduler: SchedulerService;
  logger: LoggerService;
  fleet: FleetSource;
  /** Where the samples go (and what tells an empty store for the demo seed). */
  usage: DatabaseUsageStore;
  /** Reads the clusters' workloads and pods. */
  clusters: ClusterReader;
  /** Each cluster's last listing (its last known state). */
  observations: ClusterObservationStore;
  /** Where the seeded demo history is recorded. */
  auditLog?: AuditLog;
}) {
  const { config, scheduler, logger, fleet, usage, auditLog } = options;
  const collectorConfig = config.getOptionalConfig('aiPlatform.cost.collector');
  if (collectorConfig?.getOptionalBoolean('enabled') === false) {
    logger.info(
      'The GPU usage collector is turned off (aiPlatform.cost.collector.enabled)',
    );
    return;
  }
  const intervalMinutes =
    collectorConfig?.getOptionalNumber('intervalMinutes') ?? 5;
  const prometheus = prometheusFromConfig(config);
  if (!prometheus) {
    logger.info(
      'No Prometheus configured (aiPlatform.cost.prometheus): cost comes from the GPUs the clusters show held, without tokens or utilisation',
    );
  }
  const collector = new UsageCollector({
    fleet,
    clusters: options.clusters,
    observations: options.observations,
    ingest: usage,
    logger,
    prometheus,
    intervalSeconds: intervalMinutes * 60,
    rawRetentionDays:
      collectorConfig?.getOptionalNumber('rawRetentionDays') ?? 30,
    generationWeight: config.getOptionalNumber(
      'aiPlatform.cost.tokenSplit.generationWeight',
    ),
  });
  const seed =
    config.getOptionalBoolean('aiPlatform.cost.seedDemoHistory') ?? false;
  await scheduler.scheduleTask({
    id: 'ai-platform-usage-collector',
    scope: 'global',
    frequency: { minutes: intervalMinutes },
    timeout: { minutes: 15 },
    initialDelay: { seconds: 10 },
    fn: async () => {
      if (seed) {
        await seedDemoUsage({
          ingest: usage,
          isEmpty: async () => !(await usage.hasAnySamples()),
          fleet: await fleet.snapshot(),
          now: new Date(),
          logger,
          auditLog,
        });
      }
      await collector.collectOnce();
    },
  });
}
