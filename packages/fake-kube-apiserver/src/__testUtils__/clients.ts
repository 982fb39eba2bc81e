import type * as k8sTypes from '@kubernetes/client-node';
import type { FakeKubeApiServer } from '../FakeKubeApiServer';
import type { KubeObject } from '../types';

/**
 * The real @kubernetes/client-node, for this package's own tests.
 * client-node 1.x is ESM; Node's require of ESM loads it under Jest.
 * @internal
 */
export function loadClientNode(): typeof k8sTypes {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@kubernetes/client-node') as typeof k8sTypes;
}

/** client-node clients connected to a fake server. @internal */
export function clientsFor(server: FakeKubeApiServer) {
  const k8s = loadClientNode();
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions(server.kubeConfigOptions());
  return {
    k8s,
    kc,
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
  };
}

/** The Status body of a client-node ApiException (its body is the raw text). @internal */
export function statusOf(error: unknown): {
  code?: number;
  reason?: string;
  message?: string;
  details?: {
    causes?: Array<{ field: string; message: string; reason: string }>;
  };
} {
  const body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as ReturnType<typeof statusOf>;
}

/** A server-side apply through client-node's KubernetesObjectApi.patch. @internal */
export async function applyObject(
  server: FakeKubeApiServer,
  object: KubeObject,
  options: { manager?: string; force?: boolean; dryRun?: boolean } = {},
) {
  const { objects, k8s } = clientsFor(server);
  const result = await objects.patch(
    object as unknown as k8sTypes.KubernetesObject,
    undefined,
    options.dryRun ? 'All' : undefined,
    options.manager ?? 'ai-platform',
    options.force,
    k8s.PatchStrategy.ServerSideApply,
  );
  return result as k8sTypes.KubernetesObject & {
    spec?: Record<string, unknown>;
    data?: Record<string, unknown>;
  };
}

/** Resolves once `condition` holds; rejects after `timeoutMs`. @internal */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise(r => setTimeout(r, 10));
  }
}
