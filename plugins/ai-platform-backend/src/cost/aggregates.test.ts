import { InputError } from '@backstage/errors';
import {
  type AggRow,
  type Bucket,
  costsBy,
  coverage,
  emptyAgg,
  figures,
  gpuHoursBasis,
  groupColumn,
  mergeParts,
  rowToAgg,
} from './aggregates';

const rowSums = (): AggRow => ({
  gpu_hours: 0,
  cost: 0,
  util_gpu_hours: 0,
  idle_gpu_hours: 0,
  idle_cost: 0,
  token_gpu_hours: 0,
  token_cost: 0,
  prompt_tokens: 0,
  generation_tokens: 0,
  sample_count: 0,
  cluster_gpu_hours: 0,
  last_known_gpu_hours: 0,
  demo_gpu_hours: 0,
  prompt_token_cost: 0,
  split_cost: 0,
  split_measured_gpu_hours: 0,
  requests: 0,
  request_cost: 0,
});

/** A rollup row as a driver gives it: some sums as strings, some null. */
function row(
  dims: Record<string, string>,
  sums: Partial<AggRow>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const zero = Object.fromEntries(
    Object.keys(rowSums()).map(k => [k, null]),
  ) as AggRow;
  return { ...dims, currency: 'USD', ...zero, ...sums, ...extra };
}

describe('rowToAgg', () => {
  it('reads numeric strings and nulls (Postgres sums) as numbers', () => {
    const agg = rowToAgg({
      ...rowSums(),
      gpu_hours: '2.5',
      cost: '10',
      prompt_tokens: '9007199254740991',
      idle_cost: null,
    });
    expect(agg).toMatchObject({
      gpuHours: 2.5,
      cost: 10,
      promptTokens: 9007199254740991,
      idleCost: 0,
    });
  });
});

describe('groupColumn', () => {
  it('maps each group-by to its rollup column', () => {
    expect(groupColumn('team')).toBe('team_ref');
    expect(groupColumn('cluster')).toBe('cluster');
  });

  it('refuses anything else, inherited names included', () => {
    for (const bad of ['tenant', 'toString', '__proto__']) {
      expect(() => groupColumn(bad as 'team')).toThrow(
        new InputError(
          `Invalid groupBy '${bad}', expected one of team, endpoint, model, pool, cluster`,
        ),
      );
    }
  });
});

describe('mergeParts', () => {
  it('sums the parts of a window per group, currency and label', () => {
    const buckets = mergeParts(
      [
        {
          rows: [
            row({ team_ref: 'a' }, { cost: 2, sample_count: 1 }),
            row({ team_ref: 'b' }, { cost: 1, sample_count: 1 }),
          ],
          fixed: 100,
          grouped: false,
          sign: 1,
        },
        {
          rows: [
            row(
              { team_ref: 'a' },
              { cost: '3', sample_count: '2' },
              { bucket_start: '100' },
            ),
            row(
              { team_ref: 'a' },
              { cost: 5, sample_count: 1 },
              { bucket_start: 200 },
            ),
          ],
          grouped: true,
          sign: 1,
        },
      ],
      ['team_ref'],
    );
    expect(
      buckets.map(b => [b.dims.team_ref, b.label, b.cost, b.sampleCount]),
    ).toEqual([
      ['a', 100, 5, 3],
      ['b', 100, 1, 1],
      ['a', 200, 5, 1],
    ]);
  });

  it('takes away subtracted parts, leaves no float noise, and drops series with no samples left', () => {
    // A month read whole (0.1 + 0.2 for a, 7 for b) less its days outside
    // the window (0.2 for a, everything of b): a keeps 0.1, b is gone.
    const buckets = mergeParts(
      [
        {
          rows: [
            row({ team_ref: 'a' }, { cost: 0.1 + 0.2, sample_count: 2 }),
            row({ team_ref: 'b' }, { cost: 7, sample_count: 3 }),
          ],
          grouped: false,
          sign: 1,
        },
        {
          rows: [
            row({ team_ref: 'a' }, { cost: 0.2, sample_count: 1 }),
            row({ team_ref: 'b' }, { cost: 7, sample_count: 3 }),
          ],
          grouped: false,
          sign: -1,
        },
        {
          rows: [row({ team_ref: 'a' }, { cost: 0.1, sample_count: 1 })],
          grouped: false,
          sign: -1,
        },
      ],
      ['team_ref'],
    );
    // a: 0.30000000000000004 - 0.2 - 0.1 is float noise: exactly 0 left,
    // and no samples: a is gone too.
    expect(buckets).toEqual([]);

    const kept = mergeParts(
      [
        {
          rows: [
            row(
              { team_ref: 'a' },
              { cost: 0.3, idle_cost: 0.1 + 0.2, sample_count: 2 },
            ),
          ],
          grouped: false,
          sign: 1,
        },
        {
          rows: [
            row(
              { team_ref: 'a' },
              { cost: 0.2, idle_cost: 0.3, sample_count: 1 },
            ),
          ],
          grouped: false,
          sign: -1,
        },
      ],
      ['team_ref'],
    );
    expect(kept).toHaveLength(1);
    expect(kept[0].cost).toBeCloseTo(0.1, 12);
    expect(kept[0].sampleCount).toBe(1);
    // 0.30000000000000004 - 0.3 is noise, not an idle cost.
    expect(kept[0].idleCost).toBe(0);
  });
});

