/*
 * Over 500 lines on purpose: this is the one entry point of every deploy,
 * promote (rolling or canary) and rollback call, and of the canary actions'
 * access check, so that each call is resolved, planned, replayed and
 * audited in one place; the work itself is in pipeline/, canary/ and the
 * runner.
 */
import type {
  AuthService,
  BackstageCredentials,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  type CanaryStep,
  type DeploymentOperation,
  type DeploymentRecord,
  type EndpointLiveStatus,
  isFinalDeploymentState,
  isInferenceEndpointEntity,
} from '@internal/plugin-ai-platform-common';
import { actorOf } from '../audit/AuditLog';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import type { JsonObject } from '@backstage/types';
import type { AuditLog } from '../audit/AuditLog';
import type { EvalStore } from '../evals/DatabaseEvalStore';
import type { EvalService } from '../evals/EvalService';
import type { QuotaService } from '../quotas/QuotaService';
import { ClusterClients } from './ClusterClients';
import { type DeploymentStore, publicRecord } from './DatabaseDeploymentStore';
import type { DeploymentCall, StartedDeployment } from './DeploymentCall';
import { HEARTBEAT_MS } from './DeploymentRecorder';
import {
  type DeploymentFinishedListener,
  DeploymentRunner,
} from './DeploymentRunner';
import type { KubernetesClusterClient } from './kube/KubernetesClusterClient';
import { DEPLOYMENT_STEPS } from './pipeline/deploymentSteps';
import {
  type DeploymentPlan,
  planDeployment,
  planRollback,
  renderEndpoint,
  requireModelVersion,
} from './planDeployment';
import { readLiveStatus } from './readLiveStatus';
import {
  type CanaryEndedListener,
  CanaryService,
} from './canary/CanaryService';
import type { DatabaseCanaryStore } from './canary/DatabaseCanaryStore';
import { type CanaryEngines, planCanary } from './canary/planCanary';
import { validateCanarySteps } from './canary/validateCanarySteps';
import { authorizeCanaryAction } from './canary/authorizeCanary';
import { clusterTarget } from './targets/clusterTargets';
import { EndpointIdentities } from './tenancy/EndpointIdentities';
import { NamespaceOwners } from './tenancy/NamespaceOwners';
import type { RenderedEndpoint } from './render/types';
import {
  canonicalEndpointRef,
  endpointRefOf,
  resolveEndpoint,
} from './resolveEndpoint';
import type { DeployOptions } from './types';

export type { DeploymentCall, StartedDeployment } from './DeploymentCall';

/** How often a replayed call looks whether the earlier call's record is final. */
const REPLAY_POLL_MS = 500;
export { HEARTBEAT_MS } from './DeploymentRecorder';

/** What the deployment service is built from. */
export type DeploymentServiceOptions = {
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
  /** Told of every final record (e.g. to notify the owners of a failure). */
  onFinished?: DeploymentFinishedListener;
  /** Canary promotes (docs/canary.md); without it a promote with strategy canary is refused. */
  canary?: {
    store: DatabaseCanaryStore;
    engines: CanaryEngines;
    /** The Prometheus an analysis reads, per cluster (none: analysis `none`). */
    prometheusUrlFor?: (cluster: string) => string | undefined;
    onEnded?: CanaryEndedListener;
  };
  now?: () => Date;
};

/**
 * Deploys inference endpoints to their pools' clusters: checks (permission,
 * sizing, eval gates, quota and capacity), server-side apply of the rendered
 * objects, and the rollout wait. Every call becomes a revision in the
 * deployment store and one audit record.
 *
 * A call is resolved (resolveEndpoint), planned (planDeployment), then run
 * (DeploymentRunner) through the steps of DEPLOYMENT_STEPS, one file each
 * in `pipeline/`, while a DeploymentRecorder keeps its record.
 */
export class DeploymentService {
  private readonly clients: ClusterClients;
  private readonly runner: DeploymentRunner;
  /** Who owns each namespace; also what the permission resource of an endpoint carries. */
  readonly namespaceOwners: NamespaceOwners;
  /** The canary workflow, when canary promotes are set up. */
  readonly canaries?: CanaryService;

