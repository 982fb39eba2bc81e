import {
  type ClientNode,
  type ClusterConfig,
  connectToCluster,
} from '@internal/plugin-ai-platform-node';
import type { KubernetesEventSummary } from '@internal/plugin-ai-platform-common';
import type { KubernetesManifest } from '../render/types';
import {
  ClusterRequestError,
  describeError,
  withTimeout,
} from './ClusterRequestError';
import {
  FIELD_MANAGER,
  type LiveObject,
  objectName,
  type PodSummary,
} from './liveObjects';

type K8s = ClientNode;

// What callers of the client use beside it, from where it is defined.
export {
  FIELD_MANAGER,
  type LiveObject,
  objectName,
  type PodSummary,
} from './liveObjects';
export { ClusterRequestError } from './ClusterRequestError';

function time(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : undefined;
}

/**
 * One cluster, reached with @kubernetes/client-node: server-side apply with
 * our field manager, a watch of a Deployment's rollout, and reads of pods and
 * events. One instance per cluster, so that API discovery is cached.
 */
export class KubernetesClusterClient {
  private readonly k8s: K8s;
  private readonly kc: InstanceType<K8s['KubeConfig']>;
  private readonly objects: InstanceType<K8s['KubernetesObjectApi']>;
  private readonly core: InstanceType<K8s['CoreV1Api']>;
  private readonly apps: InstanceType<K8s['AppsV1Api']>;
  private readonly requestTimeoutMs: number;

