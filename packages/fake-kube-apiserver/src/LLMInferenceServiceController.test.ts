import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from './FakeKubeApiServer';
import type { KubeObject } from './types';
import { clientsFor } from './__testUtils__/clients';

jest.setTimeout(30_000);

const GPU_NODE = {
  name: 'gpu-1',
  labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
  allocatable: { 'nvidia.com/gpu': '4', cpu: '48', memory: '192Gi' },
  taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
};

function llmisvc(
  name: string,
  options: { image?: string; replicas?: number; gpus?: number } = {},
): KubeObject {
  return {
    apiVersion: 'serving.kserve.io/v1alpha2',
    kind: 'LLMInferenceService',
    metadata: {
      name,
      namespace: 'team-a',
      labels: { 'kueue.x-k8s.io/queue-name': 'gpu', other: 'x' },
    },
    spec: {
      model: { uri: 'hf://Qwen/Qwen2.5-0.5B-Instruct', name: 'qwen' },
      replicas: options.replicas ?? 1,
      labels: { 'backstage.io/kubernetes-id': name },
      annotations: { 'ai-platform.io/owner': 'group:default/team-a' },
      template: {
        nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
        tolerations: [
          { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
        ],
        containers: [
          {
            name: 'main',
            ...(options.image ? { image: options.image } : {}),
            resources: {
              limits: { 'nvidia.com/gpu': String(options.gpus ?? 1) },
              requests: { 'nvidia.com/gpu': String(options.gpus ?? 1) },
            },
          },
        ],
      },
    },
  };
}

const ref = (name: string) => ({
  apiVersion: 'serving.kserve.io/v1alpha2',
  kind: 'LLMInferenceService',
  namespace: 'team-a',
  name,
});

const condition = (object: KubeObject | undefined, type: string) =>
  ((object?.status as any)?.conditions ?? []).find((c: any) => c.type === type);

describe('LLMInferenceService in the fake', () => {
  let server: FakeKubeApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('is not served until KServe is installed, then discovery lists the versions', async () => {
    server = await startFakeKubeApiServer({ rolloutDelayMs: 5 });
    const { k8s, kc } = clientsFor(server);
    const apis = kc.makeApiClient(k8s.ApisApi);
    const before = await apis.getAPIVersions();
    expect(before.groups.map(g => g.name)).not.toContain('serving.kserve.io');
    server.installGroup('kserve');
    server.installGroup('kserve-v1alpha1');
    const after = await apis.getAPIVersions();
    const group = after.groups.find(g => g.name === 'serving.kserve.io');
    expect(group?.versions.map(v => v.version)).toEqual([
      'v1alpha2',
      'v1alpha1',
    ]);
    expect(group?.preferredVersion?.version).toBe('v1alpha2');
  });

  it('runs the workload on the GPU nodes and becomes Ready with a URL', async () => {
    server = await startFakeKubeApiServer({
      groups: ['kserve'],
      rolloutDelayMs: 5,
      nodes: [GPU_NODE],
      namespaces: ['team-a'],
    });
    const { objects } = clientsFor(server);
    await objects.patch(
      llmisvc('chat') as any,
      undefined,
      undefined,
      'test',
      false,
      'application/apply-patch+yaml' as any,
    );
    const ready = await server.waitForObject(
      ref('chat'),
      o => condition(o, 'Ready')?.status === 'True',
    );
    expect((ready?.status as any).url).toBe(
      'https://chat-kserve-workload-svc.team-a.svc.cluster.local:8000',
    );
    expect((ready?.status as any).observedGeneration).toBe(
      ready?.metadata.generation,
    );
    const pods = server.listObjects({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'team-a',
      labelSelector:
        'app.kubernetes.io/name=chat,app.kubernetes.io/part-of=llminferenceservice,kserve.io/component=workload',
    });
    expect(pods).toHaveLength(1);
    expect((pods[0].spec as any).nodeName).toBe('gpu-1');
    // spec.labels and spec.annotations reach the pods; of the object's own
    // labels only Kueue's do.
    expect(pods[0].metadata.labels).toMatchObject({
      'backstage.io/kubernetes-id': 'chat',
      'kueue.x-k8s.io/queue-name': 'gpu',
    });
    expect(pods[0].metadata.labels?.other).toBeUndefined();
    expect(pods[0].metadata.annotations).toMatchObject({
      'ai-platform.io/owner': 'group:default/team-a',
    });
    const deployment = server.getObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'team-a',
      name: 'chat-kserve',
    });
    expect(deployment?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: 'LLMInferenceService',
      name: 'chat',
      controller: true,
    });
  });

  it('says why pods cannot be scheduled and stays not Ready', async () => {
    server = await startFakeKubeApiServer({
      groups: ['kserve'],
      rolloutDelayMs: 5,
      progressDeadlineMs: 300,
      nodes: [GPU_NODE],
    });
    server.seed([llmisvc('big', { gpus: 8 })]);
    const failed = await server.waitForObject(
      ref('big'),
      o =>
        condition(o, 'MainWorkloadReady')?.reason ===
        'MinimumReplicasUnavailable',
    );
    expect(condition(failed, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
  });

  it('sets the faulted condition False with its message', async () => {
    server = await startFakeKubeApiServer({
      groups: ['kserve'],
      rolloutDelayMs: 5,
      nodes: [GPU_NODE],
    });
    server.setLLMInferenceServiceFault({
      name: 'broken',
      condition: 'PresetsCombined',
      reason: 'ConfigNotFound',
      message:
        'LLMInferenceServiceConfig "kserve-config-llm-template" not found',
    });
    server.seed([llmisvc('broken'), llmisvc('fine')]);
    const broken = await server.waitForObject(
      ref('broken'),
      o => condition(o, 'Ready')?.status === 'False',
    );
    expect(condition(broken, 'Ready')).toMatchObject({
      reason: 'ConfigNotFound',
      message:
        'LLMInferenceServiceConfig "kserve-config-llm-template" not found',
    });
    expect(
      server.getObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'team-a',
        name: 'broken-kserve',
      }),
    ).toBeUndefined();
    await server.waitForObject(
      ref('fine'),
      o => condition(o, 'Ready')?.status === 'True',
    );
    server.setLLMInferenceServiceFault({
      condition: 'RouterReady',
      reason: 'GatewaysNotReady',
      message: 'Gateway kserve/kserve-ingress-gateway is not ready',
    });
    const routed = await server.waitForObject(
      ref('fine'),
      o => condition(o, 'Ready')?.status === 'False',
    );
    expect(condition(routed, 'Ready')?.message).toBe(
      'Gateway kserve/kserve-ingress-gateway is not ready',
    );
    expect(condition(routed, 'WorkloadsReady')?.status).toBe('True');
  });

  it('rolls the Deployment out again when the spec changes', async () => {
    server = await startFakeKubeApiServer({
      groups: ['kserve'],
      rolloutDelayMs: 5,
      nodes: [GPU_NODE],
    });
    server.seed([llmisvc('chat', { image: 'vllm:a' })]);
    await server.waitForObject(
      ref('chat'),
      o => condition(o, 'Ready')?.status === 'True',
    );
    server.seed([llmisvc('chat', { image: 'vllm:b' })]);
    const rolled = await server.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'team-a',
        name: 'chat-kserve',
      },
      o =>
        (o?.spec as any)?.template.spec.containers[0].image === 'vllm:b' &&
        (o?.status as any)?.updatedReplicas === 1 &&
        (o?.status as any)?.readyReplicas === 1,
    );
    expect((rolled?.status as any).replicas).toBe(1);
  });
});
