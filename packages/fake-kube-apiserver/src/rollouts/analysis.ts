import { ControllerBase } from '../ControllerBase';
import type { ObjectStore, StoreEvent } from '../ObjectStore';
import { RESOURCE_TYPES } from '../resources';
import type { KubeObject } from '../types';
import { clone, deepEqual, timestamp } from '../util';
import { durationMs } from './duration';
import { evaluate } from './expr';

/*
 * A simulated Argo Rollouts AnalysisRun controller (argoproj.io/v1alpha1,
 * modelled on Argo Rollouts v1.8: pkg/apis/rollouts/v1alpha1/analysis_types.go
 * and analysis/analysis.go), for the prometheus provider only: each
 * metric is measured by querying `provider.prometheus.address` +
 * `/api/v1/query` with its `query` (after `initialDelay`, then every
 * `interval`, `count` times; once when neither is set), the result
 * evaluated with `successCondition` / `failureCondition` (see expr.ts), and
 * the metric assessed as the real controller assesses it: Failed once
 * `failed > failureLimit` (default 0), Inconclusive once `inconclusive >
 * inconclusiveLimit` (default 0), Error once `consecutiveError >
 * consecutiveErrorLimit` (default 4), Successful once `count` measurements
 * are taken (or the run is terminated with `spec.terminate`). The run's
 * phase is the worst of its metrics': Failed, Error, Inconclusive, else
 * Running until all are Successful. What it leaves out: providers other
 * than prometheus, dryRun metrics, measurement retention settings (the
 * last 10 measurements are kept).
 */

const typeOf = (kind: string) => RESOURCE_TYPES.find(t => t.kind === kind)!;
export const ANALYSIS_RUN = typeOf('AnalysisRun');

/** The manager Argo Rollouts' controller writes as. */
export const ROLLOUTS_MANAGER = 'rollouts-controller';

const MEASUREMENTS_KEPT = 10;

/**
 * A fault of the simulated analysis: measurements of the matching metrics
 * (all when no namespace, run or metric is given; `run` matches a run's
 * name prefix) come out as `phase`: `Error` as when Prometheus cannot be
 * queried (with `message`), `Failed` as when the condition does not hold
 * (with `value` recorded).
 */
export type AnalysisFault = {
  namespace?: string;
  run?: string;
  metric?: string;
  phase: 'Error' | 'Failed';
  message?: string;
  value?: string;
};

export type Metric = {
  name: string;
  interval?: string;
  initialDelay?: string;
  count?: number | string;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: number | string;
  inconclusiveLimit?: number | string;
  consecutiveErrorLimit?: number | string;
  provider?: {
    prometheus?: { address?: string; query?: string; timeout?: number };
  };
};

type Measurement = {
  phase: 'Successful' | 'Failed' | 'Inconclusive' | 'Error';
  startedAt: string;
  finishedAt: string;
  value?: string;
  message?: string;
};

type MetricResult = {
  name: string;
  phase: string;
  measurements: Measurement[];
  message?: string;
  count: number;
  successful?: number;
  failed?: number;
  inconclusive?: number;
  error?: number;
  consecutiveError?: number;
};

type RunStatus = {
  phase?: string;
  message?: string;
  startedAt?: string;
  metricResults?: MetricResult[];
  runSummary?: Record<string, number>;
};

const TERMINAL = ['Successful', 'Failed', 'Error', 'Inconclusive'];

export const isTerminal = (phase: string | undefined) =>
  phase !== undefined && TERMINAL.includes(phase);

const int = (v: number | string | undefined, fallback: number) =>
  v === undefined || v === '' ? fallback : Number(v);

/** See the comment at the top of this file. */
export class AnalysisRunController extends ControllerBase {
  private faults: AnalysisFault[] = [];
  private readonly inFlight = new Set<string>();

  constructor(store: ObjectStore) {
    super(store, ROLLOUTS_MANAGER);
  }

  /** Adds a fault (see AnalysisFault); `undefined` clears them all. */
  setFault(fault: AnalysisFault | undefined): void {
    this.faults = fault ? [...this.faults, fault] : [];
  }

  protected onStart(): void {
    for (const run of this.store.list(ANALYSIS_RUN)) this.reconcile(run);
  }

  protected onEvent(event: StoreEvent): void {
    if (event.resource.kind !== 'AnalysisRun' || event.type === 'DELETED') {
      return;
    }
    const { object } = event;
    this.later(0, () => {
      const run = this.store.get(
        ANALYSIS_RUN,
        object.metadata.namespace,
        object.metadata.name!,
      );
      if (run) this.reconcile(run);
    });
  }

  private metricsOf(run: KubeObject): Metric[] {
    return ((run.spec as { metrics?: Metric[] } | undefined)?.metrics ??
      []) as Metric[];
  }

