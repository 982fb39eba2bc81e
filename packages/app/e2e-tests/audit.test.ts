import type {
  AuditPage,
  AuditRecord,
  AuditVerification,
} from '@internal/plugin-ai-platform-common';
import {
  apiAs,
  downloadFrom,
  expect,
  rowsOf,
  screenshot,
  test,
  userOf,
  utcDay,
} from './support';

test.describe('Audit log page', () => {
  test('the admin sees the API records and the chain verification; members may not read it', async ({
    pageAs,
    request,
  }) => {
    const admin = await apiAs(request, 'admin');
    // The demo's seeds write their own audit records (marked demo) once the
    // portal has started: wait until both have and the newest records stop
    // changing, so that the page and the API are read over the same records.
    const seeded = async (action: string) =>
      (
        await admin.get<AuditPage>('/audit', {
          actor: 'service:ai-platform-demo-seed',
          action,
          limit: 1,
        })
      ).items.length;
    const head = async () =>
      (await admin.get<AuditPage>('/audit', { limit: 1 })).items[0]?.seq;
    let last: number | undefined = -1;
    await expect
      .poll(
        async () => {
          const now = await head();
          const quiet =
            now === last &&
            (await seeded('eval.ingest')) > 0 &&
            (await seeded('cost.seed')) > 0;
          last = now;
          return quiet;
        },
        { intervals: [1000], timeout: 90_000 },
      )
      .toBe(true);

    // A mutation of our own, so that the log is never empty here.
    const reason = `Budget for the browser test ${Date.now()}`;
    await admin.put('/cost/budgets', {
      team: 'group:default/search-relevance',
      month: utcDay(new Date()).slice(0, 7),
      amount: 5000,
      currency: 'USD',
      reason,
    });

    const page = await pageAs('admin');
    await page.goto('/ai-platform/audit');
    const verification = await admin.get<AuditVerification>('/audit/verify');
    expect(verification.ok).toBe(true);
    await expect(
      page.getByRole('status', { name: 'Hash chain verification' }),
    ).toContainText(
      `Hash chain verified: ${new Intl.NumberFormat('en-US').format(
        verification.checked,
      )} records checked, none altered or missing`,
    );

    const records = await admin.get<AuditPage>('/audit', { limit: 25 });
    expect(records.items.length).toBeGreaterThan(0);
    const expected = (items: AuditRecord[]) =>
      items.map(r => [
        `#${r.seq}`,
        r.actor,
        r.action,
        r.target ?? '—',
        r.outcome,
      ]);
    const shown = async () =>
      (await rowsOf(page.getByRole('table', { name: 'Audit records' }))).map(
        ([time, actor, action, target, outcome]) => [
          time.replace(/^.*(#\d+)$/, '$1'),
          actor,
          action,
          target,
          outcome,
        ],
      );
    expect(await shown()).toEqual(expected(records.items));
    // The newest record is the budget just set, by the admin.
    expect(records.items[0]).toMatchObject({
      actor: userOf('admin'),
      action: 'budget.update',
      outcome: 'success',
    });
    expect(JSON.stringify(records.items[0].request)).toContain(reason);
    await screenshot(page, 'audit');

    // Filter by action: the URL keeps it; the rows are the API's.
    const action = 'budget.update';
    await page.getByLabel('Action').fill(action);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(new RegExp(`action=${action}`));
    const filtered = await admin.get<AuditPage>('/audit', {
      action,
      limit: 25,
    });
    await expect.poll(shown).toEqual(expected(filtered.items));

    // Export CSV saves the API's file for the same filter: a header and a
    // line per record.
    const { fileName, text: saved } = await downloadFrom(page, 'Export CSV');
    const file = await admin.file('/audit/export', { action });
    expect(fileName).toBe('ai-platform-audit.csv');
    expect(saved).toBe(file.text);
    const lines = saved.trim().split('\n');
    expect(lines[0]).toMatch(/^seq,/);
    expect(lines.length - 1).toBeGreaterThanOrEqual(filtered.items.length);
    expect(saved).toContain(reason);

    // Members (the guest) may not read the audit log: the API says 403 and
    // the page says so, without asking the API (so no console error).
    const member = await apiAs(request, 'member');
    await expect(member.get('/audit')).rejects.toThrow(/answered 403/);
    const memberPage = await pageAs('member');
    await memberPage.goto('/ai-platform/audit');
    await expect(
      memberPage.getByText('You may not read the audit log'),
    ).toBeVisible();
    await expect(
      memberPage.getByRole('table', { name: 'Audit records' }),
    ).toHaveCount(0);
    await screenshot(memberPage, 'audit-member');
  });
});
