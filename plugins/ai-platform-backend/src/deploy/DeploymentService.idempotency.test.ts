import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import {
  alice,
  bob,
  createDeployHarness,
  type DeployHarness,
} from './__testUtils__/deployHarness';

jest.setTimeout(60_000);

const STAGING = 'inferenceendpoint:default/chat-assistant-staging';
const PROD = 'inferenceendpoint:default/chat-assistant-prod';

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

/**
 * A call repeated with the idempotency key of an earlier one (a scaffolder
 * task resumed after a restart, between the backend accepting the deploy
 * and the task saving its checkpoint) answers the earlier call's record and
 * starts no second deployment.
 */
describe.each(databases.eachSupportedId())(
  'DeploymentService idempotency keys on %p',
  id => {
    let h: DeployHarness;

    beforeEach(async () => {
      h = await createDeployHarness({ knex: await databases.init(id) });
    });

    afterEach(async () => {
      await h.close();
    });

    const patches = () => h.server.requests.filter(r => r.method === 'PATCH');

    it('answers a repeated call with the first record, applying and recording nothing more', async () => {
      const key = 'task-1:deploy';
      const first = await h.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        idempotencyKey: key,
        wait: true,
      });
      expect(first.record.state).toBe('succeeded');
      const applied = patches().length;
      const audited = (await h.audit()).length;

      const again = await h.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        idempotencyKey: key,
        wait: true,
      });
      expect(again.record).toEqual(first.record);
      expect(patches()).toHaveLength(applied);
      expect(await h.service.list({ endpointRef: STAGING })).toHaveLength(1);
      expect(await h.audit()).toHaveLength(audited);
      expect((await h.audit()).at(-1)?.request).toMatchObject({
        idempotencyKey: key,
      });
    });

    it('answers a repeat while the first call still runs, and settles with it', async () => {
      const first = await h.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        idempotencyKey: 'task-2:deploy',
      });
      const again = await h.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        idempotencyKey: 'task-2:deploy',
      });
      expect(again.record.id).toBe(first.record.id);
      const [a, b] = await Promise.all([first.settled, again.settled]);
      expect(b).toEqual(a);
      expect(await h.service.list({ endpointRef: STAGING })).toHaveLength(1);
    });

    it('refuses a key used for another call: another endpoint, operation or caller', async () => {
      await h.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        idempotencyKey: 'task-3:deploy',
        wait: true,
      });
      const audited = (await h.audit()).length;
      for (const call of [
        () =>
          h.service.deploy({
            credentials: bob,
            endpoint: PROD,
            idempotencyKey: 'task-3:deploy',
          }),
        () =>
          h.service.promote({
            credentials: bob,
            endpointRef: STAGING,
            modelVersion: 'v2-fp8',
            idempotencyKey: 'task-3:deploy',
          }),
        () =>
          h.service.deploy({
            credentials: alice,
            endpoint: STAGING,
            idempotencyKey: 'task-3:deploy',
          }),
      ]) {
        await expect(call()).rejects.toThrow(ConflictError);
      }
      await expect(
        h.service.deploy({
          credentials: alice,
          endpoint: STAGING,
          idempotencyKey: 'task-3:deploy',
        }),
      ).rejects.toThrow(
        'idempotency key "task-3:deploy" was used for another call (deploy of inferenceendpoint:default/chat-assistant-staging by user:default/bob); use a new key for a new call',
      );
      const records = await h.audit();
      expect(records).toHaveLength(audited + 4);
      expect(records.slice(audited).map(r => r.outcome)).toEqual([
        'failure',
        'failure',
        'failure',
        'failure',
      ]);
      expect(await h.service.list({ endpointRef: PROD })).toHaveLength(0);
    });

    it('keeps keys unique in the store, also against a call that raced past the first look', async () => {
      const { record } = await h.service.deploy({
        credentials: bob,
        endpoint: STAGING,
        idempotencyKey: 'task-4:deploy',
        wait: true,
      });
      expect((await h.store.byIdempotencyKey('task-4:deploy'))?.id).toBe(
        record.id,
      );
      expect(await h.store.byIdempotencyKey('nope')).toBeUndefined();
      const stored = await h.store.get(record.id);
      await expect(
        h.store.create({
          ...stored,
          revision: undefined,
          idempotencyKey: 'task-4:deploy',
        } as any),
      ).rejects.toThrow(
        `idempotency key "task-4:deploy" was used by deployment ${record.id}`,
      );
    });
  },
);
