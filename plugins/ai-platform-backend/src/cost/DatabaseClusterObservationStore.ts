import type { Knex } from 'knex';
import type { ClusterObservation } from './clusterObservation';

/** A cluster's last observation, and its latest failure to answer if after it. */
export type StoredClusterObservation = {
  observation?: ClusterObservation;
  /** When the cluster last failed to answer (after the observation). */
  failedAt?: number;
  failure?: string;
};

/** Where the collector keeps each cluster's last listed workloads and pods. */
export interface ClusterObservationStore {
  /** Every cluster's last observation (and failure), by cluster name. */
  all(): Promise<Map<string, StoredClusterObservation>>;
  /** Replaces the cluster's observation; clears its failure. */
  save(observation: ClusterObservation): Promise<void>;
  /** Records that the cluster did not answer; its last observation stays. */
  markFailed(options: {
    cluster: string;
    at: number;
    failure: string;
  }): Promise<void>;
}

type Row = {
  cluster: string;
  observed_at: number | string;
  state: string;
  failed_at: number | string | null;
  failure: string | null;
};

/**
 * The last observation of each cluster in `cluster_observations`: one row
 * per cluster, rewritten by every collection, read when the cluster stops
 * answering (its "last known state") and by the pages (what runs now).
 */
export class DatabaseClusterObservationStore
  implements ClusterObservationStore
{
  static create(options: { knex: Knex }): DatabaseClusterObservationStore {
    return new DatabaseClusterObservationStore(options.knex);
  }

  private constructor(private readonly knex: Knex) {}

  async all(): Promise<Map<string, StoredClusterObservation>> {
    const rows = await this.knex<Row>('cluster_observations').select();
    return new Map(
      rows.map(row => {
        const parsed = JSON.parse(row.state) as Omit<
          ClusterObservation,
          'cluster' | 'observedAt'
        >;
        const observedAt = Number(row.observed_at);
        return [
          row.cluster,
          {
            ...(observedAt > 0
              ? {
                  observation: {
                    cluster: row.cluster,
                    observedAt,
                    workloads: parsed.workloads ?? [],
                    pods: parsed.pods ?? [],
                  },
                }
              : {}),
            ...(row.failed_at !== null
              ? {
                  failedAt: Number(row.failed_at),
                  failure: row.failure ?? undefined,
                }
              : {}),
          },
        ];
      }),
    );
  }

  async save(observation: ClusterObservation): Promise<void> {
    const state = JSON.stringify({
      workloads: observation.workloads,
      pods: observation.pods,
    });
    await this.knex('cluster_observations')
      .insert({
        cluster: observation.cluster,
        observed_at: observation.observedAt,
        state,
        failed_at: null,
        failure: null,
      })
      .onConflict('cluster')
      .merge(['observed_at', 'state', 'failed_at', 'failure']);
  }

  async markFailed(options: {
    cluster: string;
    at: number;
    failure: string;
  }): Promise<void> {
    // A cluster never observed gets a row without state (observed_at 0).
    await this.knex('cluster_observations')
      .insert({
        cluster: options.cluster,
        observed_at: 0,
        state: '{}',
        failed_at: options.at,
        failure: options.failure.slice(0, 2000),
      })
      .onConflict('cluster')
      .merge(['failed_at', 'failure']);
  }
}
