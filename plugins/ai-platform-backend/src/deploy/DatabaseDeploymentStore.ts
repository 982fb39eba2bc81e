import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  DeploymentCheck,
  DeploymentEvent,
  DeploymentObject,
  DeploymentRecord,
  DeploymentState,
  RunningDeployment,
} from '@internal/plugin-ai-platform-common';
import { randomUUID } from 'crypto';
import type { Knex } from 'knex';
import { serialisedWrite } from '../database/serialisedWrite';
import type { KubernetesManifest } from './render/types';

/** A new deployment call, before it has a revision. */
export type NewDeployment = Omit<
  DeploymentRecord,
  | 'id'
  | 'revision'
  | 'createdAt'
  | 'updatedAt'
  | 'finishedAt'
  | 'events'
  | 'objects'
  | 'checks'
> & {
  manifests: KubernetesManifest[];
  checks?: DeploymentCheck[];
  objects?: DeploymentObject[];
  /** The caller's key of the call; a second call with it is a replay. */
  idempotencyKey?: string;
};

/** What a running deployment may change about its record. */
export type DeploymentUpdate = Partial<
  Pick<
    DeploymentRecord,
    'state' | 'checks' | 'objects' | 'error' | 'finishedAt' | 'canary'
  >
> & {
  /**
   * What the revision applied, when it changes after the call: a canary
   * that succeeded records what runs then (CanaryService.settle).
   */
  manifests?: KubernetesManifest[];
};

/** A stored deployment with the manifests it applied. */
export type StoredDeployment = DeploymentRecord & {
  manifests: KubernetesManifest[];
};

export interface DeploymentStore {
  /** Records a new call with the next revision of its endpoint. */
  create(deployment: NewDeployment): Promise<StoredDeployment>;
  update(id: string, update: DeploymentUpdate): Promise<void>;
  appendEvent(id: string, event: DeploymentEvent): Promise<void>;
  get(id: string): Promise<StoredDeployment>;
  /** The deployment a call with this idempotency key recorded, if any. */
  byIdempotencyKey(key: string): Promise<StoredDeployment | undefined>;
  list(options: {
    endpointRef?: string;
    limit?: number;
    /** Only revisions below this one (paging back in time). */
    beforeRevision?: number;
  }): Promise<DeploymentRecord[]>;
  /** Applied revisions (succeeded or unchanged, not dry runs), newest first. */
  applied(endpointRef: string): Promise<StoredDeployment[]>;
  /** The newest revisions that were not dry runs, in any state, with their manifests. */
  recent(endpointRef: string, limit: number): Promise<StoredDeployment[]>;
  /** Shows that a running deployment is alive (bumps updated_at). */
  touch(id: string): Promise<void>;
  /**
   * Marks records left in progress by a stopped backend as failed: those
   * in progress whose last sign of life is older than `staleBefore`.
   */
  /** Ends the in-progress records silent since `staleBefore` as failed; their ids. */
  failInterrupted(message: string, staleBefore: string): Promise<string[]>;
  /** The ids of the deployments in progress (not dry runs). */
  inProgress(): Promise<string[]>;
  /** Per endpoint, the newest applied revision: what runs now. */
  running(): Promise<RunningDeployment[]>;
}

type Row = {
  id: string;
  endpoint_ref: string;
  revision: number;
  operation: string;
  state: string;
  dry_run: boolean | number;
  model_ref: string;
  model_version: string;
  pool_ref: string;
  team_ref: string;
  cluster: string;
  namespace: string;
  gpus: number;
  requested_by: string;
  idempotency_key?: string | null;
  reason: string | null;
  restored_revision: number | null;
  spec_hash: string;
  checks: string;
  events: string;
  objects: string;
  manifests: string;
  error: string | null;
  sizing: string | null;
  canary?: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};

/** States a request is running: the interrupted-deployment sweep fails those left silent. */
const RUNNING: DeploymentState[] = [
  'pending',
  'checking',
  'applying',
  'rolling-out',
];

/**
 * States in progress: also `canary`, which the scheduled canary driver (not
 * a request) carries on, so the sweep leaves it alone; a new deployment of
 * the endpoint waits for it, and its reserved GPUs stay held.
 */
const IN_PROGRESS: DeploymentState[] = [...RUNNING, 'canary'];

