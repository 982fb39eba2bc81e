export interface Config {
  /** Configuration of the ai-platform plugins. */
  aiPlatform?: {
    /** Who may do what; read by the permission policy of packages/backend. */
    permissions?: {
      /**
       * Group entity refs whose members are platform admins: they may do
       * everything, e.g. `group:default/ml-platform`.
       * @default []
       */
      platformAdmins?: string[];
      /**
       * Who may read cost figures: `everyone` signed in, or a list of group
       * or user entity refs (platform admins always may).
       * @default everyone
       */
      costReaders?: 'everyone' | string[];
      /**
       * Who may read the audit log: `everyone` signed in, or a list of group
       * or user entity refs (platform admins always may).
       * @default admins only (an empty list)
       */
      auditReaders?: 'everyone' | string[];
    };
    /** GPU usage collection and cost. */
    cost?: {
      /** The scheduled usage collector. */
      collector?: {
        /**
         * Turn the collector off (e.g. in a read-only replica set).
         * @default true
         */
        enabled?: boolean;
        /**
         * Minutes per sample interval; the collector runs once per interval
         * across all backend replicas.
         * @default 5
         */
        intervalMinutes?: number;
        /**
         * Days raw samples are kept; hourly and daily rollups are kept.
         * @default 30
         */
        rawRetentionDays?: number;
      };
      /**
       * Prometheus that scrapes vLLM (vllm:prompt_tokens_total,
       * vllm:generation_tokens_total by model_name) and the DCGM exporter
       * (DCGM_FI_DEV_GPU_UTIL by pod). Optional: without it, cost comes from
       * allocation alone, and every answer says so.
       */
      prometheus?: {
        /** URL for clusters without their own entry, e.g. http://prometheus:9090 */
        url?: string;
        /** Per cluster name (as in kubernetes.clusterLocatorMethods). */
        clusters?: {
          [clusterName: string]: {
            url: string;
          };
        };
        /**
         * Extra request headers, e.g. Authorization for a managed Prometheus.
         * @visibility secret
         */
        headers?: { [name: string]: string };
      };
      /**
       * Fill an empty database with 12 months of generated usage history for
       * the catalog's endpoints (the demo turns this on).
       * @default false
       */
      seedDemoHistory?: boolean;
    };
  };
}
