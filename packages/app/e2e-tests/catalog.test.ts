import { test, expect, type Page } from '@playwright/test';

async function signInAsGuest(page: Page) {
  await page.goto('/');
  const enter = page.getByRole('button', { name: 'Enter' });
  await expect(enter).toBeVisible();
  await enter.click();
  await expect(
    page
      .getByTestId('sidebar-root')
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

test.describe('catalog with the ai-platform kinds', () => {
  test('lists Models, InferenceEndpoints and GpuPools', async ({ page }) => {
    await signInAsGuest(page);
    for (const [kind, name] of [
      ['model', 'Llama 3.1 8B Instruct'],
      ['inferenceendpoint', 'Chat assistant (production)'],
      ['gpupool', 'H100 80GB (us-east)'],
    ]) {
      await page.goto(`/?filters[kind]=${kind}&filters[user]=all`);
      await expect(page.getByRole('link', { name })).toBeVisible();
    }
    await page.screenshot({
      path: 'test-results/screenshots/catalog-gpupools.png',
      fullPage: true,
    });
  });

  test('a Model entity page shows its relations', async ({ page }) => {
    await signInAsGuest(page);
    await page.goto('/catalog/default/model/llama-3-1-8b-instruct');
    await expect(
      page.getByRole('heading', { name: 'Llama 3.1 8B Instruct' }).first(),
    ).toBeVisible();
    // The relations graph: owner, system, the endpoints serving the model
    // and the fine-tune derived from it, with our relation names.
    const graph = page.locator('svg#dependency-graph');
    await expect(graph).toBeVisible();
    for (const node of [
      'ML Platform',
      'assistant-platform',
      'Chat assistant (production)',
      'Chat assistant (staging)',
      'Support Assistant 8B',
    ]) {
      await expect(graph.getByText(node, { exact: true })).toBeVisible();
    }
    for (const relation of ['servedBy', 'baseOf']) {
      await expect(graph.getByText(relation).first()).toBeVisible();
    }
    await page.screenshot({
      path: 'test-results/screenshots/model-entity-page.png',
      fullPage: true,
    });
  });
});
