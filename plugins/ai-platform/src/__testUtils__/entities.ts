import type { Entity } from '@backstage/catalog-model';
import {
  type GpuPoolEntityV1alpha1,
  type InferenceEndpointEntityV1alpha1,
  type ModelEntityV1alpha1,
  RELATION_BASE_OF,
  RELATION_DERIVED_FROM,
  RELATION_HOSTS,
  RELATION_RUNS_ON,
  RELATION_SERVED_BY,
  RELATION_SERVES,
} from '@internal/plugin-ai-platform-common';

/** Example entities for tests, shaped like the example catalog. */
export const modelEntity: ModelEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'Model',
  metadata: {
    name: 'llama-3-1-8b-instruct',
    namespace: 'default',
    title: 'Llama 3.1 8B Instruct',
  },
  spec: {
    type: 'llm',
    owner: 'group:default/ml-platform',
    lifecycle: 'production',
    source: 'hf://meta-llama/Llama-3.1-8B-Instruct',
    license: 'llama3.1',
    parameters: 8.03,
    contextLength: 131072,
    versions: [
      { name: 'v1', stage: 'production', dtype: 'bfloat16' },
      { name: 'v2', stage: 'staging', dtype: 'bfloat16' },
      { name: 'v2-fp8', stage: 'development', quantization: 'fp8' },
    ],
    evaluation: {
      gates: [
        { task: 'mmlu', metric: 'acc', min: 0.66 },
        {
          task: 'ifeval',
          metric: 'prompt_level_strict_acc',
          maxRegression: 0.02,
        },
      ],
    },
  },
  relations: [
    {
      type: RELATION_SERVED_BY,
      targetRef: 'inferenceendpoint:default/chat-assistant-prod',
    },
    {
      type: RELATION_SERVED_BY,
      targetRef: 'inferenceendpoint:default/chat-assistant-staging',
    },
    {
      type: RELATION_BASE_OF,
      targetRef: 'model:default/support-assistant-8b',
    },
  ],
};

export const derivedModelEntity: ModelEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'support-assistant-8b', namespace: 'default' },
  spec: {
    type: 'llm',
    owner: 'group:default/data-science',
    lifecycle: 'production',
    baseModel: 'model:default/llama-3-1-8b-instruct',
    versions: [{ name: '2026-09', stage: 'production' }],
  },
  relations: [
    {
      type: RELATION_DERIVED_FROM,
      targetRef: 'model:default/llama-3-1-8b-instruct',
    },
  ],
};

export const endpointEntity: InferenceEndpointEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'InferenceEndpoint',
  metadata: {
    name: 'chat-assistant-prod',
    namespace: 'default',
    title: 'Chat assistant (production)',
  },
  spec: {
    type: 'vllm',
    owner: 'group:default/applied-ml',
    lifecycle: 'production',
    model: 'model:default/llama-3-1-8b-instruct',
    modelVersion: 'v1',
    gpuPool: 'gpupool:default/l4-inference',
    namespace: 'chat',
    url: 'https://chat.inference.example.com/v1',
    runtime: { image: 'vllm/vllm-openai:v0.10.1', maxModelLen: 8192 },
    resources: {
      gpusPerReplica: 1,
      replicas: 2,
      minReplicas: 2,
      maxReplicas: 6,
    },
    slo: { ttftP95Ms: 400, latencyP95Ms: 4000, availability: 99.9 },
  },
  relations: [
    { type: RELATION_SERVES, targetRef: 'model:default/llama-3-1-8b-instruct' },
    { type: RELATION_RUNS_ON, targetRef: 'gpupool:default/l4-inference' },
  ],
};

export const stagingEndpointEntity: InferenceEndpointEntityV1alpha1 = {
  ...endpointEntity,
  metadata: {
    name: 'chat-assistant-staging',
    namespace: 'default',
    title: 'Chat assistant (staging)',
  },
  spec: {
    ...endpointEntity.spec,
    modelVersion: 'v2',
    resources: { gpusPerReplica: 1, replicas: 1 },
    slo: undefined,
  },
};

export const poolEntity: GpuPoolEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'GpuPool',
  metadata: {
    name: 'l4-inference',
    namespace: 'default',
    title: 'L4 24GB (us-east)',
  },
  spec: {
    type: 'shared',
    owner: 'group:default/ml-platform',
    lifecycle: 'production',
    cluster: 'gpu-us-east',
    region: 'us-east-1',
    gpu: { product: 'NVIDIA-L4', memoryGiB: 24, count: 16, perNode: 4 },
    costPerGpuHour: { amount: 0.8, currency: 'USD' },
    kueue: { clusterQueue: 'l4-inference' },
    quotas: [
      { team: 'group:default/applied-ml', gpus: 8 },
      { team: 'group:default/search-relevance', gpus: 4 },
    ],
  },
  relations: [
    {
      type: RELATION_HOSTS,
      targetRef: 'inferenceendpoint:default/chat-assistant-prod',
    },
    {
      type: RELATION_HOSTS,
      targetRef: 'inferenceendpoint:default/chat-assistant-staging',
    },
  ],
};

export const groupEntities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'applied-ml', namespace: 'default', title: 'Applied ML' },
    spec: { type: 'team', children: [] },
  },
];

/** Every example entity, for an in-memory catalog. */
export const allEntities: Entity[] = [
  modelEntity,
  derivedModelEntity,
  endpointEntity,
  stagingEndpointEntity,
  poolEntity,
  ...groupEntities,
];
