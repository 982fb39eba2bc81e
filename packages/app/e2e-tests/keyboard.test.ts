import type {
  QuotaRequestsResponse,
  QuotasResponse,
} from '@internal/plugin-ai-platform-common';
import type { Locator, Page } from '@playwright/test';
import {
  apiAs,
  expect,
  screenshot,
  test,
  userOf,
  waitForSeededCost,
  type Identity,
} from './support';

/**
 * The keyboard alone (Tab, Shift+Tab, Enter, Space, the arrow keys, Escape,
 * and typing into fields):
 * - on the GPU quotas page a member asks for more GPUs, and the admin
 *   reaches the request's Approve action and approves it; every control
 *   reached shows Material UI's focus ring, and the dialogs keep the focus
 *   inside while open and give it back on close;
 * - on each page of the plugin (and the entity pages with charts) every
 *   control Tab reaches has a name and shows that it has the focus.
 */
const POOL = 'gpupool:default/h100-inference';
const TEAM = 'group:default/applied-ml';
const shortRef = (ref: string) => ref.replace(/^.*[:/]/, '');

/** Whether the element has the keyboard focus. */
const isFocused = (locator: Locator) =>
  locator.evaluate(element => element === document.activeElement);

/**
 * Presses Tab (or Shift+Tab) until the element has the focus, and checks
 * that it shows the focus ring.
 */
async function tabTo(
  page: Page,
  target: Locator,
  options: { backwards?: boolean; max?: number } = {},
) {
  const key = options.backwards ? 'Shift+Tab' : 'Tab';
  const max = options.max ?? 80;
  for (let i = 0; i < max; i++) {
    if (await isFocused(target)) break;
    await page.keyboard.press(key);
  }
  expect(await isFocused(target), `reached with ${key}`).toBe(true);
  await expectFocusRing(target);
}

/**
 * The focus is visible: the browser's `:focus-visible` matches, and Material
 * UI marks a button (ButtonBase) it focused from the keyboard
 * (`Mui-focusVisible`, which draws its focus ring).
 */
async function expectFocusRing(target: Locator) {
  expect(await target.evaluate(e => e.matches(':focus-visible'))).toBe(true);
  const isButtonBase = await target.evaluate(e =>
    e.classList.contains('MuiButtonBase-root'),
  );
  if (isButtonBase) await expect(target).toHaveClass(/Mui-focusVisible/);
}

/** Whether the focus is inside the dialog's modal layer. */
const focusInside = (dialog: Locator) =>
  dialog.evaluate(d => {
    const layer = d.closest('[role="presentation"]') ?? d;
    return layer.contains(document.activeElement);
  });

/**
 * Tab and Shift+Tab many times round the open dialog: the focus never
 * leaves it (the page behind cannot be reached).
 */
async function expectFocusTrapped(page: Page, dialog: Locator) {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press(key);
      expect(await focusInside(dialog), `after ${i + 1} x ${key}`).toBe(true);
    }
  }
}

/** Opens the focused select (Space) and picks an option with the arrows. */
async function pickOption(page: Page, select: Locator, option: string) {
  await page.keyboard.press('Space');
  const wanted = page.getByRole('option', { name: option, exact: true });
  await expect(wanted).toBeVisible();
  for (let i = 0; i < 20 && !(await isFocused(wanted)); i++) {
    await page.keyboard.press('ArrowDown');
  }
  expect(await isFocused(wanted), `option ${option} reached`).toBe(true);
  await page.keyboard.press('Enter');
  await expect(wanted).toBeHidden();
  // The menu gives the focus back to its select.
  expect(await isFocused(select)).toBe(true);
}

