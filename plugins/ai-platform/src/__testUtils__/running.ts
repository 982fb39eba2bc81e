import type {
  QuotaUsageResponse,
  RunningFleetResponse,
} from '@internal/plugin-ai-platform-common';

/** gpu-eu-west as the collector read it: chat-assistant-prod runs, chat-assistant-staging is declared only. */
export const runningFleet: RunningFleetResponse = {
  clusters: [
    {
      cluster: 'gpu-eu-west',
      basis: 'cluster-state',
      observedAt: '2026-12-07T10:00:00.000Z',
    },
  ],
  endpoints: [
    {
      endpointRef: 'inferenceendpoint:default/chat-assistant-staging',
      title: 'Chat assistant (staging)',
      teamRef: 'group:default/applied-ml',
      poolRef: 'gpupool:default/l4-inference',
      cluster: 'gpu-eu-west',
      namespace: 'chat-staging',
      state: 'declared-not-running',
      basis: 'cluster-state',
      observedAt: '2026-12-07T10:00:00.000Z',
      gpus: 0,
      runningPods: 0,
      pendingPods: 0,
    },
    {
      endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
      title: 'Chat assistant',
      teamRef: 'group:default/applied-ml',
      poolRef: 'gpupool:default/l4-inference',
      cluster: 'gpu-eu-west',
      namespace: 'chat',
      state: 'running',
      origin: 'portal',
      basis: 'cluster-state',
      observedAt: '2026-12-07T10:00:00.000Z',
      gpus: 2,
      runningPods: 2,
      pendingPods: 0,
    },
  ],
  foreignClaims: [],
  unmatched: [],
};

/** applied-ml on l4-inference: 1 GPU reserved, 2 running, with the drift. */
export const quotaUsage: QuotaUsageResponse = {
  items: [
    {
      team: 'group:default/applied-ml',
      pool: 'gpupool:default/l4-inference',
      cluster: 'gpu-eu-west',
      reserved: 1,
      running: 2,
      basis: 'last-known-state',
      observedAt: '2026-12-07T10:00:00.000Z',
      declaredNotRunning: ['inferenceendpoint:default/chat-assistant-staging'],
      drift: [
        {
          kind: 'running-over-reserved',
          message:
            'group:default/applied-ml runs 2 GPUs on gpupool:default/l4-inference, more than the 1 its records reserve',
        },
      ],
    },
  ],
};
