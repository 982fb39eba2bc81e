import { type Bucket, type CostAmount, emptyAgg } from './aggregates';
import {
  compareMonths,
  exportRowsOf,
  summarise,
  topPerCurrency,
} from './costReports';
import { t } from './__testUtils__/exportRow';

const bucket = (
  dims: Bucket['dims'],
  currency: string,
  sums: Partial<Bucket>,
): Bucket => ({ ...emptyAgg(), dims, currency, ...sums });

describe('summarise', () => {
  const buckets = [
    bucket({ team_ref: 'a' }, 'USD', {
      label: t('2026-10-01T00:00'),
      cost: 8,
      gpuHours: 2,
      utilGpuHours: 2,
      sampleCount: 4,
    }),
    bucket({ team_ref: 'a' }, 'USD', {
      label: t('2026-11-01T00:00'),
      cost: 4,
      gpuHours: 1,
      clusterGpuHours: 1,
      sampleCount: 2,
    }),
    bucket({ team_ref: 'b' }, 'USD', {
      label: t('2026-11-01T00:00'),
      cost: 1,
      gpuHours: 1,
      sampleCount: 1,
    }),
    bucket({ team_ref: 'a' }, 'EUR', {
      label: t('2026-11-01T00:00'),
      cost: 3,
      gpuHours: 1,
      sampleCount: 1,
    }),
  ];

  it('totals per currency, groups per key and currency, most expensive first', () => {
    const s = summarise({
      from: 1,
      to: 2,
      groupBy: 'team',
      column: 'team_ref',
      buckets,
    });
    expect(s.totals.map(x => [x.currency, x.cost])).toEqual([
      ['USD', 13],
      ['EUR', 3],
    ]);
    expect(s.groups.map(g => [g.key, g.currency, g.cost])).toEqual([
      ['a', 'USD', 12],
      ['a', 'EUR', 3],
      ['b', 'USD', 1],
    ]);
    expect(s.series).toBeUndefined();
    expect(s.granularity).toBeUndefined();
    // Utilisation known for 2 of 5 GPU-hours; cluster state for 1.
    expect(s.basis).toEqual({
      allocation: true,
      utilization: 'partial',
      tokens: 'none',
      gpuHours: { clusterState: 0.2, lastKnownState: 0, demo: 0, catalog: 0.8 },
    });
  });

  it('gives a series per month (or day), key and currency', () => {
    const s = summarise({
      from: 1,
      to: 2,
      groupBy: 'team',
      column: 'team_ref',
      granularity: 'month',
      buckets,
    });
    expect(s.granularity).toBe('month');
    expect(s.series!.map(p => [p.bucket, p.key, p.currency, p.cost])).toEqual([
      ['2026-10', 'a', 'USD', 8],
      ['2026-11', 'a', 'EUR', 3],
      ['2026-11', 'a', 'USD', 4],
      ['2026-11', 'b', 'USD', 1],
    ]);
    const byDay = summarise({
      from: 1,
      to: 2,
      groupBy: 'team',
      column: 'team_ref',
      granularity: 'day',
      buckets: buckets.slice(0, 1),
    });
    expect(byDay.series![0].bucket).toBe('2026-10-01');
  });
});

describe('topPerCurrency', () => {
  it('takes the first of each currency, a fraction of a limit rounded down', () => {
    const groups = [
      { key: 'a', currency: 'USD', cost: 9 },
      { key: 'b', currency: 'EUR', cost: 8 },
      { key: 'c', currency: 'USD', cost: 7 },
      { key: 'd', currency: 'USD', cost: 6 },
    ] as Parameters<typeof topPerCurrency>[0];
    expect(topPerCurrency(groups, 2.9).map(g => g.key)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(topPerCurrency(groups, -1)).toEqual([]);
  });
});

describe('compareMonths', () => {
  const costs = (...xs: CostAmount[]) =>
    new Map(xs.map(x => [`${x.key ?? ''}\u0000${x.currency}`, x]));

  it('gives the change and its percent, none against nothing', () => {
    const rows = compareMonths(
      costs(
        { key: 'a', currency: 'USD', cost: 4 },
        { key: 'a', currency: 'EUR', cost: 3 },
      ),
      costs(
        { key: 'a', currency: 'USD', cost: 8 },
        { key: 'b', currency: 'USD', cost: 1 },
      ),
      true,
    );
    expect(rows).toEqual([
      {
        key: 'a',
        currency: 'USD',
        cost: 4,
        previousCost: 8,
        change: -4,
        changePercent: -50,
      },
      {
        key: 'a',
        currency: 'EUR',
        cost: 3,
        previousCost: 0,
        change: 3,
        changePercent: undefined,
      },
      {
        key: 'b',
        currency: 'USD',
        cost: 0,
        previousCost: 1,
        change: -1,
        changePercent: -100,
      },
    ]);
    expect(
      compareMonths(costs({ currency: 'USD', cost: 1 }), costs(), false)[0],
    ).not.toHaveProperty('key');
  });
});

describe('exportRowsOf', () => {
  it('cuts the first and last day to the window and sorts by time then endpoint', () => {
    const dims = (endpoint: string) => ({
      endpoint_ref: endpoint,
      team_ref: 'group:default/a',
      model_ref: 'model:default/m',
      pool_ref: 'gpupool:default/p',
      cluster: 'c1',
    });
    const rows = exportRowsOf(
      [
        bucket(dims('inferenceendpoint:default/b'), 'USD', {
          label: t('2026-11-01T00:00'),
          cost: 2,
          tokenCost: 2,
          promptTokens: 1_000_000,
          sampleCount: 1,
        }),
        bucket(dims('inferenceendpoint:default/a'), 'USD', {
          label: t('2026-11-01T00:00'),
          cost: 1,
          sampleCount: 1,
        }),
        bucket(dims('inferenceendpoint:default/a'), 'USD', {
          label: t('2026-10-31T00:00'),
          cost: 1,
          sampleCount: 1,
        }),
      ],
      t('2026-10-31T23:00'),
      t('2026-11-01T05:00'),
    );
    expect(
      rows.map(r => [
        r.day,
        r.endpointRef.slice(-1),
        r.periodStart,
        r.periodEnd,
        r.costPerMillionTokens,
      ]),
    ).toEqual([
      [
        '2026-10-31',
        'a',
        t('2026-10-31T23:00'),
        t('2026-11-01T00:00'),
        undefined,
      ],
      [
        '2026-11-01',
        'a',
        t('2026-11-01T00:00'),
        t('2026-11-01T05:00'),
        undefined,
      ],
      ['2026-11-01', 'b', t('2026-11-01T00:00'), t('2026-11-01T05:00'), 2],
    ]);
  });
});
