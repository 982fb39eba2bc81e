import type {
  BudgetsResponse,
  CostSummary,
  CostTopSpenders,
  MonthForecast,
  MonthOverMonth,
} from '@internal/plugin-ai-platform-common';
import {
  apiAs,
  downloadFrom,
  expect,
  gpuHours,
  money,
  rowsOf,
  screenshot,
  test,
  utcDay,
  waitForSeededCost,
  userOf,
  type Api,
} from './support';
import type { Page } from '@playwright/test';

/** 'YYYY-MM' in words, e.g. `October 2026`, as the page writes it. */
function monthName(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleDateString('en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** A share as the page shows it, e.g. `42%`. */
function share(value: number): string {
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(
    value * 100,
  )}%`;
}

/** The rows the "Spend by <grouping>" table must show for an API answer. */
async function spendRows(api: Api, summary: CostSummary): Promise<string[][]> {
  const total = summary.totals[0].cost;
  return Promise.all(
    summary.groups.map(async g => [
      g.key.includes(':') ? await api.title(g.key) : g.key,
      money(g.cost, g.currency),
      share(g.cost / total),
      gpuHours(g.gpuHours),
      g.utilizationCoverage > 0 ? money(g.idleCost, g.currency) : 'unknown',
      g.costPerMillionTokens === undefined
        ? '—'
        : money(g.costPerMillionTokens, g.currency),
    ]),
  );
}

/**
 * The cost page, as the member, on a custom window of the last `days` full
 * days up to yesterday: a window that the collector, which records the
 * current hour, does not change while the test runs. `to` is the API's
 * (exclusive) end of that window, today.
 */
async function openCostWindow(
  pageAs: (identity: 'member') => Promise<Page>,
  api: Api,
  days: number,
) {
  await waitForSeededCost(api);
  const now = new Date();
  const from = utcDay(now, -days);
  const last = utcDay(now, -1);
  const page = await pageAs('member');
  await page.goto(`/ai-platform/cost?window=custom&from=${from}&to=${last}`);
  return { page, now, from, to: utcDay(now) };
}

test.describe('Cost page', () => {
  test('the seeded year, by team and by model, matches the API', async ({
    pageAs,
    request,
  }) => {
    const api = await apiAs(request, 'member');
    // The full seeded year up to yesterday.
    const { page, now, from, to } = await openCostWindow(pageAs, api, 365);

    const byTeam = await api.get<CostSummary>('/cost/summary', {
      from,
      to,
      groupBy: 'team',
      granularity: 'month',
    });
    expect(byTeam.totals).toHaveLength(1);
    const [total] = byTeam.totals;
    expect(total.cost).toBeGreaterThan(0);
    const totalFigure = page.getByRole('group', {
      name: `Total spend in ${total.currency}`,
    });
    await expect(totalFigure).toContainText(money(total.cost, total.currency));
    await expect(totalFigure).toContainText(gpuHours(total.gpuHours));

    // The chart has drawn a stacked bar per month and team.
    const chart = page.getByRole('figure', {
      name: `Spend by team per month in ${total.currency}`,
    });
    await expect(
      chart.locator('.recharts-bar-rectangle').first(),
    ).toBeVisible();
    const series = byTeam.series ?? [];
    const months = new Set(series.map(p => p.bucket)).size;
    expect(months).toBeGreaterThanOrEqual(12);
    expect(await chart.locator('.recharts-bar-rectangle').count()).toBe(
      series.filter(p => p.cost > 0).length,
    );

    expect(
      await rowsOf(page.getByRole('table', { name: 'Spend by team' })),
    ).toEqual(await spendRows(api, byTeam));

    const top = await api.get<CostTopSpenders>('/cost/top', {
      from,
      to,
      groupBy: 'endpoint',
      limit: 10,
    });
    expect(
      await rowsOf(page.getByRole('table', { name: 'Top endpoints' })),
    ).toEqual(
      await Promise.all(
        top.items.map(async (row, i) => [
          String(i + 1),
          await api.title(row.key),
          money(row.cost, row.currency),
          gpuHours(row.gpuHours),
        ]),
      ),
    );

    const lastMonth = previousMonth(utcDay(now).slice(0, 7));
    const monthOverMonth = await api.get<MonthOverMonth>(
      '/cost/month-over-month',
      {
        month: lastMonth,
      },
    );
    await expect(
      page.getByRole('group', {
        name: `${monthName(lastMonth)} against ${monthName(
          previousMonth(lastMonth),
        )} in ${total.currency}`,
      }),
    ).toContainText(money(monthOverMonth.totals[0].cost, total.currency));

    const forecast = await api.get<MonthForecast>('/cost/forecast');
    await expect(
      page.getByRole('group', {
        name: `Forecast for ${monthName(forecast.month)} in ${total.currency}`,
      }),
    ).toContainText(money(forecast.totals[0].forecast, total.currency));
    await screenshot(page, 'cost-by-team');

    // Group by model: the URL keeps the choice; the figures follow the API.
    await page.getByRole('button', { name: /Group by/ }).click();
    await page.getByRole('option', { name: 'model', exact: true }).click();
    await expect(page).toHaveURL(/groupBy=model/);
    const byModel = await api.get<CostSummary>('/cost/summary', {
      from,
      to,
      groupBy: 'model',
      granularity: 'month',
    });
    await expect(
      page
        .getByRole('figure', {
          name: `Spend by model per month in ${total.currency}`,
        })
        .locator('.recharts-bar-rectangle')
        .first(),
    ).toBeVisible();
    expect(
      await rowsOf(page.getByRole('table', { name: 'Spend by model' })),
    ).toEqual(await spendRows(api, byModel));
    await screenshot(page, 'cost-by-model');
  });

  test('an admin sets a budget; a member sees it and cannot set one', async ({
    pageAs,
    request,
  }) => {
    const member = await apiAs(request, 'member');
    await waitForSeededCost(member);
    const month = utcDay(new Date()).slice(0, 7);
    const team = 'group:default/data-science';
    const teamTitle = await member.title(team);
    // Cents in the amount, unique per run, so that the row is this run's.
    const amount = 20_000 + (Date.now() % 10_000) + 0.25;

    const admin = await pageAs('admin');
    await admin.goto('/ai-platform/cost');
    await expect(
      admin.getByText(`Budget vs actual, ${monthName(month)}`),
    ).toBeVisible();
    await admin.getByRole('button', { name: 'Set budget' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Set a team budget' });
    await dialog.getByRole('button', { name: /^Team/ }).click();
    await admin.getByRole('option', { name: teamTitle, exact: true }).click();
    await expect(dialog.getByLabel('Month')).toHaveValue(month);
    await dialog.getByLabel('Amount').fill(String(amount));
    await dialog
      .getByLabel(/^Reason/)
      .fill('Quarterly planning for the fine-tuning push');
    await dialog.getByRole('button', { name: 'Save budget' }).click();
    await expect(dialog).toBeHidden();

    // The table is the API's answer, figure for figure (the collector may
    // add the current interval between the two reads: read both again).
    const expectBudgetRows = async (page: Page) => {
      await expect(async () => {
        const { items } = await member.get<BudgetsResponse>('/cost/budgets', {
          month,
        });
        const stored = items.find(b => b.teamRef === team);
        expect(stored).toMatchObject({
          budget: amount,
          currency: 'USD',
          setBy: userOf('admin'),
        });
        const table = page.getByRole('table', {
          name: 'Budget vs actual per team',
        });
        expect(await rowsOf(table)).toEqual(
          await Promise.all(
            items.map(async b => [
              await member.title(b.teamRef),
              money(b.budget, b.currency),
              money(b.actual, b.currency),
              money(b.forecast, b.currency),
              b.percentUsed === undefined
                ? '—'
                : `${new Intl.NumberFormat('en-US', {
                    maximumFractionDigits: 0,
                  }).format(b.percentUsed)}%`,
              {
                over: 'over budget',
                'at-risk': 'at risk (forecast over)',
                under: 'under budget',
              }[b.status],
            ]),
          ),
        );
      }).toPass({ timeout: 30_000 });
    };
    await expectBudgetRows(admin);
    await screenshot(admin, 'cost-budgets-admin');

    const memberPage = await pageAs('member');
    await memberPage.goto('/ai-platform/cost');
    await expectBudgetRows(memberPage);
    await expect(
      memberPage.getByRole('button', { name: 'Set budget' }),
    ).toHaveCount(0);
  });

  test('the CSV and FOCUS exports are the API’s files for the window', async ({
    pageAs,
    request,
  }) => {
    const api = await apiAs(request, 'member');
    // The last full week.
    const { page, from, to } = await openCostWindow(pageAs, api, 8);
    await expect(
      page.getByRole('table', { name: 'Spend by team' }),
    ).toBeVisible();

    for (const [label, format] of [
      ['Export CSV', 'csv'],
      ['Export FOCUS', 'focus'],
    ] as const) {
      const { fileName, text: saved } = await downloadFrom(page, label);
      const expected = await api.file('/cost/export', {
        format,
        from,
        to,
      });
      expect(fileName).toBe(expected.fileName);
      expect(expected.fileName).toBe(
        `ai-platform-cost-${format}-${from}-${to}.csv`,
      );
      expect(saved).toBe(expected.text);
      const [header, ...rows] = saved.trim().split(/\r?\n/);
      // A week of a seeded fleet: a row per day and endpoint at least.
      expect(rows.length).toBeGreaterThanOrEqual(7);
      if (format === 'focus') {
        // FOCUS 1.3 (the default focusVersion): FOCUS columns sorted by
        // column ID, with 1.3's ServiceProviderName and HostProviderName,
        // then the x_ columns.
        const columns = header.split(',');
        for (const column of [
          'BilledCost',
          'EffectiveCost',
          'BillingCurrency',
          'ChargePeriodStart',
          'ChargePeriodEnd',
          'ConsumedQuantity',
          'ConsumedUnit',
          'PricingQuantity',
          'PricingUnit',
          'ResourceId',
          'ResourceName',
          'ServiceProviderName',
          'HostProviderName',
          'SubAccountId',
          'SubAccountName',
          'Tags',
          'x_Team',
          'x_Endpoint',
          'x_Model',
          'x_GpuPool',
        ]) {
          expect(columns).toContain(column);
        }
        expect(columns[0]).toBe('BilledCost');
        expect(columns.indexOf('Tags')).toBeLessThan(
          columns.indexOf('x_Cluster'),
        );
      }
    }
  });
});
