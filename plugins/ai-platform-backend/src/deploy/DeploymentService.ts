import type {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  AI_PLATFORM_API_VERSION,
  DEPLOYMENT_CHECK_ORDER,
  isFinalDeploymentState,
  type DeploymentCheck,
  type DeploymentCheckName,
  type DeploymentError,
  type DeploymentEvent,
  type DeploymentObject,
  type DeploymentOperation,
  type DeploymentRecord,
  type DeploymentState,
  type EndpointLiveStatus,
  endpointDeployPermission,
  gateOverridePermission,
  type GpuPoolEntityV1alpha1,
  type InferenceEndpointEntityV1alpha1,
  inferenceEndpointEntityV1alpha1Validator,
  isGpuPoolEntity,
  isInferenceEndpointEntity,
  isModelEntity,
  type ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import {
  type ClusterConfig,
  ClusterNotConfiguredError,
  endpointResourceRef,
  findClusterConfig,
} from '@internal/plugin-ai-platform-node';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';
import { createHash } from 'crypto';
import type { AuditLog } from '../audit/AuditLog';
import { actorOf } from '../audit/AuditLog';
import type { EvalStore } from '../evals/DatabaseEvalStore';
import type { EvalService } from '../evals/EvalService';
import type { QuotaService } from '../quotas/QuotaService';
import {
  type DeploymentStore,
  publicRecord,
  type StoredDeployment,
} from './DatabaseDeploymentStore';
import {
  ClusterRequestError,
  FIELD_MANAGER,
  type KubernetesClusterClient,
  type LiveObject,
  objectName,
} from './kube/KubernetesClusterClient';
import { renderEndpointManifests } from './render/renderEndpointManifests';
import type { KubernetesManifest, RenderedEndpoint } from './render/types';
import { fatalPodProblem, rolloutProgress } from './rollout';
import type { DeployOptions } from './types';

/** How often a running deployment shows a sign of life in its record. */
export const HEARTBEAT_MS = 30_000;

/** Thrown inside the audited action when a deployment ends failed. */
class DeploymentFailed extends Error {
  constructor(readonly record: StoredDeployment) {
    super(
      `${record.error?.check ?? 'deploy'} failed: ${
        record.error?.message ?? 'unknown error'
      }`,
    );
  }
}

/** The options every mutating call takes. */
export type DeploymentCall = {
  credentials: BackstageCredentials;
  dryRun?: boolean;
  reason?: string;
  overrideGates?: boolean;
  /** Resolve only when the record is final. */
  wait?: boolean;
  httpRequest?: Request;
};

/** A started deployment: its record now, and the record once final. */
export type StartedDeployment = {
  record: DeploymentRecord;
  settled: Promise<DeploymentRecord>;
};

type Resolved = {
  endpoint: InferenceEndpointEntityV1alpha1;
  endpointRef: string;
  inCatalog: boolean;
  model: ModelEntityV1alpha1;
  pool: GpuPoolEntityV1alpha1;
  team: string;
};

type Plan = Resolved & {
  operation: DeploymentOperation;
  modelVersion: string;
  /** Rendered now, or restored from a revision (rollback). */
  rendered?: RenderedEndpoint;
  renderError?: string;
  manifests: KubernetesManifest[];
  gpus: number;
  restoredRevision?: number;
};

function hashManifests(manifests: KubernetesManifest[]): string {
  return createHash('sha256').update(JSON.stringify(manifests)).digest('hex');
}

function timeOf(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : undefined;
}

/** When our field manager last changed an object. */
function ourApplyTime(live: LiveObject): string | undefined {
  return timeOf(
    live.metadata.managedFields?.find(
      f => f.manager === FIELD_MANAGER && !f.subresource,
    )?.time,
  );
}

/** Paths of the leaves that differ between two JSON values. */
function changedPaths(before: unknown, after: unknown, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const a = before as Record<string, unknown>;
    const b = after as Record<string, unknown>;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])]
      .sort()
      .flatMap(k => changedPaths(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return [path || '(root)'];
}

/** What a dry run compares: what we write, not what the cluster adds. */
function comparable(object: LiveObject | undefined) {
  if (!object) return undefined;
  return {
    labels: object.metadata.labels ?? {},
    annotations: Object.fromEntries(
      Object.entries(object.metadata.annotations ?? {}).filter(
        ([k]) => !k.startsWith('deployment.kubernetes.io/'),
      ),
    ),
    spec: object.spec,
  };
}

/**
 * Deploys inference endpoints to their pools' clusters: checks (permission,
 * sizing, eval gates, quota and capacity), server-side apply of the rendered
 * objects, and the rollout wait. Every call becomes a revision in the
 * deployment store and one audit record.
 */
export class DeploymentService {
  private readonly clients = new Map<string, KubernetesClusterClient>();

  constructor(
    private readonly options: {
      store: DeploymentStore;
      catalog: CatalogService;
      auth: AuthService;
      permissions: PermissionsService;
      permissionsRegistry: PermissionsRegistryService;
      quotas: QuotaService;
      evals: EvalService;
      evalStore: EvalStore;
      auditLog: AuditLog;
      logger: LoggerService;
      clusters: ClusterConfig[];
      createClient: (cluster: ClusterConfig) => KubernetesClusterClient;
      deploy: DeployOptions;
      now?: () => Date;
    },
  ) {}

  private now(): string {
    return (this.options.now ?? (() => new Date()))().toISOString();
  }

  private client(cluster: ClusterConfig): KubernetesClusterClient {
    let client = this.clients.get(cluster.name);
    if (!client) {
      client = this.options.createClient(cluster);
      this.clients.set(cluster.name, client);
    }
    return client;
  }

  // --- Resolving entities ----------------------------------------------------

  private async entity(
    ref: string,
    credentials: BackstageCredentials,
  ): Promise<Entity | undefined> {
    return this.options.catalog.getEntityByRef(ref, { credentials });
  }

  private async resolve(
    endpoint: string | Record<string, unknown>,
    credentials: BackstageCredentials,
  ): Promise<Resolved> {
    let entity: InferenceEndpointEntityV1alpha1;
    let inCatalog = true;
    if (typeof endpoint === 'string') {
      const ref = this.canonicalEndpointRef(endpoint);
      const found = await this.entity(ref, credentials);
      if (!found || !isInferenceEndpointEntity(found)) {
        throw new NotFoundError(`${ref} is not in the catalog`);
      }
      entity = found;
    } else {
      const candidate = endpoint as unknown as Entity;
      if (
        candidate.apiVersion !== AI_PLATFORM_API_VERSION ||
        candidate.kind !== 'InferenceEndpoint' ||
        typeof candidate.metadata?.name !== 'string'
      ) {
        throw new InputError(
          `endpoint must be an entity ref or an InferenceEndpoint entity (apiVersion ${AI_PLATFORM_API_VERSION}, kind InferenceEndpoint, metadata.name)`,
        );
      }
      const problems =
        inferenceEndpointEntityV1alpha1Validator.validate(candidate);
      if (problems.length) {
        throw new InputError(
          `endpoint is invalid: ${problems
            .map(p => `${p.path} ${p.message}`)
            .join('; ')}`,
        );
      }
      entity = candidate as InferenceEndpointEntityV1alpha1;
      const ref = stringifyEntityRef(entity);
      // The catalog's entity, when there is one, is the truth: a request
      // cannot change an endpoint's owner by posting its own copy.
      const found = await this.entity(ref, credentials);
      if (found && isInferenceEndpointEntity(found)) {
        entity = found;
      } else {
        inCatalog = false;
      }
    }
    const namespace = entity.metadata.namespace ?? 'default';
    const endpointRef = stringifyEntityRef(entity);
    const refOf = (value: string, kind: string) =>
      stringifyEntityRef(
        parseEntityRef(value, {
          defaultKind: kind,
          defaultNamespace: namespace,
        }),
      );
    const modelRef = refOf(entity.spec.model, 'Model');
    if (!entity.spec.gpuPool) {
      throw new InputError(
        `${endpointRef} has no spec.gpuPool: the portal deploys endpoints onto a GpuPool`,
      );
    }
    const poolRef = refOf(entity.spec.gpuPool, 'GpuPool');
    const [model, pool] = await Promise.all([
      this.entity(modelRef, credentials),
      this.entity(poolRef, credentials),
    ]);
    if (!model || !isModelEntity(model)) {
      throw new NotFoundError(
        `${modelRef}, named by spec.model of ${endpointRef}, is not in the catalog`,
      );
    }
    if (!pool || !isGpuPoolEntity(pool)) {
      throw new NotFoundError(
        `${poolRef}, named by spec.gpuPool of ${endpointRef}, is not in the catalog`,
      );
    }
    return {
      endpoint: entity,
      endpointRef,
      inCatalog,
      model,
      pool,
      team: refOf(entity.spec.owner, 'Group'),
    };
  }

  private canonicalEndpointRef(ref: string): string {
    try {
      return stringifyEntityRef(
        parseEntityRef(ref, {
          defaultKind: 'InferenceEndpoint',
          defaultNamespace: 'default',
        }),
      );
    } catch (error) {
      throw new InputError(`endpoint: ${(error as Error).message}`);
    }
  }

  /** The endpoint's objects with the deploy settings (autoscaling, ServiceMonitor): what a deploy plans and POST /render answers. */
  private renderResolved(
    resolved: Resolved,
    modelVersion: string | undefined,
  ): RenderedEndpoint {
    return renderEndpointManifests({
      endpoint: resolved.endpoint,
      model: resolved.model,
      pool: resolved.pool,
      modelVersion,
      autoscaling: this.options.deploy.autoscaling,
      serviceMonitor: this.options.deploy.serviceMonitor,
    });
  }

  private plan(
    resolved: Resolved,
    operation: DeploymentOperation,
    modelVersion: string,
  ): Plan {
    try {
      const rendered = this.renderResolved(resolved, modelVersion);
      return {
        ...resolved,
        operation,
        modelVersion,
        rendered,
        manifests: rendered.objects,
        gpus: rendered.gpus,
      };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      const resources = resolved.endpoint.spec.resources;
      return {
        ...resolved,
        operation,
        modelVersion,
        renderError: error.message,
        manifests: [],
        gpus: resources
          ? resources.gpusPerReplica *
            Math.max(resources.replicas, resources.maxReplicas ?? 0)
          : 0,
      };
    }
  }

  // --- The calls ---------------------------------------------------------------

  /**
   * Runs what comes before a call is planned (finding the endpoint, its model
   * and pool, the version or revision asked for). A call refused there has no
   * revision, since nothing was planned, but it leaves an audit record (and
   * an auditor event) of the failure, like every other call.
   */
  private async beforePlan<T>(
    operation: DeploymentOperation,
    call: DeploymentCall,
    target: string | undefined,
    request: JsonObject,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      await this.options.auditLog.recordFailure(
        {
          action: `endpoint.${operation}`,
          credentials: call.credentials,
          target,
          request: { ...request, dryRun: Boolean(call.dryRun) },
          httpRequest: call.httpRequest,
          severityLevel: 'low',
        },
        error,
      );
      throw error;
    }
  }

  /** The endpoint a call names, as best it can be read, for the audit record of a refused call. */
  private targetOf(endpoint: string | Record<string, unknown>) {
    try {
      if (typeof endpoint === 'string') {
        return this.canonicalEndpointRef(endpoint);
      }
      const metadata = (endpoint as Partial<Entity>).metadata;
      return typeof metadata?.name === 'string'
        ? stringifyEntityRef({
            kind: 'InferenceEndpoint',
            namespace: metadata.namespace ?? 'default',
            name: metadata.name,
          })
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Deploys (creates or updates) an endpoint as its entity describes it. */
  async deploy(
    call: DeploymentCall & { endpoint: string | Record<string, unknown> },
  ): Promise<StartedDeployment> {
    const plan = await this.beforePlan(
      'deploy',
      call,
      this.targetOf(call.endpoint),
      {},
      async () => {
        const resolved = await this.resolve(call.endpoint, call.credentials);
        return this.plan(
          resolved,
          'deploy',
          resolved.endpoint.spec.modelVersion,
        );
      },
    );
    return this.start(plan, call);
  }

  /** Moves an endpoint to another version of its model. */
  async promote(
    call: DeploymentCall & { endpointRef: string; modelVersion: string },
  ): Promise<StartedDeployment> {
    const plan = await this.beforePlan(
      'promote',
      call,
      this.targetOf(call.endpointRef),
      { modelVersion: call.modelVersion },
      async () => {
        const resolved = await this.resolve(call.endpointRef, call.credentials);
        if (
          !resolved.model.spec.versions.some(v => v.name === call.modelVersion)
        ) {
          throw new InputError(
            `modelVersion: ${stringifyEntityRef(
              resolved.model,
            )} has no version "${
              call.modelVersion
            }" (its versions: ${resolved.model.spec.versions
              .map(v => v.name)
              .join(', ')})`,
          );
        }
        return this.plan(resolved, 'promote', call.modelVersion);
      },
    );
    return this.start(plan, call);
  }

  /** Re-applies the objects of an earlier revision (by default the one before the running one). */
  async rollback(
    call: DeploymentCall & { endpointRef: string; toRevision?: number },
  ): Promise<StartedDeployment> {
    const plan = await this.beforePlan(
      'rollback',
      call,
      this.targetOf(call.endpointRef),
      call.toRevision !== undefined ? { toRevision: call.toRevision } : {},
      () => this.planRollback(call),
    );
    return this.start(plan, call);
  }

  private async planRollback(
    call: DeploymentCall & { endpointRef: string; toRevision?: number },
  ): Promise<Plan> {
    const resolved = await this.resolve(call.endpointRef, call.credentials);
    const applied = await this.options.store.applied(resolved.endpointRef);
    const running = applied[0];
    let target: StoredDeployment | undefined;
    if (call.toRevision !== undefined) {
      target = applied.find(r => r.revision === call.toRevision);
      if (!target) {
        throw new InputError(
          `toRevision: ${resolved.endpointRef} has no applied revision ${
            call.toRevision
          } (applied revisions: ${
            applied.map(r => r.revision).join(', ') || 'none'
          })`,
        );
      }
    } else {
      target = applied.find(r => running && r.specHash !== running.specHash);
      if (!target) {
        throw new ConflictError(
          `${resolved.endpointRef} has no earlier revision to roll back to${
            running ? ` (revision ${running.revision} is running)` : ''
          }`,
        );
      }
    }
    return {
      ...resolved,
      operation: 'rollback',
      modelVersion: target.modelVersion,
      manifests: target.manifests,
      gpus: target.gpus,
      restoredRevision: target.revision,
    };
  }

  /** Renders an endpoint's objects without checking or applying anything. */
  async render(options: {
    credentials: BackstageCredentials;
    endpoint: string | Record<string, unknown>;
    modelVersion?: string;
  }): Promise<RenderedEndpoint & { endpointRef: string; cluster: string }> {
    const resolved = await this.resolve(options.endpoint, options.credentials);
    const rendered = this.renderResolved(resolved, options.modelVersion);
    return {
      ...rendered,
      endpointRef: resolved.endpointRef,
      cluster: resolved.pool.spec.cluster,
    };
  }

  async get(id: string): Promise<DeploymentRecord> {
    return publicRecord(await this.options.store.get(id));
  }

  async list(options: {
    endpointRef?: string;
    limit?: number;
    beforeRevision?: number;
  }): Promise<DeploymentRecord[]> {
    return this.options.store.list({
      ...options,
      endpointRef: options.endpointRef
        ? this.canonicalEndpointRef(options.endpointRef)
        : undefined,
    });
  }

  /** Per endpoint, the revision and model version that run now (the records are the truth). */
  async running() {
    return this.options.store.running();
  }

  /**
   * Marks deployments that a stopped backend left in progress as failed. A
   * running deployment shows a sign of life every HEARTBEAT_MS, so one
   * silent for three of them belongs to no live backend replica. Run at
   * startup and on a schedule.
   */
  async failInterrupted(): Promise<void> {
    const staleBefore = new Date(
      (this.options.now ?? (() => new Date()))().getTime() - 3 * HEARTBEAT_MS,
    ).toISOString();
    const count = await this.options.store.failInterrupted(
      'The backend stopped while this deployment was in progress; run it again (a re-run converges)',
      staleBefore,
    );
    if (count) {
      this.options.logger.warn('Marked interrupted deployments as failed', {
        count,
      });
    }
  }

  // --- The pipeline ------------------------------------------------------------

  private async start(
    plan: Plan,
    call: DeploymentCall,
  ): Promise<StartedDeployment> {
    const { auditLog } = this.options;
    let resolveReady!: (record: DeploymentRecord) => void;
    const ready = new Promise<DeploymentRecord>(r => {
      resolveReady = r;
    });
    const settled = auditLog
      .track(
        {
          action: `endpoint.${plan.operation}`,
          credentials: call.credentials,
          target: plan.endpointRef,
          request: {
            modelVersion: plan.modelVersion,
            pool: stringifyEntityRef(plan.pool),
            gpus: plan.gpus,
            dryRun: Boolean(call.dryRun),
            ...(call.reason ? { reason: call.reason } : {}),
            ...(call.overrideGates ? { overrideGates: true } : {}),
            ...(plan.restoredRevision !== undefined
              ? { toRevision: plan.restoredRevision }
              : {}),
          },
          httpRequest: call.httpRequest,
          severityLevel: call.dryRun ? 'low' : 'high',
        },
        async () => {
          const record = await this.run(plan, call, resolveReady);
          if (record.state === 'failed') {
            throw new DeploymentFailed(record);
          }
          return record;
        },
        record => ({
          revision: record.revision,
          state: record.state,
          specHash: record.specHash,
        }),
      )
      .catch(error => {
        if (error instanceof DeploymentFailed) {
          return error.record;
        }
        throw error;
      })
      .then(publicRecord);
    const first = await Promise.race([ready, settled]);
    if (call.wait) {
      return { record: await settled, settled };
    }
    // The caller does not wait: errors after this point are in the record.
    settled.catch(error =>
      this.options.logger.error('Deployment failed unexpectedly', {
        endpoint: plan.endpointRef,
        error: String(error),
      }),
    );
    return { record: first, settled };
  }

  /**
   * Runs the checks in order, then apply and rollout. Calls `ready` once the
   * record exists and the checks before apply are done (or failed), so that a
   * caller that does not wait gets an answer quickly.
   */
  private async run(
    plan: Plan,
    call: DeploymentCall,
    ready: (record: DeploymentRecord) => void,
  ): Promise<StoredDeployment> {
    const { store } = this.options;
    const dryRun = Boolean(call.dryRun);

    const record = await store.create({
      endpointRef: plan.endpointRef,
      operation: plan.operation,
      state: 'checking',
      dryRun,
      modelRef: stringifyEntityRef(plan.model),
      modelVersion: plan.modelVersion,
      poolRef: stringifyEntityRef(plan.pool),
      team: plan.team,
      cluster: plan.pool.spec.cluster,
      namespace:
        plan.rendered?.namespace ??
        plan.manifests[0]?.metadata.namespace ??
        plan.endpoint.spec.namespace ??
        'default',
      gpus: plan.gpus,
      requestedBy: actorOf(call.credentials),
      reason: call.reason,
      restoredRevision: plan.restoredRevision,
      specHash: hashManifests(plan.manifests),
      sizing: plan.rendered?.sizing,
      manifests: plan.manifests,
      objects: plan.manifests.map(m => ({
        apiVersion: m.apiVersion,
        kind: m.kind,
        name: m.metadata.name,
        namespace: m.metadata.namespace,
      })),
    });
    const id = record.id;
    const heartbeat = setInterval(() => {
      store.touch(id).catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref?.();
    try {
      return await this.runChecksAndApply({ plan, call, ready, id, dryRun });
    } catch (error) {
      // A bug or a database failure: the record says so rather than staying
      // in progress until the sweep finds it silent.
      const current = await store.get(id).catch(() => undefined);
      if (current && !isFinalDeploymentState(current.state)) {
        const done = new Set(current.checks.map(c => c.name));
        const check =
          DEPLOYMENT_CHECK_ORDER.find(name => !done.has(name)) ?? 'rollout';
        await store
          .update(id, {
            state: 'failed',
            finishedAt: this.now(),
            error: {
              check,
              message: `Unexpected error: ${
                error instanceof Error ? error.message : String(error)
              }`,
            },
          })
          .catch(() => undefined);
      }
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async runChecksAndApply(options: {
    plan: Plan;
    call: DeploymentCall;
    ready: (record: DeploymentRecord) => void;
    id: string;
    dryRun: boolean;
  }): Promise<StoredDeployment> {
    const { plan, call, ready, id, dryRun } = options;
    const { store } = this.options;
    const checks: DeploymentCheck[] = [];
    const event = (
      level: DeploymentEvent['level'],
      message: string,
      object?: string,
    ) =>
      store.appendEvent(id, {
        at: this.now(),
        level,
        message,
        ...(object ? { object } : {}),
      });
    const check = async (
      name: DeploymentCheckName,
      status: DeploymentCheck['status'],
      message: string,
      details?: Record<string, unknown>,
    ) => {
      checks.push({ name, status, message, ...(details ? { details } : {}) });
      await store.update(id, { checks });
      await event(
        status === 'failed' ? 'error' : 'info',
        `${name}: ${message}`,
      );
    };
    const finish = async (
      state: DeploymentState,
      extra: { error?: DeploymentError; objects?: DeploymentObject[] } = {},
    ) => {
      await store.update(id, {
        state,
        finishedAt: this.now(),
        ...extra,
      });
      const final = await store.get(id);
      ready(publicRecord(final));
      return final;
    };
    const fail = async (
      name: DeploymentCheckName,
      message: string,
      more: Partial<DeploymentError> = {},
    ) => finish('failed', { error: { check: name, message, ...more } });

    // 1. Permission.
    const allowed = await this.mayDeploy(plan, call.credentials);
    if (!allowed) {
      const message = `${actorOf(call.credentials)} may not deploy ${
        plan.endpointRef
      } (permission ${endpointDeployPermission.name}${
        plan.inCatalog
          ? ''
          : `, decided for owner ${plan.team} on pool ${stringifyEntityRef(
              plan.pool,
            )}`
      })`;
      await check('permission', 'failed', message);
      // Recorded, but the caller gets a 403, not the record: `ready` stays
      // unresolved so that the error reaches it.
      await store.update(id, {
        state: 'failed',
        finishedAt: this.now(),
        error: { check: 'permission', message },
      });
      throw new NotAllowedError(message);
    }
    await check(
      'permission',
      'passed',
      `${endpointDeployPermission.name} granted`,
    );

    // 2. Sizing (and rendering).
    if (plan.renderError) {
      await check('sizing', 'failed', plan.renderError);
      return fail('sizing', plan.renderError);
    }
    if (plan.operation === 'rollback') {
      await check(
        'sizing',
        'skipped',
        `restores the objects of revision ${plan.restoredRevision}`,
      );
    } else {
      const sizing = plan.rendered?.sizing;
      const gpusPerReplica = plan.endpoint.spec.resources?.gpusPerReplica ?? 0;
      if (!sizing) {
        await check(
          'sizing',
          'skipped',
          plan.rendered?.warnings[0] ?? 'the model could not be sized',
        );
      } else if (!sizing.fits) {
        const message = sizing.explanation.at(-1) ?? 'the model does not fit';
        await check('sizing', 'failed', message, { sizing });
        return fail('sizing', message);
      } else if ((sizing.tensorParallelSize ?? 1) > gpusPerReplica) {
        const message = `the model needs ${sizing.tensorParallelSize} GPUs per replica on ${plan.pool.metadata.name}, spec.resources.gpusPerReplica is ${gpusPerReplica}`;
        await check('sizing', 'failed', message, { sizing });
        return fail('sizing', message);
      } else {
        await check(
          'sizing',
          'passed',
          `fits on ${sizing.tensorParallelSize} GPU(s) per replica (${sizing.perGpu?.totalGiB} of ${sizing.perGpu?.usableGiB} GiB each)`,
        );
      }
    }

    // 3. Eval gates.
    const gateProblem = await this.checkGates(plan, call, check);
    if (gateProblem) {
      return fail('gates', gateProblem);
    }

    // 4. Quota and pool capacity; then which cluster.
    let cluster: ClusterConfig | undefined;
    let notConfigured: string | undefined;
    try {
      cluster = findClusterConfig(
        this.options.clusters,
        plan.pool.spec.cluster,
        stringifyEntityRef(plan.pool),
      );
    } catch (error) {
      if (!(error instanceof ClusterNotConfiguredError)) throw error;
      notConfigured = error.message;
    }
    const poolRef = stringifyEntityRef(plan.pool);
    const reserve = !dryRun && !notConfigured;
    const previous = reserve
      ? await this.options.quotas.allocation(plan.endpointRef)
      : undefined;
    try {
      const numbers = reserve
        ? await this.options.quotas.reserve({
            endpoint: plan.endpointRef,
            team: plan.team,
            pool: poolRef,
            gpus: plan.gpus,
            actor: actorOf(call.credentials),
          })
        : await this.options.quotas.check({
            endpoint: plan.endpointRef,
            team: plan.team,
            pool: poolRef,
            gpus: plan.gpus,
          });
      if (!numbers.allowed) {
        const message = numbers.reasons.join('; ');
        await check('quota', 'failed', message, { ...numbers });
        return fail('quota', message);
      }
      await check(
        'quota',
        'passed',
        `${reserve ? 'reserved' : 'would reserve'} ${plan.gpus} GPUs on ${
          plan.pool.metadata.name
        } for ${plan.team}: ${numbers.teamFree} of its ${numbers.quota} and ${
          numbers.poolFree
        } of the pool's ${numbers.poolCapacity} free`,
        { ...numbers },
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      await check('quota', 'failed', error.message);
      return fail('quota', error.message);
    }
    const restoreReservation = async () => {
      if (!reserve) return;
      await this.options.quotas.restoreAllocation({
        endpoint: plan.endpointRef,
        previous,
      });
    };

    if (notConfigured || !cluster) {
      const message = `Nothing was applied: ${notConfigured}. The checks ran and the objects were rendered; add the cluster to kubernetes.clusterLocatorMethods to deploy.`;
      await check('apply', 'skipped', message);
      await check('rollout', 'skipped', 'nothing was applied');
      return finish('check-only');
    }

    // 5. Server-side apply, in order.
    await store.update(id, { state: 'applying' });
    ready(publicRecord(await store.get(id)));
    const client = this.client(cluster);
    const lastApplied = await this.lastApplied(plan.endpointRef, id);
    const objects: DeploymentObject[] = [];
    for (const [index, manifest] of plan.manifests.entries()) {
      const name = objectName(manifest);
      try {
        const live = await client.apply(manifest, {
          dryRun,
          force: this.options.deploy.forceConflicts,
        });
        let action: DeploymentObject['action'];
        let changes: string[] | undefined;
        if (dryRun) {
          const current = await client.read(manifest);
          changes = current
            ? changedPaths(comparable(current), comparable(live))
            : undefined;
          if (!current) {
            action = 'created';
          } else {
            action = changes!.length ? 'configured' : 'unchanged';
          }
        } else {
          // managedFields times have a one-second resolution: an object is
          // unchanged when we sent the same manifest as last time and our
          // field manager's entry did not move.
          const appliedAt = ourApplyTime(live);
          const created = timeOf(live.metadata.creationTimestamp);
          const last = lastApplied.get(name);
          if (
            last &&
            last.appliedAt === appliedAt &&
            last.manifest === JSON.stringify(manifest)
          ) {
            action = 'unchanged';
          } else if (
            appliedAt &&
            created === appliedAt &&
            last?.appliedAt !== appliedAt
          ) {
            action = 'created';
          } else {
            action = 'configured';
          }
        }
        objects.push({
          apiVersion: manifest.apiVersion,
          kind: manifest.kind,
          name: manifest.metadata.name,
          namespace: manifest.metadata.namespace,
          action,
          ...(changes ? { changes } : {}),
          ...(dryRun
            ? {}
            : {
                resourceVersion: live.metadata.resourceVersion,
                appliedAt: ourApplyTime(live),
              }),
        });
        await store.update(id, { objects });
        await event(
          'info',
          `${dryRun ? 'dry run: ' : ''}${name} ${action}`,
          name,
        );
      } catch (error) {
        if (!(error instanceof ClusterRequestError)) throw error;
        await restoreReservation();
        const untouched = plan.manifests.slice(index).map(m => ({
          apiVersion: m.apiVersion,
          kind: m.kind,
          name: m.metadata.name,
          namespace: m.metadata.namespace,
        }));
        if (
          error.unreachable &&
          index === 0 &&
          this.options.deploy.unreachableClusters === 'check-only'
        ) {
          const message = `Nothing was applied: cluster ${cluster.name} (${cluster.url}) could not be reached: ${error.clusterMessage}. The GPUs reserved above were released.`;
          await check('apply', 'skipped', message);
          await check('rollout', 'skipped', 'nothing was applied');
          return finish('check-only', { objects: [...objects, ...untouched] });
        }
        const applied = objects.length
          ? ` (${objects
              .map(o => `${o.kind}/${o.name}`)
              .join(', ')} applied before it; a re-run converges)`
          : '';
        const message = `${error.message}${applied}`;
        await check('apply', 'failed', message, {
          object: name,
          status: error.status,
        });
        await store.update(id, { objects: [...objects, ...untouched] });
        return fail('apply', message, {
          object: name,
          cause: error.status
            ? `HTTP ${error.status}: ${error.clusterMessage}`
            : error.clusterMessage,
        });
      }
    }
    const changed = objects.filter(o => o.action !== 'unchanged').length;
    await check(
      'apply',
      'passed',
      `${dryRun ? 'the cluster accepted' : 'applied'} ${
        objects.length
      } objects${dryRun ? ' (dryRun=All): ' : ': '}${changed} ${
        dryRun ? 'would change' : 'changed'
      }`,
    );
    if (dryRun) {
      await check('rollout', 'skipped', 'a dry run does not roll out');
      return finish('dry-run', { objects });
    }
    if (changed === 0) {
      await check(
        'rollout',
        'skipped',
        'nothing changed, so there is nothing to roll out',
      );
      return finish('unchanged', { objects });
    }

    // 6. Rollout.
    await store.update(id, { state: 'rolling-out' });
    const deployment = plan.manifests.find(m => m.kind === 'Deployment');
    if (!deployment) {
      await check('rollout', 'skipped', 'no Deployment to wait for');
      return finish('succeeded', { objects });
    }
    const outcome = await this.waitForRollout({
      client,
      deployment,
      event,
    });
    if (!outcome.ok) {
      await check('rollout', 'failed', outcome.message, outcome.details);
      return fail('rollout', outcome.message, {
        object: objectName(deployment),
      });
    }
    await check('rollout', 'passed', outcome.message);
    return finish('succeeded', { objects });
  }

  /**
   * What we last applied to each object, per the newest records that say:
   * the manifest and when our field manager last changed the object.
   */
  private async lastApplied(
    endpointRef: string,
    exceptId: string,
  ): Promise<Map<string, { appliedAt: string; manifest?: string }>> {
    const last = new Map<string, { appliedAt: string; manifest?: string }>();
    for (const record of await this.options.store.recent(endpointRef, 20)) {
      if (record.id === exceptId) continue;
      for (const o of record.objects) {
        const key = `${o.kind}/${o.name}`;
        if (o.appliedAt && !last.has(key)) {
          const manifest = record.manifests.find(m => objectName(m) === key);
          last.set(key, {
            appliedAt: o.appliedAt,
            manifest: manifest ? JSON.stringify(manifest) : undefined,
          });
        }
      }
    }
    return last;
  }

  private async mayDeploy(
    plan: Plan,
    credentials: BackstageCredentials,
  ): Promise<boolean> {
    const { permissions } = this.options;
    if (plan.inCatalog) {
      const [decision] = await permissions.authorize(
        [
          {
            permission: endpointDeployPermission,
            resourceRef: plan.endpointRef,
          },
        ],
        { credentials },
      );
      return decision.result === AuthorizeResult.ALLOW;
    }
    // Not in the catalog yet: decide on the owner group and pool in the request.
    const [decision] = await permissions.authorizeConditional(
      [{ permission: endpointDeployPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.CONDITIONAL) {
      return decision.result === AuthorizeResult.ALLOW;
    }
    const authorize = createConditionAuthorizer(
      this.options.permissionsRegistry.getPermissionRuleset(
        endpointResourceRef,
      ),
    );
    return authorize(decision, {
      entityRef: plan.endpointRef,
      owner: plan.team,
      pool: stringifyEntityRef(plan.pool),
    });
  }

  /** Returns why the gates block the deployment, or undefined when they do not. */
  private async checkGates(
    plan: Plan,
    call: DeploymentCall,
    check: (
      name: DeploymentCheckName,
      status: DeploymentCheck['status'],
      message: string,
      details?: Record<string, unknown>,
    ) => Promise<void>,
  ): Promise<string | undefined> {
    if (plan.operation === 'rollback') {
      await check(
        'gates',
        'skipped',
        `a rollback restores revision ${plan.restoredRevision}, which ran before`,
      );
      return undefined;
    }
    const modelRef = stringifyEntityRef(plan.model);
    const version = plan.model.spec.versions.find(
      v => v.name === plan.modelVersion,
    );
    const gates = plan.model.spec.evaluation?.gates ?? [];
    if (gates.length === 0) {
      await check('gates', 'passed', `${modelRef} defines no eval gates`);
      return undefined;
    }
    let status = await this.options.evals.gateStatus(
      modelRef,
      plan.modelVersion,
      call.credentials,
    );
    const enforced =
      plan.endpoint.spec.lifecycle === 'production' ||
      version?.stage === 'production';
    const describe = () =>
      status.gates
        .filter(g => !g.passed)
        .map(g =>
          g.status === 'missing'
            ? `${g.task} ${g.metric} has no result`
            : `${g.task} ${g.metric} = ${g.value}${
                g.min !== undefined ? ` (min ${g.min})` : ''
              }${g.max !== undefined ? ` (max ${g.max})` : ''}${
                g.maxRegression !== undefined && g.baselineValue !== undefined
                  ? ` (at most ${g.maxRegression} below ${g.baselineVersion}'s ${g.baselineValue})`
                  : ''
              }`,
        )
        .join('; ');
    if (status.passed) {
      await check(
        'gates',
        status.summary.overridden ? 'overridden' : 'passed',
        `${status.gates.length} gate(s) of ${modelRef} ${
          plan.modelVersion
        } pass${
          status.summary.overridden
            ? ` (${status.summary.overridden} by a recorded override)`
            : ''
        }`,
        { summary: status.summary },
      );
      return undefined;
    }
    if (!enforced) {
      await check(
        'gates',
        'skipped',
        `not enforced for a ${
          plan.endpoint.spec.lifecycle
        } endpoint serving a ${version?.stage} version: ${describe()}`,
        { summary: status.summary },
      );
      return undefined;
    }
    if (!call.overrideGates) {
      const message = `${modelRef} ${
        plan.modelVersion
      } does not pass its eval gates: ${describe()}. A failing or missing gate blocks production; record results, or override with a reason (permission ${
        gateOverridePermission.name
      }).`;
      await check('gates', 'failed', message, { summary: status.summary });
      return message;
    }
    // An audited override of each failing gate, by someone allowed to.
    if (!call.reason) {
      const message =
        'overrideGates needs a reason: it is kept with each gate override';
      await check('gates', 'failed', message);
      return message;
    }
    const [decision] = await this.options.permissions.authorize(
      [{ permission: gateOverridePermission }],
      { credentials: call.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      const message = `${describe()}; and ${actorOf(
        call.credentials,
      )} may not override gates (permission ${gateOverridePermission.name})`;
      await check('gates', 'failed', message, { summary: status.summary });
      return message;
    }
    for (const gate of status.gates.filter(g => !g.passed)) {
      await this.options.auditLog.track(
        {
          action: 'gate.override',
          credentials: call.credentials,
          target: modelRef,
          request: {
            version: plan.modelVersion,
            task: gate.task,
            metric: gate.metric,
            reason: call.reason,
            via: `endpoint.${plan.operation} of ${plan.endpointRef}`,
          },
          httpRequest: call.httpRequest,
          severityLevel: 'high',
        },
        () =>
          this.options.evalStore.upsertOverride({
            modelRef,
            version: plan.modelVersion,
            task: gate.task,
            metric: gate.metric,
            reason: call.reason!,
            actor: actorOf(call.credentials),
          }),
      );
    }
    const before = describe();
    status = await this.options.evals.gateStatus(
      modelRef,
      plan.modelVersion,
      call.credentials,
    );
    await check(
      'gates',
      'overridden',
      `overridden (${call.reason}): ${before}`,
      {
        summary: status.summary,
      },
    );
    return undefined;
  }

  private async waitForRollout(options: {
    client: KubernetesClusterClient;
    deployment: KubernetesManifest;
    event: (
      level: DeploymentEvent['level'],
      message: string,
      object?: string,
    ) => Promise<void>;
  }): Promise<
    | { ok: true; message: string }
    | { ok: false; message: string; details?: Record<string, unknown> }
  > {
    const { client, deployment, event } = options;
    const namespace = deployment.metadata.namespace ?? 'default';
    const name = deployment.metadata.name;
    const selector = Object.entries(
      (deployment.spec as { selector: { matchLabels: Record<string, string> } })
        .selector.matchLabels,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const seen = new Set<string>();
    let lastMessage = '';
    let problem: string | undefined;
    let fatal: string | undefined;
    const warnings: string[] = [];
    const readProblems = async (): Promise<boolean> => {
      const [pods, events] = await Promise.all([
        client.pods(namespace, selector),
        client.events(namespace, name),
      ]);
      for (const e of events.filter(x => x.type === 'Warning')) {
        const key = `${e.object}|${e.reason}|${e.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        warnings.push(`${e.reason}: ${e.message}`);
        await event('warning', `${e.reason}: ${e.message}`, e.object);
        if (!problem || e.reason === 'FailedScheduling') {
          problem = `${e.reason} on ${e.object}: ${e.message}`;
        }
      }
      const bad = fatalPodProblem(pods);
      if (bad) {
        fatal = `Pod ${bad.name} is in ${bad.reason}${
          bad.message ? `: ${bad.message}` : ''
        }`;
        return true;
      }
      return false;
    };
    const outcome = await client.watchDeployment({
      namespace,
      name,
      timeoutMs: this.options.deploy.rolloutTimeoutMs,
      tickMs: this.options.deploy.progressIntervalMs,
      onTick: readProblems,
      onObject: async live => {
        const progress = rolloutProgress(live);
        if (progress.message !== lastMessage) {
          lastMessage = progress.message;
          await event('info', progress.message, objectName(deployment));
        }
        if (!progress.done && progress.failed) {
          fatal = progress.message;
          return true;
        }
        return progress.done;
      },
    });
    if (fatal) {
      // One last read, so that the record names what the cluster said.
      if (!problem) await readProblems().catch(() => undefined);
      return {
        ok: false,
        message: `${fatal}${
          problem && !fatal.includes(problem) ? `; ${problem}` : ''
        }`,
        details: { warnings },
      };
    }
    if (outcome === 'timeout') {
      await readProblems().catch(() => undefined);
      if (fatal) {
        return { ok: false, message: fatal, details: { warnings } };
      }
      return {
        ok: false,
        message: `The rollout did not finish within ${Math.round(
          this.options.deploy.rolloutTimeoutMs / 1000,
        )} s (${lastMessage || 'no status yet'})${
          problem ? `: ${problem}` : ''
        }`,
        details: { warnings },
      };
    }
    return { ok: true, message: lastMessage };
  }

  // --- Live status ---------------------------------------------------------------

  /** What runs now: the records' running version and, where a cluster is configured, the workload's state. */
  async status(options: {
    credentials: BackstageCredentials;
    endpointRef: string;
  }): Promise<EndpointLiveStatus> {
    const resolved = await this.resolve(
      options.endpointRef,
      options.credentials,
    );
    const applied = await this.options.store.applied(resolved.endpointRef);
    const running = applied[0];
    const deploymentManifest = running?.manifests.find(
      m => m.kind === 'Deployment',
    );
    const name =
      deploymentManifest?.metadata.name ??
      resolved.endpoint.metadata.annotations?.['backstage.io/kubernetes-id'] ??
      resolved.endpoint.metadata.name;
    const namespace =
      deploymentManifest?.metadata.namespace ??
      resolved.endpoint.spec.namespace ??
      'default';
    const base: EndpointLiveStatus = {
      endpointRef: resolved.endpointRef,
      cluster: resolved.pool.spec.cluster,
      namespace,
      clusterConfigured: false,
      catalogModelVersion: resolved.endpoint.spec.modelVersion,
      ...(running
        ? {
            runningModelVersion: running.modelVersion,
            runningRevision: running.revision,
          }
        : {}),
      pods: [],
      events: [],
    };
    const cluster = this.options.clusters.find(
      c => c.name === resolved.pool.spec.cluster,
    );
    if (!cluster) {
      return {
        ...base,
        error: new ClusterNotConfiguredError({
          cluster: resolved.pool.spec.cluster,
          pool: stringifyEntityRef(resolved.pool),
          configured: this.options.clusters.map(c => c.name),
        }).message,
      };
    }
    const client = this.client(cluster);
    try {
      const live = await client.read({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace },
      });
      const [pods, events] = await Promise.all([
        client.pods(
          namespace,
          `app.kubernetes.io/name=vllm,app.kubernetes.io/instance=${name}`,
        ),
        client.events(namespace, name),
      ]);
      const status = live?.status ?? {};
      return {
        ...base,
        clusterConfigured: true,
        ...(live
          ? {
              deployment: {
                name,
                replicas: (live.spec as { replicas?: number })?.replicas,
                readyReplicas: status.readyReplicas ?? 0,
                updatedReplicas: status.updatedReplicas ?? 0,
                availableReplicas: status.availableReplicas ?? 0,
                conditions: (status.conditions ?? []).map((c: any) => ({
                  type: c.type,
                  status: c.status,
                  ...(c.reason ? { reason: c.reason } : {}),
                  ...(c.message ? { message: c.message } : {}),
                })),
              },
            }
          : {
              error: `There is no Deployment ${name} in namespace ${namespace}`,
            }),
        pods: pods.map(p => ({
          name: p.name,
          phase: p.phase,
          ready: p.ready,
          restarts: p.restarts,
          ...(p.reason ? { reason: p.reason } : {}),
        })),
        events: events.slice(-20),
      };
    } catch (error) {
      return {
        ...base,
        clusterConfigured: true,
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
