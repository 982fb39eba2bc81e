import type { Config } from '@backstage/config';
import type { CanaryClusterSettings } from '../canary/types';

/** `aiPlatform.deploy.clusters.<name>.canary` per cluster name. */
export type CanarySettingsByCluster = Record<string, CanaryClusterSettings>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ROUTINGS = ['none', 'gateway-api'] as const;

/** The canary settings of `cluster` (defaults: no gateway, Argo without traffic routing). */
export function canarySettingsOf(
  settings: CanarySettingsByCluster | undefined,
  cluster: string,
): CanaryClusterSettings {
  return settings?.[cluster] ?? { argoTrafficRouting: 'none' };
}

/**
 * Reads `aiPlatform.deploy.clusters.<name>.canary` (the `deploy` block is
 * passed in), next to the cluster's deploy target (clusterTargets.ts).
 * A bad value fails startup, naming the key.
 */
export function readCanarySettings(
  deploy: Config | undefined,
): CanarySettingsByCluster {
  const clusters = deploy?.getOptionalConfig('clusters');
  const out: CanarySettingsByCluster = {};
  for (const cluster of clusters?.keys() ?? []) {
    const c = clusters!.getConfig(cluster).getOptionalConfig('canary');
    if (!c) continue;
    const at = `aiPlatform.deploy.clusters.${cluster}.canary`;
    const routing = c.getOptionalString('argoTrafficRouting') ?? 'none';
    if (!ROUTINGS.includes(routing as (typeof ROUTINGS)[number])) {
      throw new Error(
        `${at}.argoTrafficRouting must be one of ${ROUTINGS.join(
          ', ',
        )}, not "${routing}"`,
      );
    }
    const g = c.getOptionalConfig('gateway');
    let gateway: CanaryClusterSettings['gateway'];
    if (g) {
      const name = g.getOptionalString('name');
      if (!name) {
        throw new Error(
          `${at}.gateway.name is required when a gateway is given`,
        );
      }
      const namespace = g.getOptionalString('namespace');
      for (const [key, value] of [
        ['name', name],
        ['namespace', namespace],
      ] as const) {
        if (value !== undefined && !DNS_LABEL.test(value)) {
          throw new Error(
            `${at}.gateway.${key} must be a Kubernetes name (lowercase RFC 1123 label), not "${value}"`,
          );
        }
      }
      const sectionName = g.getOptionalString('sectionName');
      gateway = {
        name,
        ...(namespace ? { namespace } : {}),
        ...(sectionName ? { sectionName } : {}),
      };
    }
    if (routing === 'gateway-api' && !gateway) {
      throw new Error(
        `${at}.argoTrafficRouting gateway-api needs ${at}.gateway (the Gateway the HTTPRoute attaches to)`,
      );
    }
    out[cluster] = {
      argoTrafficRouting:
        routing as CanaryClusterSettings['argoTrafficRouting'],
      ...(gateway ? { gateway } : {}),
    };
  }
  return out;
}
