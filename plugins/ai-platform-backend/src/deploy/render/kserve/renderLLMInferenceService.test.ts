import type {
  GpuPoolEntityV1alpha1,
  InferenceEndpointEntityV1alpha1,
  ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments, stringify } from 'yaml';
import { exampleEntity } from '../../../__testUtils__/exampleEntities';
import { validateManifest } from '../validateManifest';
import {
  renderLLMInferenceService,
  type RenderLLMInferenceServiceOptions,
} from './renderLLMInferenceService';
import { validateLLMInferenceService } from './validateLLMInferenceService';

const goldenDir = path.join(__dirname, '__fixtures__', 'golden');

function forEndpoint(
  name: string,
  extra: Partial<RenderLLMInferenceServiceOptions> = {},
): RenderLLMInferenceServiceOptions {
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

function withRuntime(
  options: RenderLLMInferenceServiceOptions,
  runtime: Record<string, unknown>,
): RenderLLMInferenceServiceOptions {
  return {
    ...options,
    endpoint: {
      ...options.endpoint,
      spec: {
        ...options.endpoint.spec,
        runtime: { ...options.endpoint.spec.runtime, ...runtime },
      },
    },
  };
}

const llm = (options: RenderLLMInferenceServiceOptions): any =>
  renderLLMInferenceService(options).objects.find(
    o => o.kind === 'LLMInferenceService',
  );

/**
 * Golden files: one YAML stream per case. Run with UPDATE_GOLDEN=1 to
 * rewrite them after an intended change, and read the diff.
 */
describe('renderLLMInferenceService golden files', () => {
  const cases: Array<
    [string, string, Partial<RenderLLMInferenceServiceOptions>]
  > = [
    ['a 1-GPU 8B model on L4', 'chat-assistant-staging', {}],
    [
      'a TP=4 70B model on H100 with a Kueue queue and a router',
      'reasoning-70b-prod',
      {
        router: {
          gateway: { name: 'inference-gateway', namespace: 'gateways' },
          scheduler: true,
        },
      },
    ],
    ['an autoscaled endpoint (WVA with HPA)', 'chat-assistant-prod', {}],
    [
      'an autoscaled endpoint (WVA with KEDA) behind an existing InferencePool',
      'chat-assistant-prod',
      {
        autoscaling: { type: 'keda', targetRequestsWaiting: 5 },
        router: { scheduler: true, inferencePool: 'shared-pool' },
      },
    ],
    ['a MIG pool', 'reranker-bge', {}],
  ];

  it.each(cases)('%s (%s)', (title, endpoint, extra) => {
    const rendered = renderLLMInferenceService(forEndpoint(endpoint, extra));
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
    // The golden files themselves are valid: the ServiceAccount against
    // Kubernetes' schema, the LLMInferenceService against the CRD's.
    for (const object of golden) {
      expect(() =>
        object.kind === 'LLMInferenceService'
          ? validateLLMInferenceService(object)
          : validateManifest(object),
      ).not.toThrow();
    }
  });
});

describe('renderLLMInferenceService', () => {
  it('names the model by its URI (revision pinned) and the served name', () => {
    const spec = llm(forEndpoint('chat-assistant-prod')).spec;
    expect(spec.model).toEqual({
      uri: 'hf://meta-llama/Llama-3.1-8B-Instruct:0e9e39f249a16976918f6564b8830bc894c89659',
      name: 'llama-3-1-8b-instruct',
    });
    const args: string[] = spec.template.containers[0].args;
    // KServe sets these itself.
    for (const flag of [
      '--served-model-name',
      '--port',
      '--tensor-parallel-size',
      '--revision',
    ]) {
      expect(args).not.toContain(flag);
    }
    expect(args).toEqual(
      expect.arrayContaining(['--max-model-len', '8192', '--max-num-seqs']),
    );
  });

  it('takes tensor parallelism from the sizing and pipeline parallelism from extraArgs', () => {
    expect(llm(forEndpoint('reasoning-70b-prod')).spec.parallelism).toEqual({
      tensor: 4,
    });
    const options = forEndpoint('reasoning-70b-prod');
    const piped = llm(
      withRuntime(options, {
        tensorParallelSize: 2,
        extraArgs: ['--pipeline-parallel-size', '2'],
      }),
    ).spec;
    expect(piped.parallelism).toEqual({ tensor: 2, pipeline: 2 });
    expect(piped.template.containers[0].args).not.toContain(
      '--pipeline-parallel-size',
    );
  });

  it('requests the pool GPU resource on the pool nodes, with its Kueue queue label', () => {
    const object = llm(forEndpoint('reasoning-70b-prod'));
    const pool = exampleEntity<GpuPoolEntityV1alpha1>(
      forEndpoint('reasoning-70b-prod').endpoint.spec.gpuPool!,
    );
    expect(object.spec.template.containers[0].resources).toEqual({
      requests: { 'nvidia.com/gpu': '4' },
      limits: { 'nvidia.com/gpu': '4' },
    });
    expect(object.spec.template.nodeSelector).toEqual(pool.spec.nodeSelector);
    expect(object.spec.template.tolerations).toEqual(pool.spec.tolerations);
    expect(object.metadata.labels['kueue.x-k8s.io/queue-name']).toBe(
      pool.spec.kueue?.localQueue,
    );
    const mig = llm(forEndpoint('reranker-bge'));
    expect(
      Object.keys(mig.spec.template.containers[0].resources.limits),
    ).toEqual([expect.stringMatching(/^nvidia\.com\/mig-/)]);
  });

  it('puts the kubernetes-id and ownership on the pods, never KServe selector labels', () => {
    const object = llm(forEndpoint('chat-assistant-staging'));
    expect(object.spec.labels['backstage.io/kubernetes-id']).toBe(
      object.metadata.name,
    );
    expect(object.spec.labels['app.kubernetes.io/part-of']).toBeUndefined();
    expect(object.spec.annotations).toEqual(object.metadata.annotations);
    expect(Object.keys(object.spec.annotations)).toEqual([
      'ai-platform.io/endpoint',
      'ai-platform.io/owner',
    ]);
  });

  it('reads the API key and the model-hub token from their Secrets', () => {
    const object = llm(
      withRuntime(forEndpoint('chat-assistant-staging'), {
        apiKeySecret: 'chat-key',
        hfTokenSecret: 'hf-token',
      }),
    );
    expect(object.spec.template.containers[0].env).toEqual([
      {
        name: 'VLLM_API_KEY',
        valueFrom: { secretKeyRef: { name: 'chat-key', key: 'VLLM_API_KEY' } },
      },
    ]);
    expect(object.spec.template.initContainers).toEqual([
      {
        name: 'storage-initializer',
        env: [
          {
            name: 'HF_TOKEN',
            valueFrom: { secretKeyRef: { name: 'hf-token', key: 'HF_TOKEN' } },
          },
        ],
      },
    ]);
  });

  it('scales between min and max through the autoscaler, never with replicas beside it', () => {
    const spec = llm(forEndpoint('chat-assistant-prod')).spec;
    expect(spec.replicas).toBeUndefined();
    expect(spec.scaling).toEqual({
      minReplicas: expect.any(Number),
      maxReplicas: expect.any(Number),
      wva: { hpa: {} },
    });
    expect(llm(forEndpoint('chat-assistant-staging')).spec.replicas).toBe(1);
  });

  it('refuses what the CRD refuses, naming the field', () => {
    const object = llm(forEndpoint('chat-assistant-prod'));
    expect(() =>
      validateLLMInferenceService({
        ...object,
        spec: { ...object.spec, replicas: 2 },
      }),
    ).toThrow(/spec .*replicas and scaling are mutually exclusive/);
    expect(() =>
      validateLLMInferenceService({
        ...object,
        spec: { ...object.spec, parallelism: { tensor: 0 } },
      }),
    ).toThrow(/spec\.parallelism\.tensor must be >= 1/);
    expect(() =>
      validateLLMInferenceService({
        ...object,
        spec: { ...object.spec, model: { name: 'x' } },
      }),
    ).toThrow(/spec\.model must have required property 'uri'/);
    expect(() =>
      validateLLMInferenceService({
        ...object,
        spec: { ...object.spec, modelUri: 'hf://x/y' },
      }),
    ).toThrow(/spec must NOT have additional properties \(modelUri\)/);
  });

  it('refuses a model on a local path, which the storage initializer cannot fetch', () => {
    const options = forEndpoint('chat-assistant-staging');
    const model = {
      ...options.model,
      spec: {
        ...options.model.spec,
        source: 'file:///models/llama',
        versions: options.model.spec.versions.map(v => ({
          ...v,
          source: undefined,
        })),
      },
    };
    expect(() => renderLLMInferenceService({ ...options, model })).toThrow(
      /local path/,
    );
  });
});
