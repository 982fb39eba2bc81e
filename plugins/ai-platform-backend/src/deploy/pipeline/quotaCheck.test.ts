import { ConflictError } from '@backstage/errors';
import type { QuotaCheck } from '@internal/plugin-ai-platform-common';
import { examplePlan, fakeRun, STAGING } from '../__testUtils__/fakeRun';
import { quotaCheck } from './quotaCheck';
import type { DeploymentDependencies } from './types';

const ALLOWED: QuotaCheck = {
  team: 'group:default/applied-ml',
  pool: 'gpupool:default/l4-inference',
  gpus: 1,
  allowed: true,
  reasons: [],
  quota: 12,
  used: 9,
  teamFree: 3,
  poolCapacity: 16,
  poolUsed: 12,
  poolFree: 4,
};

/** Quotas that answer `answer` and keep what they were asked. */
function quotas(answer: QuotaCheck | Error) {
  const calls: Array<[string, unknown]> = [];
  const answerWith = async (name: string, request: unknown) => {
    calls.push([name, request]);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const service: DeploymentDependencies['quotas'] = {
    allocation: async endpoint => {
      calls.push(['allocation', endpoint]);
      return { team: ALLOWED.team, pool: ALLOWED.pool, gpus: 2 };
    },
    reserve: request => answerWith('reserve', request),
    check: request => answerWith('check', request),
    restoreAllocation: async request => {
      calls.push(['restoreAllocation', request]);
    },
  };
  return { service, calls };
}

describe('quotaCheck', () => {
  it('reserves the GPUs on a real deploy, and leaves the way back to the previous reservation', async () => {
    const q = quotas(ALLOWED);
    const run = fakeRun({
      plan: await examplePlan(),
      deps: { quotas: q.service },
    });
    expect(await quotaCheck.run(run)).toEqual({
      status: 'passed',
      message:
        "reserved 1 GPUs on l4-inference for group:default/applied-ml: 3 of its 12 and 4 of the pool's 16 free",
      details: ALLOWED,
    });
    expect(q.calls.map(c => c[0])).toEqual(['allocation', 'reserve']);
    expect(q.calls[1][1]).toEqual({
      endpoint: STAGING,
      team: 'group:default/applied-ml',
      pool: 'gpupool:default/l4-inference',
      gpus: 1,
      actor: 'user:default/bob',
    });
    await run.restoreReservation();
    expect(q.calls[2]).toEqual([
      'restoreAllocation',
      {
        endpoint: STAGING,
        previous: { team: ALLOWED.team, pool: ALLOWED.pool, gpus: 2 },
      },
    ]);
  });

  it('only checks on a dry run and when the cluster is not configured', async () => {
    for (const options of [
      { call: { dryRun: true } },
      { target: { notConfigured: 'cluster gpu-eu-west is not configured' } },
    ]) {
      const q = quotas(ALLOWED);
      const run = fakeRun({
        plan: await examplePlan(),
        deps: { quotas: q.service },
        ...options,
      });
      const outcome = await quotaCheck.run(run);
      expect(outcome.status).toBe('passed');
      expect(outcome.message).toMatch(/^would reserve 1 GPUs on l4-inference/);
      expect(q.calls.map(c => c[0])).toEqual(['check']);
      await run.restoreReservation();
      expect(q.calls.map(c => c[0])).toEqual(['check']);
    }
  });

  it('fails with the reasons when the quota or the pool has no room', async () => {
    const refused = {
      ...ALLOWED,
      allowed: false,
      reasons: ['over the team quota', 'the pool is full'],
    };
    const q = quotas(refused);
    const run = fakeRun({
      plan: await examplePlan(),
      deps: { quotas: q.service },
    });
    expect(await quotaCheck.run(run)).toEqual({
      status: 'failed',
      message: 'over the team quota; the pool is full',
      details: refused,
    });
    // Nothing was reserved, so there is nothing to put back.
    await run.restoreReservation();
    expect(q.calls.map(c => c[0])).toEqual(['allocation', 'reserve']);
  });

  it('fails on a conflict from the reservation, and throws other errors', async () => {
    const conflict = fakeRun({
      plan: await examplePlan(),
      deps: {
        quotas: quotas(new ConflictError('revision 1 in progress')).service,
      },
    });
    expect(await quotaCheck.run(conflict)).toEqual({
      status: 'failed',
      message: 'revision 1 in progress',
    });
    const broken = fakeRun({
      plan: await examplePlan(),
      deps: { quotas: quotas(new Error('the database went away')).service },
    });
    await expect(quotaCheck.run(broken)).rejects.toThrow(
      'the database went away',
    );
  });
});
