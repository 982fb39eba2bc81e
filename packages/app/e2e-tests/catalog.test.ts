import { expect, signIn, test } from './support';

test.describe('catalog with the ai-platform kinds', () => {
  test('lists Models, InferenceEndpoints and GpuPools', async ({ page }) => {
    await signIn(page, 'member');
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
    await signIn(page, 'member');
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
