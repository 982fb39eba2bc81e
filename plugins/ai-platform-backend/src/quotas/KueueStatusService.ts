import type { Config } from '@backstage/config';
import {
  findClusterConfig,
  readClusterConfigs,
} from '@internal/plugin-ai-platform-node';
import { NotFoundError } from '@backstage/errors';
import type { FleetSource } from '../fleet/FleetSource';
import { type KueueQueueStatus, KueueReader } from './KueueReader';

/** Kueue's view of a pool, or why it cannot be shown. */
export type PoolKueueStatus = {
  pool: string;
  cluster: string;
  available: boolean;
  /** Why there are no Kueue figures: no queue in the pool spec, no cluster config, or the cluster's answer. */
  reason?: string;
  queue?: KueueQueueStatus;
};

/**
 * Reads a pool's Kueue ClusterQueue (nominal quota and usage of the pool's
 * GPU resource and flavor) from its cluster, for showing beside our quotas.
 * Optional: pools without spec.kueue.clusterQueue, or whose cluster is not
 * configured or does not answer, say why instead.
 */
export class KueueStatusService {
  constructor(
    private readonly options: {
      config: Config;
      fleet: FleetSource;
      reader?: KueueReader;
    },
  ) {}

  async poolStatus(poolRef: string): Promise<PoolKueueStatus> {
    const snapshot = await this.options.fleet.snapshot();
    const pool = snapshot.pools.find(p => p.ref === poolRef);
    if (!pool) {
      throw new NotFoundError(`${poolRef} is not in the catalog`);
    }
    const base = { pool: pool.ref, cluster: pool.cluster };
    const clusterQueue = pool.kueue?.clusterQueue;
    if (!clusterQueue) {
      return {
        ...base,
        available: false,
        reason: `${pool.ref} has no spec.kueue.clusterQueue`,
      };
    }
    let cluster;
    try {
      cluster = findClusterConfig(
        readClusterConfigs(this.options.config),
        pool.cluster,
        pool.ref,
      );
    } catch (error) {
      return { ...base, available: false, reason: (error as Error).message };
    }
    try {
      const queue = await (this.options.reader ?? new KueueReader()).read({
        cluster,
        clusterQueue,
        resource: pool.resourceName,
        flavor: pool.kueue?.resourceFlavor,
      });
      return { ...base, available: true, queue };
    } catch (error) {
      return {
        ...base,
        available: false,
        reason: `ClusterQueue ${clusterQueue} could not be read from cluster ${
          pool.cluster
        }: ${(error as Error).message}`,
      };
    }
  }
}
