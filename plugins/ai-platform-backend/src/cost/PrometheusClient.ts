import { ResponseError } from '@backstage/errors';

/** One series of an instant vector: its labels and value. */
export type PrometheusSample = {
  labels: Record<string, string>;
  value: number;
};

/** Runs PromQL instant queries against one Prometheus. */
export interface PrometheusQuerier {
  query(promql: string, atSeconds: number): Promise<PrometheusSample[]>;
}

/** A Prometheus HTTP API client (`/api/v1/query`). */
export class PrometheusClient implements PrometheusQuerier {
  constructor(
    private readonly options: {
      /** Base URL, e.g. http://prometheus.monitoring:9090 */
      url: string;
      /** Extra headers, e.g. Authorization for a managed Prometheus. */
      headers?: Record<string, string>;
      timeoutMs?: number;
    },
  ) {}

  async query(promql: string, atSeconds: number): Promise<PrometheusSample[]> {
    const url = new URL('api/v1/query', this.options.url.replace(/\/?$/, '/'));
    url.searchParams.set('query', promql);
    url.searchParams.set('time', String(atSeconds));
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
          value: [number, string];
        }>;
      };
    };
    if (body.status !== 'success' || body.data?.resultType !== 'vector') {
      throw new Error(
        `Prometheus query failed: ${
          body.error ?? `unexpected ${body.data?.resultType ?? 'answer'}`
        }`,
      );
    }
    return body.data.result
      .map(r => ({ labels: r.metric, value: Number(r.value[1]) }))
      .filter(s => Number.isFinite(s.value));
  }
}