  constructor(options: { cluster: ClusterConfig; requestTimeoutMs?: number }) {
    ({ k8s: this.k8s, kc: this.kc } = connectToCluster(options.cluster));
    this.objects = this.k8s.KubernetesObjectApi.makeApiClient(this.kc);
    this.core = this.kc.makeApiClient(this.k8s.CoreV1Api);
    this.apps = this.kc.makeApiClient(this.k8s.AppsV1Api);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Server-side apply of one object; the cluster's answer, or a ClusterRequestError. */
  async apply(
    manifest: KubernetesManifest,
    options: { dryRun: boolean; force: boolean },
  ): Promise<LiveObject> {
    const what = `Applying ${objectName(manifest)}`;
    try {
      return (await withTimeout(
        this.objects.patch(
          manifest as any,
          undefined,
          options.dryRun ? 'All' : undefined,
          FIELD_MANAGER,
          options.force,
          this.k8s.PatchStrategy.ServerSideApply,
        ),
        this.requestTimeoutMs,
        what,
      )) as unknown as LiveObject;
    } catch (error) {
      const described = describeError(error, what);
      // Apply creates what is missing, so a 404 means the namespace is
      // missing (the server says so) or the kind is not served at all.
      if (
        described.status === 404 &&
        !described.clusterMessage.startsWith('namespaces "')
      ) {
        throw new ClusterRequestError({
          message: `${described.message} (the cluster does not serve ${manifest.apiVersion} ${manifest.kind}: is its CRD installed?)`,
          status: described.status,
          unreachable: false,
          clusterMessage: described.clusterMessage,
        });
      }
      throw described;
    }
  }

  /** Reads an object; undefined when it does not exist. */
  async read(manifest: KubernetesManifest): Promise<LiveObject | undefined> {
    const what = `Reading ${objectName(manifest)}`;
    try {
      return (await withTimeout(
        this.objects.read({
          apiVersion: manifest.apiVersion,
          kind: manifest.kind,
          metadata: {
            name: manifest.metadata.name,
            namespace: manifest.metadata.namespace,
          },
        }),
        this.requestTimeoutMs,
        what,
      )) as unknown as LiveObject;
    } catch (error) {
      const described = describeError(error, what);
      if (described.status === 404) {
        return undefined;
      }
      throw described;
    }
  }

  /**
   * Watches a Deployment until `onObject` returns true (done), the timeout
   * passes, or the watch fails. Re-watches when the server closes the stream.
   */
  async watchDeployment(options: {
    namespace: string;
    name: string;
    timeoutMs: number;
    onObject: (deployment: LiveObject) => boolean | Promise<boolean>;
    /** Called every `tickMs` while waiting (to read pods and events). */
    onTick?: () => Promise<boolean>;
    tickMs?: number;
  }): Promise<'done' | 'timeout'> {
    const watch = new this.k8s.Watch(this.kc);
    const deadline = Date.now() + options.timeoutMs;
    return new Promise<'done' | 'timeout'>((resolve, reject) => {
      let finished = false;
      let controller: AbortController | undefined;
      let ticker: NodeJS.Timeout | undefined;
      const timers: { timeout?: NodeJS.Timeout } = {};
      const finish = (outcome: 'done' | 'timeout' | Error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timers.timeout);
        clearInterval(ticker);
        controller?.abort();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      timers.timeout = setTimeout(() => finish('timeout'), options.timeoutMs);
      if (options.onTick) {
        let ticking = false;
        ticker = setInterval(() => {
          if (ticking || finished) return;
          ticking = true;
          options.onTick!()
            .then(stop => stop && finish('done'))
            .catch(error =>
              finish(describeError(error, 'Reading pods and events')),
            )
            .finally(() => {
              ticking = false;
            });
        }, options.tickMs ?? 5000);
      }
      let failures = 0;
      const start = async () => {
        if (finished) return;
        const remaining = Math.max(
          1,
          Math.ceil((deadline - Date.now()) / 1000),
        );
        try {
          controller = await watch.watch(
            `/apis/apps/v1/namespaces/${options.namespace}/deployments`,
            {
              fieldSelector: `metadata.name=${options.name}`,
              timeoutSeconds: remaining,
            },
            (_type: string, object: unknown) => {
              if (finished) return;
              Promise.resolve(options.onObject(object as LiveObject))
                .then(done => done && finish('done'))
                .catch(error => finish(error as Error));
            },
            (error: unknown) => {
              if (finished) return;
              if (error && (error as { name?: string }).name !== 'AbortError') {
                failures += 1;
                if (failures > 3) {
                  finish(describeError(error, 'Watching the rollout'));
                  return;
                }
              }
              // The server closes watches from time to time: watch again.
              setTimeout(start, Math.min(1000 * failures, 3000));
            },
          );
          // Finished while the watch was being opened: close it now, or it
          // would stay open until its timeoutSeconds.
          if (finished) controller.abort();
        } catch (error) {
          failures += 1;
          if (failures > 3) {
            finish(describeError(error, 'Watching the rollout'));
          } else {
            setTimeout(start, Math.min(1000 * failures, 3000));
          }
        }
      };
      start();
    });
  }

  /** Pods of a workload, by its selector labels. */
  async pods(namespace: string, labelSelector: string): Promise<PodSummary[]> {
    const what = `Listing pods in ${namespace}`;
    try {
      const list = await withTimeout(
        this.core.listNamespacedPod({ namespace, labelSelector }),
        this.requestTimeoutMs,
        what,
      );
      return list.items.map(pod => {
        const statuses = pod.status?.containerStatuses ?? [];
        const waiting = statuses.find(s => s.state?.waiting?.reason)?.state
          ?.waiting;
        const unschedulable = pod.status?.conditions?.find(
          c => c.type === 'PodScheduled' && c.status === 'False',
        );
        return {
          name: pod.metadata?.name ?? '',
          phase: pod.status?.phase ?? 'Unknown',
          ready:
            pod.status?.conditions?.some(
              c => c.type === 'Ready' && c.status === 'True',
            ) ?? false,
          restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
          reason: waiting?.reason ?? unschedulable?.reason,
          message: waiting?.message ?? unschedulable?.message,
        };
      });
    } catch (error) {
      throw describeError(error, what);
    }
  }

  /**
   * Every Deployment or Pod in the cluster (all namespaces) that matches
   * the label selector, with one paginated LIST: pages of `pageSize`
   * (default 500) followed by their continue tokens, so that the requests
   * grow with the objects / pageSize, never with the number of callers'
   * entities. Returns the objects and the number of requests made.
   */
  async listAll(options: {
    resource: 'deployments' | 'pods';
    labelSelector?: string;
    pageSize?: number;
  }): Promise<{ items: LiveObject[]; requests: number }> {
    const what = `Listing ${options.resource} in all namespaces`;
    let items: LiveObject[] = [];
    let next: string | undefined;
    let requests = 0;
    let restarted = false;
    try {
      for (;;) {
        const query = {
          limit: options.pageSize ?? 500,
          labelSelector: options.labelSelector,
          _continue: next,
        };
        requests++;
        let list: { items: unknown[]; metadata?: { _continue?: string } };
        try {
          list = await withTimeout<{
            items: unknown[];
            metadata?: { _continue?: string };
          }>(
            options.resource === 'pods'
              ? this.core.listPodForAllNamespaces(query)
              : this.apps.listDeploymentForAllNamespaces(query),
            this.requestTimeoutMs,
            what,
          );
        } catch (error) {
          // 410 Expired: the list's snapshot was compacted between pages;
          // the server asks for a new list. Once, from the start.
          if (
            next &&
            !restarted &&
            (error as { code?: unknown }).code === 410
          ) {
            restarted = true;
            next = undefined;
            items = [];
            continue;
          }
          throw error;
        }
        items.push(...(list.items as LiveObject[]));
        next = list.metadata?._continue || undefined;
        if (!next) break;
      }
    } catch (error) {
      throw describeError(error, what);
    }
    return { items, requests };
  }

  /**
   * The API groups the cluster serves (discovery, `GET /apis`), each with
   * its served versions, preferred first: which CRDs are installed.
   */
  async apiGroups(): Promise<Array<{ name: string; versions: string[] }>> {
    const what = 'Reading the API groups the cluster serves';
    try {
      const apis = this.kc.makeApiClient(this.k8s.ApisApi);
      const list = await withTimeout(
        apis.getAPIVersions(),
        this.requestTimeoutMs,
        what,
      );
      return list.groups.map(g => {
        const preferred = g.preferredVersion?.version;
        const versions = g.versions.map(v => v.version);
        return {
          name: g.name,
          versions: preferred
            ? [preferred, ...versions.filter(v => v !== preferred)]
            : versions,
        };
      });
    } catch (error) {
      throw describeError(error, what);
    }
  }

  /**
   * The kinds one group version serves (discovery, `GET /apis/<group>/<version>`),
   * e.g. to tell Argo Rollouts' Rollout from Argo CD's Application, which
   * share argoproj.io/v1alpha1. Empty when the group version is not served.
   */
  async apiKinds(group: string, version: string): Promise<string[]> {
    const what = `Reading the resources ${group}/${version} serves`;
    try {
      const api = this.kc.makeApiClient(this.k8s.CustomObjectsApi);
      const list = await withTimeout(
        api.getAPIResources({ group, version }),
        this.requestTimeoutMs,
        what,
      );
      return list.resources.filter(r => !r.name.includes('/')).map(r => r.kind);
    } catch (error) {
      const described = describeError(error, what);
      if (described.status === 404) return [];
      throw described;
    }
  }

  /**
   * Objects of one kind in a namespace (one LIST, by label selector): e.g.
   * the AnalysisRuns of a Rollout's canary.
   */
  async list(options: {
    apiVersion: string;
    kind: string;
    namespace: string;
    labelSelector?: string;
  }): Promise<LiveObject[]> {
    const what = `Listing ${options.kind} objects in ${options.namespace}`;
    try {
      const list = await withTimeout(
        this.objects.list(
          options.apiVersion,
          options.kind,
          options.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          options.labelSelector,
        ),
        this.requestTimeoutMs,
        what,
      );
      return list.items as unknown as LiveObject[];
    } catch (error) {
      throw describeError(error, what);
    }
  }

  /**
   * A JSON merge patch (RFC 7386) of one object, or of its `status`
   * subresource (custom resources: `plural` names the resource), as
   * `kubectl patch --type merge [--subresource status]` sends it: what
   * `kubectl argo rollouts promote` and `abort` do to a Rollout.
   */
  async mergePatch(
    ref: KubernetesManifest,
    patch: Record<string, unknown>,
    options?: { subresource: 'status'; plural: string },
  ): Promise<LiveObject> {
    const { name, namespace } = ref.metadata;
    const what = `Patching ${objectName(ref)}${
      options ? `/${options.subresource}` : ''
    }`;
    try {
      if (options) {
        const [group, version] = ref.apiVersion.split('/');
        const api = this.kc.makeApiClient(this.k8s.CustomObjectsApi);
        return (await withTimeout(
          api.patchNamespacedCustomObjectStatus(
            {
              group,
              version,
              namespace: namespace ?? 'default',
              plural: options.plural,
              name,
              body: patch,
            },
            this.k8s.setHeaderOptions(
              'Content-Type',
              this.k8s.PatchStrategy.MergePatch,
            ),
          ),
          this.requestTimeoutMs,
          what,
        )) as LiveObject;
      }
      return (await withTimeout(
        this.objects.patch(
          {
            ...patch,
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: {
              ...((patch.metadata as object | undefined) ?? {}),
              name,
              namespace,
            },
          },
          undefined,
          undefined,
          FIELD_MANAGER,
          undefined,
          this.k8s.PatchStrategy.MergePatch,
        ),
        this.requestTimeoutMs,
        what,
      )) as unknown as LiveObject;
    } catch (error) {
      throw describeError(error, what);
    }
  }

  /** Events about the pods (and the Deployment) of a workload, newest last. */
  async events(
    namespace: string,
    name: string,
  ): Promise<KubernetesEventSummary[]> {
    const what = `Listing events in ${namespace}`;
    try {
      const list = await withTimeout(
        this.core.listNamespacedEvent({ namespace }),
        this.requestTimeoutMs,
        what,
      );
      return list.items
        .filter(e => {
          const involved = e.involvedObject?.name ?? '';
          return involved === name || involved.startsWith(`${name}-`);
        })
        .map(e => ({
          type: e.type ?? 'Normal',
          reason: e.reason ?? '',
          message: e.message ?? '',
          object: `${e.involvedObject?.kind ?? ''}/${
            e.involvedObject?.name ?? ''
          }`,
          count: e.count ?? 1,
          lastSeen:
            time(e.lastTimestamp) ??
            time(e.eventTime) ??
            time(e.metadata?.creationTimestamp),
        }))
        .sort((a, b) => (a.lastSeen ?? '').localeCompare(b.lastSeen ?? ''));
    } catch (error) {
      throw describeError(error, what);
    }
  }
}
