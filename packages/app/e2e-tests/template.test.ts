import type { Page } from '@playwright/test';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import {
  apiAs,
  expect,
  screenshot,
  test,
  userOf,
  type CatalogEntity,
} from './support';

/**
 * The golden path in the demo portal: the vllm-service template, filled in
 * as a member of Applied ML, publishes into the portal's local folder, runs
 * the deploy step in check-only mode (the demo's clusters are on loopback
 * addresses where nothing listens) and registers the new entities.
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

test.describe('vllm-service template', () => {
  const name = `e2e-chat-${Date.now().toString(36)}`;

  test.afterAll(async () => {
    // The published repository is this test's only trace on disk.
    await fs.rm(path.join(publishedRoot, name), {
      recursive: true,
      force: true,
    });
  });

  test('runs check-only in the demo and registers its entities', async ({
    pageAs,
    request,
  }) => {
    test.setTimeout(180_000);
    const api = await apiAs(request, 'member');
    const modelTitle = await api.title('model:default/mistral-7b-instruct');
    const poolTitle = await api.title('gpupool:default/h100-inference');
    const teamTitle = await api.title('group:default/applied-ml');

    const page = await pageAs('member');
    await page.goto('/create');
    await page
      .getByRole('article')
      .filter({ hasText: 'vLLM inference service' })
      .getByRole('button', { name: 'Choose' })
      .click();
    await expect(page).toHaveURL(/\/create\/templates\/default\/vllm-service/);

    // Service.
    await page.getByRole('textbox', { name: 'Name' }).fill(name);
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
    await pickEntity(
      page,
      'GPU pool',
      poolTitle,
      'gpupool:default/h100-inference',
    );
    const memory = page.getByRole('table', { name: 'GPU memory' });
    await expect(memory).toBeVisible();
    await expect(page.getByText('Fits', { exact: true })).toBeVisible();
    await expect(
      page.getByText(/Tensor parallelism 1: one replica uses 1 GPU/),
    ).toBeVisible();
    await screenshot(page, 'template-sizing');
    await page.getByRole('button', { name: 'Next' }).click();

    // Scale and runtime.
    await page
      .getByRole('textbox', { name: 'Kubernetes namespace' })
      .fill('applied-ml');
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

    // The task: every step ends; the deploy step says nothing was applied.
    await expect(page).toHaveURL(/\/create\/tasks\//);
    const deployment = page.getByTestId('text-output-box');
    await expect(deployment).toContainText(
      'Check-only: NOTHING WAS APPLIED to cluster gpu-us-east',
      { timeout: 120_000 },
    );
    await expect(deployment).toContainText('could not be reached');
    await page
      .getByRole('button', { name: 'Rendered objects (nothing was applied)' })
      .click();
    await expect(deployment).toContainText('kind: Deployment');
    await expect(deployment).toContainText(`name: ${name}`);
    await screenshot(page, 'template-check-only');

    // The new entities are in the catalog, related as the skeleton says.
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
      gpuPool: 'gpupool:default/h100-inference',
      namespace: 'applied-ml',
    });
    const component = await api.entity<
      CatalogEntity & { spec: { dependsOn?: string[] } }
    >(`component:default/${name}`);
    expect(component.spec.dependsOn).toContain(
      `inferenceendpoint:default/${name}`,
    );

    // The deploy service recorded the check-only run, as the member, with
    // the checks passed and the apply skipped.
    const { items } = await api.get<{ items: DeploymentRecord[] }>(
      '/deployments',
      { endpoint: `inferenceendpoint:default/${name}` },
    );
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      state: 'check-only',
      revision: 1,
      requestedBy: userOf('member'),
      poolRef: 'gpupool:default/h100-inference',
      cluster: 'gpu-us-east',
    });
    const status = Object.fromEntries(
      items[0].checks.map(c => [c.name, c.status]),
    );
    expect(status).toMatchObject({
      permission: 'passed',
      quota: 'passed',
      rollout: 'skipped',
    });

    await page.getByRole('link', { name: 'The inference endpoint' }).click();
    await expect(page).toHaveURL(
      new RegExp(`/catalog/default/inferenceendpoint/${name}`),
    );
    await expect(page.getByText(poolTitle).first()).toBeVisible();
    await expect(
      page.getByText(/Revision 1: deploy to .* by guest/).locator('..'),
    ).toContainText('check-only');
    await screenshot(page, 'template-endpoint');
  });
});
