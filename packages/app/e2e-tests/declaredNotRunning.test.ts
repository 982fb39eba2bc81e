import type {
  CostSummary,
  RunningFleetResponse,
} from '@internal/plugin-ai-platform-common';
import { apiAs, expect, test, waitForSeededCost } from './support';

/** An example endpoint nothing deploys in the browser tests, on the simulated gpu-us-east. */
const NEVER_DEPLOYED = 'inferenceendpoint:default/support-assistant';

test.describe('An endpoint declared in the catalog but never deployed', () => {
  test.setTimeout(240_000);

  test('is shown as "declared, not running" and costs nothing after the seeded history', async ({
    pageAs,
    request,
  }) => {
    const api = await apiAs(request, 'admin');
    await waitForSeededCost(api);
    // The collector has read gpu-us-east: the endpoint's state rests on it.
    await expect
      .poll(
        async () => {
          const fleet = await api.get<RunningFleetResponse>('/fleet/running', {
            endpoint: NEVER_DEPLOYED,
          });
          const e = fleet.endpoints[0];
          return `${e?.state} ${e?.basis}`;
        },
        { timeout: 180_000, message: 'the collector read gpu-us-east' },
      )
      .toBe('declared-not-running cluster-state');

    // A window after the seed (which ends at the last whole hour before the
    // backend started): the collector sampled the endpoint at 0 GPUs.
    const hour = new Date();
    hour.setUTCMinutes(0, 0, 0);
    await expect
      .poll(
        async () => {
          const summary = await api.get<CostSummary>('/cost/summary', {
            from: hour.toISOString(),
            groupBy: 'endpoint',
          });
          const row = summary.groups.find(g => g.key === NEVER_DEPLOYED);
          return row ? `${row.cost} ${row.gpuHours}` : 'not sampled yet';
        },
        { timeout: 120_000, message: 'sampled after the seed, at no cost' },
      )
      .toBe('0 0');

    const title = await api.title(NEVER_DEPLOYED);
    const page = await pageAs('admin');
    await page.goto(
      `/ai-platform/cost?from=${hour.toISOString().slice(0, 10)}`,
    );
    const table = page.getByRole('table', {
      name: 'What runs of each endpoint',
    });
    const row = table.getByRole('row').filter({ hasText: title });
    await expect(row).toContainText('declared, not running (no cost)');
    await expect(row).toContainText('cluster state at');
    await expect(page.getByLabel('Basis of the GPU-hours')).toContainText(
      'Cost = GPU-hours held by bound pods',
    );

    await page.goto('/ai-platform/quotas');
    const usage = page.getByRole('table', {
      name: 'Reserved and running GPUs per team and pool',
    });
    await expect(usage).toContainText(
      /declared, not running: .*support-assistant/,
    );
  });
});
