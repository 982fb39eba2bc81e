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
    };
  };
}
