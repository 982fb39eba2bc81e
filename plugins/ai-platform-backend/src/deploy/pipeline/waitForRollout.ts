import type { DeploymentEvent } from '@internal/plugin-ai-platform-common';
import {
  type KubernetesClusterClient,
  objectName,
} from '../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../render/types';
import { fatalPodProblem, rolloutProgress } from '../rollout';

/** How a rollout ended. */
export type RolloutOutcome =
  | { ok: true; message: string }
  | { ok: false; message: string; details?: Record<string, unknown> };

/**
 * Watches a Deployment's rollout until it is done, fails, or times out,
 * reading its pods and events every `progressIntervalMs` meanwhile: each
 * new Warning event and each new rollout message becomes a progress line.
 * A pod state that will not fix itself (image pull errors, crash loops)
 * fails the rollout at once instead of at the timeout.
 */
export async function waitForRollout(options: {
  client: Pick<KubernetesClusterClient, 'watchDeployment' | 'pods' | 'events'>;
  deployment: KubernetesManifest;
  rolloutTimeoutMs: number;
  progressIntervalMs: number;
  event: (
    level: DeploymentEvent['level'],
    message: string,
    object?: string,
  ) => Promise<void>;
}): Promise<RolloutOutcome> {
  const { client, deployment, event } = options;
  const namespace = deployment.metadata.namespace ?? 'default';
  const name = deployment.metadata.name;
  const selector = Object.entries(
    (deployment.spec as { selector: { matchLabels: Record<string, string> } })
      .selector.matchLabels,
  )
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const seen = new Set<string>();
  let lastMessage = '';
  let problem: string | undefined;
  let fatal: string | undefined;
  const warnings: string[] = [];
  const readProblems = async (): Promise<boolean> => {
    const [pods, events] = await Promise.all([
      client.pods(namespace, selector),
      client.events(namespace, name),
    ]);
    for (const e of events.filter(x => x.type === 'Warning')) {
      const key = `${e.object}|${e.reason}|${e.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      warnings.push(`${e.reason}: ${e.message}`);
      await event('warning', `${e.reason}: ${e.message}`, e.object);
      if (!problem || e.reason === 'FailedScheduling') {
        problem = `${e.reason} on ${e.object}: ${e.message}`;
      }
    }
    const bad = fatalPodProblem(pods);
    if (bad) {
      fatal = `Pod ${bad.name} is in ${bad.reason}${
        bad.message ? `: ${bad.message}` : ''
      }`;
      return true;
    }
    return false;
  };
  const outcome = await client.watchDeployment({
    namespace,
    name,
    timeoutMs: options.rolloutTimeoutMs,
    tickMs: options.progressIntervalMs,
    onTick: readProblems,
    onObject: async live => {
      const progress = rolloutProgress(live);
      if (progress.message !== lastMessage) {
        lastMessage = progress.message;
        await event('info', progress.message, objectName(deployment));
      }
      if (!progress.done && progress.failed) {
        fatal = progress.message;
        return true;
      }
      return progress.done;
    },
  });
  if (fatal) {
    // One last read, so that the record names what the cluster said.
    if (!problem) await readProblems().catch(() => undefined);
    return {
      ok: false,
      message: `${fatal}${
        problem && !fatal.includes(problem) ? `; ${problem}` : ''
      }`,
      details: { warnings },
    };
  }
  if (outcome === 'timeout') {
    await readProblems().catch(() => undefined);
    if (fatal) {
      return { ok: false, message: fatal, details: { warnings } };
    }
    return {
      ok: false,
      message: `The rollout did not finish within ${Math.round(
        options.rolloutTimeoutMs / 1000,
      )} s (${lastMessage || 'no status yet'})${problem ? `: ${problem}` : ''}`,
      details: { warnings },
    };
  }
  return { ok: true, message: lastMessage };
}
