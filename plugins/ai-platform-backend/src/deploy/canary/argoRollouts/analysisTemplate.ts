import { InputError } from '@backstage/errors';
import { httpSelector, p95Query, VLLM_METRICS } from '../../../slo/sloQueries';
import type { KubernetesManifest } from '../../render/types';
import type { CanaryAnalysisTargets } from '../types';

/**
 * The evidence a canary step waits on under Argo Rollouts: an
 * AnalysisTemplate (argoproj.io/v1alpha1) with the Prometheus provider,
 * run as background analysis from the first step on (Argo Rollouts
 * v1.8.x/v1.9.x, docs/features/analysis.md "Background Analysis"). Two
 * metrics, each measured every minute over the canary's pods only:
 * - `error-rate`: the share of inference requests answered 5xx, from the
 *   API server's `http_requests_total` (as src/slo/sloQueries.ts reads it);
 * - `ttft-p95`: time to first token p95 in seconds, from vLLM's
 *   `vllm:time_to_first_token_seconds` histogram.
 * A measurement fails when above the target; the run fails (and Argo
 * aborts the Rollout) after more than FAILURE_LIMIT failed measurements of
 * one metric. No requests yet (empty result or NaN) passes: no request has
 * failed or been slow.
 */

/** Failed measurements of one metric tolerated before the run fails. */
export const FAILURE_LIMIT = 1;
/** How often each metric is measured. */
export const ANALYSIS_INTERVAL = '1m';
/** The argument Argo fills with the canary ReplicaSet's pod template hash. */
export const CANARY_HASH_ARG = 'canary-hash';

export function analysisTemplateName(name: string): string {
  return `${name}-canary-slo`;
}

/**
 * The canary's pods: Argo names a Rollout's ReplicaSets
 * `<rollout>-<pod template hash>` and their pods `<replicaset>-<5 chars>`.
 */
export function canaryPodSelector(options: {
  namespace: string;
  name: string;
}): string {
  return `namespace=${JSON.stringify(options.namespace)},pod=~${JSON.stringify(
    `${options.name}-{{args.${CANARY_HASH_ARG}}}-[a-z0-9]{5}`,
  )}`;
}

export function errorRateQuery(selector: string): string {
  const requests = `${VLLM_METRICS.http}{${httpSelector(selector)}}`;
  const errors = `${VLLM_METRICS.http}{${httpSelector(
    selector,
  )},status=~"5.."}`;
  return `sum(rate(${errors}[5m])) / sum(rate(${requests}[5m]))`;
}

const NO_DATA = 'len(result) == 0 || isNaN(result[0])';

export function renderAnalysisTemplate(options: {
  name: string;
  namespace: string;
  metadata: Pick<KubernetesManifest['metadata'], 'labels' | 'annotations'>;
  targets: CanaryAnalysisTargets;
  /** How often each metric is measured (default ANALYSIS_INTERVAL). */
  interval?: string;
  /** Failed measurements tolerated (default FAILURE_LIMIT). */
  failureLimit?: number;
}): KubernetesManifest {
  const { targets } = options;
  if (
    !Number.isFinite(targets.maxErrorRate) ||
    targets.maxErrorRate < 0 ||
    targets.maxErrorRate > 1
  ) {
    throw new InputError(
      `analysis maxErrorRate must be a number from 0 to 1, not ${targets.maxErrorRate}`,
    );
  }
  if (
    !Number.isFinite(targets.maxTtftP95Seconds) ||
    targets.maxTtftP95Seconds <= 0
  ) {
    throw new InputError(
      `analysis maxTtftP95Seconds must be a number above 0, not ${targets.maxTtftP95Seconds}`,
    );
  }
  const selector = canaryPodSelector(options);
  const metric = (name: string, query: string, max: number) => ({
    name,
    interval: options.interval ?? ANALYSIS_INTERVAL,
    failureLimit: options.failureLimit ?? FAILURE_LIMIT,
    successCondition: `${NO_DATA} || result[0] <= ${max}`,
    provider: {
      prometheus: { address: targets.prometheusAddress, query },
    },
  });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: {
      name: analysisTemplateName(options.name),
      namespace: options.namespace,
      ...options.metadata,
    },
    spec: {
      args: [{ name: CANARY_HASH_ARG }],
      metrics: [
        metric('error-rate', errorRateQuery(selector), targets.maxErrorRate),
        metric(
          'ttft-p95',
          p95Query('ttft', selector),
          targets.maxTtftP95Seconds,
        ),
      ],
    },
  };
}
