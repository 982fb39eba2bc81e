import type {
  DeploymentRecord,
  EndpointSloReport,
  SloFleetResponse,
} from '@internal/plugin-ai-platform-common';
import { apiAs, expect, fact, screenshot, test } from './support';

/** An example endpoint with SLO targets on the simulated gpu-us-east (no other browser test deploys it). */
const REF = 'inferenceendpoint:default/embeddings-bge-m3';
const PATH = '/slo/endpoints/default/embeddings-bge-m3';

/** Numbers as the card writes them (en-US), written here independently of the plugin. */
const num = (value: number, digits: number) =>
  new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(
    value,
  );
const budget = (left: number) =>
  left >= 0
    ? `${num(left * 100, 1)}% left`
    : `${num(-left * 100, 1)}% overspent`;

test.describe('SLOs', () => {
  test.setTimeout(300_000);

  test('the endpoint card shows the figures the API read from the simulated Prometheus, and the SLO page lists it', async ({
    pageAs,
    request,
  }) => {
    const api = await apiAs(request, 'admin');
    const record = await api.post<DeploymentRecord>('/deployments', {
      endpoint: REF,
      wait: true,
      overrideGates: true,
      reason: 'browser test of the SLO card',
    });
    // `unchanged` when a retry finds it applied already.
    expect(['succeeded', 'unchanged']).toContain(record.state);
    expect(record.error).toBeUndefined();
    // Its burn-rate alerts went with it (aiPlatform.deploy.prometheusRules
    // in app-config.simulated.yaml).
    expect(record.objects).toContainEqual(
      expect.objectContaining({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        name: 'embeddings-bge-m3-slo',
        namespace: 'search',
      }),
    );

    // Its pods run and the simulated Prometheus has scraped them twice.
    await expect
      .poll(
        async () => {
          const report = await api.get<EndpointSloReport>(PATH);
          return (
            (report.objectives[0]?.window.total ?? 0) > 0 &&
            (report.current?.requestRate ?? 0) > 0
          );
        },
        { timeout: 180_000, message: 'the pods serve and are scraped' },
      )
      .toBe(true);

    const page = await pageAs('admin');
    const answer = page.waitForResponse(
      r => r.url().endsWith(`/api/ai-platform${PATH}`) && r.ok(),
    );
    await page.goto('/catalog/default/inferenceendpoint/embeddings-bge-m3');
    // What the card was given: its figures must be these.
    const report = (await (await answer).json()) as EndpointSloReport;
    expect(report.source).toMatchObject({
      kind: 'prometheus',
      cluster: 'gpu-us-east',
      url: 'http://127.0.0.1:19091/clusters/gpu-us-east',
      selector:
        'namespace="search",pod=~"embeddings-bge-m3-[a-z0-9]{5,10}-[a-z0-9]{5}"',
    });

    const table = page.getByRole('table', { name: 'SLOs' });
    const availability = report.objectives.find(
      o => o.kind === 'availability',
    )!;
    const row = table.locator('tr[data-objective="availability"]');
    await expect(row).toContainText('≥ 99.9%');
    await expect(row.locator('[data-figure="budget"]')).toContainText(
      budget(availability.budgetLeft!),
    );
    await expect(row.locator('[data-figure="budget"]')).toContainText(
      `${num(availability.window.bad, 0)} of ${num(
        availability.window.allowedBad,
        availability.window.allowedBad < 10 ? 2 : 0,
      )} allowed`,
    );
    await expect(row.locator('[data-figure="burn1h"]')).toHaveText(
      `${num(availability.burnRate1h!, 1)}x`,
    );
    await expect(row.locator('[data-figure="burn6h"]')).toHaveText(
      `${num(availability.burnRate6h!, 1)}x`,
    );
    // 150 ms is below vLLM's smallest end-to-end bucket (300 ms).
    const latency = table.locator('tr[data-objective="latency"]');
    await expect(latency).toContainText('≤ 150 ms');
    await expect(latency).toContainText('Target below every bucket');
    await expect(latency.locator('[data-figure="current"]')).toHaveText(
      `${num(report.current!.latencyP95Ms!, 1)} ms`,
    );

    const now = page.getByRole('table', { name: 'Serving now' });
    await expect(fact(now, 'Request rate')).toHaveText(
      `${num(report.current!.requestRate!, 2)} req/s`,
    );
    await expect(fact(now, 'Waiting requests')).toHaveText(
      num(report.current!.requestsWaiting!, 0),
    );
    await expect(fact(now, 'KV-cache usage (fullest pod)')).toHaveText(
      `${num(report.current!.kvCacheUsage! * 100, 1)}%`,
    );
    await expect(fact(now, 'Basis')).toHaveText(
      'Prometheus http://127.0.0.1:19091/clusters/gpu-us-east (cluster gpu-us-east)Simulated cluster',
    );
    // A trend once there are two 15-minute points; a new deployment has not.
    await expect(
      (report.trend ?? []).length > 1
        ? page.getByRole('figure', {
            name: 'p95 latencies, last 6 hours (ms)',
          })
        : page.getByText(/^No trend yet/),
    ).toBeVisible();
    await screenshot(page, 'slo-card');
    // The card itself (the page's content scrolls inside its own container).
    await table
      .locator('xpath=ancestor::div[contains(@class, "MuiCard-root")][1]')
      .screenshot({ path: 'test-results/screenshots/slo-card-only.png' });

    // The SLO page lists it with the team's filter.
    const fleet = await api.get<SloFleetResponse>('/slo', {
      team: 'group:default/search-relevance',
    });
    expect(fleet.items.map(i => i.endpointRef)).toContain(REF);
    await page.goto('/ai-platform/slo?team=group:default/search-relevance');
    const slos = page.getByRole('table', { name: 'SLOs by endpoint' });
    await expect(
      slos.locator(`tr[data-endpoint="${REF}"]`).first(),
    ).toContainText('Availability');
    await page.screenshot({
      path: 'test-results/screenshots/slo-page.png',
    });
    await expect(slos.locator('tr[data-endpoint]')).toHaveCount(
      fleet.items.reduce((n, i) => n + i.objectives.length, 0),
    );
  });
});
