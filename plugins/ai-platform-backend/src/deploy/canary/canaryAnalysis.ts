import type { CanaryAnalysis } from '@internal/plugin-ai-platform-common';
import type { SloReader } from '../../slo/SloReader';

/** The numbers a canary is held to. */
export type CanaryTargets = { maxErrorRate: number; maxTtftP95Seconds: number };

const percent = (v: number) => `${Math.round(v * 10000) / 100} %`;

/**
 * The portal's own analysis of a gateway-api canary, each driver tick: the
 * canary pods' error rate (5xx share of inference requests) and time to
 * first token p95 over the last 5 minutes, from the cluster's Prometheus
 * (SloReader), against the endpoint's SLO targets. `none` without
 * Prometheus; `running` while the canary holds them (or has served no
 * request yet); `failed` when one is over its target.
 */
export async function analyseCanary(options: {
  reader: Pick<SloReader, 'currentFigures'>;
  cluster: string;
  namespace: string;
  workload: string;
  targets: CanaryTargets;
  now: string;
}): Promise<CanaryAnalysis> {
  const { targets } = options;
  let figures;
  try {
    figures = await options.reader.currentFigures({
      cluster: options.cluster,
      namespace: options.namespace,
      workload: options.workload,
    });
  } catch (error) {
    return {
      status: 'running',
      message: `Prometheus could not be read (${
        error instanceof Error ? error.message : String(error)
      }); the analysis tries again on the next check and no step moves on meanwhile`,
      checkedAt: options.now,
    };
  }
  if (figures.kind === 'none') {
    return {
      status: 'none',
      message: `${figures.reason}: no analysis runs; steps move on their pauses and approvals only`,
    };
  }
  const { errorRate } = figures.current;
  const ttft =
    figures.current.ttftP95Ms !== undefined
      ? figures.current.ttftP95Ms / 1000
      : undefined;
  const measured = {
    ...(errorRate !== undefined ? { errorRate } : {}),
    ...(ttft !== undefined ? { ttftP95Seconds: ttft } : {}),
    checkedAt: options.now,
  };
  const failures: string[] = [];
  if (errorRate !== undefined && errorRate > targets.maxErrorRate) {
    failures.push(
      `error rate ${percent(errorRate)} is above ${percent(
        targets.maxErrorRate,
      )}`,
    );
  }
  if (ttft !== undefined && ttft > targets.maxTtftP95Seconds) {
    failures.push(`TTFT p95 ${ttft} s is above ${targets.maxTtftP95Seconds} s`);
  }
  const source = `the canary pods (${options.namespace}/${options.workload}) over the last 5 minutes, from Prometheus at ${figures.url}`;
  if (failures.length) {
    return {
      status: 'failed',
      message: `${failures.join('; ')}: ${source}`,
      ...measured,
    };
  }
  if (errorRate === undefined && ttft === undefined) {
    return {
      status: 'running',
      message: `no requests to the canary yet: ${source}`,
      ...measured,
    };
  }
  return {
    status: 'running',
    message: `holding: error rate ${
      errorRate !== undefined ? percent(errorRate) : 'not measured'
    } (at most ${percent(targets.maxErrorRate)}), TTFT p95 ${
      ttft !== undefined ? `${ttft} s` : 'not measured'
    } (at most ${targets.maxTtftP95Seconds} s): ${source}`,
    ...measured,
  };
}
