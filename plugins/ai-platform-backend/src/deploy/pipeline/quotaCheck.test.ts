import { ConflictError } from '@backstage/errors';
import type { QuotaCheck } from '@internal/plugin-ai-platform-common';
import type { StoredDeployment } from '../DatabaseDeploymentStore';
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
    releaseSurge: async request => {
      calls.push(['releaseSurge', request]);
      return true;
    },
  };
  return { service, calls };
}

/** A first deploy replaces no pods: no surge. */
const FIRST_DEPLOY = { strategy: 'none', surgeGpus: 0 };

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
      details: { ...ALLOWED, rollout: expect.objectContaining(FIRST_DEPLOY) },
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
      details: { ...refused, rollout: expect.objectContaining(FIRST_DEPLOY) },
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
      details: { rollout: expect.objectContaining(FIRST_DEPLOY) },
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

/** A store whose running revision is `running` (the newest record too). */
function storeRunning(running: StoredDeployment) {
  return {
    applied: async () => [running],
    recent: async () => [running],
  };
}

async function runningRevision(modelVersion?: string) {
  const plan = await examplePlan(modelVersion ? { modelVersion } : {});
  return {
    id: 'running',
    revision: 1,
    manifests: plan.manifests,
    specHash: 'h1',
    state: 'succeeded',
  } as unknown as StoredDeployment;
}

/** Quotas that refuse `refusedAbove` GPUs or more, and answer ALLOWED below. */
function quotasUpTo(limit: number) {
  const calls: Array<[string, any]> = [];
  const answer = (gpus: number): QuotaCheck =>
    gpus <= limit
      ? { ...ALLOWED, gpus }
      : {
          ...ALLOWED,
          gpus,
          allowed: false,
          reasons: [`quota exceeded: ${gpus} more would make too many`],
        };
  const service: DeploymentDependencies['quotas'] = {
    allocation: async () => undefined,
    reserve: async request => {
      calls.push(['reserve', request]);
      const gpus = request.gpus + (request.surge?.gpus ?? 0);
      const a = answer(gpus);
      if (!a.allowed) throw new ConflictError(a.reasons.join('; '));
      return a;
    },
    check: async request => {
      calls.push(['check', request]);
      return answer(request.gpus);
    },
    restoreAllocation: async request => {
      calls.push(['restoreAllocation', request]);
    },
    releaseSurge: async request => {
      calls.push(['releaseSurge', request]);
      return true;
    },
  };
  return { service, calls };
}

describe('quotaCheck with a rollout', () => {
  it('reserves the surge GPUs of a promote on top, for this deployment, and leaves their release', async () => {
    const q = quotasUpTo(2);
    const run = fakeRun({
      plan: await examplePlan({ modelVersion: 'v2-fp8', operation: 'promote' }),
      deps: { quotas: q.service, store: storeRunning(await runningRevision()) },
    });
    const outcome = await quotaCheck.run(run);
    expect(outcome.status).toBe('passed');
    expect(outcome.message).toMatch(
      /^reserved 1 \+ 1 surge GPUs on l4-inference .*new pods start before old ones go \(maxSurge 1, maxUnavailable 0\)/,
    );
    expect(outcome.details?.rollout).toEqual(
      expect.objectContaining({ strategy: 'surge', surgeGpus: 1, maxSurge: 1 }),
    );
    expect(q.calls[0][1].surge).toEqual({
      deploymentId: 'this-deployment',
      gpus: 1,
    });
    await run.releaseSurge();
    expect(q.calls.at(-1)).toEqual([
      'releaseSurge',
      { deploymentId: 'this-deployment' },
    ]);
  });

  it('says when only the surge does not fit, and how to go on', async () => {
    const q = quotasUpTo(1);
    const run = fakeRun({
      plan: await examplePlan({ modelVersion: 'v2-fp8', operation: 'promote' }),
      deps: { quotas: q.service, store: storeRunning(await runningRevision()) },
    });
    const outcome = await quotaCheck.run(run);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/^no room for the surge: quota exceeded/);
    expect(outcome.message).toMatch(/allowDowntime: true/);
    expect(outcome.details?.rollout).toEqual(
      expect.objectContaining({ strategy: 'surge', surgeRefused: true }),
    );
    // Nothing was held, so nothing is released.
    await run.releaseSurge();
    expect(q.calls.map(c => c[0])).toEqual(['reserve', 'check']);
  });

  it('checks the surge on a dry run too, without reserving', async () => {
    const q = quotasUpTo(1);
    const run = fakeRun({
      plan: await examplePlan({ modelVersion: 'v2-fp8', operation: 'promote' }),
      call: { dryRun: true },
      deps: { quotas: q.service, store: storeRunning(await runningRevision()) },
    });
    const outcome = await quotaCheck.run(run);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/^no room for the surge/);
    expect(q.calls.map(c => [c[0], c[1].gpus])).toEqual([
      ['check', 2],
      ['check', 1],
    ]);
  });

  it('rolls out without surge when the caller accepts downtime', async () => {
    const q = quotasUpTo(1);
    const run = fakeRun({
      plan: await examplePlan({
        modelVersion: 'v2-fp8',
        operation: 'promote',
        allowDowntime: true,
      }),
      call: { allowDowntime: true },
      deps: { quotas: q.service, store: storeRunning(await runningRevision()) },
    });
    const outcome = await quotaCheck.run(run);
    expect(outcome.status).toBe('passed');
    expect(outcome.details?.rollout).toEqual(
      expect.objectContaining({
        strategy: 'downtime',
        surgeGpus: 0,
        maxSurge: 0,
        maxUnavailable: 1,
      }),
    );
    expect(q.calls[0][1].surge).toBeUndefined();
  });

  it('holds no surge when the pods stay as they are', async () => {
    const q = quotasUpTo(1);
    const run = fakeRun({
      plan: await examplePlan(),
      deps: { quotas: q.service, store: storeRunning(await runningRevision()) },
    });
    const outcome = await quotaCheck.run(run);
    expect(outcome.status).toBe('passed');
    expect(outcome.details?.rollout).toEqual(
      expect.objectContaining({ strategy: 'none', surgeGpus: 0 }),
    );
  });
});