describe('figures and coverage', () => {
  const bucket = (sums: Partial<Bucket>): Bucket => ({
    ...emptyAgg(),
    dims: {},
    currency: 'USD',
    ...sums,
  });

  it('gives the cost per 1M tokens of the GPU-hours whose tokens are known', () => {
    const f = figures(
      'EUR',
      bucket({
        gpuHours: 4,
        cost: 12,
        utilGpuHours: 2,
        tokenGpuHours: 1,
        tokenCost: 3,
        promptTokens: 100_000,
        generationTokens: 50_000,
      }),
    );
    expect(f).toMatchObject({
      currency: 'EUR',
      cost: 12,
      tokens: 150_000,
      utilizationCoverage: 0.5,
      tokenCoverage: 0.25,
      costPerMillionTokens: 20,
    });
    expect(figures('USD', bucket({ gpuHours: 1 })).costPerMillionTokens).toBe(
      undefined,
    );
  });

  it('says none, partial or full', () => {
    expect(coverage(0, 10)).toBe('none');
    expect(coverage(1, 0)).toBe('none');
    expect(coverage(5, 10)).toBe('partial');
    expect(coverage(10 - 1e-12, 10)).toBe('full');
  });

  it('shares the GPU-hours by what they rest on, the rest the catalog', () => {
    expect(
      gpuHoursBasis(
        bucket({
          gpuHours: 10,
          clusterGpuHours: 5,
          lastKnownGpuHours: 2,
          demoGpuHours: 1,
        }),
      ),
    ).toEqual({
      clusterState: 0.5,
      lastKnownState: 0.2,
      demo: 0.1,
      catalog: expect.closeTo(0.2, 12),
    });
    expect(gpuHoursBasis(bucket({}))).toEqual({
      clusterState: 0,
      lastKnownState: 0,
      demo: 0,
      catalog: 0,
    });
  });
});

describe('costsBy', () => {
  it('sums cost per group and currency, or per currency alone', () => {
    const buckets: Bucket[] = [
      { ...emptyAgg(), dims: { team_ref: 'a' }, currency: 'USD', cost: 1 },
      { ...emptyAgg(), dims: { team_ref: 'a' }, currency: 'USD', cost: 2 },
      { ...emptyAgg(), dims: { team_ref: 'a' }, currency: 'EUR', cost: 4 },
      { ...emptyAgg(), dims: { team_ref: 'b' }, currency: 'USD', cost: 8 },
    ];
    expect([...costsBy(buckets, 'team_ref').entries()]).toEqual([
      ['a\u0000USD', { key: 'a', currency: 'USD', cost: 3 }],
      ['a\u0000EUR', { key: 'a', currency: 'EUR', cost: 4 }],
      ['b\u0000USD', { key: 'b', currency: 'USD', cost: 8 }],
    ]);
    expect([...costsBy(buckets).values()]).toEqual([
      { currency: 'USD', cost: 11 },
      { currency: 'EUR', cost: 4 },
    ]);
  });
});
