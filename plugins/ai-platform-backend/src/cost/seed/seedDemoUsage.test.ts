import fs from 'node:fs';
import path from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { parseAllDocuments } from 'yaml';
import { AuditLog } from '../../audit/AuditLog';
import { DatabaseAuditStore } from '../../audit/DatabaseAuditStore';
import type { AuditRecord } from '../../audit/types';
import { migrateDatabase } from '../../database/migrateDatabase';
import { fleetFromEntities } from '../../fleet/FleetSource';
import { DatabaseCostQueries } from '../DatabaseCostQueries';
import { DatabaseUsageStore } from '../DatabaseUsageStore';
import type { UsageSample } from '../types';
import { seedDemoUsage, type SeedableUsageIngest } from './seedDemoUsage';

jest.setTimeout(120_000);

const examples = path.resolve(__dirname, '../../../../../examples');
const fleet = fleetFromEntities(
  ['gpu-pools.yaml', 'endpoints.yaml'].flatMap(f =>
    parseAllDocuments(fs.readFileSync(path.join(examples, f), 'utf8')).map(
      d => d.toJS() as Entity,
    ),
  ),
);

const HOUR = 3600;
const DAY = 86_400;
/** 2026-11-23T10:17:00Z: the history ends at 10:00. */
const NOW = new Date(Date.UTC(2026, 10, 23, 10, 17));
const END = Date.UTC(2026, 10, 23, 10) / 1000;

/** An in-memory ingest that records what it is asked to do. */
class FakeIngest implements SeedableUsageIngest {
  samples: UsageSample[] = [];
  inserts: number[] = [];
  rollups: Array<{ fromSeconds: number; toSeconds: number }> = [];
  constructor(private readonly hasData = false) {}
  async hasAnySamples() {
    return this.hasData || this.samples.length > 0;
  }
  async insertSamples(samples: UsageSample[]) {
    this.inserts.push(samples.length);
    for (const s of samples) this.samples.push(s);
  }
  async rollup(options: { fromSeconds: number; toSeconds: number }) {
    this.rollups.push(options);
  }
  async pruneSamples() {
    return 0;
  }
}

