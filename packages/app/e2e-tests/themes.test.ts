import type { Locator, Page } from '@playwright/test';
import {
  apiAs,
  expect,
  screenshot,
  test,
  utcDay,
  waitForSeededCost,
  type Api,
  type Identity,
} from './support';

/**
 * Every page of the plugin, and an entity page of each of our kinds, in the
 * light and the dark theme. Each page is read first in the default (light)
 * theme, then the dark theme is chosen the way a user does (Settings,
 * Appearance, Theme: Dark; Backstage keeps the choice in localStorage under
 * `theme`) and the page is read again. In each theme the page must draw on a
 * background of that theme, every text on it must be readable (WCAG AA
 * contrast against what is behind it), and nothing may log a console error.
 * Screenshots: `dark-<page>.png` beside the light ones of the other tests.
 */

type ThemedPage = {
  name: string;
  identity: Identity;
  path: string;
  /** Data the page needs, written through the API as the identity. */
  prepare?: (api: Api) => Promise<unknown>;
  /** Visible once the page has drawn its data. */
  ready: (page: Page) => Locator;
};

const PAGES: ThemedPage[] = [
  {
    name: 'evals',
    identity: 'member',
    path: '/ai-platform/evals',
    ready: page =>
      page.getByRole('table', { name: /^Leaderboard for/ }).first(),
  },
  {
    name: 'quotas',
    identity: 'member',
    path: '/ai-platform/quotas',
    ready: page => page.getByRole('region', { name: /^Quotas on / }).first(),
  },
  {
    name: 'cost',
    identity: 'member',
    path: '/ai-platform/cost',
    ready: page =>
      page
        .getByRole('figure', { name: /^Spend by team per day/ })
        .locator('.recharts-bar-rectangle')
        .first(),
  },
  {
    name: 'audit',
    identity: 'admin',
    path: '/ai-platform/audit',
    // A mutation of our own, so that the log has records to show.
    prepare: api =>
      api.put('/cost/budgets', {
        team: 'group:default/search-relevance',
        month: utcDay(new Date()).slice(0, 7),
        amount: 4000,
        currency: 'USD',
        reason: 'Budget set by the dark theme browser test',
      }),
    ready: page => page.getByRole('table', { name: 'Audit records' }),
  },
  {
    name: 'entity-model',
    identity: 'member',
    path: '/catalog/default/model/llama-3-1-8b-instruct',
    ready: page => page.getByRole('table', { name: 'Model versions' }),
  },
  {
    name: 'entity-model-evals',
    identity: 'member',
    path: '/catalog/default/model/llama-3-1-8b-instruct/evals',
    ready: page =>
      page
        .getByRole('figure', { name: /^Trend of / })
        .locator('.recharts-line')
        .first(),
  },
  {
    name: 'entity-inferenceendpoint',
    identity: 'member',
    path: '/catalog/default/inferenceendpoint/chat-assistant-prod',
    ready: page =>
      page
        .getByRole('figure', { name: 'Cost per day' })
        .locator('.recharts-bar-rectangle')
        .first(),
  },
  {
    name: 'entity-gpupool',
    identity: 'member',
    path: '/catalog/default/gpupool/h100-inference',
    ready: page =>
      page
        .getByRole('figure', { name: 'Quota and GPUs used per team' })
        .locator('.recharts-bar-rectangle')
        .first(),
  },
];

/** Chooses a theme on the Settings page, as a user does. */
async function chooseTheme(page: Page, mode: 'light' | 'dark') {
  await page.goto('/settings');
  await page
    .getByRole('button', {
      name: mode === 'dark' ? 'Dark' : 'Light',
      exact: true,
    })
    .click();
  await expect(page.locator('body')).toHaveAttribute('data-theme-mode', mode);
  expect(await page.evaluate(() => window.localStorage.getItem('theme'))).toBe(
    mode,
  );
}

/**
 * Opens the page, waits for its data and checks its colours: backgrounds of
 * the theme (page and cards), every text readable.
 */
async function expectReadable(
  page: Page,
  target: ThemedPage,
  mode: 'light' | 'dark',
) {
  await page.goto(target.path);
  await expect(target.ready(page)).toBeVisible();
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await expect(page.locator('body')).toHaveAttribute('data-theme-mode', mode);

  const colours = await page.evaluate(inspectColours);
  const backgrounds = [colours.bodyLuminance, ...colours.cardLuminances];
  expect(colours.cardLuminances.length, 'cards on the page').toBeGreaterThan(0);
  for (const luminance of backgrounds) {
    if (mode === 'dark') {
      expect(luminance, 'a dark background').toBeLessThan(0.1);
    } else {
      expect(luminance, 'a light background').toBeGreaterThan(0.8);
    }
  }
  expect(colours.checked, 'texts checked').toBeGreaterThan(20);
  expect(
    colours.unreadable,
    `texts below WCAG AA contrast in the ${mode} theme`,
  ).toEqual([]);
}

/** What the browser finds of a page's colours (see `inspectColours`). */
type Colours = {
  /** Relative luminance (0 black to 1 white) of the body's background. */
  bodyLuminance: number;
  /** Relative luminance of each card's background. */
  cardLuminances: number[];
  /** Texts whose contrast with their background is below WCAG AA. */
  unreadable: string[];
  /** How many texts were checked. */
  checked: number;
};

