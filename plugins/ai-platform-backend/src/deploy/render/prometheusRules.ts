import type { InferenceEndpointSlo } from '@internal/plugin-ai-platform-common';
import {
  allowedBadShare,
  FAST_BURN,
  SLOW_BURN,
  snapToBoundary,
} from '../../slo/sloMath';
import {
  httpSelector,
  type LatencyKind,
  podSelector,
  VLLM_BUCKETS,
  VLLM_METRICS,
} from '../../slo/sloQueries';
import type { KubernetesManifest } from './types';

type Metadata = KubernetesManifest['metadata'];

const LATENCY: Array<{
  kind: LatencyKind;
  key: 'ttftP95Ms' | 'latencyP95Ms' | 'itlP95Ms';
  alert: string;
  what: string;
}> = [
  {
    kind: 'ttft',
    key: 'ttftP95Ms',
    alert: 'TimeToFirstToken',
    what: 'time to first token',
  },
  {
    kind: 'latency',
    key: 'latencyP95Ms',
    alert: 'RequestLatency',
    what: 'request latency',
  },
  {
    kind: 'itl',
    key: 'itlP95Ms',
    alert: 'InterTokenLatency',
    what: 'inter-token latency',
  },
];

/** A PromQL number without float noise (14.4 × 0.001 = 0.0144). */
function num(value: number) {
  return String(Number(value.toPrecision(12)));
}

/**
 * The multi-window, multi-burn-rate alerts of the SRE workbook (chapter 5,
 * "Alerting on SLOs"): page when the error budget burns at 14.4x over 1 h
 * and still over the last 5 m (2 % of a 30-day budget in an hour), or at 6x
 * over 6 h and still over the last 30 m (5 % in 6 h). The short window stops
 * the page soon after the burn stops. `badRatio(range)` is the share of bad
 * requests over a range.
 */
function burnRateRules(options: {
  alert: string;
  badRatio: (range: string) => string;
  badShare: number;
  labels: Record<string, string>;
  summary: string;
  description: string;
}) {
  return [FAST_BURN, SLOW_BURN].map(burn => {
    const threshold = num(burn.factor * options.badShare);
    return {
      alert: `${options.alert}${burn === FAST_BURN ? 'FastBurn' : 'SlowBurn'}`,
      expr: `(${options.badRatio(
        burn.long,
      )}) > ${threshold}\nand\n(${options.badRatio(
        burn.short,
      )}) > ${threshold}`,
      labels: {
        ...options.labels,
        severity: 'page',
        burn_window: burn.long,
      },
      annotations: {
        summary: options.summary,
        description: `${options.description} The error budget burns at more than ${burn.factor}x over ${burn.long} (and still over ${burn.short}).`,
      },
    };
  });
}

/**
 * A monitoring.coreos.com/v1 PrometheusRule with burn-rate alerts for each
 * SLO the endpoint sets (availability from the API server's 5xx responses;
 * each latency target from vLLM's histogram, counted under the largest
 * bucket boundary not above the target), over the endpoint's own pods.
 * Undefined when the endpoint sets no target.
 */
export function endpointPrometheusRule(options: {
  metadata: Metadata;
  endpointRef: string;
  namespace: string;
  workload: string;
  slo: InferenceEndpointSlo | undefined;
}): KubernetesManifest | undefined {
  const { slo } = options;
  if (!slo) return undefined;
  const selector = podSelector({
    namespace: options.namespace,
    workload: options.workload,
  });
  const labels = {
    namespace: options.namespace,
    ai_platform_endpoint: options.endpointRef,
  };
  const rules: Array<Record<string, unknown>> = [];
  if (slo.availability !== undefined) {
    const http = httpSelector(selector);
    rules.push(
      ...burnRateRules({
        alert: 'InferenceEndpointAvailability',
        badRatio: range =>
          `sum(rate(${VLLM_METRICS.http}{${http},status=~"5.."}[${range}])) / sum(rate(${VLLM_METRICS.http}{${http}}[${range}]))`,
        badShare: allowedBadShare('availability', slo.availability),
        labels: { ...labels, slo: 'availability' },
        summary: `${options.endpointRef} is failing requests fast enough to spend its availability budget`,
        description: `Availability target ${slo.availability} %: at most ${num(
          100 - slo.availability,
        )} % of requests may fail with a 5xx status.`,
      }),
    );
  }
  for (const latency of LATENCY) {
    const target = slo[latency.key];
    if (target === undefined) continue;
    const boundary = snapToBoundary(VLLM_BUCKETS[latency.kind], target / 1000);
    // A target below vLLM's smallest bucket cannot be counted: no rule.
    if (boundary === undefined) continue;
    const metric = VLLM_METRICS[latency.kind];
    const le = `le=~"${String(boundary).replace(/\./g, '\\\\.')}(\\\\.0)?"`;
    rules.push(
      ...burnRateRules({
        alert: `InferenceEndpoint${latency.alert}`,
        badRatio: range =>
          `1 - sum(rate(${metric}_bucket{${selector},${le}}[${range}])) / sum(rate(${metric}_count{${selector}}[${range}]))`,
        badShare: allowedBadShare(latency.kind, target),
        labels: { ...labels, slo: latency.kind },
        summary: `${options.endpointRef} is slow enough to spend its ${latency.what} budget`,
        description: `p95 ${
          latency.what
        } target ${target} ms: 95 % of requests within ${num(
          boundary * 1000,
        )} ms (the largest histogram bucket not above the target).`,
      }),
    );
  }
  if (!rules.length) return undefined;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: options.metadata,
    spec: {
      groups: [{ name: `ai-platform-slo.${options.workload}`, rules }],
    },
  };
}
