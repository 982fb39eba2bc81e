import { InputError } from '@backstage/errors';
import type { UsageSample } from './types';
import {
  SAMPLE_COLUMNS,
  SQLITE_MAX_BATCH,
  checkSample,
  unnestStatement,
  valuesStatement,
} from './usageSamples';
import { chat } from './__testUtils__/costFixture';

/** One of the fixture's chat samples, with overrides. */
const sample = (extra: Partial<UsageSample> = {}): UsageSample =>
  chat('2026-09-21T14:13:20', { modelVersion: undefined, ...extra });

describe('checkSample', () => {
  it('gives the values in column order, unknowns as null', () => {
    const values = checkSample(
      sample({
        gpuUtilization: 0.5,
        promptShare: 0.25,
        splitBasis: 'measured',
      }),
      0,
    );
    const byColumn = Object.fromEntries(
      SAMPLE_COLUMNS.map((c, i) => [c, values[i]]),
    );
    expect(byColumn).toMatchObject({
      sampled_at: 1_790_000_000,
      endpoint_ref: 'inferenceendpoint:default/chat',
      model_version: null,
      gpus: 2,
      gpu_utilization: 0.5,
      prompt_tokens: null,
      prompt_share: 0.25,
      split_basis: 'measured',
      gpus_basis: null,
      requests: null,
    });
  });

  it.each([
    [{ sampledAt: 1.5 }, 'sampledAt must be whole epoch seconds'],
    [{ intervalSeconds: 0 }, 'intervalSeconds must be a positive integer'],
    [
      { intervalSeconds: 2 ** 31 },
      'intervalSeconds must be a positive integer',
    ],
    [{ gpus: Number.NaN }, 'gpus must be a non-negative number'],
    [{ gpuUtilization: 1.2 }, 'gpuUtilization must be between 0 and 1'],
    [{ promptTokens: -3 }, 'promptTokens must be a non-negative integer'],
    [{ requests: 0.5 }, 'requests must be a non-negative integer'],
    [{ pricePerGpuHour: -1 }, 'pricePerGpuHour must be a non-negative number'],
    [{ currency: 'US' }, 'currency must be an ISO 4217 code'],
    [
      { endpointRef: '' },
      'endpointRef must be a non-empty string of at most 255 characters',
    ],
    [
      { cluster: 'c\u0000' },
      'cluster must be a non-empty string of at most 255 characters',
    ],
    [
      { gpusBasis: 'guess' as 'demo' },
      'gpusBasis must be cluster-state, last-known-state or demo',
    ],
    [
      { metricsBasis: 'dcgm' as 'prometheus' },
      'metricsBasis must be prometheus',
    ],
    [
      { promptShare: 0.5 },
      'splitBasis must be measured or weighted, and only with promptShare',
    ],
    [
      { splitBasis: 'weighted' as const },
      'splitBasis must be measured or weighted, and only with promptShare',
    ],
  ])('refuses %p naming the sample and the field', (bad, message) => {
    expect(() => checkSample(sample(bad), 7)).toThrow(
      new InputError(`Usage sample 7: ${message}`),
    );
  });
});

describe('insert statements', () => {
  const batch = [
    checkSample(sample(), 0),
    checkSample(sample({ sampledAt: 1_790_000_300 }), 1),
    checkSample(
      sample({ endpointRef: 'inferenceendpoint:default/a"b,c{d}\\e' }),
      2,
    ),
  ];

  it('writes one VALUES row per sample elsewhere, within the bound-variable limit', () => {
    const { sql, bindings } = valuesStatement(batch);
    expect(sql.match(/\(\?(, \?)*\)/g)).toHaveLength(3);
    expect(bindings).toHaveLength(3 * SAMPLE_COLUMNS.length);
    expect(SQLITE_MAX_BATCH * SAMPLE_COLUMNS.length).toBeLessThanOrEqual(
      32_766,
    );
  });

  it('sends the text columns once per distinct combination on Postgres, quoted', () => {
    const { sql, bindings } = unnestStatement(batch);
    expect(sql).toMatch(/^INSERT INTO usage_samples .* FROM unnest\(/);
    // Two combinations of text columns for three rows: row numbers 1, 1, 2.
    expect(bindings).toContain('{1,1,2}');
    expect(bindings).toContain(
      '{"inferenceendpoint:default/chat","inferenceendpoint:default/a\\"b,c{d}\\\\e"}',
    );
    expect(bindings).toContain('{1790000000,1790000300,1790000000}');
    expect(bindings).toContain('{NULL,NULL}');
  });
});
