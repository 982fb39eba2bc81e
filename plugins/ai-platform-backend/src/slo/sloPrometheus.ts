import type { Config } from '@backstage/config';
import type {
  PrometheusRangeQuerier,
  PrometheusRangeSeries,
} from '../cost/PrometheusClient';
import { prometheusFromConfig } from '../cost/prometheusFromConfig';

export type { PrometheusRangeSeries };

/** Instant and range PromQL queries against one Prometheus. */
export type SloPrometheusQuerier = PrometheusRangeQuerier;

/** The Prometheus of a cluster, with the URL the answers say they come from. */
export type SloPrometheusTarget = {
  url: string;
  querier: SloPrometheusQuerier;
};

/**
 * The Prometheus of each cluster, from `aiPlatform.cost.prometheus` (the one
 * the cost collector reads): `clusters.<name>.url`, else `url`. Undefined for
 * a cluster without one.
 */
export function sloPrometheusFromConfig(
  config: Config,
): (cluster: string) => SloPrometheusTarget | undefined {
  const clients = prometheusFromConfig(config);
  return cluster => {
    const client = clients?.get(cluster) ?? clients?.get('*');
    return client ? { url: client.url, querier: client } : undefined;
  };
}