test.describe('keyboard only', () => {
  test('a member requests GPUs and the admin approves, with Tab, Enter, Space and Escape', async ({
    pageAs,
    request,
  }) => {
    const memberApi = await apiAs(request, 'member');
    const [pool] = (
      await memberApi.get<QuotasResponse>('/quotas', { pool: POOL })
    ).items;
    const current = pool.teams.find(t => t.team === TEAM)?.quota ?? 0;
    const asked = current + 2;
    const reason = `Keyboard-only request for the eval sweep (${Date.now()})`;

    const member = await pageAs('member');
    await member.goto('/ai-platform/quotas');
    await expect(
      member.getByRole('region', { name: `Quotas on ${pool.title}` }),
    ).toBeVisible();
    const open = member.getByRole('button', { name: 'Request more GPUs' });
    const dialog = member.getByRole('dialog', { name: 'Request more GPUs' });

    // Tab to the button; Space opens the dialog, with the focus in it;
    // Escape closes it and the focus is back on the button.
    await tabTo(member, open);
    await member.keyboard.press('Space');
    await expect(dialog).toBeVisible();
    expect(await focusInside(dialog)).toBe(true);
    await expectFocusTrapped(member, dialog);
    await member.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    expect(await isFocused(open)).toBe(true);

    // Enter opens it again; every field is filled from the keyboard.
    await member.keyboard.press('Enter');
    await expect(dialog).toBeVisible();
    const poolSelect = dialog.getByRole('button', { name: /^Pool/ });
    await tabTo(member, poolSelect);
    await pickOption(member, poolSelect, pool.title);
    await expect(dialog.getByRole('button', { name: /^Team/ })).toContainText(
      shortRef(TEAM),
    );
    await tabTo(member, dialog.getByLabel('Total GPUs needed'));
    await member.keyboard.type(String(asked));
    await tabTo(member, dialog.getByRole('textbox', { name: /^Reason/ }));
    await member.keyboard.type(reason);
    await expect(dialog).toContainText(
      `Current quota of ${shortRef(TEAM)} on ${pool.title}: ${current} GPUs`,
    );
    await screenshot(member, 'keyboard-request-dialog');
    const send = dialog.getByRole('button', { name: 'Send request' });
    await tabTo(member, send);
    await member.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    // The focus goes back to the button that opened the dialog.
    expect(await isFocused(open)).toBe(true);
    await expect(
      member
        .getByRole('table', { name: 'Pending quota requests' })
        .getByRole('row')
        .filter({ hasText: reason }),
    ).toContainText(`${current} → ${asked}`);
    const { items } = await memberApi.get<QuotaRequestsResponse>(
      '/quota-requests',
    );
    expect(items.find(r => r.reason === reason)).toMatchObject({
      team: TEAM,
      pool: POOL,
      gpus: asked,
      state: 'pending',
      requestedBy: userOf('member'),
    });

    // The admin tabs to the request's Approve action.
    const admin = await pageAs('admin');
    await admin.goto('/ai-platform/quotas');
    const approve = admin
      .getByRole('table', { name: 'Pending quota requests' })
      .getByRole('row')
      .filter({ hasText: reason })
      .getByRole('button', {
        name: `Approve ${shortRef(TEAM)} ${asked} GPUs on ${shortRef(POOL)}`,
      });
    await expect(approve).toBeVisible();
    await tabTo(admin, approve, { max: 200 });
    // Shift+Tab goes back to the control before it, and Tab returns.
    await admin.keyboard.press('Shift+Tab');
    expect(await isFocused(approve)).toBe(false);
    await tabTo(admin, approve, { max: 1 });

    const decision = admin.getByRole('dialog', {
      name: `Approve ${asked} GPUs for ${shortRef(TEAM)}`,
    });
    await admin.keyboard.press('Enter');
    await expect(decision).toBeVisible();
    await expectFocusTrapped(admin, decision);
    await admin.keyboard.press('Escape');
    await expect(decision).toBeHidden();
    expect(await isFocused(approve)).toBe(true);

    await admin.keyboard.press('Enter');
    await expect(decision).toBeVisible();
    await tabTo(admin, decision.getByRole('textbox', { name: /^Reason/ }));
    await admin.keyboard.type('Approved from the keyboard for the sweep');
    await tabTo(admin, decision.getByRole('button', { name: 'Approve' }));
    await admin.keyboard.press('Enter');
    await expect(decision).toBeHidden();
    await expect(
      admin
        .getByRole('table', { name: 'Decided quota requests' })
        .getByRole('row')
        .filter({ hasText: reason }),
    ).toContainText('approved by alice');
    const after = (
      await memberApi.get<QuotasResponse>('/quotas', { pool: POOL })
    ).items[0];
    expect(after.teams.find(t => t.team === TEAM)?.quota).toBe(asked);
  });
});

/** What a Tab stop of the page's content shows a keyboard user. */
type Stop = {
  /** Tag, role and accessible name (as far as the page can tell). */
  what: string;
  name: string;
  /** Material UI's focus ring, an outline, a shadow or a focused field. */
  indicated: boolean;
  visible: boolean;
};

/**
 * Runs in the page: the focused element, if it is in the page's content,
 * with its accessible name (aria-label, aria-labelledby, a label, an SVG
 * title, the text, a title attribute) and whether the focus shows.
 */
