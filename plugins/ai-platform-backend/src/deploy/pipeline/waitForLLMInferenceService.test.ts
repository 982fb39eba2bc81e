import type { KubernetesEventSummary } from '@internal/plugin-ai-platform-common';
import type { LiveObject, PodSummary } from '../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../render/types';
import { waitForLLMInferenceService } from './waitForLLMInferenceService';

const manifest: KubernetesManifest = {
  apiVersion: 'serving.kserve.io/v1alpha2',
  kind: 'LLMInferenceService',
  metadata: { name: 'chat', namespace: 'team' },
};

type Tick = {
  service: Record<string, unknown> | undefined;
  generation?: number;
  workload?: { replicas: number; updated: number; available: number };
  pods?: PodSummary[];
  events?: KubernetesEventSummary[];
};

/** A client that answers tick after tick from a script (the last tick repeats). */
function scripted(ticks: Tick[]) {
  let i = 0;
  const tick = () => ticks[Math.min(i, ticks.length - 1)];
  const reads: string[] = [];
  const client = {
    read: async (m: KubernetesManifest): Promise<LiveObject | undefined> => {
      reads.push(m.kind);
      const t = tick();
      if (m.kind === 'LLMInferenceService') {
        // One LLMInferenceService read per tick: the next read is the next tick.
        const current = t;
        i++;
        return current.service
          ? ({
              ...manifest,
              metadata: {
                ...manifest.metadata,
                generation: current.generation ?? 2,
              },
              status: current.service,
            } as LiveObject)
          : undefined;
      }
      const w = ticks[Math.min(i - 1, ticks.length - 1)].workload;
      return w
        ? ({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'chat-kserve', namespace: 'team', generation: 1 },
            spec: { replicas: w.replicas },
            status: {
              observedGeneration: 1,
              replicas: w.replicas,
              updatedReplicas: w.updated,
              availableReplicas: w.available,
            },
          } as LiveObject)
        : undefined;
    },
    pods: async () => ticks[Math.min(i - 1, ticks.length - 1)].pods ?? [],
    events: async () => ticks[Math.min(i - 1, ticks.length - 1)].events ?? [],
  };
  return { client, reads };
}

const ready = (observedGeneration = 2) => ({
  observedGeneration,
  url: 'http://gw/team/chat',
  conditions: [{ type: 'Ready', status: 'True' }],
  workloads: { primary: { name: 'chat-kserve' } },
});

async function run(ticks: Tick[], timeoutMs = 1000) {
  const events: string[] = [];
  const { client } = scripted(ticks);
  const outcome = await waitForLLMInferenceService({
    client,
    manifest,
    rolloutTimeoutMs: timeoutMs,
    progressIntervalMs: 10,
    event: async (level, message) => {
      events.push(`${level}: ${message}`);
    },
    sleep: async () => {},
  });
  return { outcome, events };
}

describe('waitForLLMInferenceService', () => {
  it('waits for KServe to see the generation, for Ready, and for the workload to roll out', async () => {
    const { outcome, events } = await run([
      { service: ready(1) },
      {
        service: {
          observedGeneration: 2,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            },
          ],
        },
      },
      // Ready while the old pod serves: not done yet.
      {
        service: ready(),
        workload: { replicas: 1, updated: 0, available: 1 },
      },
      {
        service: ready(),
        workload: { replicas: 1, updated: 1, available: 1 },
      },
    ]);
    expect(outcome).toEqual({
      ok: true,
      message:
        'LLMInferenceService/chat is Ready at http://gw/team/chat: 1 of 1 replicas ready',
    });
    expect(events).toEqual([
      'info: Waiting for KServe to reconcile generation 2 of LLMInferenceService/chat',
      'info: LLMInferenceService/chat: Ready False (MinimumReplicasUnavailable): Deployment does not have minimum availability.',
      'info: LLMInferenceService/chat: 0 of 1 replicas updated',
    ]);
  });

  it('fails at once on a condition that will not fix itself, with its message', async () => {
    const { outcome } = await run([
      {
        service: {
          observedGeneration: 2,
          conditions: [
            {
              type: 'PresetsCombined',
              status: 'False',
              reason: 'ConfigNotFound',
              message: 'config "x" not found',
            },
          ],
        },
      },
    ]);
    expect(outcome).toMatchObject({
      ok: false,
      message:
        'LLMInferenceService/chat is not ready: PresetsCombined False (ConfigNotFound): config "x" not found',
    });
  });

  it('fails at once on a pod that cannot start, and reports warning events', async () => {
    const { outcome, events } = await run([
      {
        service: { observedGeneration: 2, conditions: [] },
        pods: [
          {
            name: 'chat-kserve-abc',
            phase: 'Pending',
            ready: false,
            restarts: 0,
            reason: 'ImagePullBackOff',
            message: 'Back-off pulling image "vllm:nope"',
          },
        ],
        events: [
          {
            type: 'Warning',
            reason: 'Failed',
            message: 'Failed to pull image "vllm:nope"',
            object: 'Pod/chat-kserve-abc',
            count: 1,
          },
        ],
      },
    ]);
    expect(outcome).toMatchObject({
      ok: false,
      message:
        'Pod chat-kserve-abc of LLMInferenceService/chat is in ImagePullBackOff: Back-off pulling image "vllm:nope"',
    });
    expect(events).toContain(
      'warning: Failed: Failed to pull image "vllm:nope"',
    );
  });

  it('fails at the timeout naming the Ready condition', async () => {
    const notReady = {
      observedGeneration: 2,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'GatewaysNotReady',
          message: 'gateway not ready',
        },
      ],
    };
    const { outcome } = await run([{ service: notReady }], 50);
    expect(outcome).toMatchObject({
      ok: false,
      message:
        'LLMInferenceService/chat did not become ready within 0 s: Ready False (GatewaysNotReady): gateway not ready',
    });
  });

  it('fails when the service is gone', async () => {
    const { outcome } = await run([{ service: undefined }]);
    expect(outcome).toMatchObject({
      ok: false,
      message: 'LLMInferenceService/chat is gone from namespace team',
    });
  });
});
