import type {
  GpuPoolEntityV1alpha1,
  InferenceEndpointEntityV1alpha1,
  ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { exampleEntity } from '../../__testUtils__/exampleEntities';
import {
  renderEndpointManifests,
  type RenderEndpointOptions,
} from './renderEndpointManifests';
import {
  DOWNTIME_STRATEGY,
  gpusPerPodOf,
  withStrategy,
} from './rolloutStrategy';
import type { KubernetesManifest } from './types';
import { validateManifest } from './validateManifest';

const goldenDir = path.join(__dirname, '__fixtures__', 'golden');

function forEndpoint(
  name: string,
  extra: Partial<RenderEndpointOptions> = {},
): RenderEndpointOptions {
  const endpoint = exampleEntity<InferenceEndpointEntityV1alpha1>(
    `inferenceendpoint:default/${name}`,
  );
  return {
    endpoint,
    model: exampleEntity<ModelEntityV1alpha1>(endpoint.spec.model),
    pool: exampleEntity<GpuPoolEntityV1alpha1>(endpoint.spec.gpuPool!),
    ...extra,
  };
}

function kind(objects: KubernetesManifest[], k: string): any {
  return objects.find(o => o.kind === k);
}

/**
 * Golden files: the rendered objects of example endpoints, one YAML stream
 * per case. Run with UPDATE_GOLDEN=1 to rewrite them after an intended change,
 * and read the diff.
 */
describe('renderEndpointManifests golden files', () => {
  const cases: Array<[string, string, Partial<RenderEndpointOptions>]> = [
    ['a 1-GPU 8B model on L4', 'chat-assistant-staging', {}],
    ['a TP=4 70B model on H100 with a Kueue queue', 'reasoning-70b-prod', {}],
    ['an embedding model', 'embeddings-bge-m3', {}],
    ['an autoscaled endpoint (HPA)', 'chat-assistant-prod', {}],
    [
      'an autoscaled endpoint (KEDA)',
      'chat-assistant-prod',
      {
        autoscaling: {
          type: 'keda',
          targetRequestsWaiting: 5,
          prometheusServerAddress: 'http://prometheus.monitoring:9090',
        },
      },
    ],
    ['a MIG pool', 'reranker-bge', {}],
    [
      'an endpoint with a ServiceMonitor',
      'chat-assistant-staging',
      { serviceMonitor: { interval: '30s' } },
    ],
    [
      'an endpoint with a NetworkPolicy',
      'chat-assistant-staging',
      {
        networkPolicy: {
          allowSameNamespace: true,
          allowFromNamespaces: ['ingress-nginx', 'monitoring'],
          allowFromPodLabels: { 'app.kubernetes.io/name': 'gateway' },
        },
      },
    ],
  ];

  it.each(cases)('%s (%s)', (title, endpoint, extra) => {
    const rendered = renderEndpointManifests(forEndpoint(endpoint, extra));
    const file = path.join(
      goldenDir,
      `${title
        .replace(/[^a-z0-9]+/gi, '-')
        .replace(/-$/, '')
        .toLowerCase()}.yaml`,
    );
    const text = rendered.objects
      .map(o => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false }))
      .join('---\n');
    if (process.env.UPDATE_GOLDEN) {
      fs.mkdirSync(goldenDir, { recursive: true });
      fs.writeFileSync(file, text);
    }
    const golden = parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d =>
      d.toJS(),
    );
    expect(rendered.objects).toEqual(golden);
    // The golden files themselves are valid against the Kubernetes schemas.
    for (const object of golden) {
      expect(() => validateManifest(object)).not.toThrow();
    }
  });
});

