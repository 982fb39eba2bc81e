import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { DatabaseUsageStore } from '../cost/DatabaseUsageStore';
import { FOCUS_1_0_COLUMNS, FOCUS_1_3_COLUMNS } from '../cost/focus';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import fs from 'fs';
import path from 'path';
import { requestCheckedAgainstSpec as request } from '../__testUtils__/specResponses';
import { parseAllDocuments } from 'yaml';
import { aiPlatformPlugin } from '../plugin';

jest.setTimeout(60_000);

const examples = path.resolve(__dirname, '../../../../examples');
const entities = [
  'models.yaml',
  'org.yaml',
  'gpu-pools.yaml',
  'endpoints.yaml',
].flatMap(f =>
  parseAllDocuments(fs.readFileSync(path.join(examples, f), 'utf8')).map(
    d => d.toJS() as Entity,
  ),
);
const harnessResults = JSON.parse(
  fs.readFileSync(
    path.join(
      __dirname,
      '../evals/__fixtures__/lm-eval-harness-llama-3.1-8b-instruct.json',
    ),
    'utf8',
  ),
);

const MODEL = 'model:default/llama-3-1-8b-instruct';
const bob = mockCredentials.user.header('user:default/bob');

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

async function startBackend(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
) {
  const knex = await databases.init('SQLITE_3');
  const { server } = await startTestBackend({
    features: [
      aiPlatformPlugin,
      catalogServiceMock.factory({ entities }),
      mockServices.permissions.factory({ result }),
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: { aiPlatform: { cost: { collector: { enabled: false } } } },
      }),
    ],
  });
  return Object.assign(server, { knex });
}

