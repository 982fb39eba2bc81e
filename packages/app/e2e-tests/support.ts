import type { CostSummary } from '@internal/plugin-ai-platform-common';
import {
  test as base,
  expect,
  type APIRequestContext,
  type Browser,
  type Locator,
  type Page,
} from '@playwright/test';
import fs from 'node:fs/promises';

/**
 * Shared helpers of the browser tests: sign-in as the demo's member or admin
 * identity, the ai-platform API with that identity's token (to check the
 * figures on screen against the API's answers), screenshots, and a check
 * that no page logged a console error or threw.
 */

/** The demo's identities (see README, demo identities). */
export type Identity = 'member' | 'admin';

const identities: Record<
  Identity,
  { provider: string; button: string; userEntityRef: string }
> = {
  member: {
    provider: 'guest',
    button: 'Enter as guest',
    userEntityRef: 'user:default/guest',
  },
  admin: {
    provider: 'demoAdmin',
    button: 'Enter as demo admin',
    userEntityRef: 'user:default/alice',
  },
};

export const userOf = (identity: Identity) =>
  identities[identity].userEntityRef;

/**
 * Console errors that are not ours and that we cannot avoid. Empty: every
 * console error or uncaught exception of the portal fails the test. Add an
 * entry only for a message that comes from outside this repository's code
 * (the browser itself, a third-party library we cannot configure), with the
 * reason beside it.
 */
const ALLOWED_CONSOLE_ERRORS: Array<{ pattern: RegExp; why: string }> = [];

type Fixtures = {
  /** Opens a page in a fresh browser context, signed in as `identity`. */
  pageAs: (identity: Identity) => Promise<Page>;
  /** Console errors and uncaught exceptions of every page of the test. */
  consoleErrors: string[];
};

/** Starts watching a page for console errors and uncaught exceptions. */
function watchConsole(page: Page, errors: string[]) {
  page.on('console', message => {
    if (message.type() !== 'error') return;
    const text = message.text();
    if (ALLOWED_CONSOLE_ERRORS.some(a => a.pattern.test(text))) return;
    const { url, lineNumber } = message.location();
    errors.push(`${text}${url ? ` (${url}:${lineNumber})` : ''}`);
  });
  page.on('pageerror', error => {
    errors.push(`Uncaught ${error.name}: ${error.message}`);
  });
}

/** Signs in on the demo's sign-in page and waits for the app. */
export async function signIn(page: Page, identity: Identity) {
  await page.goto('/');
  await page.getByRole('button', { name: identities[identity].button }).click();
  await expect(
    page
      .getByTestId('sidebar-root')
      .getByRole('link', { name: 'Catalog', exact: true }),
  ).toBeVisible();
}

async function newPageAs(
  browser: Browser,
  baseURL: string | undefined,
  identity: Identity,
  errors: string[],
) {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 1440, height: 1000 },
  });
  const page = await context.newPage();
  watchConsole(page, errors);
  await signIn(page, identity);
  return page;
}

export const test = base.extend<Fixtures>({
  consoleErrors: async ({}, provide) => {
    const errors: string[] = [];
    await provide(errors);
    expect(errors, 'console errors and uncaught exceptions').toEqual([]);
  },
  page: async ({ page, consoleErrors }, provide) => {
    watchConsole(page, consoleErrors);
    await provide(page);
  },
  pageAs: async ({ browser, baseURL, consoleErrors }, provide) => {
    const pages: Page[] = [];
    await provide(async identity => {
      const page = await newPageAs(browser, baseURL, identity, consoleErrors);
      pages.push(page);
      return page;
    });
    for (const page of pages) await page.context().close();
  },
});

export { expect };

/** Saves a full-page screenshot as a test artifact. */
export async function screenshot(page: Page, name: string) {
  // Let lazily loaded cards settle (no loading bar left) first.
  await expect(page.getByTestId('progress')).toHaveCount(0);
  await page.screenshot({
    path: `test-results/screenshots/${name}.png`,
    fullPage: true,
  });
}

/** What the tests read of a catalog entity. */
export type CatalogEntity = {
  metadata: { name: string; title?: string };
  spec?: object;
};

/** The ai-platform REST API as one of the demo identities. */
export type Api = {
  get<T>(path: string, query?: Record<string, string | number>): Promise<T>;
  /** A route's answer as text (an export), with its file name. */
  file(
    path: string,
    query?: Record<string, string | number>,
  ): Promise<{ fileName?: string; text: string }>;
  post<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  /** A catalog entity. */
  entity<E extends CatalogEntity = CatalogEntity>(
    entityRef: string,
  ): Promise<E>;
  /** A catalog entity's title (or name), as entity links show it. */
  title(entityRef: string): Promise<string>;
};

