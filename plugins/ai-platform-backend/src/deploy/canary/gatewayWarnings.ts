import type { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { CanaryClusterSettings } from './types';

/**
 * The gateway url caveat: an HTTPRoute's weights split only the requests
 * that come through its Gateway. Warns when the endpoint's `spec.url` is not
 * one of the Gateway's addresses or listener hostnames (callers that use
 * the Service directly bypass the split), or when the Gateway cannot be read.
 */
export async function gatewayWarnings(options: {
  client: Pick<KubernetesClusterClient, 'read'>;
  gateway: NonNullable<CanaryClusterSettings['gateway']>;
  namespace: string;
  url: string | undefined;
}): Promise<string[]> {
  const { gateway } = options;
  const namespace = gateway.namespace ?? options.namespace;
  const name = `Gateway ${namespace}/${gateway.name}`;
  let live;
  try {
    live = await options.client.read({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: gateway.name, namespace },
    });
  } catch (error) {
    return [
      `${name} could not be read (${
        error instanceof Error ? error.message : String(error)
      }): check that the endpoint's spec.url goes through it, or the split does not apply`,
    ];
  }
  if (!live) {
    return [
      `${name} does not exist on the cluster: the canary's HTTPRoute will not be accepted until it does (aiPlatform.deploy.clusters.<cluster>.canary.gateway)`,
    ];
  }
  const hosts = new Set<string>();
  for (const a of (live.status?.addresses ?? []) as Array<{ value?: string }>) {
    if (a.value) hosts.add(a.value.toLowerCase());
  }
  const listeners = ((live.spec as any)?.listeners ?? []) as Array<{
    hostname?: string;
  }>;
  for (const l of listeners)
    if (l.hostname) hosts.add(l.hostname.toLowerCase());
  if (!options.url) {
    return [
      `The endpoint has no spec.url; callers must reach it through ${name} (${
        [...hosts].join(', ') || 'no address yet'
      }) for the split to apply: a caller that uses the Service directly bypasses it`,
    ];
  }
  let host: string;
  try {
    host = new URL(options.url).hostname.toLowerCase();
  } catch {
    return [`The endpoint's spec.url ${options.url} is not a URL`];
  }
  const matches = [...hosts].some(h =>
    h.startsWith('*.') ? host.endsWith(h.slice(1)) : h === host,
  );
  if (matches) return [];
  return [
    `The endpoint's spec.url (${host}) is not an address of ${name} (${
      [...hosts].join(', ') || 'it has none yet'
    }): callers that use it bypass the HTTPRoute, so they do not see the split`,
  ];
}
