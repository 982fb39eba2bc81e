import http, { type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { ApiOperations } from './ApiOperations';
import type { ControllerBase } from './ControllerBase';
import {
  DeploymentController,
  type ImageBehaviour,
  type PodCounts,
} from './DeploymentController';
import { Kubelet } from './workload/kubelet';
import { GatewayController } from './gatewayApi/GatewayController';
import { type AnalysisFault, AnalysisRunController } from './rollouts/analysis';
import { RolloutController } from './rollouts/RolloutController';
import { HorizontalPodAutoscalerController } from './HorizontalPodAutoscalerController';
import {
  type LLMInferenceServiceFault,
  LLMInferenceServiceController,
} from './LLMInferenceServiceController';
import { recordUpdate } from './fieldManager';
import { ObjectStore } from './ObjectStore';
import { ListPaginator, type ListPage } from './pagination';
import { loadState, StateSaver } from './persistence';
import {
  groupVersionOf,
  parseApiVersion,
  RESOURCE_TYPES,
  ResourceRegistry,
  type ResourceType,
} from './resources';
import { route } from './router';
import { handleScale } from './scaleSubresource';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';
import {
  badRequest,
  KubeStatusError,
  methodNotAllowed,
  statusBody,
  unsupportedMediaType,
} from './status';
import type {
  FakeNodeSpec,
  FaultSpec,
  ImageMatcher,
  KubeObject,
  OptionalGroup,
  RecordedRequest,
} from './types';
import { clone, isPlainObject } from './util';
import { streamWatch } from './watch';

/** Options of {@link startFakeKubeApiServer}. */
export type FakeKubeApiServerOptions = {
  /** When set, every request needs `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** Optional API groups served from the start (see `installGroup`). */
  groups?: OptionalGroup[];
  /**
   * Namespaces that exist from the start.
   * Default: `default`, `kube-system`, `kube-public`, `kube-node-lease`, as on a real cluster.
   */
  namespaces?: string[];
  /** Fake Nodes for the simulated scheduler (see `addNode`). */
  nodes?: FakeNodeSpec[];
  /** Objects stored at start (see `seed`). */
  seed?: KubeObject[];
  /** How long pods take from scheduled to started (ready, or failing). Default 50 ms; 0 is allowed. */
  rolloutDelayMs?: number;
  /**
   * When a rollout that is not complete reports ProgressDeadlineExceeded.
   * Default: the Deployment's `spec.progressDeadlineSeconds` (600 s when unset).
   */
  progressDeadlineMs?: number;
  /** Images that do not exist: pods go to ErrImagePull, then ImagePullBackOff. */
  missingImages?: ImageMatcher;
  /** Images whose container exits at once: pods go to CrashLoopBackOff. */
  crashingImages?: ImageMatcher;
  /**
   * Images whose container runs but never becomes ready (a model that never
   * loads): the rollout ends with ProgressDeadlineExceeded.
   */
  hangingImages?: ImageMatcher;
  /** The cluster name `clusterConfig()` and `backstageConfig()` use. Default `fake`. */
  clusterName?: string;
  /**
   * How long the simulated HorizontalPodAutoscaler controller waits after an
   * HPA or its target changes before it scales the target into the HPA's
   * range and writes the HPA's status. Default 0; a long one leaves HPAs
   * without status, as before a real controller's first sync.
   */
  autoscalerSyncDelayMs?: number;
  /** The loopback port to listen on. Default: a free port. */
  port?: number;
  /**
   * Whether the simulated controllers run (Deployments, scheduler, kubelet,
   * HorizontalPodAutoscalers). Default true; false stores objects as given,
   * as on a cluster whose kube-controller-manager and scheduler are stopped
   * (for tests and benchmarks that seed pods in a chosen state).
   */
  controllers?: boolean;
  /**
   * A JSON file that keeps the object store across restarts: loaded at
   * start when it exists (before `namespaces`, `nodes` and `seed` are
   * applied over it), written after every change (debounced, atomically)
   * and on `close()`. Default: nothing is kept.
   */
  stateFile?: string;
  /** How long after a change the state file is written. Default 200 ms. */
  stateSaveDelayMs?: number;
};

/** Identifies one object in the helper methods. */
export type ObjectRef = {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
};

/** A filter for `listObjects`. */
export type ObjectFilter = {
  apiVersion: string;
  kind: string;
  namespace?: string;
  /** A label selector, as in `?labelSelector=`. */
  labelSelector?: string;
  /** A field selector, as in `?fieldSelector=`. */
  fieldSelector?: string;
};

type ActiveFault = FaultSpec & { remaining: number };

const defaultNamespaces = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

const reasonsByCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function sendJson(res: ServerResponse, code: number, body: unknown) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function matchesImage(matcher: ImageMatcher | undefined, image: string) {
  if (!matcher) return false;
  return typeof matcher === 'function'
    ? matcher(image)
    : matcher.includes(image);
}

/**
 * A fake Kubernetes API server for tests, on 127.0.0.1. Create it with
 * {@link startFakeKubeApiServer}; the README describes the API.
 */
export class FakeKubeApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The bearer token it expects, if any. */
  readonly token?: string;
  readonly clusterName: string;

  private readonly recorded: RecordedRequest[] = [];
  private readonly paginator = new ListPaginator();
  private faults: ActiveFault[] = [];
  private readonly hanging = new Set<ServerResponse>();
  private readonly watches = new Set<() => void>();
  private readonly images: {
    missing?: ImageMatcher;
    crashing?: ImageMatcher;
    hanging?: ImageMatcher;
    overrides: Map<string, ImageBehaviour>;
  };

  /** @internal */
  constructor(
    private readonly server: http.Server,
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly api: ApiOperations,
    private readonly controller: DeploymentController,
    private readonly options: FakeKubeApiServerOptions,
    private readonly autoscalers?: HorizontalPodAutoscalerController,
    private readonly saver?: StateSaver,
    private readonly llmInferenceServices?: LLMInferenceServiceController,
    /** Further simulated controllers, stopped on close (the kubelet, Argo Rollouts, Gateway API). */
    private readonly more: ControllerBase[] = [],
  ) {
    const { port } = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.token = options.token;
    this.clusterName = options.clusterName ?? 'fake';
    this.images = {
      missing: options.missingImages,
      crashing: options.crashingImages,
      hanging: options.hangingImages,
      overrides: new Map(),
    };
  }

  /** Every request received so far, in order of arrival. */
  get requests(): RecordedRequest[] {
    return this.recorded;
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }

  /**
   * Makes the next matching request(s) fail: answer a Status with `code`
   * (`kind: 'status'`), never answer or answer late (`'timeout'`), or
   * destroy the connection (`'drop'`). Faults are matched in the order they
   * were injected; each is used `times` times (default 1).
   */
  injectFault(fault: FaultSpec): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Serves an optional API group (discovery and its resources) from now on. */
  installGroup(group: OptionalGroup): void {
    this.registry.install(group);
  }

  /** Stops serving an optional API group; its objects are kept but unreachable. */
  uninstallGroup(group: OptionalGroup): void {
    this.registry.uninstall(group);
  }

  /**
   * Makes the simulated KServe controller set a condition False on the
   * matching LLMInferenceServices (see LLMInferenceServiceFault);
   * `undefined` clears every such fault.
   */
  setLLMInferenceServiceFault(fault: LLMInferenceServiceFault | undefined) {
    this.llmInferenceServices?.setFault(fault);
  }

  /**
   * Makes the simulated Argo Rollouts analysis measure the matching
   * metrics as `Error` (Prometheus cannot be queried) or `Failed` (see
   * AnalysisFault); `undefined` clears every such fault.
   */
  setAnalysisFault(fault: AnalysisFault | undefined) {
    this.more
      .filter(
        (c): c is AnalysisRunController => c instanceof AnalysisRunController,
      )
      .forEach(c => c.setFault(fault));
  }

  /** Marks an image as missing, crashing, hanging (never ready), or fine for pods started from now on. */
  setImageBehaviour(image: string, behaviour: ImageBehaviour) {
    this.images.overrides.set(image, behaviour);
  }

  /** @internal */
  imageBehaviour(image: string): ImageBehaviour {
    const override = this.images.overrides.get(image);
    if (override) return override;
    if (matchesImage(this.images.missing, image)) return 'missing';
    if (matchesImage(this.images.crashing, image)) return 'crashing';
    if (matchesImage(this.images.hanging, image)) return 'hanging';
    return 'ok';
  }

  /**
   * Every change of a Deployment's pod counts (pods, ready, of the current
   * template, of those ready), oldest first: whether a rollout ever left
   * it without a ready pod.
   */
  podHistory(namespace: string, name: string): PodCounts[] {
    return this.controller.podHistory(namespace, name);
  }

  private typeOf(apiVersion: string, kind: string): ResourceType {
    const { group, version } = parseApiVersion(apiVersion);
    const type = RESOURCE_TYPES.find(
      t => t.group === group && t.version === version && t.kind === kind,
    );
    if (!type) {
      throw new Error(
        `The fake Kubernetes API server does not know ${apiVersion} ${kind}; it knows ${RESOURCE_TYPES.map(
          t => `${groupVersionOf(t)} ${t.kind}`,
        ).join(', ')}`,
      );
    }
    return type;
  }

  /** The stored object, or undefined. Reads installed or not. */
  getObject(ref: ObjectRef): KubeObject | undefined {
    return this.store.get(
      this.typeOf(ref.apiVersion, ref.kind),
      ref.namespace,
      ref.name,
    );
  }

  /** Stored objects of one type, filtered like a LIST request. */
  listObjects(filter: ObjectFilter): KubeObject[] {
    const type = this.typeOf(filter.apiVersion, filter.kind);
    const labels = filter.labelSelector
      ? parseLabelSelector(filter.labelSelector)
      : [];
    const fields = filter.fieldSelector
      ? parseFieldSelector(filter.fieldSelector, fieldLabels(type))
      : [];
    return this.store
      .list(type, filter.namespace)
      .filter(
        o =>
          matchesLabels(o.metadata.labels, labels) && matchesFields(o, fields),
      );
  }

  /**
   * Stores objects directly, status included (Nodes, Namespaces, Secrets,
   * Kueue objects with their status, ...), creating or replacing them, as
   * field manager `fake-seed`. A namespaced object's namespace is created
   * when missing. Returns the stored objects.
   */
  seed(objects: KubeObject[]): KubeObject[] {
    return objects.map(input => {
      const type = this.typeOf(input.apiVersion, input.kind);
      const object = clone(input);
      if (!object.metadata?.name) {
        throw new Error(`seed: ${input.kind} needs metadata.name`);
      }
      if (type.namespaced) {
        object.metadata.namespace = object.metadata.namespace ?? 'default';
        this.ensureNamespace(object.metadata.namespace);
      }
      const before = this.store.get(
        type,
        object.metadata.namespace,
        object.metadata.name,
      );
      const entries = recordUpdate({
        before,
        after: object,
        entries: before
          ? this.store.entries(
              type,
              object.metadata.namespace,
              object.metadata.name,
            )
          : [],
        manager: 'fake-seed',
        apiVersion: groupVersionOf(type),
      });
      if (before) {
        object.metadata.uid = before.metadata.uid;
        object.metadata.creationTimestamp = before.metadata.creationTimestamp;
        object.metadata.generation = before.metadata.generation;
      }
      return this.store.write({ type, object, entries }).object;
    });
  }

  private ensureNamespace(name: string) {
    const type = this.typeOf('v1', 'Namespace');
    if (this.store.get(type, undefined, name)) return;
    this.seed([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
    ]);
  }

  /**
   * Adds (or replaces) a fake Node for the simulated scheduler: its labels
   * (plus `kubernetes.io/hostname`, `kubernetes.io/os`, `kubernetes.io/arch`
   * as on a real node), allocatable and capacity resources, taints.
   * Pending pods are scheduled again.
   */
  addNode(node: FakeNodeSpec): KubeObject {
    const [stored] = this.seed([
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: node.name,
          labels: {
            'kubernetes.io/arch': 'amd64',
            'kubernetes.io/hostname': node.name,
            'kubernetes.io/os': 'linux',
            ...node.labels,
          },
        },
        spec: {
          ...(node.taints ? { taints: node.taints } : {}),
          ...(node.unschedulable ? { unschedulable: true } : {}),
        },
        status: {
          capacity: node.capacity ?? node.allocatable ?? {},
          allocatable: node.allocatable ?? node.capacity ?? {},
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'KubeletReady',
              message: 'kubelet is posting ready status',
            },
          ],
          nodeInfo: {
            kubeletVersion: 'v1.31.0',
            operatingSystem: 'linux',
            architecture: 'amd64',
            containerRuntimeVersion: 'containerd://1.7.20',
          },
        },
      },
    ]);
    return stored;
  }

  /** Deletes a fake Node. */
  removeNode(name: string): void {
    this.store.delete(this.typeOf('v1', 'Node'), undefined, name);
  }

  /**
   * Resolves with the object once `predicate` holds for it (checked on every
   * change), or rejects after `timeoutMs` (default 5000) naming what it
   * waited for and the object's last state.
   */
  waitForObject(
    ref: ObjectRef,
    predicate: (object: KubeObject | undefined) => boolean,
    options?: { timeoutMs?: number },
  ): Promise<KubeObject | undefined> {
    const timeoutMs = options?.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      let unsubscribe = () => {};
      const timers: NodeJS.Timeout[] = [];
      const finish = () => {
        unsubscribe();
        timers.forEach(clearTimeout);
      };
      const check = () => {
        const object = this.getObject(ref);
        if (predicate(object)) {
          finish();
          resolve(object);
        }
      };
      unsubscribe = this.store.subscribe(() => check());
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `Timed out after ${timeoutMs} ms waiting for ${ref.kind} ${
              ref.namespace ? `${ref.namespace}/` : ''
            }${ref.name}; last state: ${JSON.stringify(this.getObject(ref))}`,
          ),
        );
      }, timeoutMs);
      timers.push(timer);
      check();
    });
  }

  /** Options for client-node's `KubeConfig.loadFromOptions`. */
  kubeConfigOptions() {
    return {
      clusters: [
        { name: this.clusterName, server: this.url, skipTLSVerify: true },
      ],
      users: [
        { name: 'fake-user', ...(this.token ? { token: this.token } : {}) },
      ],
      contexts: [
        { name: 'fake', cluster: this.clusterName, user: 'fake-user' },
      ],
      currentContext: 'fake',
    };
  }

  /** The same as `kubeConfigOptions()`. */
  kubeConfig() {
    return this.kubeConfigOptions();
  }

  /**
   * The cluster as `readClusterConfigs` of `@internal/plugin-ai-platform-node`
   * returns it. `skipTLSVerify` is true: client-node speaks plain HTTP only so.
   */
  clusterConfig(name = this.clusterName) {
    return {
      name,
      url: this.url,
      auth: { provider: 'serviceAccount', token: this.token },
      skipTLSVerify: true,
    };
  }

  /** The cluster's entry of `kubernetes.clusterLocatorMethods[].clusters`. */
  clusterEntry(name = this.clusterName) {
    return {
      name,
      url: this.url,
      authProvider: 'serviceAccount',
      ...(this.token ? { serviceAccountToken: this.token } : {}),
      skipTLSVerify: true,
    };
  }

  /** Backstage config with this cluster in `kubernetes.clusterLocatorMethods`. */
  backstageConfig(name = this.clusterName) {
    return {
      kubernetes: {
        clusterLocatorMethods: [
          { type: 'config', clusters: [this.clusterEntry(name)] },
        ],
      },
    };
  }

  /** Watches that still stream (each ends on its timeout, when its client leaves, or on `close()`). */
  get openWatches(): number {
    return this.watches.size;
  }

  /** The state file (see the `stateFile` option), if any. */
  get stateFile(): string | undefined {
    return this.options.stateFile;
  }

  /** Writes the state file now (with the `stateFile` option), not waiting for the debounce. */
  saveState(): void {
    this.saver?.flush(true);
  }

  /**
   * Stops the simulated controllers, writes the state file (with the
   * `stateFile` option), ends watches, drops connections and closes the port.
   */
  async close(): Promise<void> {
    this.controller.stop();
    this.autoscalers?.stop();
    this.llmInferenceServices?.stop();
    for (const c of this.more) c.stop();
    this.saver?.stop();
    for (const stop of [...this.watches]) stop();
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>(resolve => this.server.close(() => resolve()));
  }

  /** @internal */
  async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    const text = await readBody(req);
    const contentType = req.headers['content-type']?.split(';')[0].trim();
    let body: unknown = undefined;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      ...(contentType ? { contentType } : {}),
      ...(body !== undefined ? { body } : {}),
    };
    this.recorded.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });

    const fault = this.takeFault(record, url.search);
    if (fault) {
      record.fault = fault.kind;
      if (fault.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'status') {
        if (fault.retryAfterSeconds !== undefined) {
          res.setHeader('Retry-After', String(fault.retryAfterSeconds));
        }
        sendJson(
          res,
          fault.code,
          statusBody({
            code: fault.code,
            reason:
              fault.reason ?? reasonsByCode[fault.code] ?? 'InternalError',
            message: fault.message ?? `injected fault: ${fault.code}`,
          }),
        );
        return;
      }
      if (fault.delayMs === undefined) {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      this.hanging.add(res);
      await new Promise(r => setTimeout(r, fault.delayMs));
      this.hanging.delete(res);
      if (res.destroyed) return;
    }

    try {
      if (
        this.token !== undefined &&
        req.headers.authorization !== `Bearer ${this.token}`
      ) {
        throw new KubeStatusError({
          code: 401,
          reason: 'Unauthorized',
          message: 'Unauthorized',
        });
      }
      this.dispatch(req, res, url, query, contentType, text, body);
    } catch (error) {
      if (error instanceof KubeStatusError) {
        sendJson(res, error.code, error.toStatus());
      } else {
        sendJson(
          res,
          500,
          statusBody({
            code: 500,
            reason: 'InternalError',
            message: `fake server error: ${
              error instanceof Error ? error.stack : String(error)
            }`,
          }),
        );
      }
    }
  }

  private takeFault(
    record: RecordedRequest,
    search: string,
  ): ActiveFault | undefined {
    const index = this.faults.findIndex(f => {
      if (f.method && f.method.toUpperCase() !== record.method.toUpperCase())
        return false;
      if (f.path === undefined) return true;
      if (typeof f.path === 'string') {
        const p = f.path.replace(/\/$/, '');
        return record.path === p || record.path.startsWith(`${p}/`);
      }
      f.path.lastIndex = 0;
      return f.path.test(`${record.path}${search}`);
    });
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining--;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    query: Record<string, string>,
    contentType: string | undefined,
    text: string,
    body: unknown,
  ) {
    const method = req.method ?? 'GET';
    const target = route(url.pathname, this.registry);
    if (target.kind !== 'resource') {
      if (method !== 'GET') throw methodNotAllowed(method);
      sendJson(res, 200, this.discovery(target, req));
      return;
    }
    const { type, namespace, name, subresource } = target;
    const dryRun = query.dryRun !== undefined && query.dryRun !== '';
    if (dryRun && query.dryRun !== 'All') {
      throw badRequest(
        `Invalid dry run value: ${query.dryRun}: valid values are "All"`,
      );
    }
    const userAgent = req.headers['user-agent']?.split('/')[0];
    const fieldManager = query.fieldManager || userAgent || 'unknown';
    const ctx = { fieldManager, dryRun, subresource };
    if (query.fieldManager !== undefined && query.fieldManager.length > 128) {
      throw badRequest(
        'fieldManager: Too long: may not be longer than 128 characters',
      );
    }
    const requireJson = () => {
      if (typeof body === 'string') {
        throw badRequest(
          `the fake Kubernetes API server reads request bodies as JSON only (JSON is valid YAML; send JSON): ${text.slice(
            0,
            80,
          )}`,
        );
      }
      return body;
    };

    if (name === undefined) {
      if (method === 'GET') {
        const labels = query.labelSelector
          ? parseLabelSelector(query.labelSelector)
          : [];
        const fields = query.fieldSelector
          ? parseFieldSelector(query.fieldSelector, fieldLabels(type))
          : [];
        if (target.watchPath || query.watch === 'true' || query.watch === '1') {
          streamWatch({
            req,
            res,
            store: this.store,
            type,
            namespace,
            labels,
            fields,
            resourceVersion: query.resourceVersion,
            timeoutSeconds: query.timeoutSeconds
              ? Number(query.timeoutSeconds)
              : undefined,
            onStart: stop => this.watches.add(stop),
            onEnd: stop => this.watches.delete(stop),
          });
          return;
        }
        sendJson(res, 200, this.list(type, namespace, query, labels, fields));
        return;
      }
      if (method === 'POST') {
        if (
          contentType &&
          contentType !== 'application/json' &&
          contentType !== 'application/yaml'
        ) {
          throw unsupportedMediaType(contentType);
        }
        const created = this.api.create(type, namespace, requireJson(), ctx);
        sendJson(res, 201, created);
        return;
      }
      if (method === 'DELETE') {
        const labels = query.labelSelector
          ? parseLabelSelector(query.labelSelector)
          : [];
        const fields = query.fieldSelector
          ? parseFieldSelector(query.fieldSelector, fieldLabels(type))
          : [];
        const victims = this.store
          .list(type, namespace)
          .filter(
            o =>
              matchesLabels(o.metadata.labels, labels) &&
              matchesFields(o, fields),
          );
        const items = victims.map(o =>
          this.api.delete(type, o.metadata.namespace, o.metadata.name!, {
            dryRun,
          }),
        );
        sendJson(res, 200, this.listBody(type, items));
        return;
      }
      throw methodNotAllowed(method);
    }

    if (subresource === 'scale') {
      sendJson(
        res,
        200,
        handleScale({
          api: this.api,
          type,
          namespace,
          name,
          method,
          contentType,
          body: requireJson(),
          ctx,
        }),
      );
      return;
    }
    if (method === 'GET') {
      if (target.watchPath) {
        throw badRequest(
          'watch a single object with ?fieldSelector=metadata.name=<name>',
        );
      }
      sendJson(res, 200, this.api.get(type, namespace, name));
      return;
    }
    if (method === 'PUT') {
      sendJson(
        res,
        200,
        this.api.replace(type, namespace, name, requireJson(), ctx),
      );
      return;
    }
    if (method === 'DELETE') {
      if (subresource) throw methodNotAllowed(method);
      const options = isPlainObject(body) ? body : {};
      const deleted = this.api.delete(type, namespace, name, {
        dryRun:
          dryRun ||
          (Array.isArray(options.dryRun) && options.dryRun.includes('All')),
        propagationPolicy:
          query.propagationPolicy ??
          (typeof options.propagationPolicy === 'string'
            ? options.propagationPolicy
            : undefined),
      });
      sendJson(
        res,
        200,
        statusBody({
          code: 200,
          message: '',
          details: {
            name,
            ...(type.group ? { group: type.group } : {}),
            kind: type.plural,
            uid: deleted.metadata.uid,
          },
        }),
      );
      return;
    }
    if (method === 'PATCH') {
      const force = query.force === 'true' || query.force === '1';
      switch (contentType) {
        case 'application/apply-patch+yaml':
        case 'application/apply-patch+cbor': {
          if (!query.fieldManager) {
            throw new KubeStatusError({
              code: 400,
              reason: 'BadRequest',
              message:
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
            });
          }
          const { object, created } = this.api.apply(
            type,
            namespace,
            name,
            requireJson(),
            {
              ...ctx,
              force,
            },
          );
          sendJson(res, created ? 201 : 200, object);
          return;
        }
        case 'application/merge-patch+json':
        case 'application/strategic-merge-patch+json':
        case 'application/json-patch+json': {
          if (query.force !== undefined) {
            throw badRequest(
              'force: Forbidden: may not be specified for non-apply patch',
            );
          }
          const patch = requireJson();
          const result =
            contentType === 'application/json-patch+json'
              ? this.api.jsonPatch(type, namespace, name, patch, ctx)
              : this.api.mergePatch(type, namespace, name, patch, ctx);
          sendJson(res, 200, result);
          return;
        }
        default:
          throw unsupportedMediaType(contentType ?? '');
      }
    }
    throw methodNotAllowed(method);
  }

  private listBody(
    type: ResourceType,
    items: KubeObject[],
    page?: Omit<ListPage, 'items'>,
  ) {
    return {
      kind: `${type.kind}List`,
      apiVersion: groupVersionOf(type),
      metadata: {
        resourceVersion: String(
          page?.resourceVersion ?? this.store.resourceVersion,
        ),
        ...(page?.continue ? { continue: page.continue } : {}),
        ...(page?.remainingItemCount !== undefined
          ? { remainingItemCount: page.remainingItemCount }
          : {}),
      },
      // The real server leaves kind and apiVersion out of built-in list items.
      items: type.crd
        ? items
        : items.map(({ kind, apiVersion, ...rest }) => rest),
    };
  }

  private list(
    type: ResourceType,
    namespace: string | undefined,
    query: Record<string, string>,
    labels: ReturnType<typeof parseLabelSelector>,
    fields: ReturnType<typeof parseFieldSelector>,
  ) {
    const page = this.paginator.page({
      listKey: JSON.stringify([
        type.group,
        type.plural,
        namespace ?? '',
        query.labelSelector ?? '',
        query.fieldSelector ?? '',
      ]),
      current: () => ({
        resourceVersion: this.store.resourceVersion,
        // Read and serialized only: the stored objects, without copies.
        items: this.store
          .listShared(type, namespace)
          .filter(
            o =>
              matchesLabels(o.metadata.labels, labels) &&
              matchesFields(o, fields),
          ),
      }),
      limit: query.limit,
      continueToken: query.continue,
      hasSelector: labels.length > 0 || fields.length > 0,
    });
    return this.listBody(type, page.items, page);
  }

  /**
   * Forgets the snapshots that paginated lists read their later pages from,
   * as an etcd compaction does: a continue token issued before answers 410
   * Expired (unless nothing changed since).
   */
  compactListSnapshots(): void {
    this.paginator.compact();
  }

  private discovery(
    target: Exclude<ReturnType<typeof route>, { kind: 'resource' }>,
    req: IncomingMessage,
  ) {
    switch (target.kind) {
      case 'version':
        return {
          major: '1',
          minor: '31',
          gitVersion: 'v1.31.0-fake',
          gitCommit: '0000000000000000000000000000000000000000',
          gitTreeState: 'clean',
          buildDate: '2024-08-13T00:00:00Z',
          goVersion: 'go1.22.5',
          compiler: 'gc',
          platform: 'linux/amd64',
        };
      case 'apiVersions':
        return {
          kind: 'APIVersions',
          versions: ['v1'],
          serverAddressByClientCIDRs: [
            {
              clientCIDR: '0.0.0.0/0',
              serverAddress: req.headers.host ?? '127.0.0.1',
            },
          ],
        };
      case 'apiGroupList':
        return {
          kind: 'APIGroupList',
          apiVersion: 'v1',
          groups: this.registry.groups().map(g => apiGroup(g.name, g.versions)),
        };
      case 'apiGroup': {
        const g = this.registry.groups().find(x => x.name === target.group)!;
        return {
          kind: 'APIGroup',
          apiVersion: 'v1',
          ...apiGroup(g.name, g.versions),
        };
      }
      case 'resourceList':
        return this.registry.resourceList(target.group, target.version);
      default:
        throw badRequest('unknown discovery document');
    }
  }
}

