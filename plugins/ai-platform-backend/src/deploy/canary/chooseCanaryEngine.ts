import type { CanaryEngineName } from '@internal/plugin-ai-platform-common';
import type { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { CanaryClusterSettings } from './types';

/** What the canary engines need a cluster to serve (API discovery). */
export const ARGO_ROLLOUTS = {
  group: 'argoproj.io',
  version: 'v1alpha1',
  kind: 'Rollout',
} as const;
export const GATEWAY_API = {
  group: 'gateway.networking.k8s.io',
  version: 'v1',
  kind: 'HTTPRoute',
} as const;

/** The engine chosen for a cluster, and why, in words. */
export type EngineChoice =
  | { ok: true; engine: CanaryEngineName; message: string }
  | { ok: false; message: string };

/**
 * Chooses the canary engine of a cluster from its API discovery:
 * - `argo-rollouts` where argoproj.io/v1alpha1 serves Rollout (Argo CD
 *   shares the group with its Application, so the kind is asked for);
 * - else `gateway-api` where gateway.networking.k8s.io/v1 serves HTTPRoute
 *   and the cluster's `canary.gateway` is configured;
 * - else a refusal naming what to install or configure.
 */
export async function chooseCanaryEngine(options: {
  client: Pick<KubernetesClusterClient, 'apiGroups' | 'apiKinds'>;
  cluster: string;
  settings: CanaryClusterSettings;
}): Promise<EngineChoice> {
  const { client, cluster, settings } = options;
  const groups = await client.apiGroups();
  const served = (g: { group: string; version: string }) =>
    groups.find(x => x.name === g.group)?.versions.includes(g.version);
  const at = `aiPlatform.deploy.clusters.${cluster}.canary`;
  if (served(ARGO_ROLLOUTS)) {
    const kinds = await client.apiKinds(
      ARGO_ROLLOUTS.group,
      ARGO_ROLLOUTS.version,
    );
    if (kinds.includes(ARGO_ROLLOUTS.kind)) {
      if (settings.argoTrafficRouting === 'gateway-api' && !settings.gateway) {
        return {
          ok: false,
          message: `cluster ${cluster} serves Argo Rollouts with ${at}.argoTrafficRouting gateway-api, but ${at}.gateway is not set`,
        };
      }
      return {
        ok: true,
        engine: 'argo-rollouts',
        message: `cluster ${cluster} serves ${ARGO_ROLLOUTS.group}/${
          ARGO_ROLLOUTS.version
        } Rollout: Argo Rollouts runs the canary (traffic routing ${
          settings.argoTrafficRouting
        }${
          settings.argoTrafficRouting === 'none'
            ? ': the split is by replica count'
            : ` through Gateway ${settings.gateway!.name}`
        })`,
      };
    }
  }
  if (served(GATEWAY_API)) {
    const kinds = await client.apiKinds(GATEWAY_API.group, GATEWAY_API.version);
    if (kinds.includes(GATEWAY_API.kind)) {
      if (!settings.gateway) {
        return {
          ok: false,
          message: `cluster ${cluster} serves the Gateway API (HTTPRoute) but not Argo Rollouts; a canary through HTTPRoute weights needs the Gateway its route attaches to: set ${at}.gateway.name (and namespace), or install Argo Rollouts`,
        };
      }
      return {
        ok: true,
        engine: 'gateway-api',
        message: `cluster ${cluster} serves ${GATEWAY_API.group}/${
          GATEWAY_API.version
        } HTTPRoute and not Argo Rollouts: the portal sets an HTTPRoute's weights through Gateway ${
          settings.gateway.namespace ? `${settings.gateway.namespace}/` : ''
        }${settings.gateway.name}`,
      };
    }
  }
  return {
    ok: false,
    message: `cluster ${cluster} serves neither Argo Rollouts (${ARGO_ROLLOUTS.group}/${ARGO_ROLLOUTS.version} Rollout) nor the Gateway API (${GATEWAY_API.group}/${GATEWAY_API.version} HTTPRoute), so no canary engine can run there: install Argo Rollouts, or a Gateway API implementation with a Gateway and set ${at}.gateway; or promote with strategy rolling`,
  };
}
