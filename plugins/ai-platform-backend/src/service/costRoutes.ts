import {
  budgetManagePermission,
  costReadPermission,
} from '@internal/plugin-ai-platform-common';
import type express from 'express';
import { z } from 'zod';
import { actorOf } from '../audit/AuditLog';
import { toCsv } from '../cost/csv';
import { toFocusCsv } from '../cost/focus';
import { DEFAULT_FOCUS_VERSION } from '../cost/focusColumns';
import type { CostStore } from '../cost/types';
import { requirePermission } from './requirePermission';
import type { RouteContext } from './routeContext';
import { parseInput, refineInput, specInput } from './validate';

const DAY = 86_400;

/**
 * An instant as an ISO date (`2026-11-01`, UTC midnight) or a date-time with
 * `Z` or an offset; a date-time without one would be read in the server's
 * time zone, so it is refused.
 */
export const ISO_INSTANT =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** A time given as an ISO date or date-time with an offset, as epoch seconds. */
const instant = z
  .string()
  .trim()
  .refine(v => ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)), {
    message:
      'must be an ISO 8601 date or a date-time with Z or an offset, e.g. 2026-11-01 or 2026-11-01T00:00:00Z',
  })
  .transform(v => Math.floor(Date.parse(v) / 1000));

/**
 * A cost window in epoch seconds from optional bounds: `to` defaults to the
 * end of the current hour, `from` to 30 days before `to`.
 */
export function windowOf(
  query: { from?: number; to?: number },
  now: () => Date,
) {
  const nowSeconds = Math.floor(now().getTime() / 1000);
  const to = query.to ?? Math.ceil(nowSeconds / 3600) * 3600;
  const from = query.from ?? to - 30 * DAY;
  return { from, to };
}

/**
 * What the spec cannot say about a window: each bound an instant (to epoch
 * seconds) and `from` before `to`.
 */
const windowSchema = z
  .object({ from: instant.optional(), to: instant.optional() })
  .refine(w => w.from === undefined || w.to === undefined || w.from < w.to, {
    message: 'from must be before to',
    path: ['from'],
  });

/** The window of a query, checked and in epoch seconds. */
const windowIn = (query: { from?: string; to?: string }) =>
  parseInput(windowSchema, { from: query.from, to: query.to }, 'query');

/**
 * The cost routes: summaries grouped by team, endpoint, model, pool or
 * cluster, top spenders, month over month, the current month's forecast,
 * budgets, and CSV and FinOps FOCUS exports. All read rollups only.
 */
export function addCostRoutes(
  router: express.Router,
  options: RouteContext & {
    costStore: CostStore;
    titles?: () => Promise<Map<string, string>>;
    now?: () => Date;
  },
) {
  const { costStore, mutations, permissions } = options;
  const now = options.now ?? (() => new Date());

  const costReader = (req: express.Request) =>
    options.permittedCredentials(req, costReadPermission);

  router.get('/cost/summary', async (req, res) => {
    await costReader(req);
    const query = specInput(req, 'GET /cost/summary').query;
    const window = windowOf(windowIn(query), now);
    res.json(
      await costStore.costSummary({
        ...window,
        groupBy: query.groupBy ?? 'team',
        granularity: query.granularity,
      }),
    );
  });

  router.get('/cost/top', async (req, res) => {
    await costReader(req);
    const query = specInput(req, 'GET /cost/top').query;
    const window = windowOf(windowIn(query), now);
    const groupBy = query.groupBy ?? 'endpoint';
    res.json({
      ...window,
      groupBy,
      items: await costStore.topSpenders({
        ...window,
        groupBy,
        limit: query.limit ?? 10,
      }),
    });
  });

  router.get('/cost/month-over-month', async (req, res) => {
    await costReader(req);
    const query = specInput(req, 'GET /cost/month-over-month').query;
    res.json(
      await costStore.monthOverMonth({
        month: query.month ?? now().toISOString().slice(0, 7),
        groupBy: query.groupBy,
      }),
    );
  });

  router.get('/cost/forecast', async (req, res) => {
    await costReader(req);
    const query = specInput(req, 'GET /cost/forecast').query;
    res.json(
      await costStore.forecastMonth({
        now: Math.floor(now().getTime() / 1000),
        groupBy: query.groupBy,
      }),
    );
  });

  router.get('/cost/budgets', async (req, res) => {
    await costReader(req);
    const query = specInput(req, 'GET /cost/budgets').query;
    const m = query.month ?? now().toISOString().slice(0, 7);
    res.json({
      month: m,
      items: await costStore.budgetVsActual({
        month: m,
        now: Math.floor(now().getTime() / 1000),
      }),
    });
  });

  router.put('/cost/budgets', async (req, res) => {
    const result = await mutations.run(req, {
      action: 'budget.update',
      parse: r =>
        refineInput('body', specInput(r, 'PUT /cost/budgets').body, {
          refs: { team: 'Group' },
          reason: true,
        }),
      describe: b => ({
        target: b.team,
        request: {
          month: b.month,
          amount: b.amount,
          currency: b.currency,
          reason: b.reason,
        },
      }),
      authorize: (_b, credentials) =>
        requirePermission({
          permissions,
          credentials,
          permission: budgetManagePermission,
        }),
      run: (b, { credentials }) =>
        costStore.setBudget({
          teamRef: b.team,
          month: b.month,
          amount: b.amount,
          currency: b.currency,
          setBy: actorOf(credentials),
        }),
      facts: r => ({
        oldAmount: r.previous?.amount ?? null,
        oldCurrency: r.previous?.currency ?? null,
        newAmount: r.budget.amount,
      }),
    });
    res.json(result);
  });

  router.get('/cost/export', async (req, res) => {
    await costReader(req);
    const { from, to, ...query } = specInput(req, 'GET /cost/export').query;
    const format = query.format ?? 'csv';
    const window = windowOf(windowIn({ from, to }), now);
    const rows = await costStore.exportRows(window);
    const csv =
      format === 'focus'
        ? toFocusCsv(rows, {
            titles: await options.titles?.(),
            // The FinOps FOCUS version: 1.3 (current), or the FOCUS 1.0
            // columns exported before.
            version: query.focusVersion ?? DEFAULT_FOCUS_VERSION,
          })
        : toCsv(rows);
    const name = `ai-platform-cost-${format}-${new Date(window.from * 1000)
      .toISOString()
      .slice(0, 10)}-${new Date(window.to * 1000)
      .toISOString()
      .slice(0, 10)}.csv`;
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    res.send(csv);
  });
}