/** Signs in through the identity's auth provider and returns the API. */
export async function apiAs(
  request: APIRequestContext,
  identity: Identity,
): Promise<Api> {
  const session = await request.get(
    `/api/auth/${identities[identity].provider}/refresh`,
    { headers: { 'x-requested-with': 'XMLHttpRequest' } },
  );
  expect(session.ok(), await session.text()).toBe(true);
  const token: string = (await session.json()).backstageIdentity.token;
  const headers = { authorization: `Bearer ${token}` };
  const url = (path: string, query: Record<string, string | number> = {}) => {
    const params = new URLSearchParams(
      Object.entries(query).map(([k, v]) => [k, String(v)]),
    ).toString();
    return `/api/ai-platform${path}${params ? `?${params}` : ''}`;
  };
  type Response = Awaited<ReturnType<APIRequestContext['get']>>;
  /** The answer when it is OK; else a clear error with the status and body. */
  const ok = async (method: string, path: string, res: Response) => {
    if (!res.ok()) {
      throw new Error(
        `${method} ${path} answered ${res.status()}: ${await res.text()}`,
      );
    }
    return res;
  };
  /** The JSON answer, typed by the caller. */
  const check = async <T>(
    method: string,
    path: string,
    res: Response,
  ): Promise<T> => (await (await ok(method, path, res)).json()) as T;
  const api: Api = {
    get: async <T>(path: string, query?: Record<string, string | number>) =>
      check<T>('GET', path, await request.get(url(path, query), { headers })),
    file: async (path, query) => {
      const res = await ok(
        'GET',
        path,
        await request.get(url(path, query), { headers }),
      );
      const disposition = res.headers()['content-disposition'] ?? '';
      return {
        fileName: /filename="?([^";]+)"?/.exec(disposition)?.[1],
        text: await res.text(),
      };
    },
    post: async <T>(path: string, body: unknown) =>
      check<T>(
        'POST',
        path,
        await request.post(url(path), { headers, data: body }),
      ),
    put: async <T>(path: string, body: unknown) =>
      check<T>(
        'PUT',
        path,
        await request.put(url(path), { headers, data: body }),
      ),
    entity: async <E extends CatalogEntity = CatalogEntity>(
      entityRef: string,
    ) => {
      const [, kind, namespace, name] = /^([^:]+):([^/]+)\/(.+)$/.exec(
        entityRef,
      )!;
      const path = `/api/catalog/entities/by-name/${kind}/${namespace}/${name}`;
      return check<E>('GET', path, await request.get(path, { headers }));
    },
    title: async entityRef => {
      const { metadata } = await api.entity(entityRef);
      return metadata.title ?? metadata.name;
    },
  };
  return api;
}

/**
 * Money as the portal shows it (en-US, to the cent; amounts below one unit
 * with up to four decimals), written here independently of the plugin's
 * formatter so that a wrong figure on screen is caught.
 */
export function money(amount: number, currency = 'USD'): string {
  const small = Math.abs(amount) > 0 && Math.abs(amount) < 1;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: 2,
    maximumFractionDigits: small ? 4 : 2,
  }).format(amount);
}

/** GPU-hours as the portal shows them, e.g. `1,234.5 GPU-h`. */
export function gpuHours(value: number): string {
  return `${new Intl.NumberFormat('en-US', {
    maximumFractionDigits: 1,
  }).format(value)} GPU-h`;
}

/** Token counts as the portal shows them, e.g. `1.2M`. */
export function tokens(value: number): string {
  return new Intl.NumberFormat('en-US', {
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);
}

/** An eval score as the portal shows it (4 significant digits below 1). */
export function score(value: number): string {
  if (Math.abs(value) >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(4)));
}

/** 'YYYY-MM-DD' of a date in UTC, plus some days. */
export function utcDay(date: Date, plusDays = 0): string {
  return new Date(date.getTime() + plusDays * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

/**
 * Waits until the backend has seeded the demo's year of GPU usage (the
 * collector's first run, about 10 seconds after the backend starts).
 */
export async function waitForSeededCost(api: Api) {
  await expect
    .poll(
      async () => {
        const summary = await api.get<CostSummary>('/cost/summary', {
          from: utcDay(new Date(), -365),
          groupBy: 'team',
          granularity: 'month',
        });
        return new Set((summary.series ?? []).map(p => p.bucket)).size;
      },
      {
        message: 'months with seeded GPU usage',
        timeout: 120_000,
        intervals: [1000],
      },
    )
    .toBeGreaterThanOrEqual(12);
}

/**
 * Clicks a download button and returns what the browser saved: the file
 * name it suggested and the text.
 */
export async function downloadFrom(
  page: Page,
  button: string,
): Promise<{ fileName: string; text: string }> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: button }).click(),
  ]);
  return {
    fileName: download.suggestedFilename(),
    text: await fs.readFile(await download.path(), 'utf8'),
  };
}

/** The cells' texts of each body row of a table. */
export async function rowsOf(table: Locator): Promise<string[][]> {
  await expect(table).toBeVisible();
  return table
    .locator('tbody tr')
    .evaluateAll(rows =>
      rows.map(row =>
        Array.from(row.querySelectorAll('th, td')).map(cell =>
          (cell.textContent ?? '').trim(),
        ),
      ),
    );
}

/** The value cell of a labelled row of a two-column facts table. */
export function fact(table: Locator, label: string): Locator {
  return table
    .getByRole('row')
    .filter({
      has: table.page().getByRole('cell', { name: label, exact: true }),
    })
    .getByRole('cell')
    .nth(1);
}
