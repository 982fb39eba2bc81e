import { mockCredentials } from '@backstage/backend-test-utils';
import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import { examplePlan } from './__testUtils__/fakeRun';
import { memoryRecorderStore } from './__testUtils__/memoryRecorderStore';
import { DeploymentRecorder, HEARTBEAT_MS } from './DeploymentRecorder';

const NOW = '2026-02-03T04:05:06.000Z';

async function started(options: { dryRun?: boolean } = {}) {
  const store = memoryRecorderStore();
  const answered: DeploymentRecord[] = [];
  const plan = await examplePlan();
  const recorder = await DeploymentRecorder.start({
    store,
    plan,
    call: {
      credentials: mockCredentials.user('user:default/bob'),
      reason: 'why not',
      dryRun: options.dryRun,
    },
    now: () => NOW,
    ready: record => answered.push(record),
  });
  const record = () => store.records.get(recorder.id)!;
  return { store, recorder, record, answered, plan };
}

describe('DeploymentRecorder', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('creates the record of a planned call, in state checking, naming its objects', async () => {
    const { recorder, record, plan } = await started({ dryRun: true });
    expect(record()).toMatchObject({
      endpointRef: 'inferenceendpoint:default/chat-assistant-staging',
      operation: 'deploy',
      state: 'checking',
      dryRun: true,
      modelRef: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v2',
      poolRef: 'gpupool:default/l4-inference',
      team: 'group:default/applied-ml',
      cluster: 'gpu-eu-west',
      namespace: 'chat-staging',
      gpus: 1,
      requestedBy: 'user:default/bob',
      reason: 'why not',
      specHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      sizing: plan.rendered?.sizing,
      manifests: plan.manifests,
    });
    expect(record().objects.map(o => `${o.kind}/${o.name}`)).toEqual(
      plan.manifests.map(m => `${m.kind}/${m.metadata.name}`),
    );
    recorder.stop();
  });

  it('records checks with a progress line each, and finishes answering the caller', async () => {
    const { recorder, record, answered } = await started();
    await recorder.check('permission', 'passed', 'granted');
    await recorder.check('sizing', 'failed', 'too big', { gpus: 9 });
    expect(record().checks).toEqual([
      { name: 'permission', status: 'passed', message: 'granted' },
      {
        name: 'sizing',
        status: 'failed',
        message: 'too big',
        details: { gpus: 9 },
      },
    ]);
    expect(record().events).toEqual([
      { at: NOW, level: 'info', message: 'permission: granted' },
      { at: NOW, level: 'error', message: 'sizing: too big' },
    ]);
    expect(answered).toEqual([]);
    const final = await recorder.fail({ check: 'sizing', message: 'too big' });
    expect(final).toMatchObject({
      state: 'failed',
      finishedAt: NOW,
      error: { check: 'sizing', message: 'too big' },
    });
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ state: 'failed' });
    // The answer is the public record: no manifests on a real deploy.
    expect(answered[0].manifests).toBeUndefined();
    recorder.stop();
  });

  it('refuses without answering the caller with the record', async () => {
    const { recorder, record, answered } = await started();
    await recorder.refuse({ check: 'permission', message: 'no' });
    expect(record()).toMatchObject({
      state: 'failed',
      finishedAt: NOW,
      error: { check: 'permission', message: 'no' },
    });
    expect(answered).toEqual([]);
    recorder.stop();
  });

  it('marks an unexpected failure at the first check not passed, and leaves a final record alone', async () => {
    const { recorder, record } = await started();
    await recorder.check('permission', 'passed', 'granted');
    await recorder.failUnexpected(new Error('the database went away'), [
      'permission',
      'sizing',
      'gates',
    ]);
    expect(record()).toMatchObject({
      state: 'failed',
      error: {
        check: 'sizing',
        message: 'Unexpected error: the database went away',
      },
    });
    await recorder.failUnexpected(new Error('later'), ['permission']);
    expect(record().error?.message).toBe(
      'Unexpected error: the database went away',
    );
    recorder.stop();
  });

  it('shows a sign of life every HEARTBEAT_MS until stopped', async () => {
    jest.useFakeTimers();
    const { recorder, store } = await started();
    jest.advanceTimersByTime(HEARTBEAT_MS * 2);
    expect(store.touches).toBe(2);
    recorder.stop();
    jest.advanceTimersByTime(HEARTBEAT_MS * 2);
    expect(store.touches).toBe(2);
  });
});
