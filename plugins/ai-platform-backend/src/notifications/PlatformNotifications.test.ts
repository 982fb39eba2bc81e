import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import type {
  BudgetVsActualRow,
  EndpointSloReport,
  SloObjectiveReport,
} from '@internal/plugin-ai-platform-common';
import type { Knex } from 'knex';
import { loadExampleEntities } from '../__testUtils__/exampleEntities';
import { migrateDatabase } from '../database/migrateDatabase';
import {
  bob,
  createDeployHarness,
  type DeployHarness,
} from '../deploy/__testUtils__/deployHarness';
import { fleetFromEntities } from '../fleet/FleetSource';
import { QuotaService } from '../quotas/QuotaService';
import { BudgetWatcher } from './BudgetWatcher';
import { createPlatformNotifications } from './createPlatformNotifications';
import { DatabaseNotificationLedger } from './DatabaseNotificationLedger';
import { PlatformNotifier } from './PlatformNotifier';
import { SloBurnWatcher } from './SloBurnWatcher';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/** A notifications service that keeps what it was asked to send. */
function recordingService(options: { failFirst?: number } = {}) {
  const sent: NotificationSendOptions[] = [];
  let failures = options.failFirst ?? 0;
  const service: NotificationService = {
    async send(notification) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('notifications backend unavailable');
      }
      sent.push(notification);
    },
  };
  return { service, sent };
}

const config = (extra: object = {}) =>
  mockServices.rootConfig({
    data: {
      aiPlatform: {
        permissions: { platformAdmins: ['group:default/ml-platform'] },
        ...extra,
      },
    },
  });

const budgetRow = (actual: number, forecast: number): BudgetVsActualRow => ({
  teamRef: 'group:default/applied-ml',
  month: '2026-12',
  currency: 'USD',
  budget: 1000,
  actual,
  forecast,
  status: 'under',
  setBy: 'user:default/alice',
  setAt: '2026-12-01T00:00:00Z',
  otherCurrencies: [],
});