function describeFocus(): Stop | 'end' | undefined {
  // The page's content: anything but the sidebar (the app has no <main>).
  const e = document.activeElement;
  if (!e || e === document.body) return 'end';
  if (e.closest('[data-testid="sidebar-root"]')) return undefined;
  // Not our code, so not checked: Backstage's DependencyGraph (the Relations
  // card), whose full-screen icon button has a tooltip but no name.
  if (e.closest(':has(> div > svg#dependency-graph)')) return undefined;
  const text = (n: Element | null | undefined) =>
    (n?.textContent ?? '').replace(/\s+/g, ' ').trim();
  const labelledBy = (e.getAttribute('aria-labelledby') ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map(id => text(document.getElementById(id)))
    .join(' ');
  const labels =
    e instanceof HTMLInputElement || e instanceof HTMLTextAreaElement
      ? Array.from(e.labels ?? [])
          .map(l => text(l))
          .join(' ')
      : '';
  const name = (
    e.getAttribute('aria-label') ||
    labelledBy ||
    labels ||
    (e instanceof SVGSVGElement ? text(e.querySelector('title')) : '') ||
    (e instanceof SVGSVGElement ? '' : text(e)) ||
    e.getAttribute('title') ||
    ''
  ).trim();
  const style = getComputedStyle(e);
  const indicated =
    e.classList.contains('Mui-focusVisible') ||
    // react-aria's mark, from which Backstage UI draws its focus ring.
    !!e.closest('[data-focus-visible]') ||
    !!e.closest('.MuiInputBase-root.Mui-focused') ||
    (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) ||
    style.boxShadow !== 'none';
  const box = e.getBoundingClientRect();
  return {
    what: `${e.tagName.toLowerCase()}${
      e.getAttribute('role') ? `[role=${e.getAttribute('role')}]` : ''
    } "${name.slice(0, 50)}"${name ? '' : ` (${e.outerHTML.slice(0, 200)})`}`,
    name,
    indicated,
    visible: box.width > 0 && box.height > 0,
  };
}

/** The plugin's pages and entity pages with charts; `ready`: a role on it. */
const PAGES: Array<{
  path: string;
  identity: Identity;
  ready: Parameters<Page['getByRole']>[0];
}> = [
  { path: '/ai-platform/audit', identity: 'admin', ready: 'status' },
  { path: '/ai-platform/evals', identity: 'member', ready: 'table' },
  { path: '/ai-platform/quotas', identity: 'member', ready: 'progressbar' },
  { path: '/ai-platform/cost', identity: 'member', ready: 'figure' },
  {
    path: '/catalog/default/model/llama-3-1-8b-instruct/evals',
    identity: 'member',
    ready: 'figure',
  },
  {
    path: '/catalog/default/gpupool/h100-inference',
    identity: 'member',
    ready: 'figure',
  },
];

test.describe('keyboard only, every page', () => {
  test('each control of the page is reached with Tab, named, and shows its focus', async ({
    pageAs,
    request,
  }) => {
    await waitForSeededCost(await apiAs(request, 'member'));
    const problems: string[] = [];
    // One signed-in page per identity, reused from page to page.
    const pages = new Map<Identity, Page>();
    for (const target of PAGES) {
      let page = pages.get(target.identity);
      if (!page) {
        page = await pageAs(target.identity);
        pages.set(target.identity, page);
      }
      await page.goto(target.path);
      await expect(page.getByRole(target.ready).first()).toBeVisible();
      await expect(page.getByTestId('progress')).toHaveCount(0);
      let stops = 0;
      let left = false;
      for (let i = 0; i < 250; i++) {
        await page.keyboard.press('Tab');
        const stop = await page.evaluate(describeFocus);
        if (stop === 'end') {
          // Past the last control of the page: done.
          if (stops > 0) {
            left = true;
            break;
          }
          continue;
        }
        if (!stop) continue;
        stops++;
        if (!stop.name)
          problems.push(`${target.path}: ${stop.what} has no name`);
        if (!stop.visible) {
          problems.push(
            `${target.path}: ${stop.what} is focused but not visible`,
          );
        }
        if (!stop.indicated) {
          problems.push(`${target.path}: ${stop.what} shows no focus`);
        }
      }
      expect(
        stops,
        `Tab stops in the content of ${target.path}`,
      ).toBeGreaterThan(0);
      expect(left, `Tab reaches the end of ${target.path}`).toBe(true);
    }
    expect(problems).toEqual([]);
  });
});
