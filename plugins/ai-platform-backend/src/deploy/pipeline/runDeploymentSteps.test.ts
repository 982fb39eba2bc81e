import { NotAllowedError } from '@backstage/errors';
import type {
  DeploymentCheckName,
  DeploymentRecord,
} from '@internal/plugin-ai-platform-common';
import { mockCredentials } from '@backstage/backend-test-utils';
import { examplePlan, fakeRun } from '../__testUtils__/fakeRun';
import { memoryRecorderStore } from '../__testUtils__/memoryRecorderStore';
import { DeploymentRecorder } from '../DeploymentRecorder';
import { runDeploymentSteps } from './runDeploymentSteps';
import type { DeploymentStep, StepOutcome } from './types';

const OBJECT = { apiVersion: 'v1', kind: 'Service', name: 'chat' };

/** A step that answers `outcome` and notes that it ran. */
function step(
  name: DeploymentCheckName,
  outcome: StepOutcome,
  ran: string[],
): DeploymentStep {
  return {
    name,
    async run() {
      ran.push(name);
      return outcome;
    },
  };
}

async function setUp() {
  const store = memoryRecorderStore();
  const answered: DeploymentRecord[] = [];
  const plan = await examplePlan();
  const recorder = await DeploymentRecorder.start({
    store,
    plan,
    call: { credentials: mockCredentials.user('user:default/bob') },
    now: () => '2026-01-01T00:00:00.000Z',
    ready: r => answered.push(r),
  });
  recorder.stop();
  const run = fakeRun({ plan });
  const checks = () =>
    store.records
      .get(recorder.id)!
      .checks.map(c => `${c.name}:${c.status}:${c.message}`);
  return { store, recorder, run, answered, checks };
}

describe('runDeploymentSteps', () => {
  it('runs the steps in order and succeeds with the applied objects', async () => {
    const { recorder, run, answered, checks } = await setUp();
    const ran: string[] = [];
    run.applied = { client: {} as any, objects: [OBJECT] };
    const final = await runDeploymentSteps({
      run,
      recorder,
      steps: [
        step('permission', { status: 'passed', message: 'yes' }, ran),
        step('gates', { status: 'skipped', message: 'none' }, ran),
        step('rollout', { status: 'passed', message: 'ready' }, ran),
      ],
    });
    expect(ran).toEqual(['permission', 'gates', 'rollout']);
    expect(checks()).toEqual([
      'permission:passed:yes',
      'gates:skipped:none',
      'rollout:passed:ready',
    ]);
    expect(final).toMatchObject({ state: 'succeeded', objects: [OBJECT] });
    expect(answered.map(r => r.state)).toEqual(['succeeded']);
  });

  it('stops at a failed step, recording its error and objects', async () => {
    const { recorder, run, checks } = await setUp();
    const ran: string[] = [];
    const final = await runDeploymentSteps({
      run,
      recorder,
      steps: [
        step('permission', { status: 'passed', message: 'yes' }, ran),
        step(
          'apply',
          {
            status: 'failed',
            message: 'HTTP 500',
            details: { status: 500 },
            error: { object: 'Service/chat', cause: 'HTTP 500: etcd' },
            objects: [OBJECT],
          },
          ran,
        ),
        step('rollout', { status: 'passed', message: 'never' }, ran),
      ],
    });
    expect(ran).toEqual(['permission', 'apply']);
    expect(checks()).toEqual([
      'permission:passed:yes',
      'apply:failed:HTTP 500',
    ]);
    expect(final).toMatchObject({
      state: 'failed',
      objects: [OBJECT],
      error: {
        check: 'apply',
        message: 'HTTP 500',
        object: 'Service/chat',
        cause: 'HTTP 500: etcd',
      },
    });
  });

  it('refuses the call with the step’s error, the record failed but not answered', async () => {
    const { recorder, run, answered, store } = await setUp();
    const refusal = new NotAllowedError('no');
    await expect(
      runDeploymentSteps({
        run,
        recorder,
        steps: [
          step('permission', { status: 'failed', message: 'no', refusal }, []),
        ],
      }),
    ).rejects.toBe(refusal);
    expect(store.records.get(recorder.id)).toMatchObject({
      state: 'failed',
      error: { check: 'permission', message: 'no' },
    });
    expect(answered).toEqual([]);
  });

  it('ends early in the state a step asks for, the later steps skipped', async () => {
    const { recorder, run, checks } = await setUp();
    const ran: string[] = [];
    const final = await runDeploymentSteps({
      run,
      recorder,
      steps: [
        step(
          'apply',
          {
            status: 'passed',
            message: 'accepted',
            objects: [OBJECT],
            end: { state: 'dry-run', skipRest: 'a dry run' },
          },
          ran,
        ),
        step('rollout', { status: 'passed', message: 'never' }, ran),
      ],
    });
    expect(ran).toEqual(['apply']);
    expect(checks()).toEqual([
      'apply:passed:accepted',
      'rollout:skipped:a dry run',
    ]);
    expect(final).toMatchObject({ state: 'dry-run', objects: [OBJECT] });
  });
});
