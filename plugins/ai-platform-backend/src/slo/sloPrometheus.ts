import type { Config } from '@backstage/config';
import { ResponseError } from '@backstage/errors';
import {
  PrometheusClient,
  type PrometheusQuerier,
} from '../cost/PrometheusClient';

/** One series of a range query: its labels and [unix seconds, value] points. */
export type PrometheusRangeSeries = {
  labels: Record<string, string>;
  points: Array<[number, number]>;
};

/** Instant and range PromQL queries against one Prometheus. */
export interface SloPrometheusQuerier extends PrometheusQuerier {
  queryRange(
    promql: string,
    range: { start: number; end: number; step: number },
  ): Promise<PrometheusRangeSeries[]>;
}

/** The Prometheus of a cluster, with the URL the answers say they come from. */
export type SloPrometheusTarget = {
  url: string;
  querier: SloPrometheusQuerier;
};

/** `/api/v1/query` through the cost collector's client, plus `/api/v1/query_range`. */
export class SloPrometheusClient implements SloPrometheusQuerier {
  private readonly instant: PrometheusClient;

  constructor(
    private readonly options: {
      url: string;
      headers?: Record<string, string>;
      timeoutMs?: number;
    },
  ) {
    this.instant = new PrometheusClient(options);
  }

  query(promql: string, atSeconds: number) {
    return this.instant.query(promql, atSeconds);
  }

  async queryRange(
    promql: string,
    range: { start: number; end: number; step: number },
  ): Promise<PrometheusRangeSeries[]> {
    const url = new URL(
      'api/v1/query_range',
      this.options.url.replace(/\/?$/, '/'),
    );
    url.searchParams.set('query', promql);
    url.searchParams.set('start', String(range.start));
    url.searchParams.set('end', String(range.end));
    url.searchParams.set('step', String(range.step));
    const response = await fetch(url, {
      headers: { Accept: 'application/json', ...this.options.headers },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: {
        resultType: string;
        result: Array<{
          metric: Record<string, string>;
          values: Array<[number, string]>;
        }>;
      };
    };
    if (body.status !== 'success' || body.data?.resultType !== 'matrix') {
      throw new Error(
        `Prometheus range query failed: ${
          body.error ?? `unexpected ${body.data?.resultType ?? 'answer'}`
        }`,
      );
    }
    return body.data.result.map(r => ({
      labels: r.metric,
      points: r.values
        .map(([t, v]) => [Number(t), Number(v)] as [number, number])
        .filter(([, v]) => Number.isFinite(v)),
    }));
  }
}

/**
 * The Prometheus of each cluster, from `aiPlatform.cost.prometheus` (the one
 * the cost collector reads): `clusters.<name>.url`, else `url`. Undefined for
 * a cluster without one.
 */
export function sloPrometheusFromConfig(
  config: Config,
): (cluster: string) => SloPrometheusTarget | undefined {
  const prometheus = config.getOptionalConfig('aiPlatform.cost.prometheus');
  if (!prometheus) return () => undefined;
  const headersConfig = prometheus.getOptionalConfig('headers');
  const headers = headersConfig
    ? Object.fromEntries(
        headersConfig.keys().map(k => [k, headersConfig.getString(k)]),
      )
    : undefined;
  const targets = new Map<string, SloPrometheusTarget>();
  const target = (url: string) => ({
    url,
    querier: new SloPrometheusClient({ url, headers }),
  });
  const url = prometheus.getOptionalString('url');
  const fallback = url ? target(url) : undefined;
  const clusters = prometheus.getOptionalConfig('clusters');
  for (const name of clusters?.keys() ?? []) {
    targets.set(name, target(clusters!.getString(`${name}.url`)));
  }
  return cluster => targets.get(cluster) ?? fallback;
}
