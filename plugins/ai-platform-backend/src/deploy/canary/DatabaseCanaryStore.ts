import { NotFoundError } from '@backstage/errors';
import type {
  CanaryAnalysis,
  CanaryEngineName,
  CanaryEvent,
  CanaryPhase,
  CanarySplit,
  CanaryStep,
} from '@internal/plugin-ai-platform-common';
import type { Knex } from 'knex';
import type { CanaryClusterSettings } from './types';

/** One canary as stored (CanaryStatus without events, plus where it runs). */
export type StoredCanary = {
  deploymentId: string;
  endpointRef: string;
  revision: number;
  engine: CanaryEngineName;
  cluster: string;
  namespace: string;
  /** The endpoint's Kubernetes name. */
  name: string;
  team: string;
  poolRef: string;
  stableVersion: string;
  canaryVersion: string;
  steps: CanaryStep[];
  stepIndex: number;
  phase: CanaryPhase;
  message: string;
  pauseEndsAt?: string;
  split?: CanarySplit;
  analysis: CanaryAnalysis;
  /** The SLO numbers the analysis holds the canary to. */
  analysisTargets?: { maxErrorRate: number; maxTtftP95Seconds: number };
  settings: CanaryClusterSettings;
  warnings: string[];
  reservedGpus: number;
  /** Set once, by the one release that gave the reserved GPUs back. */
  reservationReleasedAt?: string;
  requestedBy: string;
  startedAt: string;
  updatedAt: string;
  endedAt?: string;
};

/** A new canary: what the promote's rollout step knows when it starts it. */
export type NewCanary = Omit<
  StoredCanary,
  'updatedAt' | 'endedAt' | 'reservationReleasedAt'
>;

/** What the driver and the actions change on a running canary. */
export type CanaryUpdate = Partial<
  Pick<
    StoredCanary,
    'stepIndex' | 'phase' | 'message' | 'split' | 'analysis' | 'warnings'
  >
> & { pauseEndsAt?: string | null };

type Row = {
  deployment_id: string;
  endpoint_ref: string;
  revision: number;
  engine: string;
  cluster: string;
  namespace: string;
  name: string;
  team_ref: string;
  pool_ref: string;
  stable_version: string;
  canary_version: string;
  steps: string;
  step_index: number;
  phase: string;
  message: string;
  pause_ends_at: string | null;
  split: string | null;
  analysis: string;
  analysis_targets: string | null;
  settings: string;
  warnings: string;
  reserved_gpus: number;
  reservation_released_at: string | null;
  requested_by: string;
  started_at: string;
  updated_at: string;
  ended_at: string | null;
};

function toCanary(row: Row): StoredCanary {
  return {
    deploymentId: row.deployment_id,
    endpointRef: row.endpoint_ref,
    revision: Number(row.revision),
    engine: row.engine as CanaryEngineName,
    cluster: row.cluster,
    namespace: row.namespace,
    name: row.name,
    team: row.team_ref,
    poolRef: row.pool_ref,
    stableVersion: row.stable_version,
    canaryVersion: row.canary_version,
    steps: JSON.parse(row.steps),
    stepIndex: Number(row.step_index),
    phase: row.phase as CanaryPhase,
    message: row.message,
    ...(row.pause_ends_at ? { pauseEndsAt: row.pause_ends_at } : {}),
    ...(row.split ? { split: JSON.parse(row.split) } : {}),
    analysis: JSON.parse(row.analysis),
    ...(row.analysis_targets
      ? { analysisTargets: JSON.parse(row.analysis_targets) }
      : {}),
    settings: JSON.parse(row.settings),
    warnings: JSON.parse(row.warnings),
    reservedGpus: Number(row.reserved_gpus),
    ...(row.reservation_released_at
      ? { reservationReleasedAt: row.reservation_released_at }
      : {}),
    requestedBy: row.requested_by,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    ...(row.ended_at ? { endedAt: row.ended_at } : {}),
  };
}

/** The canaries and their step changes, in the plugin's database. */
export class DatabaseCanaryStore {
  static create(options: { knex: Knex }): DatabaseCanaryStore {
    return new DatabaseCanaryStore(options.knex);
  }

  private constructor(private readonly knex: Knex) {}