  constructor(private readonly options: DeploymentServiceOptions) {
    this.clients = new ClusterClients({
      clusters: options.clusters,
      createClient: options.createClient,
    });
    const clients = this.clients;
    this.namespaceOwners = new NamespaceOwners({
      ...options.deploy.namespaces,
      clientOf: name => {
        const found = clients.target(name, '');
        return 'cluster' in found ? clients.client(found.cluster) : undefined;
      },
    });
    if (options.canary) {
      this.canaries = new CanaryService({
        store: options.canary.store,
        deployments: options.store,
        quotas: options.quotas,
        engines: options.canary.engines,
        clientOf: name => {
          const found = clients.target(name, '');
          return 'cluster' in found ? clients.client(found.cluster) : undefined;
        },
        auditLog: options.auditLog,
        logger: options.logger,
        onEnded: options.canary.onEnded,
        now: () => this.now(),
      });
    }
    this.runner = new DeploymentRunner({
      onFinished: options.onFinished,
      store: options.store,
      auditLog: options.auditLog,
      logger: options.logger,
      clients: this.clients,
      deps: {
        permissions: options.permissions,
        permissionsRegistry: options.permissionsRegistry,
        quotas: options.quotas,
        evals: options.evals,
        evalStore: options.evalStore,
        auditLog: options.auditLog,
        store: options.store,
        clients: this.clients,
        namespaceOwners: this.namespaceOwners,
        identities: new EndpointIdentities({
          catalog: options.catalog,
          auth: options.auth,
        }),
        deploy: options.deploy,
        ...(this.canaries ? { canaries: this.canaries } : {}),
      },
      steps: DEPLOYMENT_STEPS,
      now: () => this.now().toISOString(),
    });
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  private resolve(
    endpoint: string | Record<string, unknown>,
    credentials: BackstageCredentials,
  ) {
    return resolveEndpoint({
      catalog: this.options.catalog,
      endpoint,
      credentials,
    });
  }

  /**
   * Runs what comes before a call is planned (finding the endpoint, its model
   * and pool, the version or revision asked for). A call refused there has no
   * revision, since nothing was planned, but it leaves an audit record (and
   * an auditor event) of the failure, like every other call.
   */
  private async plan(
    operation: DeploymentOperation,
    call: DeploymentCall,
    target: string | undefined,
    request: JsonObject,
    fn: () => Promise<DeploymentPlan>,
  ): Promise<DeploymentPlan> {
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

  /**
   * A call repeated with the idempotency key of an earlier one (a resumed
   * scaffolder task, a retried request) answers the earlier call's record
   * and starts nothing. The key must have been used by the same caller for
   * the same operation on the same endpoint; anything else is a conflict.
   */
  private async replayed(
    operation: DeploymentOperation,
    call: DeploymentCall,
    endpointRef: string | undefined,
  ): Promise<StartedDeployment | undefined> {
    if (!call.idempotencyKey) return undefined;
    const earlier = await this.options.store.byIdempotencyKey(
      call.idempotencyKey,
    );
    if (!earlier) return undefined;
    const actor = actorOf(call.credentials);
    if (
      earlier.endpointRef !== endpointRef ||
      earlier.operation !== operation ||
      earlier.requestedBy !== actor
    ) {
      const error = new ConflictError(
        `idempotency key ${JSON.stringify(
          call.idempotencyKey,
        )} was used for another call (${earlier.operation} of ${
          earlier.endpointRef
        } by ${earlier.requestedBy}); use a new key for a new call`,
      );
      await this.options.auditLog.recordFailure(
        {
          action: `endpoint.${operation}`,
          credentials: call.credentials,
          target: endpointRef,
          request: { idempotencyKey: call.idempotencyKey },
          httpRequest: call.httpRequest,
        },
        error,
      );
      throw error;
    }
    const settled = this.settledRecord(earlier.id);
    return {
      record: publicRecord(earlier),
      settled,
      ...(call.wait ? { record: await settled } : {}),
    };
  }

  /** The record of a deployment once it is final (polled: another call, or another replica, runs it). */
  private async settledRecord(id: string): Promise<DeploymentRecord> {
    for (;;) {
      const record = await this.options.store.get(id);
      if (isFinalDeploymentState(record.state)) return publicRecord(record);
      await new Promise(resolve => {
        setTimeout(resolve, REPLAY_POLL_MS).unref?.();
      });
    }
  }

  /** Deploys (creates or updates) an endpoint as its entity describes it. */
  async deploy(
    call: DeploymentCall & { endpoint: string | Record<string, unknown> },
  ): Promise<StartedDeployment> {
    const replay = await this.replayed(
      'deploy',
      call,
      endpointRefOf(call.endpoint),
    );
    if (replay) return replay;
    const plan = await this.plan(
      'deploy',
      call,
      endpointRefOf(call.endpoint),
      {},
      async () => {
        const resolved = await this.resolve(call.endpoint, call.credentials);
        return planDeployment({
          resolved,
          operation: 'deploy',
          modelVersion: resolved.endpoint.spec.modelVersion,
          deploy: this.options.deploy,
          allowDowntime: call.allowDowntime,
        });
      },
    );
    return this.runner.start(plan, call);
  }

  /** Moves an endpoint to another version of its model. */
  async promote(
    call: DeploymentCall & {
      endpointRef: string;
      modelVersion: string;
      /** `canary`: step by step through the cluster's rollout engine (docs/canary.md). */
      strategy?: 'rolling' | 'canary';
      /** The canary's steps, checked (validateCanarySteps). */
      canarySteps?: CanaryStep[];
    },
  ): Promise<StartedDeployment> {
    const replay = await this.replayed(
      'promote',
      call,
      endpointRefOf(call.endpointRef),
    );
    if (replay) return replay;
    const plan = await this.plan(
      'promote',
      call,
      endpointRefOf(call.endpointRef),
      {
        modelVersion: call.modelVersion,
        ...(call.strategy === 'canary'
          ? {
              strategy: 'canary',
              steps: (call.canarySteps ?? []).map(s => ({ ...s })),
            }
          : {}),
      },
      async () => {
        const resolved = await this.resolve(call.endpointRef, call.credentials);
        requireModelVersion(resolved, call.modelVersion);
        const rolling = planDeployment({
          resolved,
          operation: 'promote',
          modelVersion: call.modelVersion,
          deploy: this.options.deploy,
          allowDowntime: call.allowDowntime,
        });
        if (call.strategy !== 'canary') return rolling;
        return this.planCanary(rolling, call.canarySteps);
      },
    );
    return this.runner.start(plan, call);
  }

  /**
   * The canary workflow, or a 404 saying canaries are not set up. With
   * `authorize`: the caller must hold the promote's permission on the
   * endpoint (canary/authorizeCanary.ts), else 403; an endpoint the caller
   * cannot see in the catalog is a 404.
   */
  async canaryFor(options: {
    credentials: BackstageCredentials;
    endpointRef: string;
    authorize?: string;
  }): Promise<{ canaries: CanaryService; endpointRef: string }> {
    const canaries = this.canaries;
    if (!canaries) {
      throw new NotFoundError('canary promotes are not set up in this backend');
    }
    const resolved = await this.resolve(
      options.endpointRef,
      options.credentials,
    );
    if (options.authorize) {
      const latest = await canaries.store.latest(resolved.endpointRef);
      await authorizeCanaryAction({
        permissions: this.options.permissions,
        permissionsRegistry: this.options.permissionsRegistry,
        namespaceOwners: this.namespaceOwners,
        credentials: options.credentials,
        resolved,
        cluster: latest?.cluster ?? resolved.pool.spec.cluster,
        namespace:
          latest?.namespace ?? resolved.endpoint.spec.namespace ?? 'default',
        action: options.authorize,
      });
    }
    return { canaries, endpointRef: resolved.endpointRef };
  }

  /** A promote's plan as a canary's (canary/planCanary.ts). */
  private async planCanary(
    plan: DeploymentPlan,
    steps: CanaryStep[] | undefined,
  ): Promise<DeploymentPlan> {
    const canary = this.options.canary;
    if (!canary) {
      throw new ConflictError(
        'strategy canary: canary promotes are not set up in this backend',
      );
    }
    const found = this.clients.target(
      plan.pool.spec.cluster,
      stringifyEntityRef(plan.pool),
    );
    return planCanary({
      plan,
      steps: validateCanarySteps(steps),
      deploy: this.options.deploy,
      engines: canary.engines,
      client:
        'cluster' in found ? this.clients.client(found.cluster) : undefined,
      store: this.options.store,
      prometheusUrlFor: canary.prometheusUrlFor,
    });
  }

  /** Re-applies the objects of an earlier revision (by default the one before the running one). */
  async rollback(
    call: DeploymentCall & { endpointRef: string; toRevision?: number },
  ): Promise<StartedDeployment> {
    const replay = await this.replayed(
      'rollback',
      call,
      endpointRefOf(call.endpointRef),
    );
    if (replay) return replay;
    const plan = await this.plan(
      'rollback',
      call,
      endpointRefOf(call.endpointRef),
      call.toRevision !== undefined ? { toRevision: call.toRevision } : {},
      async () =>
        planRollback({
          resolved: await this.resolve(call.endpointRef, call.credentials),
          store: this.options.store,
          toRevision: call.toRevision,
          allowDowntime: call.allowDowntime,
        }),
    );
    return this.runner.start(plan, call);
  }

  /** Renders an endpoint's objects without checking or applying anything. */
  async render(options: {
    credentials: BackstageCredentials;
    endpoint: string | Record<string, unknown>;
    modelVersion?: string;
  }): Promise<RenderedEndpoint & { endpointRef: string; cluster: string }> {
    const resolved = await this.resolve(options.endpoint, options.credentials);
    const rendered = renderEndpoint({
      resolved,
      modelVersion: options.modelVersion,
      deploy: this.options.deploy,
    });
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
        ? canonicalEndpointRef(options.endpointRef)
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
      this.now().getTime() - 3 * HEARTBEAT_MS,
    ).toISOString();
    const failed = await this.options.store.failInterrupted(
      'The backend stopped while this deployment was in progress; run it again (a re-run converges)',
      staleBefore,
    );
    if (failed.length) {
      this.options.logger.warn('Marked interrupted deployments as failed', {
        count: failed.length,
      });
      await this.tellInterrupted(failed);
    }
    // Surge GPUs held by rollouts that no backend runs any more go back.
    const released = await this.options.quotas.releaseSurges({
      inProgress: await this.options.store.inProgress(),
    });
    if (released) {
      this.options.logger.warn('Released the surge GPUs of ended rollouts', {
        count: released,
      });
    }
  }

  /** Tells the listener of records the sweep ended, with their endpoints as the catalog has them. */
  private async tellInterrupted(ids: string[]): Promise<void> {
    const listener = this.options.onFinished;
    if (!listener) return;
    const credentials = await this.options.auth.getOwnServiceCredentials();
    for (const id of ids) {
      try {
        const record = publicRecord(await this.options.store.get(id));
        const endpoint = await this.options.catalog.getEntityByRef(
          record.endpointRef,
          { credentials },
        );
        if (endpoint && isInferenceEndpointEntity(endpoint)) {
          await listener(record, { endpoint });
        }
      } catch (error) {
        this.options.logger.warn('A deployment listener failed', {
          deployment: id,
          error: String(error),
        });
      }
    }
  }

  /** What runs now: the records' running version and, where a cluster is configured, the workload's state. */
  async status(options: {
    credentials: BackstageCredentials;
    endpointRef: string;
  }): Promise<EndpointLiveStatus> {
    const resolved = await this.resolve(
      options.endpointRef,
      options.credentials,
    );
    const [running] = await this.options.store.applied(resolved.endpointRef);
    return readLiveStatus({
      resolved,
      running,
      clients: this.clients,
      logger: this.options.logger,
      target: clusterTarget(
        this.options.deploy.clusterTargets,
        resolved.pool.spec.cluster,
      ).target,
    });
  }
}
