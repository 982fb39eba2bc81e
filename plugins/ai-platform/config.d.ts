export interface Config {
  /** Configuration of the ai-platform plugins. */
  aiPlatform?: {
    /**
     * The demo's settings. A production portal leaves them out
     * (app-config.simulated.yaml sets them for ./scripts/start and the tests).
     */
    demo?: {
      /**
       * Names of `kubernetes.clusterLocatorMethods` clusters that are
       * simulated: fake Kubernetes API servers with simulated GPU nodes, and
       * a simulated Prometheus for their serving metrics. The portal's pages
       * mark them (and their metrics) as simulated.
       * @visibility frontend
       */
      simulatedClusters?: string[];
      /**
       * What each simulated cluster serves beyond the demo's base set, by
       * cluster name (read by the simulated clusters only,
       * packages/fake-kube-apiserver): `groups` adds optional API groups
       * (`argo-rollouts`, `gateway-api`); `gateways` are Gateways (with
       * their GatewayClass, default `simulated`) that exist from the start.
       * Entries of clusters not in `simulatedClusters` are ignored.
       */
      simulatedClusterApis?: {
        [cluster: string]: {
          groups?: Array<'argo-rollouts' | 'gateway-api'>;
          gateways?: Array<{
            namespace: string;
            name: string;
            className?: string;
          }>;
        };
      };
    };
  };
}
