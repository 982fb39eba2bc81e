/* eslint-disable jest/no-conditional-expect -- the property test compares each generated case with a reference computed beside it */
import { floorMonth, floorTo } from './periods';
import { mulberry32 as prng } from './seed/generateUsageHistory';
import type { CostFigures, CostGroupBy, UsageSample } from './types';
import {
  BGE,
  CHAT,
  EMBED,
  EU_CHAT,
  GROUP_OF,
  LLAMA,
  TEAM_A,
  TEAM_B,
  createCostStores,
  describeOnEachDatabase,
  reference,
  t,
} from './__testUtils__/costFixture';

jest.setTimeout(120_000);

describeOnEachDatabase(
  'DatabaseCostQueries against sums of the raw samples',
  (databases, databaseId) => {
    it('agrees with sums over the raw samples for random hour-aligned windows', async () => {
      const { usage, costs } = await createCostStores(databases, databaseId);
      const random = prng(20261123);
      const pick = <T>(xs: readonly T[]) =>
        xs[Math.floor(random() * xs.length)];
      // 70 days from 28 September: whole months (October, November) and
      // partial ones (September, December) on both sides.
      const base = t('2026-09-28T00:00');
      const hours = 70 * 24;
      const endpoints = [
        {
          endpointRef: CHAT,
          teamRef: TEAM_A,
          modelRef: LLAMA,
          poolRef: 'gpupool:default/h100',
          cluster: 'c1',
          currency: 'USD',
        },
        {
          endpointRef: EMBED,
          teamRef: TEAM_B,
          modelRef: BGE,
          poolRef: 'gpupool:default/l4',
          cluster: 'c2',
          currency: 'USD',
        },
        {
          endpointRef: 'inferenceendpoint:default/rerank',
          teamRef: TEAM_B,
          modelRef: BGE,
          poolRef: 'gpupool:default/h100',
          cluster: 'c1',
          currency: 'USD',
        },
        {
          endpointRef: EU_CHAT,
          teamRef: TEAM_A,
          modelRef: LLAMA,
          poolRef: 'gpupool:default/eu-a100',
          cluster: 'c3',
          currency: 'EUR',
        },
      ];
      const samples: UsageSample[] = [];
      for (let i = 0; i < 2000; i++) {
        const e = pick(endpoints);
        const tokens = random();
        samples.push({
          ...e,
          sampledAt: base + Math.floor(random() * hours * 3600),
          intervalSeconds: pick([60, 300, 900, 3600]),
          gpus: pick([0.5, 1, 2, 4, 8, random() * 3]),
          pricePerGpuHour: pick([1.25, 2, 3.5, 4.1]),
          gpuUtilization: random() < 0.5 ? random() : undefined,
          promptTokens: tokens < 0.6 ? Math.floor(random() * 1e6) : undefined,
          generationTokens:
            tokens < 0.4 ? Math.floor(random() * 1e5) : undefined,
        });
      }
      // Half now, half late; the late half rolled up in uneven chunks in a
      // jumbled order, some twice.
      await usage.insertSamples(samples.slice(0, 1000));
      await usage.rollup({ fromSeconds: base, toSeconds: base + hours * 3600 });
      await usage.insertSamples(samples.slice(1000));
      const cuts = [
        base,
        base + 400_000 + 17,
        base + 2_000_000 + 1234,
        base + 4_000_000 + 5,
        base + hours * 3600,
      ];
      for (const i of [2, 0, 3, 1, 2]) {
        await usage.rollup({ fromSeconds: cuts[i], toSeconds: cuts[i + 1] });
      }

      const groupBys: CostGroupBy[] = [
        'team',
        'endpoint',
        'model',
        'pool',
        'cluster',
      ];
      const align = (h: number, kind: number) => {
        const at = base + h * 3600;
        if (kind === 0) return floorTo(at, 86_400);
        if (kind === 1) return floorMonth(at);
        return at;
      };
      for (let w = 0; w < 40; w++) {
        // Hour-aligned; a third of them on days, a sixth on months.
        let kind = 2;
        if (w % 6 === 0) kind = 1;
        else if (w % 3 === 0) kind = 0;
        const a = Math.floor(random() * hours);
        const b = a + 1 + Math.floor(random() * (hours - a));
        const from = align(a, kind);
        const to = Math.max(align(b, kind), from + 3600);
        const groupBy = pick(groupBys);
        const granularity = pick([undefined, 'day', 'month'] as const);
        const inWindow = samples.filter(
          s => s.sampledAt >= from && s.sampledAt < to,
        );
        const summary = await costs.costSummary({
          from,
          to,
          groupBy,
          granularity,
        });

        const totals = reference(inWindow);
        expect(summary.totals).toHaveLength(totals.size);
        for (const got of summary.totals) {
          checkAgainst(got, totals.get(`|${got.currency}`)!);
        }
        const groups = reference(inWindow, GROUP_OF[groupBy]);
        expect(summary.groups).toHaveLength(groups.size);
        for (const got of summary.groups) {
          checkAgainst(got, groups.get(`${got.key}|${got.currency}`)!);
        }
        if (granularity) {
          const label = (s: UsageSample) =>
            new Date(s.sampledAt * 1000)
              .toISOString()
              .slice(0, granularity === 'day' ? 10 : 7);
          const series = reference(
            inWindow,
            s => `${label(s)}|${GROUP_OF[groupBy](s)}`,
          );
          expect(summary.series).toHaveLength(series.size);
          for (const p of summary.series!) {
            const want = series.get(`${p.bucket}|${p.key}|${p.currency}`)!;
            expect(want).toBeDefined();
            expect(p.cost).toBeCloseTo(want.cost, 6);
            expect(p.gpuHours).toBeCloseTo(want.gpuHours, 6);
          }
        } else {
          expect(summary.series).toBeUndefined();
        }
        const all = [...totals.values()].reduce(
          (acc, x) => ({
            gh: acc.gh + x.gpuHours,
            u: acc.u + x.util,
            tk: acc.tk + x.tokenGpuHours,
          }),
          { gh: 0, u: 0, tk: 0 },
        );
        const cover = (part: number) => {
          if (part === 0) return 'none';
          return Math.abs(part - all.gh) < 1e-9 ? 'full' : 'partial';
        };
        expect(summary.basis).toMatchObject({
          allocation: true,
          utilization: all.gh === 0 ? 'none' : cover(all.u),
          tokens: all.gh === 0 ? 'none' : cover(all.tk),
        });
      }

      // Export rows: one per endpoint per day, the same sums.
      const exportFrom = base + 30 * 3600;
      const exportTo = base + 40 * 24 * 3600 + 5 * 3600;
      const rows = await costs.exportRows({ from: exportFrom, to: exportTo });
      const byDay = reference(
        samples.filter(
          s => s.sampledAt >= exportFrom && s.sampledAt < exportTo,
        ),
        s =>
          `${new Date(s.sampledAt * 1000).toISOString().slice(0, 10)}|${
            s.endpointRef
          }`,
      );
      expect(rows).toHaveLength(byDay.size);
      for (const r of rows) {
        const want = byDay.get(`${r.day}|${r.endpointRef}|${r.currency}`)!;
        expect(r.cost).toBeCloseTo(want.cost, 6);
        expect(r.idleCost).toBeCloseTo(want.idleCost, 6);
        expect(r.tokens).toBe(want.tokens);
      }

      // Month over month: whole months, from the monthly rollup.
      const mom = await costs.monthOverMonth({
        month: '2026-11',
        groupBy: 'pool',
      });
      const monthly = (month: string) =>
        reference(
          samples.filter(s =>
            new Date(s.sampledAt * 1000).toISOString().startsWith(month),
          ),
          s => s.poolRef,
        );
      const nov = monthly('2026-11');
      const oct = monthly('2026-10');
      for (const g of mom.groups!) {
        const id = `${g.key}|${g.currency}`;
        expect(g.cost).toBeCloseTo(nov.get(id)?.cost ?? 0, 6);
        expect(g.previousCost).toBeCloseTo(oct.get(id)?.cost ?? 0, 6);
      }
      expect(mom.groups).toHaveLength(
        new Set([...nov.keys(), ...oct.keys()]).size,
      );

      function checkAgainst(
        got: CostFigures,
        want: ReturnType<typeof reference> extends Map<string, infer V>
          ? V
          : never,
      ) {
        expect(want).toBeDefined();
        expect(got.cost).toBeCloseTo(want.cost, 6);
        expect(got.gpuHours).toBeCloseTo(want.gpuHours, 6);
        expect(got.idleCost).toBeCloseTo(want.idleCost, 6);
        expect(got.idleGpuHours).toBeCloseTo(want.idleGpuHours, 6);
        expect(got.utilizationCoverage).toBeCloseTo(
          want.gpuHours ? want.util / want.gpuHours : 0,
          6,
        );
        expect(got.tokenCoverage).toBeCloseTo(
          want.gpuHours ? want.tokenGpuHours / want.gpuHours : 0,
          6,
        );
        expect(got.tokens).toBe(want.tokens);
        if (want.tokens > 0) {
          expect(got.costPerMillionTokens).toBeCloseTo(
            (want.tokenCost / want.tokens) * 1e6,
            6,
          );
        } else {
          expect(got.costPerMillionTokens).toBeUndefined();
        }
      }
    });
  },
);
