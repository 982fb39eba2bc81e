import type { Page } from '@playwright/test';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  CostGroupRow,
  CostSummary,
  DeploymentRecord,
  EndpointLiveStatus,
} from '@internal/plugin-ai-platform-common';
import {
  apiAs,
  expect,
  fact,
  rowsOf,
  screenshot,
  test,
  tokens,
  userOf,
  type Api,
  type CatalogEntity,
} from './support';

/**
 * The golden path in the demo portal: the vllm-service template, filled in
 * as a member of Applied ML, publishes into the portal's local folder,
 * deploys through the portal and registers the new entities. On a pool of
 * the simulated gpu-us-east (a fake Kubernetes API server that
 * playwright.config.ts starts) the deploy is real: the objects are applied,
 * the pods start and the endpoint page shows them live. On a pool of
 * gpu-eu-west, which nothing answers on in the browser tests
 * (app-config.e2e.yaml), the deploy runs check-only.
 */

// Where ai-platform:publish:local writes without config: `.data/published`
// at the repository root (see readLocalPublishDirectory).
const publishedRoot = path.resolve(__dirname, '../../../.data/published');

/**
 * Picks an entity in a Backstage EntityPicker or OwnerPicker by its title;
 * the field then holds the entity's ref.
 */
async function pickEntity(
  page: Page,
  label: string,
  option: string,
  entityRef: string,
) {
  const input = page.getByRole('textbox', { name: label });
  await input.click();
  await input.fill(option);
  await page.getByRole('option', { name: option }).first().click();
  await expect(input).toHaveValue(entityRef);
}

/**
 * Fills the template in as the member and creates: a chat service of
 * Mistral 7B on `pool`, in the team's namespace; returns at the task page.
 */