describe('renderEndpointManifests', () => {
  it('runs vllm serve with the model source first and the engine args of the spec', () => {
    const { objects, tensorParallelSize } = renderEndpointManifests(
      forEndpoint('chat-assistant-prod'),
    );
    const container = kind(objects, 'Deployment').spec.template.spec
      .containers[0];
    expect(container.image).toBe('vllm/vllm-openai:v0.10.1');
    expect(container.command).toEqual(['vllm', 'serve']);
    expect(container.args[0]).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(container.args).toEqual(
      expect.arrayContaining([
        '--revision',
        '0e9e39f249a16976918f6564b8830bc894c89659',
      ]),
    );
    const flag = (f: string) => container.args[container.args.indexOf(f) + 1];
    expect(flag('--served-model-name')).toBe('llama-3-1-8b-instruct');
    expect(flag('--tensor-parallel-size')).toBe('1');
    expect(flag('--max-model-len')).toBe('8192');
    expect(flag('--gpu-memory-utilization')).toBe('0.9');
    expect(flag('--max-num-seqs')).toBe('64');
    expect(container.args.at(-1)).toBe('--enable-prefix-caching');
    expect(tensorParallelSize).toBe(1);
  });

  it('requests the pool GPUs with requests equal to limits, on the pool nodes', () => {
    const { objects } = renderEndpointManifests(forEndpoint('reranker-bge'));
    const pod = kind(objects, 'Deployment').spec.template.spec;
    expect(pod.containers[0].resources).toEqual({
      requests: { 'nvidia.com/mig-3g.20gb': '1' },
      limits: { 'nvidia.com/mig-3g.20gb': '1' },
    });
    expect(pod.nodeSelector).toEqual({
      'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB',
      'nvidia.com/mig.strategy': 'mixed',
    });
    expect(pod.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });

  it('takes secrets from Secret references, never as literals', () => {
    const { objects } = renderEndpointManifests(
      forEndpoint('chat-assistant-prod'),
    );
    const env = kind(objects, 'Deployment').spec.template.spec.containers[0]
      .env;
    expect(env).toEqual([
      {
        name: 'HF_TOKEN',
        valueFrom: { secretKeyRef: { name: 'hf-token', key: 'HF_TOKEN' } },
      },
      {
        name: 'VLLM_API_KEY',
        valueFrom: {
          secretKeyRef: { name: 'chat-assistant-api-key', key: 'VLLM_API_KEY' },
        },
      },
    ]);
    expect(env.every((e: any) => e.value === undefined)).toBe(true);
  });

  it('probes /v1/models without an API key and /health with one', () => {
    const open = kind(
      renderEndpointManifests(forEndpoint('chat-assistant-staging')).objects,
      'Deployment',
    ).spec.template.spec.containers[0];
    expect(open.startupProbe.httpGet.path).toBe('/v1/models');
    expect(open.readinessProbe.httpGet.path).toBe('/v1/models');
    expect(open.livenessProbe.httpGet.path).toBe('/health');
    const keyed = kind(
      renderEndpointManifests(forEndpoint('chat-assistant-prod')).objects,
      'Deployment',
    ).spec.template.spec.containers[0];
    expect(keyed.startupProbe.httpGet.path).toBe('/health');
    expect(keyed.readinessProbe.httpGet.path).toBe('/health');
  });

  it('leaves spec.replicas to the autoscaler when maxReplicas > replicas', () => {
    const scaled = renderEndpointManifests(forEndpoint('chat-assistant-prod'));
    expect(kind(scaled.objects, 'Deployment').spec.replicas).toBeUndefined();
    const hpa = kind(scaled.objects, 'HorizontalPodAutoscaler');
    expect(hpa.spec).toMatchObject({
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ pods: { metric: { name: 'vllm:num_requests_waiting' } } }],
    });
    expect(scaled.gpus).toBe(6);

    const fixed = renderEndpointManifests(
      forEndpoint('chat-assistant-staging'),
    );
    expect(kind(fixed.objects, 'Deployment').spec.replicas).toBe(1);
    expect(kind(fixed.objects, 'HorizontalPodAutoscaler')).toBeUndefined();
    expect(fixed.objects.map(o => o.kind)).toEqual([
      'ServiceAccount',
      'Deployment',
      'Service',
      'PodDisruptionBudget',
    ]);
  });

  it('rolls out with a surge pod by default, and old pods first when downtime is accepted', () => {
    const surge = renderEndpointManifests(
      forEndpoint('chat-assistant-staging'),
    );
    expect(kind(surge.objects, 'Deployment').spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    const downtime = renderEndpointManifests(
      forEndpoint('chat-assistant-staging', { strategy: DOWNTIME_STRATEGY }),
    );
    expect(kind(downtime.objects, 'Deployment').spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 0, maxUnavailable: 1 },
    });
    // A restored revision is rolled out the way its call decided.
    expect(
      kind(withStrategy(surge.objects, DOWNTIME_STRATEGY), 'Deployment').spec
        .strategy,
    ).toEqual(kind(downtime.objects, 'Deployment').spec.strategy);
    expect(gpusPerPodOf(surge.objects, 'nvidia.com/gpu')).toBe(1);
  });

  it('annotates every object with the endpoint it belongs to and its owner', () => {
    for (const endpoint of ['chat-assistant-prod', 'reasoning-70b-prod']) {
      const options = forEndpoint(endpoint, {
        serviceMonitor: { interval: '30s' },
        networkPolicy: {
          allowSameNamespace: true,
          allowFromNamespaces: [],
          allowFromPodLabels: {},
        },
      });
      const { objects } = renderEndpointManifests(options);
      const owner = options.endpoint.spec.owner.includes(':')
        ? options.endpoint.spec.owner
        : `group:default/${options.endpoint.spec.owner}`;
      expect(objects.length).toBeGreaterThan(4);
      for (const object of objects) {
        expect({
          object: `${object.kind}/${object.metadata.name}`,
          annotations: object.metadata.annotations,
        }).toEqual({
          object: `${object.kind}/${object.metadata.name}`,
          annotations: {
            'ai-platform.io/endpoint': `inferenceendpoint:default/${endpoint}`,
            'ai-platform.io/owner': owner,
          },
        });
      }
    }
  });

  it('runs the pods as their own ServiceAccount, without a token, capabilities or privilege escalation', () => {
    const { objects } = renderEndpointManifests(
      forEndpoint('chat-assistant-staging'),
    );
    const account = kind(objects, 'ServiceAccount');
    expect(account).toMatchObject({
      metadata: { name: 'chat-assistant-staging', namespace: 'chat-staging' },
      automountServiceAccountToken: false,
    });
    const pod = kind(objects, 'Deployment').spec.template.spec;
    expect(pod).toMatchObject({
      serviceAccountName: 'chat-assistant-staging',
      automountServiceAccountToken: false,
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('admits only the configured sources with a NetworkPolicy when asked, and renders none otherwise', () => {
    const policy = (networkPolicy?: RenderEndpointOptions['networkPolicy']) =>
      kind(
        renderEndpointManifests(
          forEndpoint('chat-assistant-staging', { networkPolicy }),
        ).objects,
        'NetworkPolicy',
      );
    expect(policy(undefined)).toBeUndefined();
    expect(
      policy({
        allowSameNamespace: false,
        allowFromNamespaces: ['ingress-nginx'],
        allowFromPodLabels: {},
      }).spec,
    ).toEqual({
      podSelector: {
        matchLabels: {
          'app.kubernetes.io/name': 'vllm',
          'app.kubernetes.io/instance': 'chat-assistant-staging',
        },
      },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchExpressions: [
                  {
                    key: 'kubernetes.io/metadata.name',
                    operator: 'In',
                    values: ['ingress-nginx'],
                  },
                ],
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 8000 }],
        },
      ],
    });
    // No source at all: nothing may connect.
    expect(
      policy({
        allowSameNamespace: false,
        allowFromNamespaces: [],
        allowFromPodLabels: {},
      }).spec.ingress,
    ).toEqual([]);
  });

  it('refuses an endpoint without a namespace instead of using default', () => {
    const options = forEndpoint('chat-assistant-staging');
    options.endpoint = {
      ...options.endpoint,
      spec: { ...options.endpoint.spec, namespace: undefined },
    };
    expect(() => renderEndpointManifests(options)).toThrow(
      'Endpoint chat-assistant-staging has no spec.namespace: the portal deploys only into a namespace the endpoint names (and its team owns)',
    );
  });

  it('labels the workload for Kueue and for the Backstage Kubernetes plugin', () => {
    const { objects } = renderEndpointManifests(
      forEndpoint('reasoning-70b-prod'),
    );
    const deployment = kind(objects, 'Deployment');
    expect(deployment.metadata.labels).toMatchObject({
      'kueue.x-k8s.io/queue-name': 'inference',
      'backstage.io/kubernetes-id': 'reasoning-70b-prod',
    });
    expect(deployment.spec.template.metadata.labels).toMatchObject({
      'kueue.x-k8s.io/queue-name': 'inference',
      'backstage.io/kubernetes-id': 'reasoning-70b-prod',
    });
    expect(
      kind(objects, 'Service').metadata.labels['kueue.x-k8s.io/queue-name'],
    ).toBeUndefined();
    const noKueue = renderEndpointManifests(
      forEndpoint('chat-assistant-staging'),
    );
    expect(
      kind(noKueue.objects, 'Deployment').metadata.labels[
        'kueue.x-k8s.io/queue-name'
      ],
    ).toBeUndefined();
  });

  it('serves on port 8000 and mounts /dev/shm and a model cache', () => {
    const { objects } = renderEndpointManifests(
      forEndpoint('reasoning-70b-prod'),
    );
    expect(kind(objects, 'Service').spec.ports).toEqual([
      { name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' },
    ]);
    const pod = kind(objects, 'Deployment').spec.template.spec;
    expect(pod.volumes).toEqual([
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '8Gi' } },
      {
        name: 'model-cache',
        emptyDir: { sizeLimit: expect.stringMatching(/^\d+Gi$/) },
      },
    ]);
    expect(pod.containers[0].volumeMounts).toContainEqual({
      name: 'dshm',
      mountPath: '/dev/shm',
    });
  });

  it('streams s3 sources and renders another version for a promote', () => {
    const rendered = renderEndpointManifests(
      forEndpoint('support-assistant', { modelVersion: '2026-11' }),
    );
    const args = kind(rendered.objects, 'Deployment').spec.template.spec
      .containers[0].args;
    expect(args[0]).toBe('s3://ml-models/support-assistant-8b/2026-11');
    expect(args).toEqual(
      expect.arrayContaining(['--load-format', 'runai_streamer']),
    );
    expect(rendered.modelVersion).toBe('2026-11');
    expect(
      kind(rendered.objects, 'Deployment').metadata.labels[
        'ai-platform.io/model-version'
      ],
    ).toBe('2026-11');
  });

  it('does not repeat a --task the endpoint already passes', () => {
    const args = kind(
      renderEndpointManifests(forEndpoint('embeddings-bge-m3')).objects,
      'Deployment',
    ).spec.template.spec.containers[0].args;
    expect(args.filter((a: string) => a === '--task')).toHaveLength(1);
  });

  it('adds the task for a speech model', () => {
    const args = kind(
      renderEndpointManifests(forEndpoint('transcription-whisper')).objects,
      'Deployment',
    ).spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--task', 'transcription']));
  });

  it('names the object and field of an invalid object', () => {
    const options = forEndpoint('chat-assistant-staging');
    options.endpoint = {
      ...options.endpoint,
      metadata: {
        ...options.endpoint.metadata,
        annotations: { 'backstage.io/kubernetes-id': 'Chat_Assistant' },
      },
    };
    expect(() => renderEndpointManifests(options)).toThrow(
      'Rendered ServiceAccount/Chat_Assistant is invalid: metadata.name must be a lowercase RFC 1123 subdomain',
    );
  });

  it('names the schema field when a value has the wrong type', () => {
    expect(() =>
      validateManifest({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'x' },
        spec: {
          replicas: 'two',
          selector: { matchLabels: { a: 'b' } },
          template: { spec: { containers: [{ name: 'c', image: 'i' }] } },
        },
      }),
    ).toThrow(
      'Rendered Deployment/x is invalid: spec.replicas must be integer',
    );
    expect(() =>
      validateManifest({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'x' },
        spec: { ports: [{ port: 'http' }] },
      }),
    ).toThrow(
      'Rendered Service/x is invalid: spec.ports[0].port must be integer',
    );
    // The prometheus-operator CRD schema applies to ServiceMonitors.
    expect(() =>
      validateManifest({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        metadata: { name: 'x' },
        spec: { selector: {}, endpoints: [{ port: 8000 }] },
      }),
    ).toThrow(
      /Rendered ServiceMonitor\/x is invalid: spec\.endpoints\[0\]\.port/,
    );
  });

  it('adds a ServiceMonitor on the Service labels and port when asked, and none otherwise', () => {
    const plain = renderEndpointManifests(
      forEndpoint('chat-assistant-staging'),
    );
    expect(kind(plain.objects, 'ServiceMonitor')).toBeUndefined();
    const { objects } = renderEndpointManifests(
      forEndpoint('chat-assistant-staging', {
        serviceMonitor: { interval: '15s' },
      }),
    );
    const monitor = kind(objects, 'ServiceMonitor');
    const service = kind(objects, 'Service');
    expect(service.metadata.labels).toMatchObject(
      monitor.spec.selector.matchLabels,
    );
    expect(monitor.spec.namespaceSelector).toEqual({
      matchNames: [service.metadata.namespace],
    });
    expect(monitor.spec.endpoints).toEqual([
      { port: service.spec.ports[0].name, path: '/metrics', interval: '15s' },
    ]);
  });

  it('rejects a label value Kubernetes would refuse, naming the label', () => {
    const options = forEndpoint('chat-assistant-staging');
    options.model = {
      ...options.model,
      spec: {
        ...options.model.spec,
        versions: [
          ...options.model.spec.versions,
          { name: 'v2 (rc)', stage: 'development' },
        ],
      },
    };
    expect(() =>
      renderEndpointManifests({ ...options, modelVersion: 'v2 (rc)' }),
    ).toThrow(
      'metadata.labels["ai-platform.io/model-version"] has the value "v2 (rc)"',
    );
  });

  it('refuses an unknown version and a non-vllm endpoint', () => {
    expect(() =>
      renderEndpointManifests(
        forEndpoint('chat-assistant-prod', { modelVersion: 'v9' }),
      ),
    ).toThrow(
      'Model llama-3-1-8b-instruct has no version "v9" (it has v1, v2, v2-fp8)',
    );
    const options = forEndpoint('chat-assistant-prod');
    options.endpoint = {
      ...options.endpoint,
      spec: { ...options.endpoint.spec, type: 'tgi' },
    };
    expect(() => renderEndpointManifests(options)).toThrow(
      'only vllm endpoints are deployed by the portal',
    );
  });

  it('requires a Prometheus address for KEDA', () => {
    expect(() =>
      renderEndpointManifests(
        forEndpoint('chat-assistant-prod', {
          autoscaling: { type: 'keda', targetRequestsWaiting: 5 },
        }),
      ),
    ).toThrow(
      'aiPlatform.deploy.autoscaling.prometheusServerAddress is required',
    );
  });

  it('returns the sizing and warns when the model does not fit the GPUs asked for', () => {
    const options = forEndpoint('reasoning-70b-prod');
    options.endpoint = {
      ...options.endpoint,
      spec: {
        ...options.endpoint.spec,
        runtime: { ...options.endpoint.spec.runtime, tensorParallelSize: 1 },
        resources: { gpusPerReplica: 1, replicas: 1 },
      },
    };
    const rendered = renderEndpointManifests(options);
    expect(rendered.sizing?.tensorParallelSize).toBe(4);
    expect(rendered.warnings).toEqual([
      'The sizing needs 4 GPUs per replica, the endpoint asks for 1.',
    ]);
  });
});
