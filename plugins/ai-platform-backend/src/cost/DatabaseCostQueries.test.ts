import { InputError } from '@backstage/errors';
import type { UsageSample } from './types';
import {
  ALL_FROM,
  ALL_TO,
  CHAT,
  EMBED,
  EUR_ALL,
  EU_CHAT,
  LLAMA,
  TEAM_A,
  TEAM_B,
  USD_ALL,
  chat,
  createCostStores,
  describeOnEachDatabase,
  embed,
  expectClose,
  t,
  withFixture,
} from './__testUtils__/costFixture';

jest.setTimeout(120_000);

describeOnEachDatabase('DatabaseCostQueries', (databases, databaseId) => {
  it('sums GPU-hours, cost, idle and cost per 1M tokens per currency', async () => {
    const { costs } = await withFixture(databases, databaseId);
    const summary = await costs.costSummary({
      from: ALL_FROM,
      to: ALL_TO,
      groupBy: 'team',
    });
    expect(summary.from).toBe(ALL_FROM);
    expect(summary.to).toBe(ALL_TO);
    expect(summary.totals.map(x => x.currency)).toEqual(['USD', 'EUR']);
    expectClose(summary.totals[0], USD_ALL);
    expectClose(summary.totals[1], EUR_ALL);
    // Samples without a gpusBasis were billed from the catalog's replicas.
    expect(summary.basis.gpuHours).toEqual({
      clusterState: 0,
      lastKnownState: 0,
      demo: 0,
      catalog: 1,
    });
    // util known: 25/12 + 1 of 10/3 + 1; tokens known: 19/12 + 1 -> both partial
    expect(summary.basis).toMatchObject({
      allocation: true,
      utilization: 'partial',
      tokens: 'partial',
    });
    expect(summary.series).toBeUndefined();

    // team A USD: chat only: 3 GPU-h, 12 USD; idle 0.25+0.125+0.375 = 0.75
    // GPU-h = 3 USD; tokens 1500+3500+3000 = 8000 for 6 USD -> 750 per 1M.
    // team A EUR: eu-chat, as EUR_ALL.
    // team B USD: embed: 1/3 GPU-h, 2/3 USD; idle 0.05 GPU-h = 0.1 USD;
    // tokens 6000 for 1/6 USD -> 27.777... per 1M.
    expect(summary.groups.map(g => [g.key, g.currency])).toEqual([
      [TEAM_A, 'USD'],
      [TEAM_A, 'EUR'],
      [TEAM_B, 'USD'],
    ]);
    expectClose(summary.groups[0], {
      gpuHours: 3,
      cost: 12,
      idleGpuHours: 0.75,
      idleCost: 3,
      tokens: 8000,
      costPerMillionTokens: 750,
      utilizationCoverage: 2 / 3,
      tokenCoverage: 0.5,
    });
    expectClose(summary.groups[1], EUR_ALL);
    expectClose(summary.groups[2], {
      gpuHours: 1 / 3,
      cost: 2 / 3,
      idleGpuHours: 0.05,
      idleCost: 0.1,
      tokens: 6000,
      costPerMillionTokens: 27.777777778,
      utilizationCoverage: 0.25,
      tokenCoverage: 0.25,
    });
  });

  it('answers hour-aligned windows exactly from hourly edges and daily middles', async () => {
    const { costs } = await withFixture(databases, databaseId);
    // Hourly only: 10-31 23:00 .. 11-01 01:00 holds every USD sample, not u1.
    const edges = await costs.costSummary({
      from: t('2026-10-31T23:00'),
      to: t('2026-11-01T01:00'),
      groupBy: 'pool',
    });
    expect(edges.totals).toHaveLength(1);
    expectClose(edges.totals[0], USD_ALL);
    // Daily 10-31 + hourly 11-01 00:00: the same.
    const mixed = await costs.costSummary({
      from: ALL_FROM,
      to: t('2026-11-01T01:00'),
      groupBy: 'pool',
    });
    expect(mixed.totals).toHaveLength(1);
    expectClose(mixed.totals[0], USD_ALL);
    // Hourly 10-31 23:00 + daily 11-01: everything.
    const other = await costs.costSummary({
      from: t('2026-10-31T23:00'),
      to: ALL_TO,
      groupBy: 'pool',
    });
    expectClose(other.totals[0], USD_ALL);
    expectClose(other.totals[1], EUR_ALL);
    // A window not on hours widens to whole hours: 11-01 00:00 .. 02:00,
    // s5, s6 (4 USD), t3, t4 (1/3 USD), u1 (3 EUR).
    const widened = await costs.costSummary({
      from: t('2026-11-01T00:30'),
      to: t('2026-11-01T01:20'),
      groupBy: 'endpoint',
    });
    expect([widened.from, widened.to]).toEqual([
      t('2026-11-01T00:00'),
      t('2026-11-01T02:00'),
    ]);
    expectClose(widened.totals[0], { currency: 'USD', cost: 13 / 3 });
    expectClose(widened.totals[1], { currency: 'EUR', cost: 3 });
    // Only u1 in 01:00 .. 02:00: utilisation and tokens of all GPU-hours known.
    const full = await costs.costSummary({
      from: t('2026-11-01T01:00'),
      to: t('2026-11-01T02:00'),
      groupBy: 'endpoint',
    });
    expect(full.basis).toMatchObject({
      allocation: true,
      utilization: 'full',
      tokens: 'full',
    });
    // 10-31 23:30 .. 23:45 hour: s3, s4 and t1 know nothing, t2 its utilisation.
    const empty = await costs.costSummary({
      from: t('2026-10-30T00:00'),
      to: t('2026-10-31T00:00'),
      groupBy: 'endpoint',
    });
    expect(empty).toMatchObject({
      totals: [],
      groups: [],
      basis: { allocation: true, utilization: 'none', tokens: 'none' },
    });
  });

  it('returns series by day and by month for stacked charts', async () => {
    const { costs } = await withFixture(databases, databaseId);
    const byDay = await costs.costSummary({
      from: ALL_FROM,
      to: ALL_TO,
      groupBy: 'team',
      granularity: 'day',
    });
    // 10-31: chat s1..s4 = 2 GPU-h, 8 USD; embed t1, t2 = 1/6 GPU-h, 1/3 USD.
    // 11-01: chat s5, s6 = 1 GPU-h, 4 USD; embed t3, t4 = 1/6, 1/3; u1 3 EUR.
    const expected = [
      ['2026-10-31', TEAM_A, 'USD', 8, 2],
      ['2026-10-31', TEAM_B, 'USD', 1 / 3, 1 / 6],
      ['2026-11-01', TEAM_A, 'EUR', 3, 1],
      ['2026-11-01', TEAM_A, 'USD', 4, 1],
      ['2026-11-01', TEAM_B, 'USD', 1 / 3, 1 / 6],
    ] as const;
    expect(byDay.granularity).toBe('day');
    expect(byDay.series).toHaveLength(expected.length);
    expected.forEach(([bucket, key, currency, cost, gpuHours], i) =>
      expectClose(byDay.series![i], {
        bucket,
        key,
        currency,
        cost,
        gpuHours,
      }),
    );
    const byMonth = await costs.costSummary({
      from: t('2026-10-31T23:00'),
      to: ALL_TO,
      groupBy: 'team',
      granularity: 'month',
    });
    expect(
      byMonth.series!.map(p => [p.bucket, p.key, p.currency, p.cost]),
    ).toEqual([
      ['2026-10', TEAM_A, 'USD', 8],
      ['2026-10', TEAM_B, 'USD', expect.closeTo(1 / 3, 9)],
      ['2026-11', TEAM_A, 'EUR', 3],
      ['2026-11', TEAM_A, 'USD', 4],
      ['2026-11', TEAM_B, 'USD', expect.closeTo(1 / 3, 9)],
    ]);
  });

  it('ranks top spenders per currency', async () => {
    const { costs } = await withFixture(databases, databaseId);
    const top = await costs.topSpenders({
      from: ALL_FROM,
      to: ALL_TO,
      groupBy: 'endpoint',
      limit: 1,
    });
    expect(top.map(r => [r.key, r.currency, r.cost])).toEqual([
      [CHAT, 'USD', 12],
      [EU_CHAT, 'EUR', 3],
    ]);
    const pools = await costs.topSpenders({
      from: ALL_FROM,
      to: ALL_TO,
      groupBy: 'pool',
      limit: 5,
    });
    expect(pools.map(r => r.key)).toEqual([
      'gpupool:default/h100',
      'gpupool:default/eu-a100',
      'gpupool:default/l4',
    ]);
  });

  it('compares a month with the month before', async () => {
    const { costs } = await withFixture(databases, databaseId);
    // November USD: s5, s6 (4) + t3, t4 (1/3) = 13/3; October USD: s1..s4
    // (8) + t1, t2 (1/3) = 25/3; change -4 = -4 / (25/3) = -48 %.
    // EUR: 3 in November, nothing in October: no percent.
    const mom = await costs.monthOverMonth({
      month: '2026-11',
      groupBy: 'team',
    });
    expect(mom.month).toBe('2026-11');
    expect(mom.previousMonth).toBe('2026-10');
    expect(mom.totals).toHaveLength(2);
    expectClose(mom.totals[0], {
      currency: 'USD',
      cost: 13 / 3,
      previousCost: 25 / 3,
      change: -4,
      changePercent: -48,
    });
    expectClose(mom.totals[1], {
      currency: 'EUR',
      cost: 3,
      previousCost: 0,
      change: 3,
      changePercent: undefined,
    });
    // team A USD 4 vs 8: -50 %; team A EUR 3 vs 0; team B USD 1/3 vs 1/3: 0 %.
    expect(mom.groups!.map(g => [g.key, g.currency])).toEqual([
      [TEAM_A, 'USD'],
      [TEAM_A, 'EUR'],
      [TEAM_B, 'USD'],
    ]);
    expectClose(mom.groups![0], {
      cost: 4,
      previousCost: 8,
      changePercent: -50,
    });
    expectClose(mom.groups![1], { cost: 3, previousCost: 0, change: 3 });
    expectClose(mom.groups![2], {
      cost: 1 / 3,
      previousCost: 1 / 3,
      change: 0,
      changePercent: 0,
    });
    const january = await costs.monthOverMonth({ month: '2027-01' });
    expect(january).toEqual({
      month: '2027-01',
      previousMonth: '2026-12',
      totals: [],
    });
    await expect(costs.monthOverMonth({ month: '2026-13' })).rejects.toThrow(
      InputError,
    );
  });

  it('reads a month to date as the month less the rest of it', async () => {
    const { usage, costs } = await createCostStores(databases, databaseId);
    // chat: 1 GPU-hour a day at 4 USD on 1..25 November, utilisation known
    // (0.5) on the 24th and 25th only; embed: 1 GPU-hour at 2 USD on the 28th.
    const samples: UsageSample[] = [];
    for (let d = 1; d <= 25; d++) {
      samples.push(
        chat(`2026-11-${String(d).padStart(2, '0')}T10:00`, {
          intervalSeconds: 3600,
          gpus: 1,
          gpuUtilization: d >= 24 ? 0.5 : undefined,
        }),
      );
    }
    samples.push(embed('2026-11-28T10:00', { intervalSeconds: 3600 }));
    await usage.insertSamples(samples);
    await usage.rollup({
      fromSeconds: t('2026-11-01T00:00'),
      toSeconds: t('2026-12-01T00:00'),
    });
    // 1..23 November (read as November less 24..30): chat's 23 GPU-hours,
    // 92 USD, nothing idle known; embed's only hour lies outside.
    const summary = await costs.costSummary({
      from: t('2026-11-01T00:00'),
      to: t('2026-11-24T00:00'),
      groupBy: 'endpoint',
      granularity: 'month',
    });
    expect(summary.groups.map(g => g.key)).toEqual([CHAT]);
    expectClose(summary.totals[0], {
      currency: 'USD',
      gpuHours: 23,
      cost: 92,
      idleGpuHours: 0,
      idleCost: 0,
      utilizationCoverage: 0,
    });
    expect(summary.totals[0].idleCost).toBe(0);
    expect(summary.basis).toMatchObject({
      allocation: true,
      utilization: 'none',
      tokens: 'none',
    });
    expect(summary.series).toEqual([
      {
        bucket: '2026-11',
        key: CHAT,
        currency: 'USD',
        cost: expect.closeTo(92, 9),
        gpuHours: expect.closeTo(23, 9),
      },
    ]);
  });

  it('exports one row per endpoint per UTC day, edges merged', async () => {
    const { costs } = await withFixture(databases, databaseId);
    const rows = await costs.exportRows({ from: ALL_FROM, to: ALL_TO });
    expect(rows.map(r => [r.day, r.endpointRef, r.currency])).toEqual([
      ['2026-10-31', CHAT, 'USD'],
      ['2026-10-31', EMBED, 'USD'],
      ['2026-11-01', CHAT, 'USD'],
      ['2026-11-01', EMBED, 'USD'],
      ['2026-11-01', EU_CHAT, 'EUR'],
    ]);
    // chat 10-31: s1..s4; tokens 4000 + 1000 for s1, s2 (4 USD) -> 800 per 1M
    expectClose(rows[0], {
      periodStart: t('2026-10-31T00:00'),
      periodEnd: t('2026-11-01T00:00'),
      teamRef: TEAM_A,
      modelRef: LLAMA,
      poolRef: 'gpupool:default/h100',
      cluster: 'c1',
      gpuHours: 2,
      cost: 8,
      utilizationKnownGpuHours: 1,
      idleGpuHours: 0.375,
      idleCost: 1.5,
      tokenKnownGpuHours: 1,
      tokenCost: 4,
      promptTokens: 4000,
      generationTokens: 1000,
      tokens: 5000,
      costPerMillionTokens: 800,
      sampleCount: 4,
    });
    expectClose(rows[1], {
      gpuHours: 1 / 6,
      cost: 1 / 3,
      idleGpuHours: 0.05,
      idleCost: 0.1,
      tokens: 0,
      costPerMillionTokens: undefined,
      sampleCount: 2,
    });
    // embed 11-01: t3 6000 prompt tokens for 1/6 USD -> 27.78 per 1M
    expectClose(rows[3], {
      tokens: 6000,
      tokenCost: 1 / 6,
      costPerMillionTokens: 27.777777778,
    });

    // A window that starts and ends inside days: the edge hours form the
    // days' rows and their period is the part of the day covered.
    const partial = await costs.exportRows({
      from: t('2026-10-31T23:00'),
      to: t('2026-11-01T01:00'),
    });
    expect(
      partial.map(r => [
        r.day,
        r.endpointRef,
        r.periodStart,
        r.periodEnd,
        r.cost,
      ]),
    ).toEqual([
      ['2026-10-31', CHAT, t('2026-10-31T23:00'), t('2026-11-01T00:00'), 8],
      [
        '2026-10-31',
        EMBED,
        t('2026-10-31T23:00'),
        t('2026-11-01T00:00'),
        expect.closeTo(1 / 3, 9),
      ],
      ['2026-11-01', CHAT, t('2026-11-01T00:00'), t('2026-11-01T01:00'), 4],
      [
        '2026-11-01',
        EMBED,
        t('2026-11-01T00:00'),
        t('2026-11-01T01:00'),
        expect.closeTo(1 / 3, 9),
      ],
    ]);
  });
});
