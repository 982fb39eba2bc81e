import { mockServices } from '@backstage/backend-test-utils';
import {
  DEFAULT_DISCOVERY_OWNER,
  DEFAULT_DISCOVERY_SCHEDULE,
  readDiscoveryConfig,
} from './readDiscoveryConfig';

const clusters = {
  kubernetes: {
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: [
          {
            name: 'a',
            url: 'https://a.example.com',
            authProvider: 'serviceAccount',
          },
          {
            name: 'b',
            url: 'https://b.example.com',
            authProvider: 'serviceAccount',
          },
        ],
      },
    ],
  },
};

const config = (data: object) =>
  mockServices.rootConfig({ data: data as never });

describe('readDiscoveryConfig', () => {
  it('is off by default', () => {
    expect(readDiscoveryConfig(config(clusters))).toBeUndefined();
    expect(
      readDiscoveryConfig(
        config({ ...clusters, aiPlatform: { discovery: { enabled: false } } }),
      ),
    ).toBeUndefined();
  });

  it('has documented defaults once enabled', () => {
    const settings = readDiscoveryConfig(
      config({ ...clusters, aiPlatform: { discovery: { enabled: true } } }),
    )!;
    expect(settings).toMatchObject({
      schedule: DEFAULT_DISCOVERY_SCHEDULE,
      owner: DEFAULT_DISCOVERY_OWNER,
      lifecycle: 'production',
      namespace: 'default',
      requestTimeoutMs: 30_000,
    });
    expect(settings.clusters.map(c => c.name)).toEqual(['a', 'b']);
  });

  it('reads every key; the owner falls back to the first platform admin group', () => {
    const settings = readDiscoveryConfig(
      config({
        ...clusters,
        aiPlatform: {
          permissions: { platformAdmins: ['group:default/gpu-admins'] },
          discovery: {
            enabled: true,
            clusters: ['b'],
            schedule: { frequency: { minutes: 2 }, timeout: { seconds: 30 } },
            lifecycle: 'experimental',
            namespace: 'gpu',
            requestTimeoutSeconds: 5,
          },
        },
      }),
    )!;
    expect(settings).toMatchObject({
      owner: 'group:default/gpu-admins',
      lifecycle: 'experimental',
      namespace: 'gpu',
      requestTimeoutMs: 5000,
      schedule: { frequency: { minutes: 2 }, timeout: { seconds: 30 } },
    });
    expect(settings.clusters.map(c => c.name)).toEqual(['b']);
  });

  it('names the key and the configured clusters for an unknown cluster', () => {
    expect(() =>
      readDiscoveryConfig(
        config({
          ...clusters,
          aiPlatform: { discovery: { enabled: true, clusters: ['c'] } },
        }),
      ),
    ).toThrow(
      /^aiPlatform\.discovery\.clusters: The cluster "c", which is not configured: .*\(configured clusters: a, b\)$/,
    );
  });

  it('rejects a timeout that is not a positive number of seconds', () => {
    expect(() =>
      readDiscoveryConfig(
        config({
          ...clusters,
          aiPlatform: {
            discovery: { enabled: true, requestTimeoutSeconds: 0 },
          },
        }),
      ),
    ).toThrow(
      'aiPlatform.discovery.requestTimeoutSeconds must be a number of seconds > 0 (got 0)',
    );
  });
});
