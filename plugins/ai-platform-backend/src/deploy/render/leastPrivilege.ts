import type { KubernetesManifest, NetworkPolicyOptions } from './types';

/**
 * What every endpoint gets so that a compromised model server can do as
 * little as possible: its own ServiceAccount without an API token, a
 * container that cannot gain privileges or hold Linux capabilities, and
 * (when configured) a NetworkPolicy that admits only the callers the
 * platform team names.
 */

/**
 * The container's security context. The pinned image (vllm/vllm-openai
 * v0.10.1, see DEFAULT_VLLM_IMAGE) needs no Linux capability: it listens on
 * port 8000 (above 1024, so no NET_BIND_SERVICE), reaches the GPUs through
 * the device files the NVIDIA device plugin mounts (no capability needed),
 * and uses /dev/shm through an emptyDir. It runs as root (uid 0, its
 * Hugging Face cache is /root/.cache/huggingface), so `runAsNonRoot` would
 * stop it from starting, and it writes compile caches (torch, triton) under
 * the home directory and /tmp, so the root file system stays writable. Root
 * without capabilities and without privilege escalation cannot change
 * files it does not own, load modules or use raw sockets.
 */
export const VLLM_CONTAINER_SECURITY_CONTEXT = {
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ['ALL'] },
};

/**
 * The pod's security context: the container runtime's default seccomp
 * profile (what the restricted Pod Security Standard asks for; vLLM makes no
 * system call it blocks).
 */
export const VLLM_POD_SECURITY_CONTEXT = {
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The endpoint's own ServiceAccount. vLLM never calls the Kubernetes API,
 * so no token is mounted: a compromised pod holds no credentials, and no
 * other workload's RoleBindings to the namespace's `default` account apply.
 */
export function endpointServiceAccount(
  metadata: KubernetesManifest['metadata'],
): KubernetesManifest {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata,
    automountServiceAccountToken: false,
  };
}

/**
 * A NetworkPolicy that admits traffic to the endpoint's HTTP port only from
 * the configured sources: pods of the endpoint's own namespace (unless
 * turned off), pods of the named namespaces (e.g. the ingress gateway's and
 * Prometheus'), and pods of its namespace with the given labels. Egress is
 * left alone (the pods download weights from where the model's source says).
 */
export function endpointNetworkPolicy(options: {
  metadata: KubernetesManifest['metadata'];
  selectorLabels: Record<string, string>;
  port: number;
  policy: NetworkPolicyOptions;
}): KubernetesManifest {
  const { policy } = options;
  const from: object[] = [];
  if (policy.allowSameNamespace) {
    from.push({ podSelector: {} });
  }
  if (policy.allowFromNamespaces.length > 0) {
    from.push({
      namespaceSelector: {
        matchExpressions: [
          {
            key: 'kubernetes.io/metadata.name',
            operator: 'In',
            values: policy.allowFromNamespaces,
          },
        ],
      },
    });
  }
  if (Object.keys(policy.allowFromPodLabels).length > 0) {
    from.push({ podSelector: { matchLabels: policy.allowFromPodLabels } });
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: options.metadata,
    spec: {
      podSelector: { matchLabels: options.selectorLabels },
      policyTypes: ['Ingress'],
      // No source configured: no rule, so nothing may connect.
      ingress:
        from.length > 0
          ? [{ from, ports: [{ protocol: 'TCP', port: options.port }] }]
          : [],
    },
  };
}
