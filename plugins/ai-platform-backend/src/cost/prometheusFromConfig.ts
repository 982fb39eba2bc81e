import type { Config } from '@backstage/config';
import { PrometheusClient } from './PrometheusClient';

/**
 * The Prometheus of each cluster from `aiPlatform.cost.prometheus`, read by
 * the usage collector and the SLO reader alike: `clusters.<name>.url` per
 * cluster, and `url` under the key `*` for any other cluster. Undefined
 * without any.
 */
export function prometheusFromConfig(
  config: Config,
): Map<string, PrometheusClient> | undefined {
  const prometheus = config.getOptionalConfig('aiPlatform.cost.prometheus');
  if (!prometheus) return undefined;
  const headersConfig = prometheus.getOptionalConfig('headers');
  const headers = headersConfig
    ? Object.fromEntries(
        headersConfig.keys().map(k => [k, headersConfig.getString(k)]),
      )
    : undefined;
  const map = new Map<string, PrometheusClient>();
  const url = prometheus.getOptionalString('url');
  if (url) map.set('*', new PrometheusClient({ url, headers }));
  const clusters = prometheus.getOptionalConfig('clusters');
  for (const name of clusters?.keys() ?? []) {
    map.set(
      name,
      new PrometheusClient({
        url: clusters!.getString(`${name}.url`),
        headers,
      }),
    );
  }
  return map.size ? map : undefined;
}
