import {
  TestDatabases,
  createMockDirectory,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createBackendModule,
  type SchedulerService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import request from 'supertest';
import { catalogModuleAiPlatform } from '../module';
import { a100MigNode, h100Node } from './__testUtils__/gfdNodes';

jest.setTimeout(120_000);

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

const yamlPool = `apiVersion: ai-platform.io/v1alpha1
kind: GpuPool
metadata:
  name: gpu-us-east-nvidia-h100-80gb-hbm3
  title: H100 (written in YAML)
spec:
  type: shared
  owner: group:default/ml-platform
  lifecycle: production
  cluster: gpu-us-east
  gpu:
    product: NVIDIA-H100-80GB-HBM3
    memoryGiB: 80
    count: 32
    perNode: 8
  costPerGpuHour: { amount: 4.1, currency: USD }
`;

describe('GPU pool discovery in a running catalog', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
  let cluster: FakeKubeApiServer;
  const mockDir = createMockDirectory();

  beforeEach(async () => {
    cluster = await startFakeKubeApiServer({
      token: 'sa-token',
      clusterName: 'gpu-us-east',
      nodes: [h100Node('h100-a'), h100Node('h100-b'), a100MigNode('mig-a')],
    });
    // The YAML file starts empty; the test writes the pool into it later.
    mockDir.setContent({ 'pools.yaml': '' });
  });

  afterEach(async () => {
    await cluster.close();
  });

  it.each(databases.eachSupportedId())(
    'lands discovered pools, and a YAML pool of the same name takes the name over with the figures beside it, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // Discovery runs when the test says so, through the catalog's scheduler.
      let scheduler: SchedulerService | undefined;
      const discover = () =>
        scheduler!.triggerTask('ai-platform-gpu-pool-discovery:refresh');
      const schedulerProbe = createBackendModule({
        pluginId: 'catalog',
        moduleId: 'test-scheduler',
        register(reg) {
          reg.registerInit({
            deps: { s: coreServices.scheduler },
            async init({ s }) {
              scheduler = s;
            },
          });
        },
      });
      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
          schedulerProbe,
          catalogModuleAiPlatform,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              ...cluster.backstageConfig('gpu-us-east'),
              catalog: {
                rules: [{ allow: ['Location', 'GpuPool'] }],
                locations: [
                  { type: 'file', target: mockDir.resolve('pools.yaml') },
                ],
                processingInterval: { seconds: 1 },
              },
              aiPlatform: {
                discovery: {
                  enabled: true,
                  owner: 'group:default/gpu-admins',
                  schedule: {
                    frequency: { seconds: 2 },
                    timeout: { seconds: 30 },
                    initialDelay: { seconds: 0 },
                  },
                },
              },
            },
          }),
        ],
      });
      const getPool = async (name: string) => {
        const res = await request(server)
          .get(`/api/catalog/entities/by-name/gpupool/default/${name}`)
          .set('Authorization', mockCredentials.user.header());
        return res.status === 200 ? (res.body as Entity) : undefined;
      };

      // Discovery alone: its pools land, marked as discovered.
      await discover();
      const discovered = await waitFor('the discovered H100 pool', () =>
        getPool('gpu-us-east-nvidia-h100-80gb-hbm3'),
      );
      expect(discovered.metadata.annotations).toMatchObject({
        'backstage.io/managed-by-location': 'ai-platform-discovery:gpu-us-east',
        'ai-platform.io/discovered-capacity': '16',
      });
      expect(discovered.spec).toMatchObject({
        owner: 'group:default/gpu-admins',
        gpu: { count: 16 },
      });
      expect(
        await waitFor('the discovered MIG pool', () =>
          getPool('gpu-us-east-nvidia-a100-sxm4-80gb-mig-3g-40gb'),
        ),
      ).toBeDefined();

      // A YAML pool of the same name arrives later: it takes the name over,
      // keeps its spec, and shows the discovered figures beside it.
      mockDir.setContent({ 'pools.yaml': yamlPool });
      const yaml = await waitFor(
        'the YAML pool with the discovered figures',
        async () => {
          await discover();
          const e = await getPool('gpu-us-east-nvidia-h100-80gb-hbm3');
          return e?.metadata.annotations?.[
            'backstage.io/managed-by-location'
          ]?.startsWith('file:') &&
            e.metadata.annotations['ai-platform.io/discovered-capacity']
            ? e
            : undefined;
        },
      );
      expect(yaml.metadata.title).toBe('H100 (written in YAML)');
      expect(yaml.spec).toMatchObject({
        owner: 'group:default/ml-platform',
        gpu: { count: 32 },
      });
      expect(yaml.metadata.annotations).toMatchObject({
        'ai-platform.io/discovered-capacity': '16',
        'ai-platform.io/discovered-allocatable': '16',
        'ai-platform.io/discovered-allocated': '0',
        'ai-platform.io/discovered-nodes': '2',
      });
      expect(
        yaml.metadata.labels?.['ai-platform.io/discovered'],
      ).toBeUndefined();

      // Later runs keep it that way; the other discovered pool stays.
      await discover();
      await new Promise(r => setTimeout(r, 3000));
      const still = await getPool('gpu-us-east-nvidia-h100-80gb-hbm3');
      expect(still?.metadata.title).toBe('H100 (written in YAML)');
      expect(
        await getPool('gpu-us-east-nvidia-a100-sxm4-80gb-mig-3g-40gb'),
      ).toBeDefined();
    },
  );
});