describe.each(databases.eachSupportedId())('notifications on %p', id => {
  let knex: Knex;
  beforeEach(async () => {
    knex = await databases.init(id);
    await migrateDatabase(knex);
  });

  describe('the ledger', () => {
    it('lets one of many concurrent claims of a key win, and gives it back', async () => {
      const ledger = DatabaseNotificationLedger.create({ knex });
      const entry = {
        key: 'budget:group:default/a:2026-12:80',
        topic: 'ai-platform-budget',
        recipients: ['group:default/a'],
        at: '2026-12-07T10:00:00.000Z',
      };
      const claims = await Promise.all(
        Array.from({ length: 5 }, () => ledger.claim(entry)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await ledger.has(entry.key)).toBe(true);
      await ledger.release(entry.key);
      expect(await ledger.has(entry.key)).toBe(false);
      expect(await ledger.claim(entry)).toBe(true);
    });
  });

  describe('quota decisions', () => {
    /** The quota workflow on the example pools, with notifications wired as the plugin does. */
    const quotasNotifying = (service: NotificationService) => {
      const notifications = createPlatformNotifications({
        config: config(),
        knex,
        logger: mockServices.logger.mock(),
        notifications: service,
      });
      const entities = loadExampleEntities([
        'gpu-pools.yaml',
        'endpoints.yaml',
      ]);
      return new QuotaService({
        knex,
        fleet: { snapshot: async () => fleetFromEntities(entities) },
        onDecided: notifications.onQuotaRequestDecided,
      });
    };

    it('tell the requester once, approved or rejected', async () => {
      const { service, sent } = recordingService();
      const quotas = quotasNotifying(service);
      const request = await quotas.createRequest({
        team: 'group:default/search-relevance',
        pool: 'gpupool:default/h100-inference',
        gpus: 10,
        reason: 'reranker 2 launch',
        requestedBy: 'user:default/carol',
      });
      expect(sent).toEqual([]);
      await quotas.decide({
        id: request.id,
        decision: 'approve',
        reason: 'fits the Q4 plan',
        actor: 'user:default/alice',
      });
      await expect(
        quotas.decide({
          id: request.id,
          decision: 'reject',
          reason: 'late',
          actor: 'user:default/erin',
        }),
      ).rejects.toThrow('already approved');
      expect(sent).toEqual([
        {
          recipients: { type: 'entity', entityRef: ['user:default/carol'] },
          payload: expect.objectContaining({
            title:
              'Quota request approved: 10 GPUs on h100-inference for search-relevance',
            link: '/ai-platform/quotas',
            topic: 'ai-platform-quota-request',
          }),
        },
      ]);

      const other = await quotas.createRequest({
        team: 'group:default/data-science',
        pool: 'gpupool:default/l4-inference',
        gpus: 8,
        reason: 'batch',
        requestedBy: 'user:default/dave',
      });
      await quotas.decide({
        id: other.id,
        decision: 'reject',
        reason: 'no room this quarter',
        actor: 'user:default/alice',
      });
      expect(sent).toHaveLength(2);
      expect(sent[1]).toMatchObject({
        recipients: { entityRef: ['user:default/dave'] },
        payload: {
          title:
            'Quota request rejected: 8 GPUs on l4-inference for data-science',
        },
      });
    });

    it('are decided even when sending fails', async () => {
      const { service, sent } = recordingService({ failFirst: 1 });
      const quotas = quotasNotifying(service);
      const request = await quotas.createRequest({
        team: 'group:default/search-relevance',
        pool: 'gpupool:default/h100-inference',
        gpus: 10,
        reason: 'launch',
        requestedBy: 'user:default/carol',
      });
      const decided = await quotas.decide({
        id: request.id,
        decision: 'approve',
        reason: 'ok',
        actor: 'user:default/alice',
      });
      expect(decided.request.state).toBe('approved');
      expect(sent).toEqual([]);
      // The claim was given back: the notification is not lost for good.
      expect(
        await DatabaseNotificationLedger.create({ knex }).has(
          `quota-request:${request.id}`,
        ),
      ).toBe(false);
    });
  });

  describe('budgets', () => {
    const watcherOn = (
      rows: () => BudgetVsActualRow[],
      service: NotificationService,
    ) =>
      new BudgetWatcher({
        budgets: { budgetVsActual: async () => rows() },
        notifier: new PlatformNotifier({
          notifications: service,
          ledger: DatabaseNotificationLedger.create({ knex }),
          logger: mockServices.logger.mock(),
        }),
        admins: ['group:default/ml-platform'],
        logger: mockServices.logger.mock(),
        now: () => new Date('2026-12-07T12:00:00Z'),
      });

    it('tells the team and the admins at 80 % and 100 %, once each, across replicas and restarts', async () => {
      const { service, sent } = recordingService();
      let rows = [budgetRow(300, 700)];
      const replicaA = watcherOn(() => rows, service);
      const replicaB = watcherOn(() => rows, service);

      expect(await replicaA.checkOnce()).toBe(0);
      rows = [budgetRow(400, 820)];
      const first = await Promise.all([
        replicaA.checkOnce(),
        replicaB.checkOnce(),
      ]);
      expect(first.sort()).toEqual([0, 1]);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({
        recipients: {
          entityRef: ['group:default/applied-ml', 'group:default/ml-platform'],
        },
        payload: {
          title: 'applied-ml: forecast at 80% of the 2026-12 GPU budget',
          topic: 'ai-platform-budget',
          link: '/ai-platform/cost',
        },
      });

      // A restarted replica remembers: nothing new.
      expect(await watcherOn(() => rows, service).checkOnce()).toBe(0);

      rows = [budgetRow(1010, 1400)];
      expect(await replicaB.checkOnce()).toBe(1);
      expect(await replicaA.checkOnce()).toBe(0);
      expect(sent.map(s => s.payload.title)).toEqual([
        'applied-ml: forecast at 80% of the 2026-12 GPU budget',
        'applied-ml: month-to-date cost at 100% of the 2026-12 GPU budget',
      ]);
    });

    it('retries a send that failed on the next run', async () => {
      const { service, sent } = recordingService({ failFirst: 1 });
      const watcher = watcherOn(() => [budgetRow(900, 950)], service);
      expect(await watcher.checkOnce()).toBe(0);
      expect(await watcher.checkOnce()).toBe(1);
      expect(sent).toHaveLength(1);
    });

    it('is scheduled only when notifications are on', async () => {
      const scheduler = mockServices.scheduler.mock();
      const off = createPlatformNotifications({
        config: config({ notifications: { enabled: false } }),
        knex,
        logger: mockServices.logger.mock(),
        notifications: recordingService().service,
      });
      expect(
        await off.scheduleBudgetChecks({
          scheduler,
          budgets: { budgetVsActual: async () => [] },
        }),
      ).toBeUndefined();
      expect(scheduler.scheduleTask).not.toHaveBeenCalled();
      const on = createPlatformNotifications({
        config: config({ notifications: { budgetCheckMinutes: 5 } }),
        knex,
        logger: mockServices.logger.mock(),
        notifications: recordingService().service,
      });
      await on.scheduleBudgetChecks({
        scheduler,
        budgets: { budgetVsActual: async () => [] },
      });
      expect(scheduler.scheduleTask).toHaveBeenCalledWith(
        expect.objectContaining({
          id: 'ai-platform-budget-notifications',
          scope: 'global',
          frequency: { minutes: 5 },
        }),
      );
    });
  });

  describe('SLO burn', () => {
    const objective = (
      status: SloObjectiveReport['status'],
      burnRate1h: number,
    ): SloObjectiveReport => ({
      kind: 'ttft',
      target: 600,
      boundaryMs: 500,
      metric: 'vllm:time_to_first_token_seconds',
      allowedBadShare: 0.05,
      window: { total: 10_000, bad: 200, allowedBad: 500 },
      budgetLeft: 0.6,
      burnRate1h,
      burnRate6h: 7.2,
      status,
    });
    const report = (o: SloObjectiveReport): EndpointSloReport => ({
      endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
      title: 'Chat assistant (prod)',
      teamRef: 'group:default/applied-ml',
      windowDays: 28,
      evaluatedAt: '2026-12-07T12:00:00Z',
      source: {
        kind: 'prometheus',
        cluster: 'gpu-us-east',
        url: 'http://127.0.0.1:9090',
        selector: '{namespace="chat-prod"}',
      },
      objectives: [o],
    });

    it('tells the owner once per burning episode, again only after it recovered', async () => {
      const { service, sent } = recordingService();
      let current = objective('burning', 16.04);
      const auth = mockServices.auth.mock();
      const fleet = jest.fn(async () => ({ items: [report(current)] }));
      const watcher = new SloBurnWatcher({
        slos: { fleet },
        auth,
        notifier: new PlatformNotifier({
          notifications: service,
          ledger: DatabaseNotificationLedger.create({ knex }),
          logger: mockServices.logger.mock(),
        }),
        ledger: DatabaseNotificationLedger.create({ knex }),
        logger: mockServices.logger.mock(),
      });

      expect(await watcher.checkOnce()).toBe(1);
      expect(auth.getOwnServiceCredentials).toHaveBeenCalled();
      expect(sent[0]).toEqual({
        recipients: { type: 'entity', entityRef: ['group:default/applied-ml'] },
        payload: {
          title:
            'Chat assistant (prod) burns its time to first token error budget fast',
          description:
            'Target p95 600 ms (counted under the 500 ms bucket) over 28 days; burn rate 16.0 over 1 h and 7.2 over 6 h; budget left 60%. From Prometheus of gpu-us-east.',
          link: '/catalog/default/inferenceendpoint/chat-assistant-prod',
          severity: 'high',
          topic: 'ai-platform-slo',
          scope: 'slo-burn:inferenceendpoint:default/chat-assistant-prod:ttft',
        },
      });
      // Still burning, then calmer but still over budget pace: nothing new.
      expect(await watcher.checkOnce()).toBe(0);
      current = objective('ok', 2);
      expect(await watcher.checkOnce()).toBe(0);
      current = objective('burning', 15);
      expect(await watcher.checkOnce()).toBe(0);
      // Recovered (burning slower than the budget allows), then burning again.
      current = objective('ok', 0.4);
      expect(await watcher.checkOnce()).toBe(0);
      current = objective('burning', 20);
      expect(await watcher.checkOnce()).toBe(1);
      expect(sent).toHaveLength(2);
    });
  });

  describe('deployments', () => {
    let h: DeployHarness;
    let sent: NotificationSendOptions[];
    const endpoint = (
      name: string,
      image: string,
      lifecycle = 'experimental',
    ): Entity => ({
      apiVersion: 'ai-platform.io/v1alpha1',
      kind: 'InferenceEndpoint',
      metadata: { name, namespace: 'default' },
      spec: {
        type: 'vllm',
        owner: 'applied-ml',
        lifecycle,
        model: 'model:default/llama-3-1-8b-instruct',
        modelVersion: 'v2',
        gpuPool: 'gpupool:default/l4-inference',
        namespace: 'chat-staging',
        runtime: { image, maxModelLen: 8192 },
        resources: { gpusPerReplica: 1, replicas: 1 },
      },
    });

    /** The deploy harness with notifications wired as the plugin does; what is sent lands in `sent`. */
    const harnessNotifying = async (
      options: Omit<Parameters<typeof createDeployHarness>[0], 'knex'> = {},
    ) => {
      const recording = recordingService();
      sent = recording.sent;
      const notifications = createPlatformNotifications({
        config: config(),
        knex,
        logger: mockServices.logger.mock(),
        notifications: recording.service,
      });
      h = await createDeployHarness({
        knex,
        onFinished: notifications.onDeploymentFinished,
        ...options,
      });
    };

    beforeEach(async () => {
      await harnessNotifying();
    });
    afterEach(async () => {
      await h.close();
    });

    /** The listener runs after the call answers; wait for it. */
    const settle = () => new Promise(resolve => setTimeout(resolve, 200));

    it("tells the endpoint's owner once when a rollout fails", async () => {
      h.server.setImageBehaviour('vllm/vllm-openai:no-such-tag', 'missing');
      const { record } = await h.service.deploy({
        credentials: bob,
        endpoint: endpoint('bad-image', 'vllm/vllm-openai:no-such-tag'),
        wait: true,
      });
      expect(record.state).toBe('failed');
      await settle();
      expect(sent).toEqual([
        {
          recipients: {
            type: 'entity',
            entityRef: ['group:default/applied-ml'],
          },
          payload: expect.objectContaining({
            title: `Deploy of bad-image failed (revision ${record.revision})`,
            link: '/catalog/default/inferenceendpoint/bad-image/deployments',
            topic: 'ai-platform-deployment',
            severity: 'critical',
          }),
        },
      ]);
      expect(sent[0].payload.description).toMatch(
        /^Requested by user:default\/bob\. rollout: .*(ImagePullBackOff|ErrImagePull)/,
      );
    });

    it('tells the owner of the failed promote and of the automatic rollback that followed', async () => {
      await h.close();
      const prod = endpoint(
        'rollout-demo',
        'vllm/vllm-openai:v0.10.1',
        'production',
      );
      await harnessNotifying({ extraEntities: [prod] });
      for (const version of ['v2', 'v2-fp8']) {
        await h.postScores('model:default/llama-3-1-8b-instruct', version, [
          { task: 'mmlu', metric: 'acc', value: 0.7 },
          { task: 'gsm8k', metric: 'exact_match,strict-match', value: 0.8 },
          { task: 'ifeval', metric: 'prompt_level_strict_acc', value: 0.8 },
        ]);
      }
      const ref = 'inferenceendpoint:default/rollout-demo';
      const first = await h.service.deploy({
        credentials: bob,
        endpoint: ref,
        wait: true,
      });
      expect(first.record.state).toBe('succeeded');
      h.server.setImageBehaviour('vllm/vllm-openai:v0.10.1', 'crashing');
      const promoted = await h.service.promote({
        credentials: bob,
        endpointRef: ref,
        modelVersion: 'v2-fp8',
        reason: 'fp8 halves the GPU memory',
        wait: true,
      });
      expect(promoted.record.state).toBe('failed');
      await settle();
      expect(sent.map(n => n.payload.title)).toEqual([
        'Promote of rollout-demo failed (revision 2)',
        'rollout-demo was rolled back automatically to revision 1 (revision 3)',
      ]);
      expect(sent[1].payload.description).toMatch(
        /^Automatic rollback: revision 2 failed its rollout: .*CrashLoopBackOff.*\. The last revision that succeeded runs again\.$/,
      );
      expect(sent.every(n => n.recipients.type === 'entity')).toBe(true);
    });

    it('tells the owner of a deployment the sweep ended because its backend stopped', async () => {
      await h.close();
      // The sweep runs ten minutes later than the records' last sign of life.
      await harnessNotifying({
        now: () => new Date(Date.now() + 10 * 60_000),
      });
      const stuck = await h.store.create({
        endpointRef: 'inferenceendpoint:default/chat-assistant-staging',
        operation: 'promote',
        state: 'rolling-out',
        dryRun: false,
        modelRef: 'model:default/llama-3-1-8b-instruct',
        modelVersion: 'v2-fp8',
        poolRef: 'gpupool:default/l4-inference',
        team: 'group:default/applied-ml',
        cluster: 'gpu-eu-west',
        namespace: 'chat-staging',
        gpus: 1,
        requestedBy: 'user:default/bob',
        specHash: 'abc',
        manifests: [],
      });
      await h.service.failInterrupted();
      // Another replica's sweep finds nothing more to say.
      await h.service.failInterrupted();
      expect(sent).toEqual([
        {
          recipients: {
            type: 'entity',
            entityRef: ['group:default/applied-ml'],
          },
          payload: expect.objectContaining({
            title: `Promote of chat-assistant-staging failed (revision ${stuck.revision})`,
            description: expect.stringContaining('The backend stopped'),
            topic: 'ai-platform-deployment',
          }),
        },
      ]);
    });

    it('says nothing of a deployment that succeeded or only checked', async () => {
      const good = endpoint('good', 'vllm/vllm-openai:v0.10.1');
      const ok = await h.service.deploy({
        credentials: bob,
        endpoint: good,
        wait: true,
      });
      expect(ok.record.state).toBe('succeeded');
      h.server.setImageBehaviour('vllm/vllm-openai:no-such-tag', 'missing');
      const checked = await h.service.deploy({
        credentials: bob,
        endpoint: endpoint('checked', 'vllm/vllm-openai:no-such-tag'),
        dryRun: true,
        wait: true,
      });
      expect(checked.record.dryRun).toBe(true);
      await settle();
      expect(sent).toEqual([]);
    });
  });
});