  /** Records a new canary and its `started` event, in one transaction. */
  async create(canary: NewCanary, started: CanaryEvent): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx('canaries').insert({
        deployment_id: canary.deploymentId,
        endpoint_ref: canary.endpointRef,
        revision: canary.revision,
        engine: canary.engine,
        cluster: canary.cluster,
        namespace: canary.namespace,
        name: canary.name,
        team_ref: canary.team,
        pool_ref: canary.poolRef,
        stable_version: canary.stableVersion,
        canary_version: canary.canaryVersion,
        steps: JSON.stringify(canary.steps),
        step_index: canary.stepIndex,
        phase: canary.phase,
        message: canary.message,
        pause_ends_at: canary.pauseEndsAt ?? null,
        split: canary.split ? JSON.stringify(canary.split) : null,
        analysis: JSON.stringify(canary.analysis),
        analysis_targets: canary.analysisTargets
          ? JSON.stringify(canary.analysisTargets)
          : null,
        settings: JSON.stringify(canary.settings),
        warnings: JSON.stringify(canary.warnings),
        reserved_gpus: canary.reservedGpus,
        reservation_released_at: null,
        requested_by: canary.requestedBy,
        started_at: canary.startedAt,
        updated_at: canary.startedAt,
        ended_at: null,
      });
      await tx('canary_events').insert(eventRow(canary.deploymentId, started));
    });
  }

  async get(deploymentId: string): Promise<StoredCanary> {
    const row = await this.knex<Row>('canaries')
      .where('deployment_id', deploymentId)
      .first();
    if (!row) throw new NotFoundError(`There is no canary ${deploymentId}`);
    return toCanary(row);
  }

  /** The endpoint's newest canary (running or ended), if it had one. */
  async latest(endpointRef: string): Promise<StoredCanary | undefined> {
    const row = await this.knex<Row>('canaries')
      .where('endpoint_ref', endpointRef)
      .orderBy('started_at', 'desc')
      .orderBy('revision', 'desc')
      .first();
    return row ? toCanary(row) : undefined;
  }

  /** Every canary that has not ended, oldest first (the driver's work). */
  async running(): Promise<StoredCanary[]> {
    const rows = await this.knex<Row>('canaries')
      .whereNull('ended_at')
      .orderBy('started_at', 'asc');
    return rows.map(toCanary);
  }

  /**
   * Changes a running canary; false when it has ended (or, with
   * `expect`, moved from that step and phase meanwhile: another replica or
   * request got there first), in which case nothing changed.
   */
  async update(
    deploymentId: string,
    update: CanaryUpdate,
    at: string,
    expect?: { stepIndex: number; phase: CanaryPhase },
  ): Promise<boolean> {
    const row: Partial<Row> = { updated_at: at };
    if (update.stepIndex !== undefined) row.step_index = update.stepIndex;
    if (update.phase !== undefined) row.phase = update.phase;
    if (update.message !== undefined) row.message = update.message;
    if (update.split !== undefined) row.split = JSON.stringify(update.split);
    if (update.analysis !== undefined) {
      row.analysis = JSON.stringify(update.analysis);
    }
    if (update.warnings !== undefined) {
      row.warnings = JSON.stringify(update.warnings);
    }
    if (update.pauseEndsAt !== undefined) {
      row.pause_ends_at = update.pauseEndsAt;
    }
    const query = this.knex('canaries')
      .where('deployment_id', deploymentId)
      .whereNull('ended_at');
    if (expect) {
      query.where('step_index', expect.stepIndex).where('phase', expect.phase);
    }
    return (await query.update(row)) > 0;
  }

  /**
   * Ends a running canary in a final phase; false when it had ended
   * already (only one ending wins, however many replicas or requests try).
   */
  async end(
    deploymentId: string,
    end: { phase: CanaryPhase; message: string; stepIndex?: number },
    at: string,
  ): Promise<boolean> {
    const updated = await this.knex('canaries')
      .where('deployment_id', deploymentId)
      .whereNull('ended_at')
      .update({
        phase: end.phase,
        message: end.message,
        pause_ends_at: null,
        ...(end.stepIndex !== undefined ? { step_index: end.stepIndex } : {}),
        updated_at: at,
        ended_at: at,
      });
    return updated > 0;
  }

  /**
   * Claims the release of the canary's reserved GPUs: true for the one
   * caller that sets `reservation_released_at`, false for every later one.
   */
  async claimRelease(deploymentId: string, at: string): Promise<boolean> {
    const updated = await this.knex('canaries')
      .where('deployment_id', deploymentId)
      .whereNull('reservation_released_at')
      .update({ reservation_released_at: at });
    return updated > 0;
  }

  /**
   * Aborted canaries ended since `since` whose last split still shows the
   * canary serving: the driver reads their split again until the engine has
   * moved every request back to stable, so the page never shows a split
   * from before the abort as the current one.
   */
  async abortedDraining(since: string): Promise<StoredCanary[]> {
    const rows = await this.knex<Row>('canaries')
      .whereNotNull('ended_at')
      .where('phase', 'aborted')
      .where('ended_at', '>=', since);
    return rows
      .map(toCanary)
      .filter(
        c =>
          !c.split ||
          c.split.actualCanaryPercent > 0 ||
          c.split.canaryReplicas > 0,
      );
  }

  /** Records the split as read from the cluster, also after the canary has ended. */
  async recordSplit(
    deploymentId: string,
    split: CanarySplit,
    at: string,
  ): Promise<void> {
    await this.knex('canaries')
      .where('deployment_id', deploymentId)
      .update({ split: JSON.stringify(split), updated_at: at });
  }

  /** Ended canaries whose reservation was never released (after a crash in between). */
  async unreleased(): Promise<StoredCanary[]> {
    const rows = await this.knex<Row>('canaries')
      .whereNotNull('ended_at')
      .whereNull('reservation_released_at');
    return rows.map(toCanary);
  }

  async appendEvent(deploymentId: string, event: CanaryEvent): Promise<void> {
    await this.knex('canary_events').insert(eventRow(deploymentId, event));
  }

  /** The canary's step changes, oldest first. */
  async events(deploymentId: string): Promise<CanaryEvent[]> {
    const rows = await this.knex('canary_events')
      .where('deployment_id', deploymentId)
      .orderBy('id', 'asc');
    return rows.map(r => ({
      at: r.at,
      type: r.type,
      stepIndex: Number(r.step_index),
      actor: r.actor,
      message: r.message,
    }));
  }
}

function eventRow(deploymentId: string, event: CanaryEvent) {
  return {
    deployment_id: deploymentId,
    at: event.at,
    type: event.type,
    step_index: event.stepIndex,
    actor: event.actor,
    message: event.message,
  };
}