describe('ai-platform router', () => {
  let server: Awaited<ReturnType<typeof startBackend>>;
  let denied: Awaited<ReturnType<typeof startBackend>>;

  beforeAll(async () => {
    server = await startBackend(AuthorizeResult.ALLOW);
    denied = await startBackend(AuthorizeResult.DENY);
  });

  const api = (s = server) => ({
    get: (url: string) =>
      request(s).get(`/api/ai-platform${url}`).set('Authorization', bob),
    post: (url: string, body: object) =>
      request(s)
        .post(`/api/ai-platform${url}`)
        .set('Authorization', bob)
        .send(body),
    anonymous: (url: string) =>
      request(s)
        .get(`/api/ai-platform${url}`)
        .set('Authorization', mockCredentials.none.header()),
    put: (url: string, body: object) =>
      request(s)
        .put(`/api/ai-platform${url}`)
        .set('Authorization', bob)
        .send(body),
    delete: (url: string, body: object) =>
      request(s)
        .delete(`/api/ai-platform${url}`)
        .set('Authorization', bob)
        .send(body),
    anonymousSend: (
      method: 'post' | 'put' | 'delete',
      url: string,
      body: object,
    ) =>
      request(s)
        [method](`/api/ai-platform${url}`)
        .set('Authorization', mockCredentials.none.header())
        .send(body),
  });

  const postRun = (version: string, s = server) =>
    api(s).post('/evals/runs', {
      model: MODEL,
      version,
      format: 'lm-evaluation-harness',
      results: harnessResults,
      image: 'vllm/vllm-openai:v0.10.1',
    });

  describe('POST /evals/runs', () => {
    it('201: stores an lm-evaluation-harness run, audits it and answers with the gates', async () => {
      const res = await postRun('v2');
      expect(res.status).toBe(201);
      expect(res.body.run).toMatchObject({
        modelRef: MODEL,
        version: 'v2',
        format: 'lm-evaluation-harness',
        postedBy: 'user:default/bob',
        provenance: {
          harness: 'lm-evaluation-harness',
          image: 'vllm/vllm-openai:v0.10.1',
        },
      });
      expect(res.body.run.scoreCount).toBeGreaterThan(5);
      expect(res.body.gates.version).toBe('v2');
      // The gates of examples/models.yaml name the metrics the parser stores:
      // mmlu acc 0.681 >= 0.66, gsm8k strict-match 0.7695 >= 0.75, ifeval
      // without a production baseline yet.
      expect(
        res.body.gates.gates.map(
          (g: { task: string; status: string; value?: number }) => [
            g.task,
            g.status,
            g.value,
          ],
        ),
      ).toEqual([
        ['mmlu', 'pass', expect.closeTo(0.681, 3)],
        ['gsm8k', 'pass', expect.closeTo(0.7695, 4)],
        ['ifeval', 'pass', expect.closeTo(0.7394, 4)],
      ]);
      expect(JSON.stringify(res.body)).not.toMatch(/sk-[A-Za-z0-9]/);

      const audit = await api().get(
        '/audit?action=eval.ingest&outcome=success',
      );
      expect(audit.body.items[0]).toMatchObject({
        actor: 'user:default/bob',
        action: 'eval.ingest',
        target: MODEL,
        request: { version: 'v2', format: 'lm-evaluation-harness' },
        outcome: 'success',
      });
    });

    it('201: keeps secrets out of the provenance everyone can read', async () => {
      const res = await api().post('/evals/runs', {
        model: MODEL,
        version: 'v2',
        format: 'generic',
        results: { scores: [{ task: 'mmlu', metric: 'acc', value: 0.69 }] },
        endpoint: 'https://ci:hunter22@chat.internal/v1?api_key=abcdef123',
        extra: { ciJob: 'https://ci/job/1', token: 'tok-123456789' },
      });
      expect(res.status).toBe(201);
      const run = await api().get(`/evals/runs/${res.body.run.id}`);
      expect(run.body.run.provenance).toMatchObject({
        endpoint: 'https://[REDACTED]@chat.internal/v1?api_key=[REDACTED]',
        extra: { ciJob: 'https://ci/job/1', token: '[REDACTED]' },
      });
    });

    it('400: a bad body names the field and writes nothing', async () => {
      const before = await api().get(`/evals/runs?model=${MODEL}`);
      const res = await api().post('/evals/runs', {
        model: MODEL,
        format: 'csv',
        results: {},
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('version');
      expect(res.body.error.message).toContain('format');
      const after = await api().get(`/evals/runs?model=${MODEL}`);
      expect(after.body.items).toHaveLength(before.body.items.length);
    });

    it('400: a version the model does not have is named, and the failure is audited', async () => {
      const res = await postRun('v9');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'version "v9" is not a version of model:default/llama-3-1-8b-instruct (its versions: v1, v2, v2-fp8)',
      );
      const audit = await api().get(
        '/audit?action=eval.ingest&outcome=failure',
      );
      expect(audit.body.items[0]).toMatchObject({
        outcome: 'failure',
        message: res.body.error.message,
      });
    });

    it('401 without credentials, 403 without ai-platform.eval.write, 404 for an unknown model', async () => {
      expect(
        (
          await request(server)
            .post('/api/ai-platform/evals/runs')
            .set('Authorization', mockCredentials.none.header())
            .send({})
        ).status,
      ).toBe(401);
      expect((await postRun('v2', denied)).status).toBe(403);
      const res = await api().post('/evals/runs', {
        model: 'model:default/nope',
        version: 'v1',
        format: 'generic',
        results: { scores: [{ task: 't', metric: 'm', value: 1 }] },
      });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        'model:default/nope is not in the catalog',
      );
    });
  });

  describe('reading evals', () => {
    beforeAll(async () => {
      await postRun('v1');
      await api().post('/evals/runs', {
        model: MODEL,
        version: 'v2',
        format: 'generic',
        results: {
          harness: 'custom-suite',
          scores: [{ task: 'mmlu', metric: 'acc', value: 0.7 }],
        },
      });
    });

    it('GET /evals/runs lists runs newest first (200, 400, 401, 404)', async () => {
      const res = await api().get(`/evals/runs?model=${MODEL}&version=v2`);
      expect(res.status).toBe(200);
      expect(res.body.items[0].provenance.harness).toBe('custom-suite');
      expect((await api().get('/evals/runs')).status).toBe(400);
      expect((await api().anonymous(`/evals/runs?model=${MODEL}`)).status).toBe(
        401,
      );
      expect(
        (await api().get('/evals/runs?model=model:default/nope')).status,
      ).toBe(404);
    });

    it('GET /evals/runs/:id returns a run with its scores (200, 401, 404)', async () => {
      const list = await api().get(`/evals/runs?model=${MODEL}&version=v1`);
      const res = await api().get(`/evals/runs/${list.body.items[0].id}`);
      expect(res.status).toBe(200);
      expect(res.body.scores.length).toBe(res.body.run.scoreCount);
      expect(
        (await api().anonymous(`/evals/runs/${list.body.items[0].id}`)).status,
      ).toBe(401);
      expect((await api().get('/evals/runs/does-not-exist')).status).toBe(404);
    });

    it('GET /evals/scores gives the latest score per task and metric (200, 400, 401, 404)', async () => {
      const res = await api().get(`/evals/scores?model=${MODEL}&version=v2`);
      expect(res.status).toBe(200);
      const mmlu = res.body.items.filter(
        (s: { task: string; metric: string }) =>
          s.task === 'mmlu' && s.metric === 'acc',
      );
      expect(mmlu).toHaveLength(1);
      expect(mmlu[0].value).toBe(0.7);
      expect((await api().get(`/evals/scores?model=${MODEL}`)).status).toBe(
        400,
      );
      expect(
        (await api().anonymous(`/evals/scores?model=${MODEL}&version=v2`))
          .status,
      ).toBe(401);
      expect(
        (await api().get(`/evals/scores?model=${MODEL}&version=v9`)).status,
      ).toBe(404);
    });

    it('GET /evals/history gives every score over time (200, 400, 401, 404)', async () => {
      const res = await api().get(
        `/evals/history?model=${MODEL}&task=mmlu&metric=acc`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items.map((s: { version: string }) => s.version)).toEqual(
        expect.arrayContaining(['v1', 'v2']),
      );
      expect(
        (await api().get(`/evals/history?model=${MODEL}&task=mmlu`)).status,
      ).toBe(400);
      expect(
        (
          await api().anonymous(
            `/evals/history?model=${MODEL}&task=mmlu&metric=acc`,
          )
        ).status,
      ).toBe(401);
      expect(
        (await api().get('/evals/history?model=nope&task=mmlu&metric=acc'))
          .status,
      ).toBe(404);
    });

    it('GET /evals/compare puts two versions side by side (200, 400, 401, 404)', async () => {
      const res = await api().get(`/evals/compare?model=${MODEL}&a=v1&b=v2`);
      expect(res.status).toBe(200);
      const row = res.body.rows.find(
        (r: { task: string; metric: string }) =>
          r.task === 'mmlu' && r.metric === 'acc',
      );
      expect(row.b).toBe(0.7);
      expect(row.delta).toBeCloseTo(0.7 - row.a, 10);
      // From the harness's higher_is_better of v1's run.
      expect(row.higherIsBetter).toBe(true);
      expect(
        (await api().get(`/evals/compare?model=${MODEL}&a=v1`)).status,
      ).toBe(400);
      expect(
        (await api().anonymous(`/evals/compare?model=${MODEL}&a=v1&b=v2`))
          .status,
      ).toBe(401);
      expect(
        (await api().get(`/evals/compare?model=${MODEL}&a=v1&b=v7`)).status,
      ).toBe(404);
    });

    it('GET /evals/leaderboard ranks across models with filters (200, 400, 401)', async () => {
      const res = await api().get(
        '/evals/leaderboard?type=llm&task=mmlu&stage=production',
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeGreaterThan(0);
      for (const row of res.body.items) {
        expect(row).toMatchObject({
          type: 'llm',
          task: 'mmlu',
          stage: 'production',
          version: 'v1',
        });
      }
      const none = await api().get('/evals/leaderboard?type=embedding');
      expect(none.body.items).toEqual([]);
      expect((await api().get('/evals/leaderboard?stage=prod')).status).toBe(
        400,
      );
      expect((await api().anonymous('/evals/leaderboard')).status).toBe(401);
    });
  });

  describe('gates', () => {
    it('GET /gates evaluates the version (200, 400, 401, 404)', async () => {
      const res = await api().get(`/gates?model=${MODEL}&version=v2-fp8`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        model: MODEL,
        version: 'v2-fp8',
        passed: false,
      });
      expect(res.body.gates.map((g: { status: string }) => g.status)).toEqual([
        'missing',
        'missing',
        'missing',
      ]);
      expect((await api().get(`/gates?model=${MODEL}`)).status).toBe(400);
      expect(
        (await api().anonymous(`/gates?model=${MODEL}&version=v1`)).status,
      ).toBe(401);
      expect((await api().get(`/gates?model=${MODEL}&version=v9`)).status).toBe(
        404,
      );
    });

    it('POST /gates/overrides overrides one gate with a reason, audited (201, 400, 401, 403, 404)', async () => {
      const body = {
        model: MODEL,
        version: 'v2-fp8',
        task: 'mmlu',
        metric: 'acc',
        reason:
          'FP8 run scheduled; accepted by the platform team for the canary',
      };
      const res = await api().post('/gates/overrides', body);
      expect(res.status).toBe(201);
      const mmlu = res.body.gates.find(
        (g: { task: string }) => g.task === 'mmlu',
      );
      expect(mmlu).toMatchObject({ status: 'missing', passed: true });
      expect(mmlu.overridden).toMatchObject({
        reason: body.reason,
        actor: 'user:default/bob',
      });
      const audit = await api().get('/audit?action=gate.override');
      expect(audit.body.items[0]).toMatchObject({
        outcome: 'success',
        target: MODEL,
        request: {
          version: 'v2-fp8',
          task: 'mmlu',
          metric: 'acc',
          reason: body.reason,
        },
      });
      // Applies to that version only.
      const v2 = await api().get(`/gates?model=${MODEL}&version=v2`);
      expect(
        v2.body.gates.find((g: { task: string }) => g.task === 'mmlu')
          .overridden,
      ).toBeUndefined();

      const short = await api().post('/gates/overrides', {
        ...body,
        reason: 'ok',
      });
      expect(short.status).toBe(400);
      expect(short.body.error.message).toContain('reason');
      const unknownGate = await api().post('/gates/overrides', {
        ...body,
        task: 'hellaswag',
      });
      expect(unknownGate.status).toBe(400);
      expect(
        (
          await request(server)
            .post('/api/ai-platform/gates/overrides')
            .set('Authorization', mockCredentials.none.header())
            .send(body)
        ).status,
      ).toBe(401);
      expect((await api(denied).post('/gates/overrides', body)).status).toBe(
        403,
      );
      expect(
        (await api().post('/gates/overrides', { ...body, version: 'v9' }))
          .status,
      ).toBe(404);
    });
  });

  describe('quotas', () => {
    const L4 = 'gpupool:default/l4-inference';

    it('GET /quotas shows each pool with team quotas and usage (200, 400, 401, 404)', async () => {
      const res = await api().get('/quotas');
      expect(res.status).toBe(200);
      expect(
        res.body.items.map((p: { pool: string }) => p.pool).sort(),
      ).toEqual([
        'gpupool:default/a100-mig-3g',
        'gpupool:default/h100-inference',
        'gpupool:default/l4-dev-timesliced',
        'gpupool:default/l4-inference',
      ]);
      const l4 = await api().get(`/quotas?pool=${L4}&team=applied-ml`);
      expect(l4.body.items[0]).toMatchObject({
        capacity: 16,
        used: 9,
        teams: [
          { team: 'group:default/applied-ml', quota: 12, used: 9, free: 3 },
        ],
      });
      expect(
        (await api().get('/quotas?pool=model:default/bge-m3')).status,
      ).toBe(400);
      expect((await api().anonymous('/quotas')).status).toBe(401);
      expect(
        (await api().get('/quotas?pool=gpupool:default/nope')).status,
      ).toBe(404);
    });

    it('GET /quotas/kueue says why Kueue figures are missing (200, 400, 401, 404)', async () => {
      const h100 = await api().get(
        '/quotas/kueue?pool=gpupool:default/h100-inference',
      );
      expect(h100.status).toBe(200);
      expect(h100.body).toMatchObject({
        available: false,
        cluster: 'gpu-us-east',
      });
      expect(h100.body.reason).toContain(
        'runs on cluster "gpu-us-east", which is not configured: add it under kubernetes.clusterLocatorMethods',
      );
      const l4 = await api().get(`/quotas/kueue?pool=${L4}`);
      expect(l4.body).toEqual({
        pool: L4,
        cluster: 'gpu-eu-west',
        available: false,
        reason: 'gpupool:default/l4-inference has no spec.kueue.clusterQueue',
      });
      expect((await api().get('/quotas/kueue')).status).toBe(400);
      expect((await api().anonymous(`/quotas/kueue?pool=${L4}`)).status).toBe(
        401,
      );
      expect(
        (await api().get('/quotas/kueue?pool=gpupool:default/nope')).status,
      ).toBe(404);
    });

    it('GET /quotas/check answers with the numbers (200, 400, 401, 404)', async () => {
      const res = await api().get(
        `/quotas/check?team=applied-ml&pool=${L4}&gpus=4`,
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        allowed: false,
        quota: 12,
        used: 9,
        poolCapacity: 16,
        poolFree: 7,
      });
      expect(res.body.reasons[0]).toContain('quota exceeded');
      const bad = await api().get(
        `/quotas/check?team=applied-ml&pool=${L4}&gpus=-1`,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('gpus');
      expect(
        (
          await api().anonymous(
            `/quotas/check?team=applied-ml&pool=${L4}&gpus=1`,
          )
        ).status,
      ).toBe(401);
      expect(
        (await api().get('/quotas/check?team=applied-ml&pool=nope&gpus=1'))
          .status,
      ).toBe(404);
    });

    it('PUT and DELETE /quotas/overrides change a quota with old and new value audited (200, 400, 401, 403, 404)', async () => {
      const body = {
        team: 'group:default/data-science',
        pool: L4,
        gpus: 6,
        reason: 'launch week for support bot',
      };
      const res = await api().put('/quotas/overrides', body);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ before: 4, after: 6 });
      const audit = await api().get('/audit?action=quota.update');
      expect(audit.body.items[0]).toMatchObject({
        outcome: 'success',
        target: 'group:default/data-science',
        request: {
          pool: L4,
          gpus: 6,
          oldGpus: 4,
          newGpus: 6,
          reason: body.reason,
        },
      });
      const bad = await api().put('/quotas/overrides', {
        ...body,
        gpus: 'six',
        reason: 'x',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/gpus.*reason/);
      expect(
        (await api().anonymousSend('put', '/quotas/overrides', body)).status,
      ).toBe(401);
      expect((await api(denied).put('/quotas/overrides', body)).status).toBe(
        403,
      );
      expect(
        (
          await api().put('/quotas/overrides', {
            ...body,
            pool: 'gpupool:default/nope',
          })
        ).status,
      ).toBe(404);

      const clear = {
        team: body.team,
        pool: L4,
        reason: 'launch week is over',
      };
      const cleared = await api().delete('/quotas/overrides', clear);
      expect(cleared.status).toBe(200);
      expect(cleared.body).toMatchObject({ before: 6, after: 4 });
      expect((await api().delete('/quotas/overrides', clear)).status).toBe(404);
      expect(
        (await api().delete('/quotas/overrides', { team: body.team })).status,
      ).toBe(400);
      expect(
        (await api().anonymousSend('delete', '/quotas/overrides', clear))
          .status,
      ).toBe(401);
      expect(
        (await api(denied).delete('/quotas/overrides', clear)).status,
      ).toBe(403);
    });

    it('POST /quota-requests, GET /quota-requests and a decision (201/200, 400, 401, 403, 404, 409)', async () => {
      const body = {
        team: 'group:default/applied-ml',
        pool: L4,
        gpus: 14,
        reason: 'holiday traffic for chat',
      };
      const created = await api().post('/quota-requests', body);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        state: 'pending',
        quotaAtRequest: 12,
        requestedBy: 'user:default/bob',
      });
      expect(
        (await api().post('/quota-requests', { ...body, gpus: 0 })).status,
      ).toBe(400);
      expect(
        (await api().post('/quota-requests', { ...body, gpus: 12 })).status,
      ).toBe(400);
      expect(
        (await api().anonymousSend('post', '/quota-requests', body)).status,
      ).toBe(401);
      expect((await api(denied).post('/quota-requests', body)).status).toBe(
        403,
      );
      expect(
        (
          await api().post('/quota-requests', {
            ...body,
            pool: 'gpupool:default/nope',
          })
        ).status,
      ).toBe(404);

      const pending = await api().get('/quota-requests?state=pending');
      expect(pending.status).toBe(200);
      expect(pending.body.items.map((r: { id: string }) => r.id)).toContain(
        created.body.id,
      );
      expect((await api().get('/quota-requests?state=open')).status).toBe(400);
      expect((await api().anonymous('/quota-requests')).status).toBe(401);

      const decision = {
        decision: 'approve',
        reason: 'approved for the holiday peak',
      };
      expect(
        (
          await api(denied).post(
            `/quota-requests/${created.body.id}/decision`,
            decision,
          )
        ).status,
      ).toBe(403);
      const approved = await api().post(
        `/quota-requests/${created.body.id}/decision`,
        decision,
      );
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({
        request: { state: 'approved' },
        quota: { before: 12, after: 14 },
      });
      const audit = await api().get('/audit?action=quota.request.approve');
      expect(audit.body.items[0].request).toMatchObject({
        oldGpus: 12,
        newGpus: 14,
      });
      expect(
        (
          await api().post(
            `/quota-requests/${created.body.id}/decision`,
            decision,
          )
        ).status,
      ).toBe(409);
      expect(
        (
          await api().post(`/quota-requests/${created.body.id}/decision`, {
            decision: 'maybe',
          })
        ).status,
      ).toBe(400);
      expect(
        (await api().post('/quota-requests/nope/decision', decision)).status,
      ).toBe(404);
      expect(
        (
          await api().anonymousSend(
            'post',
            `/quota-requests/${created.body.id}/decision`,
            decision,
          )
        ).status,
      ).toBe(401);
    });
  });

  describe('cost', () => {
    // Two hours of two endpoints on 2026-11-02 (UTC), priced by their pools.
    const T0 = Date.parse('2026-11-02T10:00:00Z') / 1000;
    const sample = (
      endpoint: string,
      team: string,
      pool: string,
      price: number,
      at: number,
      extra = {},
    ) => ({
      sampledAt: at,
      intervalSeconds: 3600,
      endpointRef: `inferenceendpoint:default/${endpoint}`,
      teamRef: team,
      modelRef: 'model:default/llama-3-1-8b-instruct',
      poolRef: pool,
      cluster: 'gpu-eu-west',
      gpus: 2,
      pricePerGpuHour: price,
      currency: 'USD',
      ...extra,
    });

    beforeAll(async () => {
      const store = DatabaseUsageStore.create({ knex: server.knex });
      await store.insertSamples([
        sample(
          'chat-assistant-prod',
          'group:default/applied-ml',
          'gpupool:default/l4-inference',
          0.85,
          T0,
          {
            gpuUtilization: 0.75,
            promptTokens: 3_000_000,
            generationTokens: 1_000_000,
            promptShare: 0.2,
            splitBasis: 'measured',
            requests: 1000,
          },
        ),
        sample(
          'chat-assistant-prod',
          'group:default/applied-ml',
          'gpupool:default/l4-inference',
          0.85,
          T0 + 3600,
        ),
        sample(
          'support-assistant',
          'group:default/data-science',
          'gpupool:default/h100-inference',
          4.1,
          T0,
        ),
      ]);
      await store.rollup({ fromSeconds: T0, toSeconds: T0 + 7200 });
    });

    const window = 'from=2026-11-02&to=2026-11-03';

    it('GET /cost/summary gives exact figures grouped by team (200, 400, 401, 403)', async () => {
      const res = await api().get(
        `/cost/summary?${window}&groupBy=team&granularity=day`,
      );
      expect(res.status).toBe(200);
      // applied-ml: 2 GPUs x 2 h x 0.85 = 3.40; data-science: 2 x 1 x 4.10 = 8.20
      expect(res.body.totals).toHaveLength(1);
      expect(res.body.totals[0].cost).toBeCloseTo(11.6, 9);
      expect(res.body.totals[0].gpuHours).toBeCloseTo(6, 9);
      const applied = res.body.groups.find(
        (g: { key: string }) => g.key === 'group:default/applied-ml',
      );
      expect(applied.cost).toBeCloseTo(3.4, 9);
      // idle: 2 GPU-h x 0.25 x 0.85 where utilisation is known
      expect(applied.idleCost).toBeCloseTo(0.425, 9);
      // cost per 1M tokens: 1.70 / 4M x 1e6
      expect(applied.costPerMillionTokens).toBeCloseTo(0.425, 9);
      // the split: 0.2 of 1.70 to 3M prompt tokens, 0.8 to 1M generated
      expect(applied.costPerMillionPromptTokens).toBeCloseTo(0.34 / 3, 9);
      expect(applied.costPerMillionGenerationTokens).toBeCloseTo(1.36, 9);
      expect(applied.splitMeasuredShare).toBe(1);
      // 1.70 / 1000 requests, counted for half of the cost
      expect(applied.costPerRequest).toBeCloseTo(0.0017, 9);
      expect(applied.requestCoverage).toBeCloseTo(0.5, 9);
      expect(res.body.basis).toEqual({
        allocation: true,
        utilization: 'partial',
        tokens: 'partial',
        // Samples without a basis: billed the catalog's replicas.
        gpuHours: { catalog: 1, clusterState: 0, demo: 0, lastKnownState: 0 },
      });
      expect(res.body.series.length).toBeGreaterThan(0);
      expect((await api().get('/cost/summary?groupBy=region')).status).toBe(
        400,
      );
      expect(
        (await api().get('/cost/summary?from=2026-11-03&to=2026-11-02')).status,
      ).toBe(400);
      expect((await api().get('/cost/summary?from=yesterday')).status).toBe(
        400,
      );
      // Without Z or an offset the server's time zone would decide.
      expect(
        (await api().get('/cost/summary?from=2026-11-02T00:00:00')).status,
      ).toBe(400);
      const shifted = await api().get(
        '/cost/summary?from=2026-11-02T01:00:00%2B01:00&to=2026-11-03T00:00:00Z',
      );
      expect(shifted.body.totals[0].cost).toBeCloseTo(11.6, 9);
      expect((await api().anonymous('/cost/summary')).status).toBe(401);
      expect((await api(denied).get('/cost/summary')).status).toBe(403);
    });

    it('GET /cost/top, /cost/month-over-month and /cost/forecast answer (200, 400, 401, 403)', async () => {
      const top = await api().get(
        `/cost/top?${window}&groupBy=endpoint&limit=1`,
      );
      expect(top.status).toBe(200);
      expect(top.body.items).toHaveLength(1);
      expect(top.body.items[0].key).toBe(
        'inferenceendpoint:default/support-assistant',
      );
      expect((await api().get('/cost/top?limit=0')).status).toBe(400);
      const mom = await api().get('/cost/month-over-month?month=2026-11');
      expect(mom.status).toBe(200);
      expect(mom.body.month).toBe('2026-11');
      expect(
        (await api().get('/cost/month-over-month?month=2026-13')).status,
      ).toBe(400);
      const forecast = await api().get('/cost/forecast?groupBy=team');
      expect(forecast.status).toBe(200);
      expect(forecast.body.method).toEqual(expect.any(String));
      expect((await api().get('/cost/forecast?groupBy=planet')).status).toBe(
        400,
      );
      expect((await api().anonymous('/cost/top')).status).toBe(401);
      expect((await api(denied).get('/cost/forecast')).status).toBe(403);
    });

    it('PUT /cost/budgets sets a budget, audited with old and new amount; GET shows budget vs actual (200, 400, 401, 403)', async () => {
      const body = {
        team: 'applied-ml',
        month: '2026-11',
        amount: 5000,
        currency: 'USD',
        reason: 'Q4 plan for chat',
      };
      const first = await api().put('/cost/budgets', body);
      expect(first.status).toBe(200);
      const second = await api().put('/cost/budgets', {
        ...body,
        amount: 6000,
      });
      expect(second.body.previous.amount).toBe(5000);
      const audit = await api().get('/audit?action=budget.update');
      expect(audit.body.items[0].request).toMatchObject({
        oldAmount: 5000,
        newAmount: 6000,
        month: '2026-11',
      });
      const budgets = await api().get('/cost/budgets?month=2026-11');
      expect(budgets.status).toBe(200);
      expect(
        budgets.body.items.find(
          (r: { teamRef: string }) => r.teamRef === 'group:default/applied-ml',
        ),
      ).toBeDefined();
      const bad = await api().put('/cost/budgets', {
        ...body,
        amount: -1,
        currency: 'usd',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/amount.*currency/);
      expect(
        (await api().anonymousSend('put', '/cost/budgets', body)).status,
      ).toBe(401);
      expect((await api(denied).put('/cost/budgets', body)).status).toBe(403);
      expect((await api(denied).get('/cost/budgets')).status).toBe(403);
    });

    it('GET /cost/export answers CSV and FOCUS 1.3 or 1.0 CSV (200, 400, 401, 403)', async () => {
      const csv = await api().get(`/cost/export?${window}`);
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      // The token split and requests, at the end of each line.
      expect(csv.text.split('\r\n')[0]).toMatch(
        /,cost_per_million_prompt_tokens,cost_per_million_generation_tokens,split_measured_gpu_hours,requests,cost_per_request$/,
      );
      expect(csv.text).toMatch(/,1000,0\.0017\r\n/);

      // FOCUS 1.3 by default: its columns sorted, then the x_ ones.
      const focus = await api().get(`/cost/export?${window}&format=focus`);
      expect(focus.status).toBe(200);
      expect(focus.headers['content-type']).toContain('text/csv');
      const [header, ...rows] = focus.text.trim().split('\r\n');
      expect(header.split(',')).toEqual([...FOCUS_1_3_COLUMNS]);
      expect(header.split(',')).toEqual(
        expect.arrayContaining(['ServiceProviderName', 'HostProviderName']),
      );
      expect(rows).toHaveLength(2);
      expect(focus.text).toContain('Chat assistant (production)');
      const focus13 = await api().get(
        `/cost/export?${window}&format=focus&focusVersion=1.3`,
      );
      expect(focus13.text).toBe(focus.text);

      // focusVersion=1.0: the FOCUS 1.0 columns exported before.
      const focus10 = await api().get(
        `/cost/export?${window}&format=focus&focusVersion=1.0`,
      );
      expect(focus10.status).toBe(200);
      const [header10, ...rows10] = focus10.text.trim().split('\r\n');
      expect(header10.split(',')).toEqual([...FOCUS_1_0_COLUMNS]);
      expect(rows10).toHaveLength(2);
      expect(focus10.text).toContain('Chat assistant (production)');
      expect(focus10.headers['content-disposition']).toBe(
        focus.headers['content-disposition'],
      );

      const badVersion = await api().get(
        `/cost/export?${window}&format=focus&focusVersion=1.2`,
      );
      expect(badVersion.status).toBe(400);
      expect(badVersion.body.error.message).toMatch(/focusVersion/);
      expect(
        (await api().get(`/cost/export?${window}&format=xlsx`)).status,
      ).toBe(400);
      expect((await api().anonymous('/cost/export')).status).toBe(401);
      expect((await api(denied).get('/cost/export')).status).toBe(403);
    });
  });

  describe('audit', () => {
    it('GET /audit filters and pages (200, 400, 401, 403)', async () => {
      const first = await api().get('/audit?limit=1');
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(1);
      expect(first.body.nextCursor).toBeDefined();
      const second = await api().get(
        `/audit?limit=1&cursor=${first.body.nextCursor}`,
      );
      expect(second.body.items[0].seq).toBeLessThan(first.body.items[0].seq);
      expect((await api().get('/audit?outcome=maybe')).status).toBe(400);
      // Offsets and missing milliseconds are normalised to the stored form:
      // one second after the newest record, written in UTC+01:00.
      const newest = first.body.items[0];
      const later = new Date(Date.parse(newest.time) + 1000 + 3_600_000);
      const inUtcPlusOne = `${later.toISOString().slice(0, 19)}+01:00`;
      const upTo = await api().get(
        `/audit?to=${encodeURIComponent(inUtcPlusOne)}&limit=1`,
      );
      expect(upTo.body.items[0].id).toBe(newest.id);
      const after = await api().get(
        `/audit?from=${encodeURIComponent(inUtcPlusOne)}`,
      );
      expect(after.body.items).toEqual([]);
      expect((await api().get('/audit?cursor=bogus')).status).toBe(400);
      expect((await api().anonymous('/audit')).status).toBe(401);
      expect((await api(denied).get('/audit')).status).toBe(403);
    });

    it('GET /audit/verify walks the chain (200, 401, 403)', async () => {
      const res = await api().get('/audit/verify');
      expect(res.status).toBe(200);
      expect(res.body.ok).toBe(true);
      expect(res.body.checked).toBeGreaterThan(3);
      expect((await api().anonymous('/audit/verify')).status).toBe(401);
      expect((await api(denied).get('/audit/verify')).status).toBe(403);
    });

    it('GET /audit/export answers CSV (200, 400, 401, 403)', async () => {
      const res = await api().get('/audit/export?action=gate.override');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toContain('text/csv');
      // RFC 4180, as the cost exports: CRLF line ends.
      expect(res.text.endsWith('\r\n')).toBe(true);
      const lines = res.text.slice(0, -2).split('\r\n');
      expect(lines[0]).toBe(
        'seq,id,time,actor,action,target,outcome,message,request,prev_hash,hash',
      );
      expect(lines.length).toBeGreaterThan(1);
      // seq, id, time and actor hold no comma: the fifth cell is the action.
      expect(lines.slice(1).map(l => l.split(',')[4])).toEqual(
        lines.slice(1).map(() => 'gate.override'),
      );
      expect((await api().get('/audit/export?from=yesterday')).status).toBe(
        400,
      );
      expect((await api().anonymous('/audit/export')).status).toBe(401);
      expect((await api(denied).get('/audit/export')).status).toBe(403);
    });
  });
});