  /** Starts the run, schedules the measurements due, applies termination. */
  private reconcile(run: KubeObject) {
    const status = (run.status ?? {}) as RunStatus;
    if (isTerminal(status.phase)) return;
    const metrics = this.metricsOf(run);
    if (!status.phase) {
      this.writeStatus(run, {
        phase: 'Running',
        startedAt: timestamp(),
        metricResults: [],
      });
      return;
    }
    if ((run.spec as { terminate?: boolean }).terminate) {
      this.assess(run, { terminated: true });
      return;
    }
    for (const metric of metrics) {
      const result = status.metricResults?.find(r => r.name === metric.name);
      if (result && isTerminal(result.phase)) continue;
      const last = result?.measurements.at(-1);
      const delay = last
        ? Math.max(
            0,
            Date.parse(last.finishedAt) +
              (durationMs(metric.interval) ?? 0) -
              Date.now(),
          )
        : durationMs(metric.initialDelay) ?? 0;
      this.laterOnce(
        `${run.metadata.uid}/${metric.name}`,
        delay,
        () =>
          void this.measure(
            run.metadata.namespace!,
            run.metadata.name!,
            metric.name,
          ),
      );
    }
  }

  private async measure(namespace: string, name: string, metricName: string) {
    const key = `${namespace}/${name}/${metricName}`;
    if (this.inFlight.has(key)) return;
    const run = this.store.get(ANALYSIS_RUN, namespace, name);
    const metric = run && this.metricsOf(run).find(m => m.name === metricName);
    if (!run || !metric || isTerminal((run.status as RunStatus)?.phase)) {
      return;
    }
    this.inFlight.add(key);
    const startedAt = timestamp();
    let measurement: Omit<Measurement, 'startedAt' | 'finishedAt'>;
    try {
      measurement = await this.take(run, metric);
    } finally {
      this.inFlight.delete(key);
    }
    if (this.stopped) return;
    const current = this.store.get(ANALYSIS_RUN, namespace, name);
    if (!current || current.metadata.uid !== run.metadata.uid) return;
    const status = clone((current.status ?? {}) as RunStatus);
    if (isTerminal(status.phase)) return;
    const results = status.metricResults ?? [];
    let result = results.find(r => r.name === metricName);
    if (!result) {
      result = {
        name: metricName,
        phase: 'Running',
        measurements: [],
        count: 0,
      };
      results.push(result);
    }
    result.measurements = [
      ...result.measurements,
      { ...measurement, startedAt, finishedAt: timestamp() },
    ].slice(-MEASUREMENTS_KEPT);
    result.count += 1;
    const field = {
      Successful: 'successful',
      Failed: 'failed',
      Inconclusive: 'inconclusive',
      Error: 'error',
    }[measurement.phase] as 'successful' | 'failed' | 'inconclusive' | 'error';
    result[field] = (result[field] ?? 0) + 1;
    if (measurement.phase === 'Error') {
      result.consecutiveError = (result.consecutiveError ?? 0) + 1;
    } else {
      delete result.consecutiveError;
    }
    status.metricResults = results;
    this.assess(current, { status });
  }

  /** One measurement: the query's result evaluated, or the fault's. */
  private async take(
    run: KubeObject,
    metric: Metric,
  ): Promise<Omit<Measurement, 'startedAt' | 'finishedAt'>> {
    const fault = this.faults.find(
      f =>
        (f.namespace === undefined || f.namespace === run.metadata.namespace) &&
        (f.run === undefined || run.metadata.name!.startsWith(f.run)) &&
        (f.metric === undefined || f.metric === metric.name),
    );
    if (fault?.phase === 'Error') {
      return {
        phase: 'Error',
        message: fault.message ?? 'injected fault: the query failed',
      };
    }
    if (fault?.phase === 'Failed') {
      return { phase: 'Failed', value: fault.value ?? '[1]' };
    }
    const prometheus = metric.provider?.prometheus;
    if (!prometheus?.address || !prometheus.query) {
      return {
        phase: 'Error',
        message:
          'the simulated Argo Rollouts measures prometheus metrics only (provider.prometheus.address and query)',
      };
    }
    let result: number | number[];
    let value: string;
    try {
      const url = new URL(
        `${prometheus.address.replace(/\/+$/, '')}/api/v1/query`,
      );
      url.searchParams.set('query', prometheus.query);
      const response = await fetch(url, {
        signal: AbortSignal.timeout((prometheus.timeout ?? 30) * 1000),
      });
      const body = (await response.json()) as {
        status?: string;
        error?: string;
        data?: { resultType?: string; result?: unknown };
      };
      if (!response.ok || body.status !== 'success') {
        throw new Error(body.error ?? `Prometheus answered ${response.status}`);
      }
      if (body.data?.resultType === 'vector') {
        result = (
          (body.data.result ?? []) as Array<{ value: [number, string] }>
        ).map(s => Number(s.value[1]));
        value = `[${result.join(' ')}]`;
      } else if (body.data?.resultType === 'scalar') {
        result = Number((body.data.result as [number, string])[1]);
        value = String(result);
      } else {
        throw new Error(
          `Prometheus metric type not supported: ${body.data?.resultType}`,
        );
      }
    } catch (error) {
      return { phase: 'Error', message: (error as Error).message };
    }
    try {
      const holds = (condition: string) =>
        Boolean(evaluate(condition, { result }));
      const { successCondition: ok, failureCondition: bad } = metric;
      let phase: Measurement['phase'] = 'Successful';
      if (ok && bad) {
        if (holds(bad)) phase = 'Failed';
        else if (holds(ok)) phase = 'Successful';
        else phase = 'Inconclusive';
      } else if (ok) phase = holds(ok) ? 'Successful' : 'Failed';
      else if (bad) phase = holds(bad) ? 'Failed' : 'Successful';
      return { phase, value };
    } catch (error) {
      return { phase: 'Error', value, message: (error as Error).message };
    }
  }

