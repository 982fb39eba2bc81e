import type {
  AuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type {
  CatalogService,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_DISCOVERY_ERROR,
  type GpuPoolEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import { deriveGpuPools } from './deriveGpuPools';
import { isDiscoveredPool } from './DiscoveredCapacityProcessor';
import type { DiscoverySnapshot } from './DiscoverySnapshot';
import {
  describeClusterError,
  readClusterInventory,
} from './readClusterInventory';
import type { DiscoverySettings } from './readDiscoveryConfig';
import type {
  ClusterInventory,
  DeployTargetsInventory,
  DiscoveredFigures,
  DiscoveredPool,
} from './types';

/** What one discovery run did, per cluster. */
export type GpuPoolDiscoveryResult = {
  clusters: Array<{
    cluster: string;
    status: 'ok' | 'failed';
    /** Refs of the pools found (for a failed cluster: kept from its last good run). */
    pools: string[];
    /** Why the cluster failed. */
    error?: string;
    /** Pools found but left out, and why. */
    skipped?: string[];
    /** The deploy targets the cluster serves (from its last good run). */
    deployTargets?: DeployTargetsInventory;
  }>;
  /** Discovered pools not emitted because a YAML GpuPool has the same ref; their figures are shown beside it. */
  shadowed: string[];
};

/** Reads one cluster; the real one uses @kubernetes/client-node. */
export type InventoryReader = (
  cluster: ClusterConfig,
  options: { timeoutMs: number },
) => Promise<ClusterInventory>;

/**
 * Keeps GpuPools discovered from the configured clusters in the catalog: per
 * cluster, from the nodes' GPU Feature Discovery labels and allocatable
 * resources, the pods' GPU requests, and Kueue's ResourceFlavors and
 * ClusterQueues where installed.
 *
 * A YAML pool always wins over a discovered one of the same name: the
 * provider leaves such pools out (it asks the catalog for GpuPools managed
 * elsewhere) and keeps their figures for {@link DiscoveredCapacityProcessor},
 * which shows them beside the YAML pool; and it emits its entities without
 * a location key, so that even a YAML pool the provider did not know of yet
 * takes the name over in the catalog.
 *
 * A cluster that fails is logged with its name and reason, named in the
 * run's result, and keeps the pools of its last good run, annotated with
 * `ai-platform.io/discovery-error`; the other clusters are not held up.
 */
export class GpuPoolDiscoveryProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private readonly lastGood = new Map<string, DiscoveredPool[]>();

  static create(options: {
    settings: DiscoverySettings;
    scheduler: SchedulerService;
    logger: LoggerService;
    catalog: CatalogService;
    auth: AuthService;
    snapshot: DiscoverySnapshot;
  }): GpuPoolDiscoveryProvider {
    return new GpuPoolDiscoveryProvider({
      ...options,
      taskRunner: options.scheduler.createScheduledTaskRunner(
        options.settings.schedule,
      ),
    });
  }

  constructor(
    private readonly options: {
      settings: DiscoverySettings;
      logger: LoggerService;
      catalog: CatalogService;
      auth: AuthService;
      snapshot: DiscoverySnapshot;
      /** Runs discovery on the schedule; without one, call `run()`. */
      taskRunner?: SchedulerServiceTaskRunner;
      readInventory?: InventoryReader;
    },
  ) {}

  getProviderName(): string {
    return 'ai-platform-gpu-pool-discovery';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.taskRunner?.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        await this.run();
      },
    });
  }

  /** One discovery run over every configured cluster. */
  async run(): Promise<GpuPoolDiscoveryResult> {
    const { connection } = this;
    if (!connection) {
      throw new Error(
        'GpuPoolDiscoveryProvider is not connected to the catalog yet',
      );
    }
    const { settings, logger } = this.options;
    const runs = await Promise.all(
      settings.clusters.map(cluster => this.discover(cluster)),
    );
    const yamlPools = await this.yamlPoolRefs();

    const entities: GpuPoolEntityV1alpha1[] = [];
    const shadowed = new Map<string, DiscoveredFigures>();
    const result: GpuPoolDiscoveryResult = { clusters: [], shadowed: [] };
    for (const run of runs) {
      const pools = run.pools ?? this.lastGood.get(run.cluster) ?? [];
      for (const pool of pools) {
        const ref = stringifyEntityRef(pool.entity);
        const figures = run.error
          ? { ...pool.figures, error: run.error }
          : pool.figures;
        if (yamlPools.has(ref)) {
          shadowed.set(ref, figures);
          continue;
        }
        entities.push(
          run.error
            ? {
                ...pool.entity,
                metadata: {
                  ...pool.entity.metadata,
                  annotations: {
                    ...pool.entity.metadata.annotations,
                    [ANNOTATION_DISCOVERY_ERROR]: run.error,
                  },
                },
              }
            : pool.entity,
        );
      }
      result.clusters.push({
        cluster: run.cluster,
        status: run.error ? 'failed' : 'ok',
        pools: pools.map(p => stringifyEntityRef(p.entity)),
        ...(run.error ? { error: run.error } : {}),
        ...(run.skipped?.length ? { skipped: run.skipped } : {}),
        ...(run.deployTargets ? { deployTargets: run.deployTargets } : {}),
      });
    }
    result.shadowed = [...shadowed.keys()];

    // No location key: a YAML pool of the same name (which has one) wins in the catalog.
    await connection.applyMutation({
      type: 'full',
      entities: entities.map(entity => ({ entity })),
    });
    const changed = this.options.snapshot.replace(shadowed);
    await this.refresh(changed.filter(ref => yamlPools.has(ref)));
    logger.info('GPU pool discovery finished', {
      pools: entities.length,
      shadowedByYaml: result.shadowed.length,
      failedClusters: result.clusters
        .filter(c => c.status === 'failed')
        .map(c => c.cluster)
        .join(', '),
    });
    return result;
  }

  private async discover(cluster: ClusterConfig): Promise<{
    cluster: string;
    pools?: DiscoveredPool[];
    skipped?: string[];
    deployTargets?: DeployTargetsInventory;
    error?: string;
  }> {
    const { settings, logger } = this.options;
    const read = this.options.readInventory ?? readClusterInventory;
    try {
      const inventory = await read(cluster, {
        timeoutMs: settings.requestTimeoutMs,
      });
      const { pools, skipped } = deriveGpuPools(inventory, {
        cluster: cluster.name,
        owner: settings.owner,
        lifecycle: settings.lifecycle,
        namespace: settings.namespace,
      });
      for (const reason of skipped) {
        logger.warn(
          `GPU pool discovery left a pool out in cluster "${cluster.name}": ${reason}`,
          {
            cluster: cluster.name,
          },
        );
      }
      this.lastGood.set(cluster.name, pools);
      if (inventory.deployTargets) {
        logger.info(
          `Cluster "${
            cluster.name
          }" serves the deploy targets ${inventory.deployTargets.targets.join(
            ', ',
          )}`,
          {
            cluster: cluster.name,
            llmInferenceServiceVersions:
              inventory.deployTargets.llmInferenceServiceVersions?.join(','),
          },
        );
      }
      return {
        cluster: cluster.name,
        pools,
        skipped,
        ...(inventory.deployTargets
          ? { deployTargets: inventory.deployTargets }
          : {}),
      };
    } catch (error) {
      const reason = describeClusterError(error, settings.requestTimeoutMs);
      logger.warn(
        `GPU pool discovery failed for cluster "${cluster.name}": ${reason}`,
        { cluster: cluster.name, reason },
      );
      return { cluster: cluster.name, error: reason };
    }
  }

  /** Refs of GpuPools in the catalog that discovery does not manage (written in YAML). */
  private async yamlPoolRefs(): Promise<Set<string>> {
    const { catalog, auth, logger } = this.options;
    try {
      const { items } = await catalog.getEntities(
        {
          filter: { kind: 'GpuPool' },
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'metadata.annotations',
          ],
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      return new Set(
        items
          .filter(e => !isDiscoveredPool(e))
          .map(e => stringifyEntityRef(e).toLocaleLowerCase('en-US')),
      );
    } catch (error) {
      // The catalog still refuses a discovered pool over a YAML one; only the figures beside it wait.
      logger.warn(
        'GPU pool discovery could not list the GpuPools in the catalog',
        {
          reason: describeClusterError(error, 0),
        },
      );
      return new Set();
    }
  }

  private async refresh(refs: string[]) {
    const { catalog, auth, logger } = this.options;
    for (const ref of refs) {
      try {
        await catalog.refreshEntity(ref, {
          credentials: await auth.getOwnServiceCredentials(),
        });
      } catch (error) {
        logger.debug('GPU pool discovery could not refresh a YAML pool', {
          entityRef: ref,
          reason: String(error),
        });
      }
    }
  }
}