/**
 * Runs in the page: the body's and the cards' background luminance, and the
 * contrast of every visible text of the page (HTML text and SVG
 * text such as chart axes) against its background, composited through
 * translucent layers. WCAG AA: 4.5:1, or 3:1 for large text (24px, or 18.66px
 * bold); disabled controls are exempt, as in WCAG.
 */
function inspectColours(): Colours {
  type Rgba = [number, number, number, number];
  const parse = (value: string): Rgba => {
    const m = /rgba?\(([^)]+)\)/.exec(value);
    if (!m) return [0, 0, 0, 0];
    const parts = m[1]
      .split(/[\s,/]+/)
      .filter(Boolean)
      .map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top: Rgba, bottom: Rgba): Rgba => {
    const a = top[3];
    return [
      top[0] * a + bottom[0] * (1 - a),
      top[1] * a + bottom[1] * (1 - a),
      top[2] * a + bottom[2] * (1 - a),
      1,
    ];
  };
  const luminance = ([r, g, b]: Rgba) => {
    const channel = (c: number) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const contrast = (a: Rgba, b: Rgba) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  /** The opaque colour behind an element: its ancestors' backgrounds. */
  const backgroundOf = (element: Element): Rgba => {
    const layers: Rgba[] = [];
    for (let e: Element | null = element; e; e = e.parentElement) {
      if (e instanceof SVGElement && !(e instanceof SVGSVGElement)) continue;
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    return layers.reduceRight<Rgba>(
      (below, layer) => over(layer, below),
      [255, 255, 255, 1],
    );
  };
  /**
   * The painted shape behind an SVG text, if any (a graph node's box): a
   * filled rect, path or circle drawn before the text, under its centre.
   */
  const shapeBehind = (text: Element): Rgba | undefined => {
    const box = text.getBoundingClientRect();
    const [x, y] = [box.x + box.width / 2, box.y + box.height / 2];
    for (
      let node: Element | null = text;
      node && !(node instanceof SVGSVGElement);
      node = node.parentElement
    ) {
      for (
        let shape = node.previousElementSibling;
        shape;
        shape = shape.previousElementSibling
      ) {
        if (!(shape instanceof SVGGeometryElement)) continue;
        const style = getComputedStyle(shape);
        const fill = parse(style.fill);
        const alpha = fill[3] * Number(style.fillOpacity);
        const r = shape.getBoundingClientRect();
        const under =
          x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
        if (alpha > 0 && under) return [fill[0], fill[1], fill[2], alpha];
      }
    }
    return undefined;
  };
  const visible = (e: Element) => {
    const style = getComputedStyle(e);
    const box = e.getBoundingClientRect();
    return (
      style.visibility === 'visible' &&
      Number(style.opacity) > 0 &&
      box.width > 0 &&
      box.height > 0 &&
      !e.closest('[aria-hidden="true"]')
    );
  };

  const root = document.body;
  // Not our code, so not checked: the Relations card's graph (Backstage's
  // DependencyGraph, drawn by the catalog-graph plugin), whose entity node
  // is white on the theme's light secondary colour (3.3:1, light theme).
  const NOT_OURS = 'svg#dependency-graph';
  const unreadable: string[] = [];
  let checked = 0;
  const elements = new Set<Element>();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.textContent?.trim() && n.parentElement) elements.add(n.parentElement);
  }
  for (const e of elements) {
    if (!visible(e)) continue;
    if (e.closest('.Mui-disabled, [aria-disabled="true"], :disabled')) continue;
    if (e.closest(NOT_OURS)) continue;
    const style = getComputedStyle(e);
    const isSvg = e instanceof SVGElement;
    let background = backgroundOf(isSvg ? e.closest('svg')! : e);
    const shape = isSvg ? shapeBehind(e) : undefined;
    if (shape) background = over(shape, background);
    const ink = parse(isSvg ? style.fill : style.color);
    const opacity = Number(style.opacity);
    const text = over([ink[0], ink[1], ink[2], ink[3] * opacity], background);
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    const ratio = contrast(text, background);
    checked++;
    // 0.01 for 8-bit rounding: Material UI's secondary text (54% black) on
    // Backstage's light page background is 4.497:1.
    if (ratio < needed - 0.01) {
      unreadable.push(
        `"${e.textContent!.trim().slice(0, 40)}" (${e.tagName.toLowerCase()}${
          e.className && typeof e.className === 'string'
            ? `.${e.className.split(' ')[0]}`
            : ''
        }): ${isSvg ? style.fill : style.color} on rgb(${background
          .slice(0, 3)
          .map(Math.round)
          .join(', ')}) = ${ratio.toFixed(2)}:1, needs ${needed}:1`,
      );
    }
  }
  return {
    bodyLuminance: luminance(
      parse(getComputedStyle(document.body).backgroundColor),
    ),
    cardLuminances: Array.from(root.querySelectorAll('.MuiCard-root')).map(
      card => luminance(backgroundOf(card)),
    ),
    unreadable,
    checked,
  };
}

test.describe('light and dark themes', () => {
  test.beforeAll(async ({ request }) => {
    await waitForSeededCost(await apiAs(request, 'member'));
  });

  for (const target of PAGES) {
    test(`${target.name}: readable in the light and the dark theme`, async ({
      pageAs,
      request,
    }) => {
      await target.prepare?.(await apiAs(request, target.identity));
      const page = await pageAs(target.identity);
      await expectReadable(page, target, 'light');
      await chooseTheme(page, 'dark');
      await expectReadable(page, target, 'dark');
      await screenshot(page, `dark-${target.name}`);
    });
  }
});
