import type {
  DeploymentRecord,
  EndpointLiveStatus,
  ModelGateStatus,
} from '@internal/plugin-ai-platform-common';
import { apiAs, expect, fact, screenshot, test } from './support';

/**
 * Promote from the endpoint page, as the member who owns the endpoint, into
 * the simulated gpu-us-east: the dialog checks the gates, the quota and the
 * rollout (surge, or downtime the user accepts) before confirming, the
 * rollout runs in the fake cluster, and the page shows the new version's
 * pods live. No other browser test deploys this endpoint.
 */
const NAME = 'reasoning-70b-prod';
const REF = `inferenceendpoint:default/${NAME}`;

test.describe('Promote', () => {
  test.setTimeout(300_000);

  test('a member promotes an endpoint in the simulated cluster and sees the new version run', async ({
    pageAs,
    request,
  }) => {
    const api = await apiAs(request, 'member');
    // The production endpoint's gates need the demo's seeded eval results,
    // which the backend writes shortly after it starts.
    await expect
      .poll(
        async () =>
          (
            await api.get<ModelGateStatus>('/gates', {
              model: 'model:default/llama-3-1-70b-instruct',
              version: 'v1-fp8',
            })
          ).passed,
        { timeout: 120_000, message: 'the seeded eval results are in' },
      )
      .toBe(true);
    // What runs first: v1, deployed as the owner would (the simulated
    // cluster of the browser tests starts empty).
    const first = await api.post<DeploymentRecord>('/deployments', {
      endpoint: REF,
      wait: true,
      reason: 'browser test: v1 runs before the promote',
    });
    expect(first.error).toBeUndefined();
    expect(['succeeded', 'unchanged']).toContain(first.state);

    const page = await pageAs('member');
    await page.goto(`/catalog/default/inferenceendpoint/${NAME}`);
    await page.getByRole('button', { name: 'Promote…' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog).toContainText('Runs now: v1.');
    await dialog.getByRole('button', { name: /Version/ }).click();
    await page.getByRole('option', { name: 'v1-fp8 (staging)' }).click();

    // The checks before confirming: gates, quota, and what the rollout does.
    await expect(
      dialog.getByRole('region', { name: 'Eval gates check' }),
    ).toContainText('v1-fp8: passes its gates');
    const rollout = dialog.getByRole('region', { name: 'Rollout' });
    await expect(rollout).toContainText(
      /Keeps serving: |No room for the surge: /,
      { timeout: 60_000 },
    );
    const downtime = rollout.getByRole('checkbox');
    if (await downtime.count()) {
      // No room for the surge here (the other tests' reservations): the
      // dialog says so, and the user accepts the downtime explicitly.
      await downtime.check();
    }
    await dialog
      .getByRole('textbox', { name: 'Reason' })
      .fill('fp8 halves the GPU memory (browser test)');
    await screenshot(page, 'promote-dialog');
    await dialog.getByRole('button', { name: 'Promote to v1-fp8' }).click();

    // The rollout runs in the simulated cluster, and ends.
    await expect(dialog).toContainText('succeeded', { timeout: 180_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();

    const live = await api.get<EndpointLiveStatus>(
      `/endpoints/default/${NAME}/status`,
    );
    expect(live).toMatchObject({
      cluster: 'gpu-us-east',
      runningModelVersion: 'v1-fp8',
    });
    expect(live.error).toBeUndefined();
    expect(live.pods.length).toBeGreaterThan(0);

    await page.reload();
    const running = page.getByRole('table', { name: 'Running' });
    await expect(fact(running, 'Cluster')).toContainText('Simulated cluster');
    const status = page.getByRole('region', { name: 'Live status' });
    await expect(status).toContainText(
      `${live.deployment?.readyReplicas} of ${live.deployment?.replicas}`,
    );
    await expect(status.getByRole('table', { name: 'Pods' })).toContainText(
      'Running',
    );
    await expect(
      page.getByText(/Revision \d+: promote to v1-fp8 by guest/).locator('..'),
    ).toContainText('succeeded');
    await screenshot(page, 'promote-done');
  });
});