async function runTemplate(
  page: Page,
  api: Api,
  options: {
    name: string;
    pool: string;
    screenshotPrefix: string;
    /** Default: the team's own namespace. */
    namespace?: string;
  },
) {
  const modelTitle = await api.title('model:default/mistral-7b-instruct');
  const poolTitle = await api.title(options.pool);
  const teamTitle = await api.title('group:default/applied-ml');
  await page.goto('/create');
  await page
    .getByRole('article')
    .filter({ hasText: 'vLLM inference service' })
    .getByRole('button', { name: 'Choose' })
    .click();
  await expect(page).toHaveURL(/\/create\/templates\/default\/vllm-service/);

  // Service.
  await page.getByRole('textbox', { name: 'Name' }).fill(options.name);
  await page
    .getByRole('textbox', { name: 'Description' })
    .fill('A chat assistant, created by the browser test');
  await pickEntity(page, 'Owner', teamTitle, 'group:default/applied-ml');
  await page.getByRole('button', { name: 'Next' }).click();

  // Model and GPUs: the sizing shows before submission.
  await pickEntity(
    page,
    'Model',
    modelTitle,
    'model:default/mistral-7b-instruct',
  );
  await page.getByRole('button', { name: /Model version/ }).click();
  await page.getByRole('option').first().click();
  await pickEntity(page, 'GPU pool', poolTitle, options.pool);
  const memory = page.getByRole('table', { name: 'GPU memory' });
  await expect(memory).toBeVisible();
  await expect(page.getByText('Fits', { exact: true })).toBeVisible();
  await screenshot(page, `${options.screenshotPrefix}-sizing`);
  await page.getByRole('button', { name: 'Next' }).click();

  // Scale and runtime: the team's own namespace (the simulated cluster has
  // one per team with quota, owned by it).
  await page
    .getByRole('textbox', { name: 'Kubernetes namespace' })
    .fill(options.namespace ?? 'applied-ml');
  await page.getByRole('button', { name: 'Next' }).click();

  // Repository and deployment: the demo has no GitHub integration, so the
  // local folder, and the form says why.
  await expect(page.getByRole('button', { name: /Publish to/ })).toHaveText(
    "This portal's local folder",
  );
  await expect(
    page.getByText(/No GitHub integration is configured in this portal/),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page).toHaveURL(/\/create\/tasks\//);
  return { poolTitle };
}

/** Waits until the catalog has the new InferenceEndpoint, and checks its relations. */
async function expectRegistered(api: Api, name: string, pool: string) {
  await expect
    .poll(
      () =>
        api.entity(`inferenceendpoint:default/${name}`).then(
          () => true,
          () => false,
        ),
      { message: 'the registered InferenceEndpoint', timeout: 60_000 },
    )
    .toBe(true);
  const registered = await api.entity<
    CatalogEntity & { spec: Record<string, unknown> }
  >(`inferenceendpoint:default/${name}`);
  expect(registered.spec).toMatchObject({
    owner: 'group:default/applied-ml',
    model: 'model:default/mistral-7b-instruct',
    gpuPool: pool,
    namespace: 'applied-ml',
  });
  const component = await api.entity<
    CatalogEntity & { spec: { dependsOn?: string[] } }
  >(`component:default/${name}`);
  expect(component.spec.dependsOn).toContain(
    `inferenceendpoint:default/${name}`,
  );
}

/** The deployment records of an endpoint, newest first. */
async function recordsOf(api: Api, name: string) {
  const { items } = await api.get<{ items: DeploymentRecord[] }>(
    '/deployments',
    { endpoint: `inferenceendpoint:default/${name}` },
  );
  return items;
}

/**
 * The new endpoint's records: the template's check before publishing (a dry
 * run, revision 1) and its one deployment (revision 2), with that
 * deployment's checks by name.
 */
async function onlyRecord(api: Api, name: string) {
  const items = await recordsOf(api, name);
  expect(items.map(r => [r.revision, r.dryRun])).toEqual([
    [2, false],
    [1, true],
  ]);
  expect(items[1].checks.map(c => c.status)).not.toContain('failed');
  return {
    record: items[0],
    checks: Object.fromEntries(items[0].checks.map(c => [c.name, c.status])),
  };
}

test.describe('vllm-service template', () => {
  const stamp = Date.now().toString(36);
  const names = [
    `e2e-chat-${stamp}`,
    `e2e-offline-${stamp}`,
    `e2e-intruder-${stamp}`,
  ];

  test.afterAll(async () => {
    // The published repositories are these tests' only trace on disk (the
    // simulated cluster keeps no state in the browser tests).
    for (const name of names) {
      await fs.rm(path.join(publishedRoot, name), {
        recursive: true,
        force: true,
      });
    }
  });

  test('deploys into the simulated cluster, and the endpoint page shows its pods live', async ({
    pageAs,
    request,
  }) => {
    test.setTimeout(480_000);
    const name = names[0];
    const pool = 'gpupool:default/h100-inference';
    const api = await apiAs(request, 'member');
    const page = await pageAs('member');
    const { poolTitle } = await runTemplate(page, api, {
      name,
      pool,
      screenshotPrefix: 'template',
    });

    // The task: the deploy step applied the objects and the rollout
    // finished, on a cluster it says is simulated.
    const deployment = page.getByTestId('text-output-box');
    await expect(deployment).toContainText(
      `Deployed inferenceendpoint:default/${name} revision 2`,
      { timeout: 120_000 },
    );
    await expect(deployment).toContainText('applied and the rollout finished');
    await expect(deployment).toContainText('Cluster gpu-us-east is SIMULATED');
    await expect(
      page.getByRole('button', {
        name: 'Rendered objects (nothing was applied)',
      }),
    ).toHaveCount(0);
    await screenshot(page, 'template-deployed');

    await expectRegistered(api, name, pool);

    // The deploy service recorded a real deployment, as the member.
    const { record, checks } = await onlyRecord(api, name);
    expect(record).toMatchObject({
      state: 'succeeded',
      revision: 2,
      requestedBy: userOf('member'),
      poolRef: pool,
      cluster: 'gpu-us-east',
      namespace: 'applied-ml',
    });
    expect(checks).toMatchObject({
      permission: 'passed',
      quota: 'passed',
      rollout: 'passed',
    });

    // The cluster runs it: the live status the endpoint page reads.
    const live = await api.get<EndpointLiveStatus>(
      `/endpoints/default/${name}/status`,
    );
    expect(live).toMatchObject({
      cluster: 'gpu-us-east',
      namespace: 'applied-ml',
      runningRevision: 2,
      deployment: { readyReplicas: 1 },
    });
    expect(live.error).toBeUndefined();
    expect(live.pods).toHaveLength(1);
    expect(live.pods[0]).toMatchObject({ phase: 'Running', ready: true });

    await page.getByRole('link', { name: 'The inference endpoint' }).click();
    await expect(page).toHaveURL(
      new RegExp(`/catalog/default/inferenceendpoint/${name}`),
    );
    await expect(page.getByText(poolTitle).first()).toBeVisible();
    const running = page.getByRole('table', { name: 'Running' });
    await expect(fact(running, 'Cluster')).toContainText(
      'gpu-us-east / applied-ml',
    );
    await expect(fact(running, 'Cluster')).toContainText('Simulated cluster');
    const status = page.getByRole('region', { name: 'Live status' });
    await expect(status).toContainText('1 of 1 replicas ready');
    const pods = status.getByRole('table', { name: 'Pods' });
    const rows = await rowsOf(pods);
    expect(rows).toEqual([[live.pods[0].name, 'Running', 'yes', '0']]);
    await expect(
      page.getByText(/Revision 2: deploy to .* by guest/).locator('..'),
    ).toContainText('succeeded');
    await screenshot(page, 'template-endpoint');

    // It is billed for what runs, and the simulated Prometheus's traffic
    // makes its token counts grow: the collector samples every minute in
    // the browser tests (app-config.e2e.yaml).
    const ref = `inferenceendpoint:default/${name}`;
    const first = await billed(api, ref, row => row.tokens > 0);
    expect(first.gpuHours).toBeGreaterThan(0);
    expect(first.cost).toBeGreaterThan(0);
    await expectCardShowsApi(page, api, ref);
    const later = await billed(api, ref, row => row.tokens > first.tokens);
    expect(later.cost).toBeGreaterThan(first.cost);
    expect(later.gpuHours).toBeGreaterThan(first.gpuHours);
    await expectCardShowsApi(page, api, ref);
    await screenshot(page, 'template-endpoint-cost');
  });

  test('runs check-only on a pool whose cluster does not answer', async ({
    pageAs,
    request,
  }) => {
    test.setTimeout(180_000);
    const name = names[1];
    const pool = 'gpupool:default/l4-inference';
    const api = await apiAs(request, 'member');
    const page = await pageAs('member');
    await runTemplate(page, api, {
      name,
      pool,
      screenshotPrefix: 'template-offline',
    });

    // The task: every step ends; the deploy step says nothing was applied.
    const deployment = page.getByTestId('text-output-box');
    await expect(deployment).toContainText(
      'Check-only: NOTHING WAS APPLIED to cluster gpu-eu-west',
      { timeout: 120_000 },
    );
    await expect(deployment).toContainText('could not be reached');
    await expect(deployment).not.toContainText('SIMULATED');
    await page
      .getByRole('button', { name: 'Rendered objects (nothing was applied)' })
      .click();
    await expect(deployment).toContainText('kind: Deployment');
    await expect(deployment).toContainText(`name: ${name}`);
    await screenshot(page, 'template-check-only');

    await expectRegistered(api, name, pool);

    // The deploy service recorded the check-only run, as the member, with
    // the checks passed and the apply skipped.
    const { record, checks } = await onlyRecord(api, name);
    expect(record).toMatchObject({
      state: 'check-only',
      revision: 2,
      requestedBy: userOf('member'),
      poolRef: pool,
      cluster: 'gpu-eu-west',
    });
    expect(checks).toMatchObject({
      permission: 'passed',
      quota: 'passed',
      rollout: 'skipped',
    });

    await page.getByRole('link', { name: 'The inference endpoint' }).click();
    await expect(page).toHaveURL(
      new RegExp(`/catalog/default/inferenceendpoint/${name}`),
    );
    await expect(
      page.getByText(/Revision 2: deploy to .* by guest/).locator('..'),
    ).toContainText('check-only');
    // A cluster that is not simulated carries no such mark.
    await expect(
      fact(page.getByRole('table', { name: 'Running' }), 'Cluster'),
    ).not.toContainText('Simulated cluster');
  });

  test("refuses another team's namespace before publishing, and says why", async ({
    pageAs,
    request,
  }) => {
    test.setTimeout(180_000);
    const name = names[2];
    const api = await apiAs(request, 'member');
    const page = await pageAs('member');
    // Support is Data Science's namespace (its ai-platform.io/owners).
    await runTemplate(page, api, {
      name,
      pool: 'gpupool:default/h100-inference',
      namespace: 'support',
      screenshotPrefix: 'template-refused',
    });

    // The check before publishing refuses, naming the namespace and its
    // owner; the steps after it never run.
    await expect(
      page
        .getByText(
          /may not deploy inferenceendpoint:default\/e2e-intruder-[a-z0-9]+ .*into namespace support on cluster gpu-us-east \(owned by group:default\/data-science\)/,
        )
        .first(),
    ).toBeVisible({ timeout: 120_000 });
    await screenshot(page, 'template-refused');

    // Nothing was published or registered, and nothing applied: the one
    // record is the refused dry run, stopped at the permission check.
    await expect(
      fs.stat(path.join(publishedRoot, name)).then(
        () => 'published',
        () => 'absent',
      ),
    ).resolves.toBe('absent');
    await expect(
      api.entity(`inferenceendpoint:default/${name}`).then(
        () => 'registered',
        () => 'absent',
      ),
    ).resolves.toBe('absent');
    const records = await recordsOf(api, name);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      dryRun: true,
      state: 'failed',
      error: { check: 'permission' },
    });
    expect(records[0].objects.every(o => o.action === undefined)).toBe(true);
  });
});

