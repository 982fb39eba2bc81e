import { ConflictError, InputError } from '@backstage/errors';
import { examplePlan, STAGING } from './__testUtils__/fakeRun';
import type { StoredDeployment } from './DatabaseDeploymentStore';
import {
  hashManifests,
  planRollback,
  requireModelVersion,
} from './planDeployment';

describe('planDeployment', () => {
  it('renders the endpoint at the version asked for', async () => {
    const plan = await examplePlan({
      operation: 'promote',
      modelVersion: 'v2-fp8',
    });
    expect(plan).toMatchObject({
      operation: 'promote',
      modelVersion: 'v2-fp8',
      gpus: 1,
    });
    expect(plan.manifests).toBe(plan.rendered?.objects);
    expect(plan.renderError).toBeUndefined();
  });

  it('plans an endpoint that cannot be rendered, with why and the GPUs it asks for', async () => {
    const plan = await examplePlan({
      endpoint: {
        ...(await examplePlan()).endpoint,
        metadata: { name: 'unrenderable', namespace: 'default' },
        spec: {
          ...(await examplePlan()).endpoint.spec,
          type: 'tgi',
          resources: { gpusPerReplica: 2, replicas: 1, maxReplicas: 3 },
        },
      },
    });
    expect(plan.renderError).toContain('only vllm endpoints');
    expect(plan.manifests).toEqual([]);
    expect(plan.gpus).toBe(6);
  });
});

describe('requireModelVersion', () => {
  it('names the versions the model has', async () => {
    const plan = await examplePlan();
    expect(() => requireModelVersion(plan, 'v2')).not.toThrow();
    expect(() => requireModelVersion(plan, 'v9')).toThrow(
      new InputError(
        'modelVersion: model:default/llama-3-1-8b-instruct has no version "v9" (its versions: v1, v2, v2-fp8)',
      ),
    );
  });
});

describe('planRollback', () => {
  const revision = (n: number, specHash: string) =>
    ({
      revision: n,
      specHash,
      modelVersion: `v${n}`,
      gpus: n,
      manifests: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${n}` } },
      ],
    } as unknown as StoredDeployment);

  it('restores the newest applied revision that differs from the running one, or the one asked for', async () => {
    const resolved = await examplePlan();
    const store = {
      applied: async () => [
        revision(4, 'b'),
        revision(3, 'b'),
        revision(2, 'a'),
        revision(1, 'a'),
      ],
    };
    expect(await planRollback({ resolved, store })).toMatchObject({
      operation: 'rollback',
      restoredRevision: 2,
      modelVersion: 'v2',
      gpus: 2,
      manifests: [{ metadata: { name: 's2' } }],
    });
    expect(
      (await planRollback({ resolved, store, toRevision: 1 })).restoredRevision,
    ).toBe(1);
    await expect(
      planRollback({ resolved, store, toRevision: 7 }),
    ).rejects.toThrow(
      `toRevision: ${STAGING} has no applied revision 7 (applied revisions: 4, 3, 2, 1)`,
    );
  });

  it('refuses when nothing else ran', async () => {
    const resolved = await examplePlan();
    await expect(
      planRollback({
        resolved,
        store: { applied: async () => [revision(1, 'a')] },
      }),
    ).rejects.toThrow(
      new ConflictError(
        `${STAGING} has no earlier revision to roll back to (revision 1 is running)`,
      ),
    );
  });
});

describe('hashManifests', () => {
  it('is equal for equal objects only', async () => {
    const { manifests } = await examplePlan();
    expect(hashManifests(manifests)).toBe(
      hashManifests(structuredClone(manifests)),
    );
    expect(hashManifests(manifests)).not.toBe(
      hashManifests(manifests.slice(1)),
    );
  });
});
