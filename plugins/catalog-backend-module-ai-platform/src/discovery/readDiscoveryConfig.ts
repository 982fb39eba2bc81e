import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type RootConfigService,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  ClusterNotConfiguredError,
  readClusterConfigs,
  type ClusterConfig,
} from '@internal/plugin-ai-platform-node';

/** GPU pool discovery settings, from `aiPlatform.discovery`. */
export type DiscoverySettings = {
  clusters: ClusterConfig[];
  schedule: SchedulerServiceTaskScheduleDefinition;
  owner: string;
  lifecycle: string;
  namespace: string;
  requestTimeoutMs: number;
};

/** Every 10 minutes, at most 5 minutes a run, the first a minute after start. */
export const DEFAULT_DISCOVERY_SCHEDULE: SchedulerServiceTaskScheduleDefinition =
  {
    frequency: { minutes: 10 },
    timeout: { minutes: 5 },
    initialDelay: { minutes: 1 },
  };

/** The owner when none is configured and no platform admins are. */
export const DEFAULT_DISCOVERY_OWNER = 'group:default/ml-platform';

/**
 * Reads `aiPlatform.discovery`; undefined when discovery is not enabled
 * (the default). Names the key and the configured clusters when
 * `clusters` lists one that `kubernetes.clusterLocatorMethods` lacks.
 */
export function readDiscoveryConfig(
  config: RootConfigService,
): DiscoverySettings | undefined {
  const discovery = config.getOptionalConfig('aiPlatform.discovery');
  if (!discovery?.getOptionalBoolean('enabled')) return undefined;
  const all = readClusterConfigs(config);
  const wanted = discovery.getOptionalStringArray('clusters');
  const clusters = wanted
    ? wanted.map(name => {
        const found = all.find(c => c.name === name);
        if (!found) {
          const error = new ClusterNotConfiguredError({
            cluster: name,
            configured: all.map(c => c.name),
          });
          error.message = `aiPlatform.discovery.clusters: ${error.message}`;
          throw error;
        }
        return found;
      })
    : all;
  const timeout = discovery.getOptionalNumber('requestTimeoutSeconds') ?? 30;
  if (!(timeout > 0)) {
    throw new Error(
      `aiPlatform.discovery.requestTimeoutSeconds must be a number of seconds > 0 (got ${timeout})`,
    );
  }
  return {
    clusters,
    schedule: discovery.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          discovery.getConfig('schedule'),
        )
      : DEFAULT_DISCOVERY_SCHEDULE,
    owner:
      discovery.getOptionalString('owner') ??
      config.getOptionalStringArray(
        'aiPlatform.permissions.platformAdmins',
      )?.[0] ??
      DEFAULT_DISCOVERY_OWNER,
    lifecycle: discovery.getOptionalString('lifecycle') ?? 'production',
    namespace: discovery.getOptionalString('namespace') ?? 'default',
    requestTimeoutMs: timeout * 1000,
  };
}
