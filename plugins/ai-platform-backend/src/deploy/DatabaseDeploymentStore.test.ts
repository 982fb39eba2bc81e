import { TestDatabases } from '@backstage/backend-test-utils';
import { migrateDatabase } from '../database/migrateDatabase';
import {
  DatabaseDeploymentStore,
  type NewDeployment,
} from './DatabaseDeploymentStore';

jest.setTimeout(60_000);

const EP = 'inferenceendpoint:default/chat';

function deployment(overrides: Partial<NewDeployment> = {}): NewDeployment {
  return {
    endpointRef: EP,
    operation: 'deploy',
    state: 'checking',
    dryRun: false,
    modelRef: 'model:default/llama',
    modelVersion: 'v1',
    poolRef: 'gpupool:default/l4',
    team: 'group:default/applied-ml',
    cluster: 'gpu-eu-west',
    namespace: 'chat',
    gpus: 2,
    requestedBy: 'user:default/bob',
    specHash: 'abc',
    manifests: [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'chat' } },
    ],
    ...overrides,
  };
}

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'DatabaseDeploymentStore on %p',
  id => {
    let store: DatabaseDeploymentStore;

    beforeEach(async () => {
      const knex = await databases.init(id);
      await migrateDatabase(knex);
      store = DatabaseDeploymentStore.create({ knex });
    });

    it('numbers revisions per endpoint and keeps what was rendered', async () => {
      const first = await store.create(deployment({ state: 'failed' }));
      const second = await store.create(deployment({ state: 'failed' }));
      const other = await store.create(
        deployment({ endpointRef: 'inferenceendpoint:default/other' }),
      );
      expect([first.revision, second.revision, other.revision]).toEqual([
        1, 2, 1,
      ]);
      expect(first.manifests).toEqual(deployment().manifests);
      expect(first).toMatchObject({ dryRun: false, gpus: 2, checks: [] });
      expect(
        (await store.list({ endpointRef: EP })).map(r => r.revision),
      ).toEqual([2, 1]);
      expect((await store.list({ endpointRef: EP }))[0]).not.toHaveProperty(
        'manifests',
      );
    });

    it('allows one deployment in progress per endpoint, dry runs aside', async () => {
      await store.create(deployment());
      await expect(store.create(deployment())).rejects.toThrow(
        'has deployment revision 1 in progress (checking)',
      );
      const dry = await store.create(deployment({ dryRun: true }));
      expect(dry.revision).toBe(2);
    });

    it('serialises concurrent calls: exactly one wins', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => store.create(deployment())),
      );
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('records progress, the outcome and the events', async () => {
      const record = await store.create(deployment());
      await store.appendEvent(record.id, {
        at: '2026-11-23T10:00:00.000Z',
        level: 'info',
        message: 'Service/chat created',
      });
      await store.update(record.id, {
        state: 'failed',
        error: { check: 'apply', message: 'boom', object: 'Service/chat' },
        finishedAt: '2026-11-23T10:00:01.000Z',
        objects: [{ apiVersion: 'v1', kind: 'Service', name: 'chat' }],
      });
      expect(await store.get(record.id)).toMatchObject({
        state: 'failed',
        error: { check: 'apply', object: 'Service/chat' },
        events: [{ message: 'Service/chat created' }],
        objects: [{ kind: 'Service' }],
        finishedAt: '2026-11-23T10:00:01.000Z',
      });
    });

    it('lists applied revisions newest first and fails interrupted ones', async () => {
      const a = await store.create(deployment());
      await store.update(a.id, { state: 'succeeded' });
      const b = await store.create(deployment());
      await store.update(b.id, { state: 'rolling-out' });
      expect((await store.applied(EP)).map(r => r.revision)).toEqual([1]);
      // Alive (updated just now): not touched.
      expect(
        await store.failInterrupted('backend stopped', '2000-01-01T00:00:00Z'),
      ).toEqual([]);
      expect(
        await store.failInterrupted(
          'backend stopped',
          new Date(Date.now() + 60_000).toISOString(),
        ),
      ).toEqual([b.id]);
      expect(await store.get(b.id)).toMatchObject({
        state: 'failed',
        error: { message: 'backend stopped' },
      });
      await expect(store.get('nope')).rejects.toThrow('no deployment nope');
    });

    it('answers what each endpoint runs: its newest applied revision', async () => {
      const done = async (overrides: Partial<NewDeployment>, state: any) => {
        const r = await store.create(deployment(overrides));
        await store.update(r.id, {
          state,
          finishedAt: '2026-11-23T10:00:00.000Z',
        });
      };
      await done({ modelVersion: 'v1' }, 'succeeded');
      await done({ modelVersion: 'v2' }, 'succeeded');
      await done({ modelVersion: 'v3' }, 'failed');
      await done({ modelVersion: 'v4', dryRun: true }, 'dry-run');
      await done(
        { endpointRef: 'inferenceendpoint:default/other', modelVersion: 'v7' },
        'unchanged',
      );
      expect(await store.running()).toEqual([
        {
          endpointRef: EP,
          revision: 2,
          modelVersion: 'v2',
          finishedAt: '2026-11-23T10:00:00.000Z',
        },
        {
          endpointRef: 'inferenceendpoint:default/other',
          revision: 1,
          modelVersion: 'v7',
          finishedAt: '2026-11-23T10:00:00.000Z',
        },
      ]);
    });
  },
);
