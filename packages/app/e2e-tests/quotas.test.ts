import type {
  QuotaRequestsResponse,
  QuotasResponse,
} from '@internal/plugin-ai-platform-common';
import { apiAs, expect, screenshot, test, userOf, type Api } from './support';
import type { Page } from '@playwright/test';

const POOL = 'gpupool:default/h100-inference';
const TEAM = 'group:default/applied-ml';

const shortRef = (ref: string) => ref.replace(/^.*[:/]/, '');

/** Every pool card shows the API's capacity, usage and team quotas. */
async function expectQuotaBars(page: Page, api: Api) {
  const { items } = await api.get<QuotasResponse>('/quotas');
  expect(items.length).toBeGreaterThan(0);
  for (const pool of items) {
    const card = page.getByRole('region', { name: `Quotas on ${pool.title}` });
    await expect(
      card.getByRole('progressbar', {
        name: `Whole pool: ${pool.used} of ${pool.capacity} GPUs used`,
      }),
    ).toBeVisible();
    for (const team of pool.teams) {
      // Each team by its catalog title (or name), as the page names it.
      await expect(
        card.getByRole('progressbar', {
          name: `${await api.title(team.team)}: ${team.used} of ${
            team.quota
          } GPUs used`,
        }),
      ).toBeVisible();
    }
  }
  return items;
}

test.describe('GPU quotas page', () => {
  test('a member asks for more GPUs and cannot approve; the admin approves', async ({
    pageAs,
    request,
  }) => {
    const memberApi = await apiAs(request, 'member');
    const member = await pageAs('member');
    await member.goto('/ai-platform/quotas');
    const pools = await expectQuotaBars(member, memberApi);
    const pool = pools.find(p => p.pool === POOL)!;
    const current = pool.teams.find(t => t.team === TEAM)?.quota ?? 0;
    const asked = current + 4;
    const reason = `More H100s for the v2 launch (browser test ${Date.now()})`;

    // The member asks for more GPUs for their team.
    await member.getByRole('button', { name: 'Request more GPUs' }).click();
    const dialog = member.getByRole('dialog', { name: 'Request more GPUs' });
    await dialog.getByRole('button', { name: /^Pool/ }).click();
    await member.getByRole('option', { name: pool.title }).click();
    await expect(dialog.getByRole('button', { name: /^Team/ })).toContainText(
      shortRef(TEAM),
    );
    await expect(dialog).toContainText(
      `Current quota of ${shortRef(TEAM)} on ${pool.title}: ${current} GPUs`,
    );
    await dialog.getByLabel('Total GPUs needed').fill(String(asked));
    await dialog.getByLabel(/^Reason/).fill(reason);
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await expect(dialog).toBeHidden();

    const pending = member.getByRole('table', {
      name: 'Pending quota requests',
    });
    const row = pending.getByRole('row').filter({ hasText: reason });
    await expect(row).toContainText(`${current} → ${asked}`);
    await expect(row).toContainText('waiting for a platform admin');
    // A member sees no approve (or reject) button anywhere.
    await expect(member.getByRole('button', { name: /^Approve/ })).toHaveCount(
      0,
    );
    await expect(member.getByRole('button', { name: /^Reject/ })).toHaveCount(
      0,
    );
    const { items: requests } = await memberApi.get<QuotaRequestsResponse>(
      '/quota-requests',
    );
    const stored = requests.find(r => r.reason === reason);
    expect(stored).toMatchObject({
      team: TEAM,
      pool: POOL,
      gpus: asked,
      state: 'pending',
      requestedBy: userOf('member'),
    });
    await screenshot(member, 'quotas-member-pending');

    // The admin approves it.
    const admin = await pageAs('admin');
    await admin.goto('/ai-platform/quotas');
    await admin
      .getByRole('button', {
        name: `Approve ${shortRef(TEAM)} ${asked} GPUs on ${shortRef(POOL)}`,
      })
      .click();
    const decision = admin.getByRole('dialog', {
      name: `Approve ${asked} GPUs for ${shortRef(TEAM)}`,
    });
    await decision
      .getByLabel(/^Reason/)
      .fill('Launch approved by the platform team');
    await decision.getByRole('button', { name: 'Approve' }).click();
    await expect(decision).toBeHidden();
    await expect(
      admin
        .getByRole('table', { name: 'Decided quota requests' })
        .getByRole('row')
        .filter({ hasText: reason }),
    ).toContainText(`approved by alice: Launch approved by the platform team`);

    // The quota is now what was asked, as an override by the admin.
    const after = (
      await memberApi.get<QuotasResponse>('/quotas', { pool: POOL })
    ).items[0];
    const team = after.teams.find(t => t.team === TEAM)!;
    expect(team.quota).toBe(asked);
    expect(team.override?.actor).toBe(userOf('admin'));
    await expectQuotaBars(admin, memberApi);
    await expect(
      admin.getByRole('region', { name: `Quotas on ${pool.title}` }),
    ).toContainText(`override by alice`);
    await screenshot(admin, 'quotas-admin-approved');

    // The member sees the decision.
    await member.reload();
    await expect(
      member
        .getByRole('table', { name: 'Decided quota requests' })
        .getByRole('row')
        .filter({ hasText: reason }),
    ).toContainText('approved by alice');
    await expect(member.getByRole('button', { name: /^Approve/ })).toHaveCount(
      0,
    );

    // And is told: a notification in the portal's notifications, with a
    // link back to the quotas page.
    await member
      .getByRole('link', { name: /^Notifications/ })
      .first()
      .click();
    await expect(member).toHaveURL(/\/notifications/);
    const title = `Quota request approved: ${asked} GPUs on ${shortRef(
      POOL,
    )} for ${shortRef(TEAM)}`;
    const notification = member.getByRole('link', { name: title });
    await expect(notification).toBeVisible({ timeout: 30_000 });
    await expect(notification).toHaveAttribute(
      'href',
      /\/ai-platform\/quotas$/,
    );
    await screenshot(member, 'quotas-member-notified');
  });
});
