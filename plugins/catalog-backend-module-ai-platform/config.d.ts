import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the ai-platform plugins. */
  aiPlatform?: {
    /**
     * GPU pool discovery: GpuPool entities from the GPU Feature Discovery
     * labels, allocatable resources and pod requests of the nodes of the
     * clusters in `kubernetes.clusterLocatorMethods` (type `config`, auth
     * provider `serviceAccount`), and Kueue ResourceFlavors and
     * ClusterQueues where installed. A GpuPool written in YAML with the same
     * name wins; the discovered figures are shown beside it.
     */
    discovery?: {
      /**
       * Turn discovery on. Needs reachable clusters with a service account
       * that may list nodes, pods and (optionally) Kueue objects.
       * @default false
       */
      enabled?: boolean;
      /**
       * When discovery runs (frequency, timeout, initialDelay, scope).
       * @default { frequency: { minutes: 10 }, timeout: { minutes: 5 }, initialDelay: { minutes: 1 } }
       */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      /**
       * Names of the clusters to discover (as in
       * `kubernetes.clusterLocatorMethods[].clusters[].name`).
       * @default every configured cluster
       */
      clusters?: string[];
      /**
       * `spec.owner` of discovered pools, a Group entity ref.
       * @default the first of aiPlatform.permissions.platformAdmins, else group:default/ml-platform
       */
      owner?: string;
      /**
       * `spec.lifecycle` of discovered pools.
       * @default production
       */
      lifecycle?: string;
      /**
       * Catalog namespace of discovered pools.
       * @default default
       */
      namespace?: string;
      /**
       * Seconds one request to a cluster's API server may take before the
       * cluster counts as failed for this run.
       * @default 30
       */
      requestTimeoutSeconds?: number;
    };
  };
}