describe('seedDemoUsage', () => {
  it('writes the history in batches and rolls up each batch', async () => {
    const ingest = new FakeIngest();
    const logger = mockServices.logger.mock();
    const result = await seedDemoUsage({
      ingest,
      fleet,
      now: NOW,
      days: 90,
      logger,
      batchSize: 1_000,
    });

    // All 8 endpoints, every hour (the support assistant launched 120 days
    // before the end, before this window).
    const expected = 8 * 90 * 24;
    expect(result).toEqual({ seeded: true, samples: expected });
    expect(ingest.samples).toHaveLength(expected);
    expect(Math.min(...ingest.samples.map(s => s.sampledAt))).toBe(
      END - 90 * DAY,
    );
    expect(Math.max(...ingest.samples.map(s => s.sampledAt))).toBe(END - HOUR);
    expect(Math.max(...ingest.inserts)).toBeLessThanOrEqual(1_000);
    expect(ingest.inserts.reduce((a, b) => a + b, 0)).toBe(expected);

    // One rollup per insert; together they cover the history without gaps.
    expect(ingest.rollups).toHaveLength(ingest.inserts.length);
    expect(ingest.rollups[0].fromSeconds).toBe(END - 90 * DAY);
    for (let i = 1; i < ingest.rollups.length; i++) {
      expect(ingest.rollups[i].fromSeconds).toBe(
        ingest.rollups[i - 1].toSeconds,
      );
    }
    expect(ingest.rollups[ingest.rollups.length - 1].toSeconds).toBe(END);

    // No batch spans two months; one progress line per month (Aug..Nov).
    const monthOf = (t: number) => new Date(t * 1000).toISOString().slice(0, 7);
    for (const r of ingest.rollups) {
      expect(monthOf(r.fromSeconds)).toBe(monthOf(r.toSeconds - 1));
    }
    const lines = logger.info.mock.calls.map(c => String(c[0]));
    const monthLines = lines.filter(l => l.startsWith('Seeded demo usage of'));
    expect(monthLines).toEqual([
      expect.stringContaining('2026-08'),
      expect.stringContaining('2026-09'),
      expect.stringContaining('2026-10'),
      expect.stringContaining('2026-11'),
    ]);
  });

  it('writes and records nothing when the store has data', async () => {
    const ingest = new FakeIngest(true);
    const recordCompleted = jest.fn();
    const auditLog = { recordCompleted } as unknown as AuditLog;
    const result = await seedDemoUsage({
      ingest,
      fleet,
      now: NOW,
      days: 5,
      auditLog,
    });
    expect(result).toEqual({ seeded: false, samples: 0 });
    expect(ingest.inserts).toEqual([]);
    expect(ingest.rollups).toEqual([]);
    expect(recordCompleted).not.toHaveBeenCalled();
  });

  it('asks isEmpty when the store cannot tell, and refuses to guess', async () => {
    const recorded: UsageSample[] = [];
    const ingest = {
      insertSamples: async (samples: UsageSample[]) => {
        for (const s of samples) recorded.push(s);
      },
      rollup: async () => {},
      pruneSamples: async () => 0,
    };
    await expect(
      seedDemoUsage({
        ingest,
        fleet,
        now: NOW,
        days: 2,
        isEmpty: async () => false,
      }),
    ).resolves.toEqual({ seeded: false, samples: 0 });
    expect(recorded).toEqual([]);
    await expect(
      seedDemoUsage({
        ingest,
        fleet,
        now: NOW,
        days: 2,
        isEmpty: async () => true,
      }),
    ).resolves.toEqual({ seeded: true, samples: 8 * 2 * 24 });
    await expect(
      seedDemoUsage({ ingest, fleet, now: NOW, days: 2 }),
    ).rejects.toThrow(/hasAnySamples/);
    // A store that knows its newest sample.
    let last: number | undefined = 1;
    const dated = { ...ingest, lastSampledAt: async () => last };
    await expect(
      seedDemoUsage({ ingest: dated, fleet, now: NOW, days: 2 }),
    ).resolves.toEqual({ seeded: false, samples: 0 });
    last = undefined;
    await expect(
      seedDemoUsage({ ingest: dated, fleet, now: NOW, days: 2 }),
    ).resolves.toEqual({ seeded: true, samples: 8 * 2 * 24 });
  });

  it('is deterministic', async () => {
    const a = new FakeIngest();
    const b = new FakeIngest();
    await seedDemoUsage({ ingest: a, fleet, now: NOW, days: 3, seed: 9 });
    await seedDemoUsage({ ingest: b, fleet, now: NOW, days: 3, seed: 9 });
    expect(a.samples).toEqual(b.samples);
  });

  describe('into the database store', () => {
    const databases = TestDatabases.create({
      ids: ['POSTGRES_15', 'SQLITE_3'],
    });

    it.each(databases.eachSupportedId())(
      'gives the cost of the samples on %p',
      async databaseId => {
        const knex = await databases.init(databaseId);
        await migrateDatabase(knex);
        const store = DatabaseUsageStore.create({ knex });
        const auditLog = new AuditLog({
          store: DatabaseAuditStore.create({ knex }),
          auditor: mockServices.auditor.mock(),
          logger: mockServices.logger.mock(),
        });
        const auditRecords = async () => {
          const records: AuditRecord[] = [];
          for await (const r of auditLog.store.stream()) records.push(r);
          return records;
        };
        const recorded: UsageSample[] = [];
        const ingest = {
          insertSamples: async (samples: UsageSample[]) => {
            for (const s of samples) recorded.push(s);
            await store.insertSamples(samples);
          },
          rollup: store.rollup.bind(store),
          pruneSamples: store.pruneSamples.bind(store),
        };
        const result = await seedDemoUsage({
          ingest,
          fleet,
          now: NOW,
          days: 40,
          isEmpty: async () =>
            Number((await knex('usage_samples').count({ n: '*' }))[0].n) === 0,
          auditLog,
        });
        expect(result.samples).toBe(recorded.length);

        // One record of the whole history, marked as demo data.
        expect(await auditRecords()).toEqual([
          expect.objectContaining({
            actor: 'service:ai-platform-demo-seed',
            action: 'cost.seed',
            target: undefined,
            outcome: 'success',
            request: {
              demo: true,
              from: new Date((END - 40 * DAY) * 1000).toISOString(),
              to: new Date(END * 1000).toISOString(),
              days: 40,
              samples: recorded.length,
              endpoints: 8,
              seed: 1,
            },
            message: expect.stringMatching(
              /^Demo data: seeded 40 days of generated GPU usage \(\d+ samples of 8 endpoints/,
            ),
          }),
        ]);
        await expect(auditLog.store.verify()).resolves.toEqual({
          ok: true,
          checked: 1,
        });

        const summary = await DatabaseCostQueries.create({ knex }).costSummary({
          from: END - 40 * DAY,
          to: END,
          groupBy: 'team',
          granularity: 'month',
        });
        const cost = recorded.reduce(
          (sum, s) =>
            sum + ((s.gpus * s.intervalSeconds) / HOUR) * s.pricePerGpuHour,
          0,
        );
        expect(summary.totals).toHaveLength(1);
        expect(summary.totals[0].currency).toBe('USD');
        expect(summary.totals[0].cost).toBeCloseTo(cost, 4);
        // The seeded history is labelled demo data, every GPU-hour of it.
        expect(summary.basis.gpuHours).toEqual({
          clusterState: 0,
          lastKnownState: 0,
          demo: 1,
          catalog: 0,
        });
        expect(summary.basis).toMatchObject({
          allocation: true,
          utilization: 'full',
          tokens: 'partial',
        });

        // Seeding again leaves the data alone.
        const again = await seedDemoUsage({
          ingest,
          fleet,
          now: NOW,
          days: 40,
          isEmpty: async () =>
            Number((await knex('usage_samples').count({ n: '*' }))[0].n) === 0,
          auditLog,
        });
        expect(again.seeded).toBe(false);
        expect(await auditRecords()).toHaveLength(1);
        await expect(auditLog.store.verify()).resolves.toEqual({
          ok: true,
          checked: 1,
        });
      },
    );
  });
});
