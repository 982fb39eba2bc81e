import {
  type TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { migrateDatabase } from '../database/migrateDatabase';
import { DatabaseEvalStore } from './DatabaseEvalStore';
import type { ParsedEvalRun } from './types';

jest.setTimeout(60_000);

const MODEL = 'model:default/llama-3-1-8b-instruct';

const run = (
  scores: Array<[string, string, number]>,
  harness = 'lm-evaluation-harness',
): ParsedEvalRun => ({
  format:
    harness === 'lm-evaluation-harness' ? 'lm-evaluation-harness' : 'generic',
  provenance: {
    harness,
    harnessVersion: 'abc1234',
    batchSize: 'auto',
    image: 'vllm/vllm-openai:v0.10.1',
    extra: { modelArgs: { model: 'meta-llama/Llama-3.1-8B-Instruct' } },
  },
  scores: scores.map(([task, metric, value]) => ({
    task,
    metric,
    value,
    stderr: 0.01,
    numFewshot: task === 'gsm8k' ? 5 : 0,
    taskVersion: '2',
    dataset: `${task}/main`,
    samples: 100,
    higherIsBetter: true,
  })),
});

describe('DatabaseEvalStore', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  async function createStore(databaseId: TestDatabaseId) {
    const knex = await databases.init(databaseId);
    await migrateDatabase(knex);
    let t = Date.parse('2026-10-01T00:00:00.000Z');
    return DatabaseEvalStore.create({
      knex,
      now: () => new Date((t += 3_600_000)),
    });
  }

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('stores runs with provenance and scores, and reads them back', async () => {
      const store = await createStore(databaseId);
      const stored = await store.insertRun({
        modelRef: MODEL,
        version: 'v1',
        run: run([
          ['mmlu', 'acc', 0.68],
          ['gsm8k', 'exact_match,strict-match', 0.77],
        ]),
        postedBy: 'service:external:ci',
      });
      expect(stored).toMatchObject({
        modelRef: MODEL,
        version: 'v1',
        postedBy: 'service:external:ci',
        postedAt: '2026-10-01T01:00:00.000Z',
        scoreCount: 2,
      });
      const found = await store.getRun(stored.id);
      expect(found!.run).toEqual(stored);
      expect(found!.scores).toEqual([
        expect.objectContaining({
          task: 'gsm8k',
          metric: 'exact_match,strict-match',
          value: 0.77,
          stderr: 0.01,
          numFewshot: 5,
          taskVersion: '2',
          dataset: 'gsm8k/main',
          samples: 100,
          higherIsBetter: true,
        }),
        expect.objectContaining({ task: 'mmlu', metric: 'acc', value: 0.68 }),
      ]);
      expect(await store.getRun('missing')).toBeUndefined();
    });

    it('answers latest scores, history, runs and the leaderboard source', async () => {
      const store = await createStore(databaseId);
      await store.insertRun({
        modelRef: MODEL,
        version: 'v1',
        run: run([['mmlu', 'acc', 0.6]]),
        postedBy: 'a',
      });
      await store.insertRun({
        modelRef: MODEL,
        version: 'v1',
        run: run([
          ['mmlu', 'acc', 0.65],
          ['ifeval', 'prompt_level_strict_acc', 0.7],
        ]),
        postedBy: 'a',
      });
      await store.insertRun({
        modelRef: MODEL,
        version: 'v2',
        run: run([['mmlu', 'acc', 0.7]], 'custom'),
        postedBy: 'b',
      });
      await store.insertRun({
        modelRef: 'model:default/bge-m3',
        version: 'v1',
        run: run([['mteb_retrieval', 'ndcg_at_10', 0.55]]),
        postedBy: 'c',
      });

      const latest = await store.latestScores({
        modelRef: MODEL,
        versions: ['v1'],
      });
      expect(latest.map(s => [s.version, s.task, s.value]).sort()).toEqual([
        ['v1', 'ifeval', 0.7],
        ['v1', 'mmlu', 0.65],
      ]);
      const both = await store.latestScores({
        modelRef: MODEL,
        versions: ['v1', 'v2'],
      });
      expect(
        both.filter(s => s.task === 'mmlu').map(s => [s.version, s.value]),
      ).toEqual([
        ['v2', 0.7],
        ['v1', 0.65],
      ]);
      expect(
        await store.latestScores({ modelRef: MODEL, versions: [] }),
      ).toEqual([]);

      const history = await store.history({
        modelRef: MODEL,
        task: 'mmlu',
        metric: 'acc',
      });
      expect(history.map(s => [s.version, s.value])).toEqual([
        ['v1', 0.6],
        ['v1', 0.65],
        ['v2', 0.7],
      ]);

      const runs = await store.listRuns({ modelRef: MODEL });
      expect(
        runs.map(r => [r.version, r.scoreCount, r.provenance.harness]),
      ).toEqual([
        ['v2', 1, 'custom'],
        ['v1', 2, 'lm-evaluation-harness'],
        ['v1', 1, 'lm-evaluation-harness'],
      ]);
      expect(
        await store.listRuns({ modelRef: MODEL, version: 'v2' }),
      ).toHaveLength(1);

      const all = await store.latestScoresOfAll({});
      expect(
        all.map(s => `${s.modelRef} ${s.version} ${s.task} ${s.value}`).sort(),
      ).toEqual([
        'model:default/bge-m3 v1 mteb_retrieval 0.55',
        `${MODEL} v1 ifeval 0.7`,
        `${MODEL} v1 mmlu 0.65`,
        `${MODEL} v2 mmlu 0.7`,
      ]);
      expect((await store.latestScoresOfAll({ task: 'mmlu' })).length).toBe(2);
    });

    it('keeps one override per gate and version, the latest reason winning', async () => {
      const store = await createStore(databaseId);
      const gate = {
        modelRef: MODEL,
        version: 'v2',
        task: 'mmlu',
        metric: 'acc',
      };
      await store.upsertOverride({
        ...gate,
        reason: 'first reason',
        actor: 'user:default/alice',
      });
      const second = await store.upsertOverride({
        ...gate,
        reason: 'second reason',
        actor: 'user:default/erin',
      });
      await store.upsertOverride({
        ...gate,
        version: 'v1',
        reason: 'other version',
        actor: 'user:default/alice',
      });
      expect(
        await store.listOverrides({ modelRef: MODEL, version: 'v2' }),
      ).toEqual([second]);
      expect(second).toMatchObject({
        reason: 'second reason',
        actor: 'user:default/erin',
      });
    });
  });
});