function toRecord(row: Row): StoredDeployment {
  return {
    id: row.id,
    endpointRef: row.endpoint_ref,
    revision: Number(row.revision),
    operation: row.operation as DeploymentRecord['operation'],
    state: row.state as DeploymentState,
    dryRun: Boolean(row.dry_run),
    modelRef: row.model_ref,
    modelVersion: row.model_version,
    poolRef: row.pool_ref,
    team: row.team_ref,
    cluster: row.cluster,
    namespace: row.namespace,
    gpus: Number(row.gpus),
    requestedBy: row.requested_by,
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.restored_revision !== null
      ? { restoredRevision: Number(row.restored_revision) }
      : {}),
    specHash: row.spec_hash,
    checks: JSON.parse(row.checks),
    events: JSON.parse(row.events),
    objects: JSON.parse(row.objects),
    manifests: JSON.parse(row.manifests),
    ...(row.error !== null ? { error: JSON.parse(row.error) } : {}),
    ...(row.sizing !== null ? { sizing: JSON.parse(row.sizing) } : {}),
    ...(row.canary ? { canary: JSON.parse(row.canary) } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(row.finished_at !== null ? { finishedAt: row.finished_at } : {}),
  };
}

/**
 * What the API answers: the record, and the rendered objects only where they
 * are the answer (a dry run or a check-only run, where nothing was applied
 * and the objects are what the caller came to see). Other records name their
 * objects in `objects`; their full manifests stay in the database.
 */
export function publicRecord(stored: StoredDeployment): DeploymentRecord {
  const { manifests, ...record } = stored;
  return stored.dryRun || stored.state === 'check-only'
    ? { ...record, manifests }
    : record;
}

/** Deployment revisions in the plugin's database. */
export class DatabaseDeploymentStore implements DeploymentStore {
  static create(options: {
    knex: Knex;
    now?: () => Date;
  }): DatabaseDeploymentStore {
    return new DatabaseDeploymentStore(options.knex, options.now);
  }

