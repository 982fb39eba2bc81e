import { ResponseError } from '@backstage/errors';

/** One series of an instant vector: its labels and value. */
export type PrometheusSample = {
  labels: Record<string, string>;
  value: number;
};

/** One series of a range query: its labels and [unix seconds, value] points. */
export type PrometheusRangeSeries = {
  labels: Record<string, string>;
  points: Array<[number, number]>;
};

/** Runs PromQL instant queries against one Prometheus. */
export interface PrometheusQuerier {
  query(promql: string, atSeconds: number): Promise<PrometheusSample[]>;
}

/** Instant and range PromQL queries against one Prometheus. */
export interface PrometheusRangeQuerier extends PrometheusQuerier {
  queryRange(
    promql: string,
    range: { start: number; end: number; step: number },
  ): Promise<PrometheusRangeSeries[]>;
}

type ApiResult =
  | { metric: Record<string, string>; value: [number, string] }
  | { metric: Record<string, string>; values: Array<[number, string]> };

/**
 * A Prometheus HTTP API client (`/api/v1/query` and `/api/v1/query_range`),
 * shared by the usage collector and the SLO reader.
 */
export class PrometheusClient implements PrometheusRangeQuerier {
  constructor(
    private readonly options: {
      /** Base URL, e.g. http://prometheus.monitoring:9090 */
      url: string;
      /** Extra headers, e.g. Authorization for a managed Prometheus. */
      headers?: Record<string, string>;
      timeoutMs?: number;
    },
  ) {}

  /** The base URL, as configured. */
  get url(): string {
    return this.options.url;
  }

  async query(promql: string, atSeconds: number): Promise<PrometheusSample[]> {
    const result = await this.get(
      'api/v1/query',
      { query: promql, time: String(atSeconds) },
      'vector',
    );
    return result
      .map(r => ({
        labels: r.metric,
        value: Number('value' in r ? r.value[1] : NaN),
      }))
      .filter(s => Number.isFinite(s.value));
  }

  async queryRange(
    promql: string,
    range: { start: number; end: number; step: number },
  ): Promise<PrometheusRangeSeries[]> {
    const result = await this.get(
      'api/v1/query_range',
      {
        query: promql,
        start: String(range.start),
        end: String(range.end),
        step: String(range.step),
      },
      'matrix',
    );
    return result.map(r => ({
      labels: r.metric,
      points: ('values' in r ? r.values : [])
        .map(([t, v]) => [Number(t), Number(v)] as [number, number])
        .filter(([, v]) => Number.isFinite(v)),
    }));
  }

  /** One API call; its result when the answer is a success of the expected type. */
  private async get(
    path: string,
    params: Record<string, string>,
    resultType: 'vector' | 'matrix',
  ): Promise<ApiResult[]> {
    const url = new URL(path, this.options.url.replace(/\/?$/, '/'));
    for (const [key, value] of Object.entries(params)) {
      url.searchParams.set(key, value);
    }
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
      data?: { resultType: string; result: ApiResult[] };
    };
    if (body.status !== 'success' || body.data?.resultType !== resultType) {
      throw new Error(
        `Prometheus ${resultType === 'matrix' ? 'range ' : ''}query failed: ${
          body.error ?? `unexpected ${body.data?.resultType ?? 'answer'}`
        }`,
      );
    }
    return body.data.result;
  }
}
