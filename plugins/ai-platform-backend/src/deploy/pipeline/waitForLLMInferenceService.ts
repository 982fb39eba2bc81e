import type { DeploymentEvent } from '@internal/plugin-ai-platform-common';
import {
  type KubernetesClusterClient,
  type LiveObject,
  objectName,
} from '../kube/KubernetesClusterClient';
import {
  llmWorkloadDeploymentName,
  llmWorkloadSelector,
} from '../render/kserve/llmWorkload';
import type { KubernetesManifest } from '../render/types';
import { fatalPodProblem, rolloutProgress } from '../rollout';
import type { DeploymentRun, StepOutcome } from './types';
import type { RolloutOutcome } from './waitForRollout';

/** A condition of an LLMInferenceService (knative duck type). */
export type LLMInferenceServiceCondition = {
  type: string;
  status: string;
  reason?: string;
  message?: string;
};

/** The conditions of a live LLMInferenceService. */
export function conditionsOf(live: LiveObject): LLMInferenceServiceCondition[] {
  const conditions = (live.status?.conditions ?? []) as unknown[];
  return conditions.filter(
    (c): c is LLMInferenceServiceCondition =>
      typeof c === 'object' &&
      c !== null &&
      typeof (c as { type?: unknown }).type === 'string',
  );
}

/** `Ready False (MinimumReplicasUnavailable): Deployment does not have minimum availability.` */
export function describeCondition(c: LLMInferenceServiceCondition): string {
  return `${c.type} ${c.status}${c.reason ? ` (${c.reason})` : ''}${
    c.message ? `: ${c.message}` : ''
  }`;
}

/**
 * Conditions that will not fix themselves without a change: the wait
 * fails at once rather than at its timeout. KServe sets PresetsCombined
 * False when an LLMInferenceServiceConfig is missing or cannot be merged,
 * and stops reconciling; a workload past its progress deadline will not
 * become ready either.
 */
function fatalCondition(
  conditions: LLMInferenceServiceCondition[],
): LLMInferenceServiceCondition | undefined {
  return conditions.find(
    c =>
      (c.type === 'PresetsCombined' && c.status === 'False') ||
      (c.status === 'False' && c.reason === 'ProgressDeadlineExceeded'),
  );
}

/**
 * Waits until KServe has reconciled the applied LLMInferenceService
 * (`status.observedGeneration` reached its generation), reports it Ready,
 * and its workload Deployment has rolled out (KServe keeps Ready True
 * while old pods serve, so Ready alone does not say the new ones run).
 * Reads the service, its workload, pods and events every
 * `progressIntervalMs`: each new condition message and each new Warning
 * event becomes a progress line. A condition or pod state that will not
 * fix itself (see fatalCondition, fatalPodProblem) fails the wait with the
 * cluster's message; at the timeout it fails naming the Ready condition.
 */
export async function waitForLLMInferenceService(options: {
  client: Pick<KubernetesClusterClient, 'read' | 'pods' | 'events'>;
  manifest: KubernetesManifest;
  rolloutTimeoutMs: number;
  progressIntervalMs: number;
  event: (
    level: DeploymentEvent['level'],
    message: string,
    object?: string,
  ) => Promise<void>;
  /** For tests: waits between reads. */
  sleep?: (ms: number) => Promise<void>;
}): Promise<RolloutOutcome> {
  const { client, manifest, event } = options;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise(r => setTimeout(r, ms)));
  const namespace = manifest.metadata.namespace ?? 'default';
  const name = manifest.metadata.name;
  const object = objectName(manifest);
  const deadline = Date.now() + options.rolloutTimeoutMs;
  const seen = new Set<string>();
  const warnings: string[] = [];
  let lastMessage = '';
  let lastReady: LLMInferenceServiceCondition | undefined;
  let generation: number | undefined;
  const say = async (message: string, about = object) => {
    if (message === lastMessage) return;
    lastMessage = message;
    await event('info', message, about);
  };
  const fail = (message: string): RolloutOutcome => ({
    ok: false,
    message,
    details: { warnings },
  });

  for (;;) {
    const live = await client.read(manifest);
    if (!live) {
      return fail(`${object} is gone from namespace ${namespace}`);
    }
    generation ??= live.metadata.generation ?? 0;
    const [pods, events] = await Promise.all([
      client.pods(namespace, llmWorkloadSelector(name)),
      client.events(namespace, name),
    ]);
    for (const e of events.filter(x => x.type === 'Warning')) {
      const key = `${e.object}|${e.reason}|${e.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      warnings.push(`${e.reason}: ${e.message}`);
      await event('warning', `${e.reason}: ${e.message}`, e.object);
    }
    const bad = fatalPodProblem(pods);
    if (bad) {
      return fail(
        `Pod ${bad.name} of ${object} is in ${bad.reason}${
          bad.message ? `: ${bad.message}` : ''
        }`,
      );
    }
    const observed = Number(live.status?.observedGeneration ?? 0);
    const conditions = conditionsOf(live);
    const fatal = fatalCondition(conditions);
    if (fatal) {
      return fail(`${object} is not ready: ${describeCondition(fatal)}`);
    }
    lastReady = conditions.find(c => c.type === 'Ready');
    if (observed < generation) {
      await say(
        `Waiting for KServe to reconcile generation ${generation} of ${object}`,
      );
    } else if (lastReady?.status !== 'True') {
      await say(
        lastReady
          ? `${object}: ${describeCondition(lastReady)}`
          : `${object}: no Ready condition yet`,
      );
    } else {
      const workloadName =
        (live.status?.workloads?.primary?.name as string | undefined) ??
        llmWorkloadDeploymentName(name);
      const workload = await client.read({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: workloadName, namespace },
      });
      if (!workload) {
        await say(
          `${object} is Ready; its workload ${workloadName} is not there yet`,
        );
      } else {
        const progress = rolloutProgress(workload);
        if (progress.done) {
          const url = live.status?.url as string | undefined;
          return {
            ok: true,
            message: `${object} is Ready${url ? ` at ${url}` : ''}: ${
              progress.message
            }`,
          };
        }
        if (progress.failed) {
          return fail(`${object}: ${progress.message}`);
        }
        await say(`${object}: ${progress.message}`, objectName(workload));
      }
    }
    if (Date.now() + options.progressIntervalMs > deadline) break;
    await sleep(options.progressIntervalMs);
  }
  return fail(
    `${object} did not become ready within ${Math.round(
      options.rolloutTimeoutMs / 1000,
    )} s: ${
      lastReady ? describeCondition(lastReady) : lastMessage || 'no status yet'
    }`,
  );
}

/** The rollout step of an applied LLMInferenceService `manifest` (see rolloutStep). */
export async function llmInferenceServiceRollout(
  run: DeploymentRun,
  manifest: KubernetesManifest,
): Promise<StepOutcome> {
  const { deps, progress, applied } = run;
  const outcome = await waitForLLMInferenceService({
    client: applied!.client,
    manifest,
    rolloutTimeoutMs: deps.deploy.rolloutTimeoutMs,
    progressIntervalMs: deps.deploy.progressIntervalMs,
    event: (level, message, object) => progress.event(level, message, object),
  });
  if (!outcome.ok) {
    return {
      status: 'failed',
      message: outcome.message,
      details: outcome.details,
      error: { object: objectName(manifest) },
    };
  }
  return { status: 'passed', message: outcome.message };
}