  /** Each metric's phase and the run's, as the real controller assesses them; writes the status and schedules what is due. */
  private assess(
    run: KubeObject,
    options: { status?: RunStatus; terminated?: boolean },
  ) {
    const status = options.status ?? clone((run.status ?? {}) as RunStatus);
    const results = status.metricResults ?? [];
    for (const metric of this.metricsOf(run)) {
      let result = results.find(r => r.name === metric.name);
      if (!result) {
        if (!options.terminated) continue;
        result = {
          name: metric.name,
          phase: 'Running',
          measurements: [],
          count: 0,
        };
        results.push(result);
      }
      if (isTerminal(result.phase)) continue;
      const failureLimit = int(metric.failureLimit, 0);
      const inconclusiveLimit = int(metric.inconclusiveLimit, 0);
      const errorLimit = int(metric.consecutiveErrorLimit, 4);
      let count: number | undefined = 1;
      if (metric.count !== undefined) count = int(metric.count, 1);
      else if (metric.interval) count = undefined;
      if (failureLimit >= 0 && (result.failed ?? 0) > failureLimit) {
        result.phase = 'Failed';
        result.message = `Metric "${metric.name}" assessed Failed due to failed (${result.failed}) > failureLimit (${failureLimit})`;
      } else if ((result.inconclusive ?? 0) > inconclusiveLimit) {
        result.phase = 'Inconclusive';
        result.message = `Metric "${metric.name}" assessed Inconclusive due to inconclusive (${result.inconclusive}) > inconclusiveLimit (${inconclusiveLimit})`;
      } else if ((result.consecutiveError ?? 0) > errorLimit) {
        const last = result.measurements.at(-1)?.message ?? '';
        result.phase = 'Error';
        result.message = `Metric "${metric.name}" assessed Error due to consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${errorLimit}): "Error Message: ${last}"`;
      } else if (
        options.terminated ||
        (count !== undefined && result.count >= count)
      ) {
        result.phase = 'Successful';
      } else {
        result.phase = 'Running';
      }
    }
    status.metricResults = results;
    const phases = results.map(r => r.phase);
    const metrics = this.metricsOf(run);
    let phase = 'Running';
    let message: string | undefined;
    for (const worst of ['Failed', 'Error', 'Inconclusive']) {
      const r = results.find(x => x.phase === worst);
      if (r) {
        phase = worst;
        message = r.message;
        break;
      }
    }
    if (
      phase === 'Running' &&
      metrics.length === results.length &&
      phases.every(p => p === 'Successful')
    ) {
      phase = 'Successful';
      if (options.terminated) message = 'Run Terminated';
    }
    const summary = {
      count: metrics.length,
      successful: phases.filter(p => p === 'Successful').length,
      failed: phases.filter(p => p === 'Failed').length,
      inconclusive: phases.filter(p => p === 'Inconclusive').length,
      error: phases.filter(p => p === 'Error').length,
    };
    const next: RunStatus = {
      ...status,
      phase,
      ...(message ? { message } : {}),
      runSummary: summary,
    };
    if (!message) delete next.message;
    if (isTerminal(phase)) {
      (next as Record<string, unknown>).completedAt = timestamp();
    }
    const written = this.writeStatus(run, next);
    if (!isTerminal(phase) && written) this.reconcile(written);
  }

  private writeStatus(run: KubeObject, status: RunStatus) {
    if (deepEqual(run.status, status)) return run;
    return this.write(ANALYSIS_RUN, { ...run, status });
  }
}
