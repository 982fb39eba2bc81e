import {
  TEAM_A,
  TEAM_B,
  describeOnEachDatabase,
  expectClose,
  t,
  withDays,
} from './__testUtils__/costFixture';
import { planForecast } from './forecast';

jest.setTimeout(120_000);

describeOnEachDatabase(
  'DatabaseCostQueries: the month forecast',
  (databases, databaseId) => {
    it('forecasts from the last 7 complete days', async () => {
      const { costs } = await withDays(databases, databaseId);
      // now 11-10 15:30: complete days 1..9; remaining 30 - 9 = 21;
      // mean window 3..9 November.
      const f = await costs.forecastMonth({
        now: t('2026-11-10T15:30'),
        groupBy: 'team',
      });
      // The plan (its days, window and method) is planForecast's, tested
      // in forecast.test.ts.
      const { monthStart, monthEnd, todayStart, ...plan } = planForecast(
        t('2026-11-10T15:30'),
      );
      expect(f).toMatchObject(plan);
      expect(f.completeDays).toBe(9);
      // USD: complete = 4 x (1+..+9) + 2 x 9 = 180 + 18 = 198;
      // window = 4 x (3+..+9) + 2 x 7 = 168 + 14 = 182 -> mean 26;
      // forecast = 198 + 26 x 21 = 744; month to date adds 10 Nov: 40 + 2 -> 240.
      // EUR: complete 3 (2 Nov), window 0 -> forecast 3.
      expect(f.totals.map(r => r.currency)).toEqual(['USD', 'EUR']);
      expectClose(f.totals[0], {
        monthToDate: 240,
        completeDaysCost: 198,
        meanWindowCost: 182,
        meanDailyCost: 26,
        forecast: 744,
      });
      expectClose(f.totals[1], {
        monthToDate: 3,
        completeDaysCost: 3,
        meanDailyCost: 0,
        forecast: 3,
      });
      // team A USD: 180 + 24 x 21 = 684 (mtd 220); team B: 18 + 2 x 21 = 60 (mtd 20).
      expect(f.groups!.map(g => [g.key, g.currency])).toEqual([
        [TEAM_A, 'USD'],
        [TEAM_B, 'USD'],
        [TEAM_A, 'EUR'],
      ]);
      expectClose(f.groups![0], {
        monthToDate: 220,
        completeDaysCost: 180,
        meanDailyCost: 24,
        forecast: 684,
      });
      expectClose(f.groups![1], {
        monthToDate: 20,
        completeDaysCost: 18,
        meanDailyCost: 2,
        forecast: 60,
      });
    });

    it('takes the complete days so far when fewer than 7, and the days before on the 1st', async () => {
      const { costs } = await withDays(databases, databaseId);
      // now 11-04 12:00: complete 1..3; remaining 27.
      // team A USD: complete 4 + 8 + 12 = 24, mean 8 -> 24 + 8 x 27 = 240;
      // month to date adds 4 Nov 10:00 (16) -> 40.
      // EUR: complete 3, mean 1 -> 3 + 27 = 30.
      const f = await costs.forecastMonth({
        now: t('2026-11-04T12:00'),
        groupBy: 'team',
      });
      expect(f).toMatchObject({
        completeDays: 3,
        remainingDays: 27,
        meanWindow: {
          days: 3,
          firstDay: '2026-11-01',
          lastDay: '2026-11-03',
        },
      });
      expect(f.method).toContain(
        'mean daily cost of the 3 complete days of 2026-11 so far (2026-11-01..2026-11-03; fewer than 7)',
      );
      const a = f.groups!.find(g => g.key === TEAM_A && g.currency === 'USD')!;
      expectClose(a, {
        monthToDate: 40,
        completeDaysCost: 24,
        meanDailyCost: 8,
        forecast: 240,
      });
      const eur = f.totals.find(x => x.currency === 'EUR')!;
      expectClose(eur, {
        completeDaysCost: 3,
        meanDailyCost: 1,
        forecast: 30,
      });

      // now 11-01 05:00: no complete day; mean of 25..31 October (4 a day)
      // x 30 days = 120 for team A; nothing recorded yet this month.
      const first = await costs.forecastMonth({
        now: t('2026-11-01T05:00'),
        groupBy: 'team',
      });
      expect(first).toMatchObject({
        completeDays: 0,
        remainingDays: 30,
        meanWindow: {
          days: 7,
          firstDay: '2026-10-25',
          lastDay: '2026-10-31',
        },
      });
      expect(first.method).toContain('no day of 2026-11 is complete yet');
      expect(first.groups).toHaveLength(1);
      expectClose(first.groups![0], {
        key: TEAM_A,
        currency: 'USD',
        monthToDate: 0,
        completeDaysCost: 0,
        meanDailyCost: 4,
        forecast: 120,
      });
    });
  },
);
