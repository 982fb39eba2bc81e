import type {
  DeploymentRecord,
  EndpointLiveStatus,
} from '@internal/plugin-ai-platform-common';

/** A deployment record of chat-assistant-prod. */
export function deploymentRecord(
  revision: number,
  partial: Partial<DeploymentRecord> = {},
): DeploymentRecord {
  return {
    id: `dep-${revision}`,
    endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
    revision,
    operation: 'deploy',
    state: 'succeeded',
    dryRun: false,
    modelRef: 'model:default/llama-3-1-8b-instruct',
    modelVersion: 'v1',
    poolRef: 'gpupool:default/l4-inference',
    team: 'group:default/applied-ml',
    cluster: 'gpu-us-east',
    namespace: 'chat',
    gpus: 6,
    requestedBy: 'user:default/alice',
    specHash: `hash-${revision}`,
    checks: [
      { name: 'permission', status: 'passed', message: 'alice may deploy' },
      { name: 'gates', status: 'passed', message: '3 gate(s) pass' },
      { name: 'quota', status: 'passed', message: 'reserved 6 GPUs' },
    ],
    events: [
      {
        at: '2026-11-20T10:00:05Z',
        level: 'info',
        message: 'applied 3 objects',
      },
    ],
    objects: [],
    createdAt: `2026-11-${10 + revision}T10:00:00Z`,
    updatedAt: `2026-11-${10 + revision}T10:05:00Z`,
    finishedAt: `2026-11-${10 + revision}T10:05:00Z`,
    ...partial,
  };
}

/** Live status of chat-assistant-prod running v2 after a promote. */
export const liveStatus: EndpointLiveStatus = {
  endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
  cluster: 'gpu-us-east',
  namespace: 'chat',
  clusterConfigured: true,
  runningModelVersion: 'v2',
  runningRevision: 3,
  catalogModelVersion: 'v1',
  deployment: {
    name: 'chat-assistant-prod',
    replicas: 2,
    readyReplicas: 1,
    updatedReplicas: 2,
    availableReplicas: 1,
    conditions: [],
  },
  pods: [
    {
      name: 'chat-assistant-prod-abc',
      phase: 'Running',
      ready: true,
      restarts: 0,
    },
    {
      name: 'chat-assistant-prod-def',
      phase: 'Pending',
      ready: false,
      restarts: 2,
      reason: 'ImagePullBackOff',
    },
  ],
  events: [
    {
      type: 'Warning',
      reason: 'Failed',
      message: 'Failed to pull image "vllm/vllm-openai:v0.10.1"',
      object: 'Pod/chat-assistant-prod-def',
      count: 3,
      lastSeen: '2026-11-23T10:00:00Z',
    },
  ],
};
