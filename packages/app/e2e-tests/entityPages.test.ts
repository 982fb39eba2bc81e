import type {
  CostSummary,
  GpuPoolEntityV1alpha1,
  InferenceEndpointEntityV1alpha1,
  ModelGateStatus,
  QuotasResponse,
} from '@internal/plugin-ai-platform-common';
import type { Locator } from '@playwright/test';
import {
  apiAs,
  expect,
  fact,
  gpuHours,
  money,
  rowsOf,
  score,
  screenshot,
  test,
  waitForSeededCost,
  type Api,
} from './support';

const shortRef = (ref: string) => ref.replace(/^.*[:/]/, '');

/**
 * A last-30-days figure: the window ends now and the collector adds the
 * current hour every few minutes, so the page must show the API's answer of
 * just before or just after it loaded.
 */
async function expectFigureOfTheMoment(
  cell: Locator,
  fetch: () => Promise<string>,
  before: string,
) {
  await expect(cell).toBeVisible();
  const shown = (await cell.textContent())?.trim();
  expect([before, await fetch()]).toContain(shown);
}

async function costOf(api: Api, groupBy: string, key: string) {
  const summary = await api.get<CostSummary>('/cost/summary', {
    groupBy,
    granularity: 'day',
  });
  const group = summary.groups.find(g => g.key === key);
  if (!group) throw new Error(`${key} has no cost in the last 30 days`);
  return group;
}

test.describe('entity pages', () => {
  test('Model: versions and eval gates as the API reports them', async ({
    pageAs,
    request,
  }) => {
    const api = await apiAs(request, 'member');
    const ref = 'model:default/llama-3-1-8b-instruct';
    const page = await pageAs('member');
    await page.goto('/catalog/default/model/llama-3-1-8b-instruct');

    const versions = await rowsOf(
      page.getByRole('table', { name: 'Model versions' }),
    );
    expect(versions.map(v => v.slice(0, 2))).toEqual([
      ['v1', 'production'],
      ['v2', 'staging'],
      ['v2-fp8', 'development'],
    ]);

    for (const [version, heading] of [
      ['v1', 'In production: v1'],
      ['v2', 'Candidate: v2'],
    ]) {
      const status = await api.get<ModelGateStatus>('/gates', {
        model: ref,
        version,
      });
      const { pass, fail, missing } = status.summary;
      const section = page.getByRole('region', { name: heading });
      await expect(section).toContainText(
        `${
          status.passed ? 'Passes its gates' : 'Does not pass its gates'
        } (${pass} pass, ${fail} fail, ${missing} missing`,
      );
      const gates = await rowsOf(
        section.getByRole('table', { name: `Gates of ${version}` }),
      );
      expect(gates.map(g => [g[0], g[1], g[3]])).toEqual(
        status.gates.map(g => [
          g.task,
          g.metric,
          g.value === undefined ? '—' : score(g.value),
        ]),
      );
    }
    await screenshot(page, 'entity-model');
  });

  test('InferenceEndpoint: overview and the last 30 days of cost', async ({
    pageAs,
    request,
  }) => {
    const api = await apiAs(request, 'member');
    await waitForSeededCost(api);
    const ref = 'inferenceendpoint:default/chat-assistant-prod';
    const before = await costOf(api, 'endpoint', ref);
    const page = await pageAs('member');
    await page.goto('/catalog/default/inferenceendpoint/chat-assistant-prod');

    const details = page.getByRole('table', { name: 'Endpoint details' });
    // The cluster is the pool's (the endpoint names no cluster of its own).
    const endpoint = await api.entity<InferenceEndpointEntityV1alpha1>(ref);
    const pool = await api.entity<GpuPoolEntityV1alpha1>(
      endpoint.spec.gpuPool!,
    );
    await expect(fact(details, 'Cluster')).toHaveText(pool.spec.cluster);

    const cost = page.getByRole('table', { name: 'Cost in USD' });
    await expectFigureOfTheMoment(
      fact(cost, 'Cost'),
      async () => money((await costOf(api, 'endpoint', ref)).cost),
      money(before.cost),
    );
    await expectFigureOfTheMoment(
      fact(cost, 'GPU-hours'),
      async () => gpuHours((await costOf(api, 'endpoint', ref)).gpuHours),
      gpuHours(before.gpuHours),
    );
    await expect(
      page
        .getByRole('figure', { name: 'Cost per day' })
        .locator('.recharts-bar-rectangle')
        .first(),
    ).toBeVisible();
    await screenshot(page, 'entity-inferenceendpoint');
  });

  test('GpuPool: capacity, quotas per team and cost', async ({
    pageAs,
    request,
  }) => {
    const api = await apiAs(request, 'member');
    await waitForSeededCost(api);
    const ref = 'gpupool:default/h100-inference';
    const before = await costOf(api, 'pool', ref);
    const page = await pageAs('member');
    await page.goto('/catalog/default/gpupool/h100-inference');

    const [pool] = (await api.get<QuotasResponse>('/quotas', { pool: ref }))
      .items;
    const price = (await api.entity<GpuPoolEntityV1alpha1>(ref)).spec
      .costPerGpuHour!;
    await expect(
      page.getByText(
        `${pool.capacity} GPUs: ${pool.used} allocated, ${pool.free} free`,
      ),
    ).toBeVisible();
    await expect(
      fact(
        page.getByRole('table', { name: 'Pool details' }),
        'Price per GPU-hour',
      ),
    ).toHaveText(money(price.amount, price.currency));

    expect(
      await rowsOf(page.getByRole('table', { name: 'Quotas per team' })),
    ).toEqual(
      await Promise.all(
        pool.teams.map(async t => [
          await api.title(t.team),
          String(t.quota),
          String(t.used),
          String(t.free),
          t.override
            ? expect.stringContaining(
                `override by ${shortRef(t.override.actor)}`,
              )
            : 'pool YAML',
        ]),
      ),
    );

    await expectFigureOfTheMoment(
      fact(page.getByRole('table', { name: 'Pool cost in USD' }), 'Cost'),
      async () => money((await costOf(api, 'pool', ref)).cost),
      money(before.cost),
    );
    await screenshot(page, 'entity-gpupool');
  });
});
