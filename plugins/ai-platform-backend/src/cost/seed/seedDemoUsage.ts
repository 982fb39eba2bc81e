import type { LoggerService } from '@backstage/backend-plugin-api';
import type { AuditLog } from '../../audit/AuditLog';
import { demoSeedAuditEntry } from '../../audit/demoSeed';
import type { FleetSnapshot } from '../../fleet/FleetSource';
import { HOUR, floorTo, monthOf } from '../periods';
import type { UsageIngest, UsageSample } from '../types';
import { generateUsageHistory } from './generateUsageHistory';

/** A usage store that can tell whether it holds any data. */
export type SeedableUsageIngest = UsageIngest & {
  /** Whether the store holds any usage (raw samples or rollups). */
  hasAnySamples?(): Promise<boolean>;
  /**
   * Start of the newest raw sample, undefined when there is none; asked when
   * the store has no `hasAnySamples()` (as `DatabaseUsageStore` has).
   */
  lastSampledAt?(): Promise<number | undefined>;
};

/** Options of {@link seedDemoUsage}. */
export type SeedDemoUsageOptions = {
  /** Where the samples go. */
  ingest: SeedableUsageIngest;
  /** The fleet to invent a history for (e.g. the example catalog's). */
  fleet: FleetSnapshot;
  /** End of the history: the history stops at the last whole hour before it. */
  now: Date;
  /** Length of the history in days. Default 365. */
  days?: number;
  /** Progress: one info line per month written. */
  logger?: LoggerService;
  /**
   * Whether the store is empty, for stores without `hasAnySamples()`. One of
   * `hasAnySamples()`, this and `lastSampledAt()` (asked in that order) is
   * required: the seed never writes into a store with data.
   */
  isEmpty?: () => Promise<boolean>;
  /** Seed of the pseudo-random numbers. Default 1. */
  seed?: number;
  /** Samples written (and rolled up) per transaction at most. Default 20,000. */
  batchSize?: number;
  /**
   * Where to record the seeded history: one `cost.seed` record, marked as
   * demo data, with its period and counts. Nothing is recorded when nothing
   * is seeded.
   */
  auditLog?: AuditLog;
};

/** What {@link seedDemoUsage} did. */
export type SeedDemoUsageResult = {
  /** Whether any history was written. */
  seeded: boolean;
  /** The number of samples written. */
  samples: number;
};

/**
 * Fills an empty usage store with a generated, deterministic history of the
 * fleet (see `generateUsageHistory`), so that the cost pages have a year to
 * show in the demo. Writes in batches of whole days, rolling up each batch's
 * hours right after inserting it, then records the history in the audit log
 * (when given). Does nothing when the store already holds usage.
 */
export async function seedDemoUsage(
  options: SeedDemoUsageOptions,
): Promise<SeedDemoUsageResult> {
  const { ingest, fleet, logger } = options;
  const days = options.days ?? 365;
  const batchSize = Math.max(1, options.batchSize ?? 20_000);

  let empty: boolean;
  if (typeof ingest.hasAnySamples === 'function') {
    empty = !(await ingest.hasAnySamples());
  } else if (options.isEmpty) {
    empty = await options.isEmpty();
  } else if (typeof ingest.lastSampledAt === 'function') {
    empty = (await ingest.lastSampledAt()) === undefined;
  } else {
    throw new Error(
      'seedDemoUsage needs ingest.hasAnySamples(), ingest.lastSampledAt() or the isEmpty option, to never seed a store that has data',
    );
  }
  if (!empty) {
    logger?.info('Demo usage not seeded: the cost store already has usage');
    return { seeded: false, samples: 0 };
  }

  const endSeconds = floorTo(Math.floor(options.now.getTime() / 1000), HOUR);
  logger?.info(
    `Seeding ${days} days of demo usage for ${fleet.endpoints.length} endpoints`,
  );

  let total = 0;
  let pending: UsageSample[] = [];
  /** The period written and the endpoints in it, for the audit record. */
  let firstSecond = Infinity;
  let lastSecond = -Infinity;
  const endpoints = new Set<string>();
  const flush = async () => {
    if (!pending.length) return;
    let from = Infinity;
    let to = -Infinity;
    for (const s of pending) {
      if (s.sampledAt < from) from = s.sampledAt;
      if (s.sampledAt + s.intervalSeconds > to) {
        to = s.sampledAt + s.intervalSeconds;
      }
      endpoints.add(s.endpointRef);
    }
    await ingest.insertSamples(pending);
    await ingest.rollup({ fromSeconds: from, toSeconds: to });
    total += pending.length;
    firstSecond = Math.min(firstSecond, from);
    lastSecond = Math.max(lastSecond, to);
    pending = [];
  };

  let month: string | undefined;
  let monthSamples = 0;
  const monthDone = () => {
    if (month !== undefined) {
      logger?.info(
        `Seeded demo usage of ${month}: ${monthSamples} samples (${total} in all)`,
      );
    }
  };

  for (const batch of generateUsageHistory({
    fleet,
    endSeconds,
    days,
    seed: options.seed,
  })) {
    // Batches are whole UTC days: one month each.
    const batchMonth = monthOf(batch[0].sampledAt);
    if (month !== undefined && batchMonth !== month) {
      await flush();
      monthDone();
      monthSamples = 0;
    }
    month = batchMonth;
    if (pending.length && pending.length + batch.length > batchSize) {
      await flush();
    }
    for (const s of batch) pending.push(s);
    monthSamples += batch.length;
  }
  await flush();
  monthDone();

  if (!total) {
    logger?.info(
      'Demo usage not seeded: no endpoint of the fleet runs on a pool with a price',
    );
    return { seeded: false, samples: 0 };
  }
  const from = new Date(firstSecond * 1000).toISOString();
  const to = new Date(lastSecond * 1000).toISOString();
  await options.auditLog?.recordCompleted(
    demoSeedAuditEntry({
      action: 'cost.seed',
      request: {
        from,
        to,
        days,
        samples: total,
        endpoints: endpoints.size,
        seed: options.seed ?? 1,
      },
      message: `seeded ${days} days of generated GPU usage (${total} samples of ${endpoints.size} endpoints, ${from} to ${to})`,
    }),
  );
  return { seeded: true, samples: total };
}