  private constructor(
    private readonly knex: Knex,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  async create(deployment: NewDeployment): Promise<StoredDeployment> {
    const id = randomUUID();
    const now = this.now();
    // Serialise calls per endpoint: one in-progress deployment at a time
    // (dry runs excepted) and gap-free revision numbers.
    await serialisedWrite(
      this.knex,
      {
        key: `ai-platform-deploy:${deployment.endpointRef}`,
        sqliteWriteLock: { table: 'deployments', column: 'id' },
      },
      async tx => {
        if (deployment.idempotencyKey) {
          const used = await tx<Row>('deployments')
            .where('idempotency_key', deployment.idempotencyKey)
            .first('id', 'endpoint_ref', 'revision');
          if (used) {
            throw new ConflictError(
              `idempotency key ${JSON.stringify(
                deployment.idempotencyKey,
              )} was used by deployment ${used.id} (revision ${
                used.revision
              } of ${used.endpoint_ref})`,
            );
          }
        }
        if (!deployment.dryRun) {
          const running = await tx<Row>('deployments')
            .where('endpoint_ref', deployment.endpointRef)
            .where('dry_run', false)
            .whereIn('state', IN_PROGRESS)
            .first('revision', 'state');
          if (running) {
            throw new ConflictError(
              `${deployment.endpointRef} has deployment revision ${running.revision} in progress (${running.state}); wait for it to finish`,
            );
          }
        }
        const last = await tx('deployments')
          .where('endpoint_ref', deployment.endpointRef)
          .max({ revision: 'revision' })
          .first();
        const revision = Number(last?.revision ?? 0) + 1;
        await tx('deployments').insert({
          id,
          endpoint_ref: deployment.endpointRef,
          revision,
          operation: deployment.operation,
          state: deployment.state,
          dry_run: deployment.dryRun,
          model_ref: deployment.modelRef,
          model_version: deployment.modelVersion,
          pool_ref: deployment.poolRef,
          team_ref: deployment.team,
          cluster: deployment.cluster,
          namespace: deployment.namespace,
          gpus: deployment.gpus,
          requested_by: deployment.requestedBy,
          idempotency_key: deployment.idempotencyKey ?? null,
          reason: deployment.reason ?? null,
          restored_revision: deployment.restoredRevision ?? null,
          spec_hash: deployment.specHash,
          checks: JSON.stringify(deployment.checks ?? []),
          events: JSON.stringify([]),
          objects: JSON.stringify(deployment.objects ?? []),
          manifests: JSON.stringify(deployment.manifests),
          error: deployment.error ? JSON.stringify(deployment.error) : null,
          sizing: deployment.sizing ? JSON.stringify(deployment.sizing) : null,
          ...(deployment.canary
            ? { canary: JSON.stringify(deployment.canary) }
            : {}),
          created_at: now,
          updated_at: now,
          finished_at: null,
        });
      },
    );
    return this.get(id);
  }

  async update(id: string, update: DeploymentUpdate): Promise<void> {
    const row: Partial<Row> = { updated_at: this.now() };
    if (update.state !== undefined) row.state = update.state;
    if (update.checks !== undefined) row.checks = JSON.stringify(update.checks);
    if (update.objects !== undefined) {
      row.objects = JSON.stringify(update.objects);
    }
    if (update.error !== undefined) row.error = JSON.stringify(update.error);
    if (update.finishedAt !== undefined) row.finished_at = update.finishedAt;
    if (update.canary !== undefined) row.canary = JSON.stringify(update.canary);
    if (update.manifests !== undefined) {
      row.manifests = JSON.stringify(update.manifests);
    }
    const updated = await this.knex('deployments').where('id', id).update(row);
    if (!updated) {
      throw new NotFoundError(`There is no deployment ${id}`);
    }
  }

  async appendEvent(id: string, event: DeploymentEvent): Promise<void> {
    await this.knex.transaction(async tx => {
      const row = await tx<Row>('deployments').where('id', id).first('events');
      if (!row) {
        throw new NotFoundError(`There is no deployment ${id}`);
      }
      const events = JSON.parse(row.events) as DeploymentEvent[];
      events.push(event);
      await tx('deployments')
        .where('id', id)
        .update({ events: JSON.stringify(events), updated_at: this.now() });
    });
  }

  async byIdempotencyKey(key: string): Promise<StoredDeployment | undefined> {
    const row = await this.knex<Row>('deployments')
      .where('idempotency_key', key)
      .first();
    return row ? toRecord(row) : undefined;
  }

  async get(id: string): Promise<StoredDeployment> {
    const row = await this.knex<Row>('deployments').where('id', id).first();
    if (!row) {
      throw new NotFoundError(`There is no deployment ${id}`);
    }
    return toRecord(row);
  }

  async list(options: {
    endpointRef?: string;
    limit?: number;
    beforeRevision?: number;
  }): Promise<DeploymentRecord[]> {
    const query = this.knex<Row>('deployments')
      .orderBy('created_at', 'desc')
      .orderBy('revision', 'desc')
      .limit(options.limit ?? 50);
    if (options.endpointRef) {
      query.where('endpoint_ref', options.endpointRef);
    }
    if (options.beforeRevision !== undefined) {
      query.where('revision', '<', options.beforeRevision);
    }
    return (await query).map(row => publicRecord(toRecord(row)));
  }

  async applied(endpointRef: string): Promise<StoredDeployment[]> {
    const rows = await this.knex<Row>('deployments')
      .where('endpoint_ref', endpointRef)
      .where('dry_run', false)
      .whereIn('state', ['succeeded', 'unchanged'])
      .orderBy('revision', 'desc');
    return rows.map(toRecord);
  }

  async recent(
    endpointRef: string,
    limit: number,
  ): Promise<StoredDeployment[]> {
    const rows = await this.knex<Row>('deployments')
      .where('endpoint_ref', endpointRef)
      .where('dry_run', false)
      .orderBy('revision', 'desc')
      .limit(limit);
    return rows.map(toRecord);
  }

  async running(): Promise<RunningDeployment[]> {
    const applied = () =>
      this.knex('deployments')
        .where('dry_run', false)
        .whereIn('state', ['succeeded', 'unchanged']);
    const rows = await applied()
      .join(
        applied()
          .select('endpoint_ref')
          .max({ latest: 'revision' })
          .groupBy('endpoint_ref')
          .as('latest'),
        join =>
          join
            .on('latest.endpoint_ref', '=', 'deployments.endpoint_ref')
            .andOn('latest.latest', '=', 'deployments.revision'),
      )
      .select(
        'deployments.endpoint_ref',
        'deployments.revision',
        'deployments.model_version',
        'deployments.finished_at',
      )
      .orderBy('deployments.endpoint_ref');
    return rows.map(row => ({
      endpointRef: row.endpoint_ref,
      revision: Number(row.revision),
      modelVersion: row.model_version,
      ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
    }));
  }

  async touch(id: string): Promise<void> {
    await this.knex('deployments')
      .where('id', id)
      .update({ updated_at: this.now() });
  }

  async inProgress(): Promise<string[]> {
    const rows = await this.knex<Row>('deployments')
      .where('dry_run', false)
      .whereIn('state', IN_PROGRESS)
      .select('id');
    return rows.map(r => r.id);
  }

  async failInterrupted(
    message: string,
    staleBefore: string,
  ): Promise<string[]> {
    const rows = await this.knex<Row>('deployments')
      .whereIn('state', RUNNING)
      .where('updated_at', '<', staleBefore)
      .select('id', 'checks');
    const now = this.now();
    for (const row of rows) {
      const checks = JSON.parse(row.checks) as DeploymentCheck[];
      const last = checks.at(-1)?.name ?? 'apply';
      await this.knex('deployments')
        .where('id', row.id)
        // Not one that moved on meanwhile (e.g. to a running canary).
        .whereIn('state', RUNNING)
        .update({
          state: 'failed',
          error: JSON.stringify({ check: last, message }),
          updated_at: now,
          finished_at: now,
        });
    }
    return rows.map(r => r.id);
  }
}
