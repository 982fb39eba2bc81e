import type { Locator, Page } from '@playwright/test';
import { apiAs, expect, screenshot, test, type Api } from './support';

/**
 * The evals tables must stay readable on the screens people use, from a
 * laptop to a wide monitor: no header or cell may break inside a word ("Ra
 * nk", "Sco re"). A line may break only at a space or after a hyphen (a long
 * model name), or the table scrolls sideways inside its card.
 */

const WIDTHS = [1280, 1440, 1920];

/**
 * Full leaderboard tables whatever the demo seeded (the seed fills only an
 * empty eval store): a run on arc_challenge and hellaswag (no model gates on
 * them) for every version of the demo's LLMs, with the longest titles and
 * version names, and scores with their standard error, as the admin posts
 * them for CI.
 */
async function postRunsOfEveryLlmVersion(api: Api) {
  const versions: Array<[string, string]> = [
    ['model:default/llama-3-1-70b-instruct', 'v1'],
    ['model:default/llama-3-1-70b-instruct', 'v1-fp8'],
    ['model:default/mistral-7b-instruct', 'v0.3'],
    ['model:default/llama-3-1-8b-instruct', 'v1'],
    ['model:default/llama-3-1-8b-instruct', 'v2'],
    ['model:default/llama-3-1-8b-instruct', 'v2-fp8'],
    ['model:default/support-assistant-8b', '2026-07'],
    ['model:default/support-assistant-8b', '2026-09'],
    ['model:default/support-assistant-8b', '2026-11'],
  ];
  for (const [i, [model, version]] of versions.entries()) {
    await api.post('/evals/runs', {
      model,
      version,
      format: 'generic',
      results: {
        harness: 'e2e',
        scores: ['arc_challenge', 'hellaswag'].map((task, t) => ({
          task,
          metric: 'acc_norm',
          value: 0.8123 - t * 0.0412 - i * 0.0217,
          stderr: 0.0131,
        })),
      },
    });
  }
}

/**
 * The words of a table's header and body cells that the browser drew on
 * more than one line, as `cell text: word`. A word is what lies between
 * spaces, cut after each hyphen; a Range over it has one client rect per
 * line it is drawn on.
 */
async function brokenWords(table: Locator): Promise<string[]> {
  return table.evaluate(root => {
    const broken: string[] = [];
    for (const cell of Array.from(root.querySelectorAll('th, td'))) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[^\s-]+-?|-/g)) {
          const range = document.createRange();
          range.setStart(node, match.index!);
          range.setEnd(node, match.index! + match[0].length);
          const lines = new Set(
            Array.from(range.getClientRects())
              .filter(r => r.width > 0)
              .map(r => Math.round(r.top)),
          );
          if (lines.size > 1) {
            broken.push(
              `${(cell.textContent ?? '').trim()}: ${match[0]} on ${
                lines.size
              } lines`,
            );
          }
        }
      }
    }
    return broken;
  });
}

/** Checks every table of the page whose name matches, at each width. */
async function expectReadableAtEachWidth(
  page: Page,
  name: RegExp,
  screenshotName: string,
) {
  const tables = page.getByRole('table', { name });
  await expect(tables.first()).toBeVisible();
  const count = await tables.count();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 1000 });
    await expect.poll(() => page.evaluate(() => window.innerWidth)).toBe(width);
    for (let i = 0; i < count; i++) {
      const table = tables.nth(i);
      const label = await table.getAttribute('aria-label');
      expect(
        await brokenWords(table),
        `words broken across lines in "${label}" at ${width} px`,
      ).toEqual([]);
      // The table fits its card, or scrolls sideways inside it (the card
      // clips what overflows it).
      const { right, cardRight } = await table.evaluate(e => {
        const card = e.closest('.MuiCard-root')!;
        let shown: Element = e;
        for (
          let el = e.parentElement;
          el && el !== card;
          el = el.parentElement
        ) {
          if (['auto', 'scroll'].includes(getComputedStyle(el).overflowX)) {
            shown = el;
            break;
          }
        }
        return {
          right: shown.getBoundingClientRect().right,
          cardRight: card.getBoundingClientRect().right,
        };
      });
      expect(
        right,
        `"${label}" at ${width} px ends inside its card`,
      ).toBeLessThanOrEqual(cardRight + 0.5);
    }
    await screenshot(page, `${screenshotName}-${width}`);
  }
}

test.describe('Evals page layout', () => {
  test('the leaderboard tables break no word across lines from 1280 to 1920 px', async ({
    pageAs,
    request,
  }) => {
    await postRunsOfEveryLlmVersion(await apiAs(request, 'admin'));
    const page = await pageAs('member');
    await page.goto('/ai-platform/evals');
    // Our nine rows in each of the two tables, besides any of the seed's.
    for (const task of ['arc_challenge', 'hellaswag']) {
      await expect
        .poll(() =>
          page
            .getByRole('table', { name: `Leaderboard for ${task} acc_norm` })
            .locator('tbody tr')
            .count(),
        )
        .toBeGreaterThanOrEqual(9);
    }
    await expectReadableAtEachWidth(
      page,
      /^Leaderboard for /,
      'evals-leaderboard-layout',
    );
  });

  test('the compare table breaks no word across lines from 1280 to 1920 px', async ({
    pageAs,
    request,
  }) => {
    await postRunsOfEveryLlmVersion(await apiAs(request, 'admin'));
    const page = await pageAs('member');
    await page.goto(
      `/ai-platform/evals?view=compare&model=${encodeURIComponent(
        'model:default/llama-3-1-8b-instruct',
      )}&a=v1&b=v2`,
    );
    await expectReadableAtEachWidth(
      page,
      /^Comparison of A and B$/,
      'evals-compare-layout',
    );
  });
});
