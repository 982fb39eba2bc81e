import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { FakeKubeApiServerOptions } from '@internal/fake-kube-apiserver';
import {
  bob,
  createDeployHarness,
  type DeployHarness,
} from './__testUtils__/deployHarness';
import type { DeployOptions } from './types';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import { ClusterObserver } from '../cost/ClusterObserver';
import { matchRunningFleet } from '../cost/matchRunningFleet';
import { fleetFromEntities } from '../fleet/FleetSource';
import { ClusterClients } from './ClusterClients';
import { KubernetesClusterClient } from './kube/KubernetesClusterClient';

jest.setTimeout(60_000);

const STAGING = 'inferenceendpoint:default/chat-assistant-staging';
const NAMESPACE = 'chat-staging';
const NAME = 'chat-assistant-staging';

/** Cluster gpu-eu-west (the fake) renders its endpoints as LLMInferenceServices. */
const LLM_TARGET: Partial<DeployOptions> = {
  clusterTargets: {
    'gpu-eu-west': {
      target: 'llm-inference-service',
      router: { gateway: { name: 'inference-gateway' }, scheduler: true },
    },
  },
};

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'DeploymentService with target llm-inference-service on %p',
  id => {
    let h: DeployHarness | undefined;

    async function harness(
      server: FakeKubeApiServerOptions = {
        groups: ['kserve', 'kserve-v1alpha1'],
      },
      deploy: Partial<DeployOptions> = {},
    ) {
      h = await createDeployHarness({
        knex: await databases.init(id),
        server,
        deploy: { ...LLM_TARGET, ...deploy },
      });
      return h;
    }

    afterEach(async () => {
      await h?.close();
      h = undefined;
    });

    const llmisvc = (x: DeployHarness) =>
      x.server.getObject({
        apiVersion: 'serving.kserve.io/v1alpha2',
        kind: 'LLMInferenceService',
        namespace: NAMESPACE,
        name: NAME,
      }) as any;

    it('deploys to ready: applies the service, waits on its conditions, shows URL, conditions and pods', async () => {
      const x = await harness();
      const { record } = await x.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        wait: true,
      });
      expect(record.state).toBe('succeeded');
      expect(record.checks.find(c => c.name === 'target')).toMatchObject({
        status: 'passed',
        message: expect.stringContaining(
          'serving.kserve.io/v1alpha2 LLMInferenceService is served (serving.kserve.io versions: v1alpha2, v1alpha1)',
        ),
      });
      expect(record.objects.map(o => [o.kind, o.action])).toEqual([
        ['ServiceAccount', 'created'],
        ['LLMInferenceService', 'created'],
      ]);
      expect(record.checks.find(c => c.name === 'rollout')?.message).toMatch(
        /LLMInferenceService\/chat-assistant-staging is Ready at http:\/\/inference-gateway\.chat-staging\.svc\.cluster\.local\/chat-staging\/chat-assistant-staging: 1 of 1 replicas ready/,
      );
      // No plain Deployment of ours: KServe made the workload.
      expect(
        x.server.getObject({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: NAMESPACE,
          name: NAME,
        }),
      ).toBeUndefined();
      // The pods carry what cost and quota match them by.
      const pods = x.server.listObjects({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: NAMESPACE,
        labelSelector: `backstage.io/kubernetes-id=${NAME}`,
      });
      expect(pods).toHaveLength(1);
      expect(pods[0].metadata.annotations).toMatchObject({
        'ai-platform.io/owner': 'group:default/applied-ml',
        'ai-platform.io/endpoint': STAGING,
      });
      expect((pods[0].spec as any).nodeName).toMatch(/^l4-node-/);
      expect(await x.quotas.allocation(STAGING)).toMatchObject({ gpus: 1 });
      // The usage collector finds them as the endpoint's own, holding its GPU.
      const observation = await new ClusterObserver({
        clusters: new ClusterClients({
          clusters: [x.server.clusterConfig('gpu-eu-west') as ClusterConfig],
          createClient: cluster => new KubernetesClusterClient({ cluster }),
        }),
      }).observe('gpu-eu-west', 0);
      const fleet = matchRunningFleet({
        fleet: fleetFromEntities(x.entities),
        clusters: new Map([
          [
            'gpu-eu-west',
            { cluster: 'gpu-eu-west', basis: 'cluster-state', observation },
          ],
        ]),
      });
      expect(
        fleet.endpoints.find(e => e.endpoint.ref === STAGING),
      ).toMatchObject({ state: 'running', origin: 'portal', gpus: 1 });
      expect(fleet.foreign).toEqual([]);

      const status = await x.service.status({
        credentials: bob,
        endpointRef: STAGING,
      });
      expect(status).toMatchObject({
        target: 'llm-inference-service',
        clusterConfigured: true,
        runningRevision: 1,
        llmInferenceService: {
          name: NAME,
          apiVersion: 'serving.kserve.io/v1alpha2',
          url: 'http://inference-gateway.chat-staging.svc.cluster.local/chat-staging/chat-assistant-staging',
          ready: true,
          workload: `${NAME}-kserve`,
        },
      });
      expect(status.llmInferenceService?.conditions).toEqual(
        expect.arrayContaining([
          { type: 'Ready', status: 'True' },
          { type: 'WorkloadsReady', status: 'True' },
          { type: 'RouterReady', status: 'True' },
        ]),
      );
      expect(status.pods).toEqual([
        expect.objectContaining({ ready: true, phase: 'Running' }),
      ]);
      expect(status.error).toBeUndefined();
    });

    it('fails with the condition message KServe sets, audited', async () => {
      const x = await harness();
      x.server.setLLMInferenceServiceFault({
        condition: 'PresetsCombined',
        reason: 'ConfigNotFound',
        message:
          'failed to get LLMInferenceServiceConfig "kserve-config-llm-template": not found',
      });
      const { record } = await x.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        wait: true,
      });
      expect(record.state).toBe('failed');
      expect(record.error).toMatchObject({
        check: 'rollout',
        object: `LLMInferenceService/${NAME}`,
        message: `LLMInferenceService/${NAME} is not ready: PresetsCombined False (ConfigNotFound): failed to get LLMInferenceServiceConfig "kserve-config-llm-template": not found`,
      });
      expect((await x.audit()).at(-1)).toMatchObject({
        action: 'endpoint.deploy',
        outcome: 'failure',
        message: expect.stringContaining('ConfigNotFound'),
      });
      const status = await x.service.status({
        credentials: bob,
        endpointRef: STAGING,
      });
      expect(status.llmInferenceService?.ready).toBe(false);
      // Not ready is no error of reading: the conditions say why.
      expect(status.error).toBeUndefined();
      expect(status.llmInferenceService?.conditions).toContainEqual({
        type: 'PresetsCombined',
        status: 'False',
        reason: 'ConfigNotFound',
        message:
          'failed to get LLMInferenceServiceConfig "kserve-config-llm-template": not found',
      });
    });

    it('fails at the timeout naming the Ready condition when the router never becomes ready', async () => {
      const x = await harness(undefined, { rolloutTimeoutMs: 1500 });
      x.server.setLLMInferenceServiceFault({
        condition: 'RouterReady',
        reason: 'GatewaysNotReady',
        message: 'Gateway chat-staging/inference-gateway is not ready',
      });
      const { record } = await x.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        wait: true,
      });
      expect(record.state).toBe('failed');
      expect(record.error?.message).toBe(
        `LLMInferenceService/${NAME} did not become ready within 2 s: Ready False (GatewaysNotReady): Gateway chat-staging/inference-gateway is not ready`,
      );
    });

    it('fails at once when the workload pods cannot pull their image', async () => {
      const x = await harness({
        groups: ['kserve'],
        missingImages: ['vllm/vllm-openai:v0.10.1'],
      });
      const { record } = await x.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        wait: true,
      });
      expect(record.state).toBe('failed');
      expect(record.error?.message).toMatch(
        /^Pod chat-assistant-staging-kserve-[a-z0-9-]+ of LLMInferenceService\/chat-assistant-staging is in (ErrImagePull|ImagePullBackOff)/,
      );
    });

    it('promotes and rolls back through the service, KServe rolling the workload out each time', async () => {
      const x = await harness();
      await x.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        wait: true,
      });
      const uri = () => llmisvc(x).spec.model.uri;
      const workloadArgs = () =>
        (
          x.server.getObject({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            namespace: NAMESPACE,
            name: `${NAME}-kserve`,
          }) as any
        ).spec.template.spec.containers[0].args;
      expect(uri()).toMatch(/^hf:\/\/meta-llama\/Llama-3\.1-8B-Instruct/);

      const promoted = await x.service.promote({
        credentials: bob,
        endpointRef: STAGING,
        modelVersion: 'v2-fp8',
        reason: 'fp8 halves the GPU memory',
        wait: true,
      });
      expect(promoted.record).toMatchObject({
        operation: 'promote',
        state: 'succeeded',
        revision: 2,
      });
      expect(uri()).toMatch(
        /^hf:\/\/neuralmagic\/Meta-Llama-3\.1-8B-Instruct-FP8/,
      );
      expect(workloadArgs()).toEqual(
        expect.arrayContaining(['--quantization', 'fp8']),
      );
      // The surge pod's GPUs were held for the rollout, as for a Deployment.
      expect(
        promoted.record.checks.find(c => c.name === 'quota')?.details,
      ).toMatchObject({ rollout: { strategy: 'surge' } });

      const rolledBack = await x.service.rollback({
        credentials: bob,
        endpointRef: STAGING,
        reason: 'latency regression',
        wait: true,
      });
      expect(rolledBack.record).toMatchObject({
        operation: 'rollback',
        state: 'succeeded',
        restoredRevision: 1,
        revision: 3,
      });
      expect(uri()).toMatch(/^hf:\/\/meta-llama\/Llama-3\.1-8B-Instruct/);
      expect(workloadArgs()).not.toContain('--quantization');
      const status = await x.service.status({
        credentials: bob,
        endpointRef: STAGING,
      });
      expect(status).toMatchObject({
        runningModelVersion: 'v2',
        runningRevision: 3,
        llmInferenceService: { ready: true },
      });
      expect((await x.audit()).map(a => `${a.action}:${a.outcome}`)).toEqual([
        'endpoint.deploy:success',
        'endpoint.promote:success',
        'endpoint.rollback:success',
      ]);
      expect(await x.quotas.allocation(STAGING)).toMatchObject({ gpus: 1 });
    });

    it('refuses a cluster that does not serve the CRD, saying why, reserving and applying nothing', async () => {
      const x = await harness({ groups: [] });
      const call = x.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        wait: true,
      });
      await expect(call).rejects.toThrow(ConflictError);
      await expect(call).rejects.toThrow(
        "cluster gpu-eu-west has deploy target llm-inference-service (aiPlatform.deploy.clusters.gpu-eu-west.target), but it does not serve serving.kserve.io/v1alpha2 LLMInferenceService: the serving.kserve.io API group is not served; install KServe v0.20.0 (its LLMInferenceService CRD), or set the cluster's target to deployment",
      );
      expect(x.server.requests.filter(r => r.method !== 'GET')).toEqual([]);
      expect(await x.quotas.allocation(STAGING)).toBeUndefined();
      const [record] = await x.service.list({ endpointRef: STAGING });
      expect(record.error).toMatchObject({ check: 'target' });
      expect((await x.audit()).at(-1)).toMatchObject({
        action: 'endpoint.deploy',
        outcome: 'failure',
        message: expect.stringContaining('does not serve'),
      });
    });

    it('refuses a cluster whose KServe serves only v1alpha1, naming the versions found', async () => {
      const x = await harness({ groups: ['kserve-v1alpha1'] });
      await expect(
        x.service.deploy({ credentials: bob, endpoint: STAGING, wait: true }),
      ).rejects.toThrow(
        'serving.kserve.io is served in v1alpha1 only; upgrade KServe to v0.20.0 or later',
      );
    });

    it('deploys a plain Deployment on a cluster whose target is deployment, asking nothing about KServe', async () => {
      const x = await harness({ groups: [] }, { clusterTargets: {} });
      const { record } = await x.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        wait: true,
      });
      expect(record.state).toBe('succeeded');
      expect(record.checks.find(c => c.name === 'target')?.message).toBe(
        'deploy target deployment on cluster gpu-eu-west: plain Deployment (always served)',
      );
      expect(x.server.requests.some(r => r.path === '/apis')).toBe(false);
    });
  },
);
