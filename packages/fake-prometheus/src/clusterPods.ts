import type { ServingPod } from './simulation';

/** The parts of a Kubernetes Pod and Node the simulation reads. */
type KubeItem = {
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string }>;
  };
  spec?: {
    nodeName?: string;
    containers?: Array<{
      name: string;
      image?: string;
      command?: string[];
      args?: string[];
      resources?: {
        requests?: Record<string, string>;
        limits?: Record<string, string>;
      };
    }>;
  };
  status?: {
    phase?: string;
    podIP?: string;
    startTime?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{
      name: string;
      state?: { running?: { startedAt?: string } };
    }>;
  };
};

const isVllm = (c: { image?: string; command?: string[]; args?: string[] }) =>
  [c.image ?? '', ...(c.command ?? []), ...(c.args ?? []).slice(0, 1)].some(s =>
    /vllm/i.test(s),
  );

/** vLLM's served model name: `--served-model-name`, else the model it serves (its first argument after `serve`). */
function servedModelName(c: { command?: string[]; args?: string[] }) {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  const flag = argv.findIndex(a => a === '--served-model-name');
  if (flag >= 0 && argv[flag + 1]) return argv[flag + 1];
  const inline = argv.find(a => a.startsWith('--served-model-name='));
  if (inline) return inline.slice('--served-model-name='.length);
  const serve = argv.indexOf('serve');
  const model = serve >= 0 ? argv[serve + 1] : c.args?.[0];
  return model && !model.startsWith('-') ? model : 'unknown';
}

/** The workload name of a pod: its `app.kubernetes.io/instance`, else its ReplicaSet's name without the template hash. */
function instanceOf(pod: KubeItem): string {
  const labels = pod.metadata?.labels ?? {};
  if (labels['app.kubernetes.io/instance']) {
    return labels['app.kubernetes.io/instance'];
  }
  const rs = pod.metadata?.ownerReferences?.find(r => r.kind === 'ReplicaSet');
  if (rs) return rs.name.replace(/-[a-z0-9]{5,10}$/, '');
  return pod.metadata?.name ?? 'unknown';
}

/**
 * The pods that serve with vLLM and are ready, with what the simulation
 * needs of them and of their nodes (GPU product and memory from GPU Feature
 * Discovery's labels).
 */
export function servingPods(
  cluster: string,
  pods: KubeItem[],
  nodes: KubeItem[],
): ServingPod[] {
  const nodeLabels = new Map(
    nodes.map(n => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]),
  );
  const out: ServingPod[] = [];
  for (const pod of pods) {
    const containers = pod.spec?.containers ?? [];
    const container = containers.find(isVllm);
    if (!container || pod.status?.phase !== 'Running') continue;
    const ready = (pod.status.conditions ?? []).some(
      c => c.type === 'Ready' && c.status === 'True',
    );
    const running = pod.status.containerStatuses?.find(
      s => s.name === container.name,
    )?.state?.running;
    if (!ready || !running) continue;
    const startedAt =
      Date.parse(running.startedAt ?? pod.status.startTime ?? '') / 1000;
    if (!Number.isFinite(startedAt)) continue;
    let gpus = 0;
    let gpuResource: string | undefined;
    for (const c of containers) {
      const requests = { ...c.resources?.limits, ...c.resources?.requests };
      for (const [resource, quantity] of Object.entries(requests)) {
        if (!resource.startsWith('nvidia.com/')) continue;
        gpus += Number(quantity) || 0;
        gpuResource = gpuResource ?? resource;
      }
    }
    const node = pod.spec?.nodeName;
    const labels = (node && nodeLabels.get(node)) || {};
    const mig = /^nvidia\.com\/mig-(.+)$/.exec(gpuResource ?? '');
    const product = mig
      ? labels[`nvidia.com/mig-${mig[1]}.product`]
      : labels['nvidia.com/gpu.product'];
    const memory = Number(
      mig
        ? labels[`nvidia.com/mig-${mig[1]}.memory`]
        : labels['nvidia.com/gpu.memory'],
    );
    out.push({
      cluster,
      namespace: pod.metadata?.namespace ?? 'default',
      name: pod.metadata?.name ?? 'unknown',
      ...(node ? { node } : {}),
      ...(pod.status.podIP ? { podIP: pod.status.podIP } : {}),
      startedAt,
      instance: instanceOf(pod),
      servedModelName: servedModelName(container),
      gpus,
      ...(gpuResource ? { gpuResource } : {}),
      ...(product ? { gpuProduct: product } : {}),
      ...(memory > 0 ? { gpuMemoryMiB: memory } : {}),
    });
  }
  return out;
}

/** A cluster the simulation reads its pods from: the API server's URL and token. */
export type PodCluster = { name: string; url: string; token?: string };

/**
 * Reads the serving pods of clusters over their Kubernetes API (one LIST of
 * pods and one of nodes per cluster), kept for `cacheMs` so that a burst of
 * queries reads once. A cluster that does not answer has no pods (and is
 * reported through `onError`).
 */
export class ClusterPodReader {
  private readonly cache = new Map<
    string,
    { at: number; pods: Promise<ServingPod[]> }
  >();

  constructor(
    private readonly options: {
      cacheMs?: number;
      onError?: (cluster: string, error: unknown) => void;
    } = {},
  ) {}

  async pods(clusters: PodCluster[]): Promise<ServingPod[]> {
    const lists = await Promise.all(clusters.map(c => this.podsOf(c)));
    return lists.flat();
  }

  private podsOf(cluster: PodCluster): Promise<ServingPod[]> {
    const now = Date.now();
    const cached = this.cache.get(cluster.name);
    if (cached && now - cached.at < (this.options.cacheMs ?? 2000)) {
      return cached.pods;
    }
    const pods = this.read(cluster).catch(error => {
      this.options.onError?.(cluster.name, error);
      return [];
    });
    this.cache.set(cluster.name, { at: now, pods });
    return pods;
  }

  private async read(cluster: PodCluster): Promise<ServingPod[]> {
    const get = async (path: string) => {
      const response = await fetch(`${cluster.url.replace(/\/$/, '')}${path}`, {
        headers: {
          Accept: 'application/json',
          ...(cluster.token
            ? { Authorization: `Bearer ${cluster.token}` }
            : {}),
        },
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) {
        throw new Error(`GET ${path} answered ${response.status}`);
      }
      return ((await response.json()) as { items?: KubeItem[] }).items ?? [];
    };
    const [pods, nodes] = await Promise.all([
      get('/api/v1/pods'),
      get('/api/v1/nodes'),
    ]);
    return servingPods(cluster.name, pods, nodes);
  }
}
