export interface Config {
  aiPlatform?: {
    /** Settings of the ai-platform scaffolder actions. */
    scaffolder?: {
      /**
       * The folder `ai-platform:publish:local` writes into (one subfolder per
       * published service). Relative paths are resolved against the backend's
       * working directory, as `file` catalog locations are. List
       * `<folder>/*\/catalog-info.yaml` under `catalog.locations` so that the
       * catalog reads what is published.
       * @default <repository root>/.data/published
       */
      localPublishDirectory?: string;
    };
  };
}