function apiGroup(name: string, versions: string[]) {
  const list = versions.map(v => ({
    groupVersion: `${name}/${v}`,
    version: v,
  }));
  return { name, versions: list, preferredVersion: list[0] };
}

function fieldLabels(type: ResourceType) {
  return ['metadata.name', 'metadata.namespace', ...(type.fieldLabels ?? [])];
}

/**
 * Starts a fake Kubernetes API server on 127.0.0.1 on a free port. Close it
 * with `close()` (for example in `afterEach`).
 */
export async function startFakeKubeApiServer(
  options: FakeKubeApiServerOptions = {},
): Promise<FakeKubeApiServer> {
  const store = new ObjectStore();
  const restored = options.stateFile
    ? loadState(store, options.stateFile)
    : false;
  const registry = new ResourceRegistry();
  for (const group of options.groups ?? []) registry.install(group);
  const api = new ApiOperations(store);
  const holder: { handle?: FakeKubeApiServer } = {};
  const server = http.createServer((req, res) => {
    holder.handle!.handle(req, res).catch(error => {
      sendJson(
        res,
        500,
        statusBody({
          code: 500,
          reason: 'InternalError',
          message: String(error),
        }),
      );
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const kubelet = new Kubelet(store, {
    rolloutDelayMs: options.rolloutDelayMs ?? 50,
    imageBehaviour: image => holder.handle!.imageBehaviour(image),
  });
  const controller = new DeploymentController(store, {
    api,
    kubelet,
    progressDeadlineMs: options.progressDeadlineMs,
  });
  const rollouts = new RolloutController(store, {
    api,
    kubelet,
    progressDeadlineMs: options.progressDeadlineMs,
  });
  const analysisRuns = new AnalysisRunController(store);
  const gateways = new GatewayController(store);
  const autoscalers = new HorizontalPodAutoscalerController(store, {
    syncDelayMs: options.autoscalerSyncDelayMs ?? 0,
  });
  const llmInferenceServices = new LLMInferenceServiceController(store, {
    syncDelayMs: 5,
  });
  const saver = options.stateFile
    ? new StateSaver({
        store,
        file: options.stateFile,
        delayMs: options.stateSaveDelayMs ?? 200,
      })
    : undefined;
  const handle = new FakeKubeApiServer(
    server,
    store,
    registry,
    api,
    controller,
    options,
    autoscalers,
    saver,
    llmInferenceServices,
    [kubelet, rollouts, analysisRuns, gateways],
  );
  holder.handle = handle;
  for (const ns of options.namespaces ?? defaultNamespaces) {
    handle.seed([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
    ]);
  }
  for (const node of options.nodes ?? []) handle.addNode(node);
  if (options.seed) handle.seed(options.seed);
  if (options.controllers !== false) {
    kubelet.start();
    controller.start();
    autoscalers.start();
    llmInferenceServices.start();
    rollouts.start();
    analysisRuns.start();
    gateways.start();
    if (restored) {
      kubelet.resume();
      controller.resume();
    }
  }
  if (saver) {
    saver.start();
    saver.flush(true);
  }
  return handle;
}