/**
 * The endpoint's row of the cost summary once `ready` holds, polling while
 * the collector samples (one interval is a minute in the browser tests).
 */
async function billed(
  api: Api,
  ref: string,
  ready: (row: CostGroupRow) => boolean,
): Promise<CostGroupRow> {
  let row: CostGroupRow | undefined;
  await expect
    .poll(
      async () => {
        const summary = await api.get<CostSummary>('/cost/summary', {
          groupBy: 'endpoint',
          granularity: 'day',
        });
        row = summary.groups.find(g => g.key === ref);
        return row !== undefined && ready(row);
      },
      {
        message: `the collector bills ${ref} from the simulated cluster`,
        timeout: 180_000,
        intervals: [5_000],
      },
    )
    .toBe(true);
  return row!;
}

/**
 * After a reload, the cost card shows the tokens the API reports, before or
 * after reading the page (a collection may land in between).
 */
async function expectCardShowsApi(page: Page, api: Api, ref: string) {
  const tokensNow = async () => {
    const summary = await api.get<CostSummary>('/cost/summary', {
      groupBy: 'endpoint',
      granularity: 'day',
    });
    const row = summary.groups.find(g => g.key === ref);
    return row ? tokens(row.tokens) : 'not billed';
  };
  const before = await tokensNow();
  await page.reload();
  const cell = fact(page.getByRole('table', { name: 'Cost in USD' }), 'Tokens');
  await expect(cell).toBeVisible();
  const shown = (await cell.textContent())?.trim();
  expect([before, await tokensNow()]).toContain(shown);
}
