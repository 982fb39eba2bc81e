import {
  TestDatabases,
  mockCredentials,
  mockServices,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  isModelEntity,
  type ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import { loadExampleEntities } from '../../__testUtils__/exampleEntities';
import { AuditLog } from '../../audit/AuditLog';
import { DatabaseAuditStore } from '../../audit/DatabaseAuditStore';
import type { AuditRecord } from '../../audit/types';
import { migrateDatabase } from '../../database/migrateDatabase';
import { DatabaseEvalStore } from '../DatabaseEvalStore';
import { EvalService } from '../EvalService';
import { demoEvalRuns, seedDemoEvalResults } from './demoEvalResults';

jest.setTimeout(60_000);

const entities = loadExampleEntities(['models.yaml']);
const models = entities.filter(isModelEntity) as ModelEntityV1alpha1[];
const NOW = new Date('2026-11-23T12:00:00Z');

describe('demoEvalRuns', () => {
  it('ends each version on its listed scores, with older runs a little lower', () => {
    const llama = models.find(
      m => m.metadata.name === 'llama-3-1-8b-instruct',
    )!;
    const runs = demoEvalRuns(llama, NOW).filter(r => r.version === 'v1');
    expect(runs).toHaveLength(4);
    const mmlu = runs.map(r => r.scores.find(s => s.task === 'mmlu')!.value);
    expect(mmlu.at(-1)).toBe(0.684);
    expect(mmlu[0]).toBeLessThan(mmlu.at(-1)!);
    expect(runs.map(r => r.postedAt.getTime())).toEqual(
      [...runs.map(r => r.postedAt.getTime())].sort((a, b) => a - b),
    );
  });
});

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())('seedDemoEvalResults on %p', id => {
  it('fills an empty store once, with every gate state to show', async () => {
    const knex = await databases.init(id);
    await migrateDatabase(knex);
    const written = await seedDemoEvalResults({ knex, models, now: NOW });
    expect(written).toBeGreaterThan(20);
    expect(await seedDemoEvalResults({ knex, models, now: NOW })).toBe(0);

    const evals = new EvalService({
      store: DatabaseEvalStore.create({ knex }),
      catalog: catalogServiceMock({ entities }),
    });
    const credentials = mockCredentials.user();
    const passed = async (model: string, version: string) =>
      (await evals.gateStatus(`model:default/${model}`, version, credentials))
        .passed;
    expect(await passed('llama-3-1-8b-instruct', 'v1')).toBe(true);
    expect(await passed('llama-3-1-8b-instruct', 'v2')).toBe(true);
    expect(await passed('llama-3-1-8b-instruct', 'v2-fp8')).toBe(false);
    expect(await passed('llama-3-1-70b-instruct', 'v1-fp8')).toBe(true);
    expect(await passed('support-assistant-8b', '2026-09')).toBe(true);
    expect(await passed('support-assistant-8b', '2026-11')).toBe(false);
    expect(await passed('bge-m3', 'v1')).toBe(true);
  });

  it('records each seeded run in the audit chain as demo data, once', async () => {
    const knex = await databases.init(id);
    await migrateDatabase(knex);
    const auditLog = new AuditLog({
      store: DatabaseAuditStore.create({ knex }),
      auditor: mockServices.auditor.mock(),
      logger: mockServices.logger.mock(),
    });
    // A record from before the seed: the seeded ones chain on to it.
    const before = await auditLog.record({
      actor: 'user:default/alice',
      action: 'budget.update',
      request: { teamRef: 'group:default/ml-platform', amount: 100 },
      outcome: 'success',
    });
    const all = async () => {
      const records: AuditRecord[] = [];
      for await (const r of auditLog.store.stream()) records.push(r);
      return records;
    };

    const written = await seedDemoEvalResults({
      knex,
      models,
      now: NOW,
      auditLog,
    });
    expect(written).toBeGreaterThan(20);
    const seeded = (await all()).slice(1);
    expect(seeded).toHaveLength(written);
    expect(seeded[0].prevHash).toBe(before.hash);
    const runs = await knex('eval_runs').select('id', 'model_ref');
    const modelOfRun = new Map(runs.map(r => [r.id, r.model_ref]));
    for (const record of seeded) {
      expect(record).toMatchObject({
        actor: 'service:ai-platform-demo-seed',
        action: 'eval.ingest',
        outcome: 'success',
        request: { demo: true, format: 'generic' },
        message: expect.stringMatching(/^Demo data: seeded eval run of /),
      });
      expect(record.target).toBe(modelOfRun.get(record.request.runId));
    }
    expect(new Set(seeded.map(r => r.request.runId)).size).toBe(runs.length);
    expect(
      seeded.find(
        r =>
          r.target === 'model:default/llama-3-1-8b-instruct' &&
          r.request.version === 'v2-fp8',
      ),
    ).toBeDefined();
    await expect(auditLog.store.verify()).resolves.toEqual({
      ok: true,
      checked: written + 1,
    });

    // A second run (another replica, a restart) seeds and records nothing.
    expect(
      await seedDemoEvalResults({ knex, models, now: NOW, auditLog }),
    ).toBe(0);
    expect(await all()).toHaveLength(written + 1);
    await expect(auditLog.store.verify()).resolves.toEqual({
      ok: true,
      checked: written + 1,
    });
  });
});
