import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { exampleEntity } from '../__testUtils__/exampleEntities';
import {
  bob,
  createDeployHarness,
  type DeployHarness,
} from './__testUtils__/deployHarness';

jest.setTimeout(60_000);

const STAGING = 'inferenceendpoint:default/chat-assistant-staging';
const AUTOSCALED = 'inferenceendpoint:default/chat-autoscaled';

/** The staging endpoint, autoscaled between 2 and 3 replicas. */
function autoscaled(): Entity {
  const staging = exampleEntity(STAGING);
  return {
    ...staging,
    metadata: {
      name: 'chat-autoscaled',
      namespace: 'default',
      annotations: { 'backstage.io/kubernetes-id': 'chat-autoscaled' },
    },
    spec: {
      ...staging.spec,
      resources: {
        gpusPerReplica: 1,
        replicas: 2,
        minReplicas: 2,
        maxReplicas: 3,
      },
    },
  };
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'DeploymentService.status on %p',
  id => {
    let h: DeployHarness;

    afterEach(async () => {
      await h.close();
    });

    async function harness(autoscalerSyncDelayMs?: number) {
      h = await createDeployHarness({
        knex: await databases.init(id),
        extraEntities: [autoscaled()],
        server: { autoscalerSyncDelayMs },
      });
    }

    const readyReplicas = (name: string, count: number) =>
      h.server.waitForObject(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'chat-staging',
          name,
        },
        d => (d?.status as any)?.readyReplicas === count,
      );

    it('reports an autoscaled endpoint’s desired replicas from its HPA, not "of 0"', async () => {
      await harness();
      const { record } = await h.service.deploy({
        credentials: bob,
        endpoint: AUTOSCALED,
        wait: true,
      });
      expect(record.state).toBe('succeeded');
      await readyReplicas('chat-autoscaled', 2);
      const status = await h.service.status({
        credentials: bob,
        endpointRef: AUTOSCALED,
      });
      expect(status.deployment).toMatchObject({
        desiredReplicas: 2,
        readyReplicas: 2,
        autoscaler: {
          name: 'chat-autoscaled',
          minReplicas: 2,
          maxReplicas: 3,
          currentReplicas: 2,
          desiredReplicas: 2,
        },
      });
    });

    it('reports a fixed-replica endpoint’s desired replicas from its Deployment', async () => {
      await harness();
      await h.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        wait: true,
      });
      const status = await h.service.status({
        credentials: bob,
        endpointRef: STAGING,
      });
      expect(status.deployment).toMatchObject({
        replicas: 1,
        desiredReplicas: 1,
        readyReplicas: 1,
      });
      expect(status.deployment?.autoscaler).toBeUndefined();
    });

    it('reports an HPA with no status yet by its range, the desired count from the Deployment', async () => {
      await harness(60_000);
      await h.service.deploy({
        credentials: bob,
        endpoint: AUTOSCALED,
        wait: true,
      });
      const status = await h.service.status({
        credentials: bob,
        endpointRef: AUTOSCALED,
      });
      expect(status.deployment).toMatchObject({
        replicas: 1,
        desiredReplicas: 1,
        readyReplicas: 1,
      });
      expect(status.deployment?.autoscaler).toEqual({
        name: 'chat-autoscaled',
        minReplicas: 2,
        maxReplicas: 3,
      });
    });
  },
);
