import {
  bucketQuantile,
  Evaluator,
  extrapolatedRate,
  type RangeSeries,
  type SeriesSource,
} from './evaluate';
import { parseDuration, parsePromQL } from './parse';
import type { Matcher } from './parse';
import { matches } from './evaluate';

/** Fixed series: each a function of time, sampled every 15 s from t = 0. */
function fixedSource(
  series: Array<{
    labels: Record<string, string>;
    value: (t: number) => number;
  }>,
): SeriesSource {
  return {
    select(matchers: Matcher[], from: number, to: number): RangeSeries[] {
      return series
        .filter(s => matches(s.labels, matchers))
        .map(s => {
          const points: Array<[number, number]> = [];
          for (let t = Math.floor(from / 15) * 15; t <= to; t += 15) {
            if (t > from && t >= 0) points.push([t, s.value(t)]);
          }
          return { labels: s.labels, points };
        })
        .filter(s => s.points.length > 0);
    },
  };
}

const tokens = (model: string, pod: string, perSecond: number) => ({
  labels: {
    __name__: 'vllm:prompt_tokens_total',
    model_name: model,
    pod,
    namespace: 'chat',
  },
  value: (t: number) => perSecond * t,
});

const evaluate = (source: SeriesSource, query: string, time: number) =>
  new Evaluator(source).evaluate(parsePromQL(query), time);

describe('parsePromQL', () => {
  it('parses the queries the usage collector sends', () => {
    expect(
      parsePromQL(
        'sum by (model_name) (increase(vllm:prompt_tokens_total[300s]))',
      ),
    ).toEqual({
      type: 'aggregate',
      op: 'sum',
      grouping: { without: false, labels: ['model_name'] },
      expr: {
        type: 'call',
        fn: 'increase',
        args: [
          {
            type: 'selector',
            matchers: [
              { name: '__name__', op: '=', value: 'vllm:prompt_tokens_total' },
            ],
            range: 300,
          },
        ],
      },
    });
    expect(
      parsePromQL('avg by (pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[300s]))'),
    ).toMatchObject({ type: 'aggregate', op: 'avg' });
    // The grouping after the argument, as Grafana writes it.
    expect(
      parsePromQL('sum(rate(x_total{a="b",c=~"d.*"}[5m])) without (pod)'),
    ).toMatchObject({
      type: 'aggregate',
      grouping: { without: true, labels: ['pod'] },
    });
  });

  it('reads durations', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('300s')).toBe(300);
    expect(parseDuration('5x')).toBeUndefined();
  });

  it('says what it does not support', () => {
    expect(() => parsePromQL('rate(x[5m:1m])')).toThrow('subqueries');
    expect(() => parsePromQL('label_join(x, "a", ",", "b")')).toThrow(
      'unknown function or one the fake Prometheus does not support: label_join',
    );
    expect(() => parsePromQL('a * on(b) group_left c')).toThrow(
      'group_left (many-to-one matching) is not supported',
    );
    expect(() => parsePromQL('{a=""}')).toThrow('at least one non-empty');
    expect(() => parsePromQL('sum(x')).toThrow('expected "," or ")"');
  });
});

describe('Evaluator', () => {
  it('computes increase() with Prometheus extrapolation', () => {
    // 20 samples 15 s apart inside a 300 s window that ends 5 s after the
    // last: Prometheus extrapolates to both edges.
    const source = fixedSource([tokens('m', 'p-1', 10)]);
    const result = evaluate(
      source,
      'increase(vllm:prompt_tokens_total[300s])',
      905,
    );
    expect(result).toEqual({
      type: 'vector',
      samples: [
        {
          labels: { model_name: 'm', pod: 'p-1', namespace: 'chat' },
          value: 3000,
        },
      ],
    });
    // rate = increase / range
    expect(
      evaluate(source, 'rate(vllm:prompt_tokens_total[5m])', 905),
    ).toMatchObject({ samples: [{ value: 10 }] });
  });

  it('extrapolates as Prometheus does at the window edges and for a young counter', () => {
    // Samples at 15..90 of a counter starting at 0 at t = 10: the window
    // (0, 100] extrapolates to zero at most.
    const points: Array<[number, number]> = [15, 30, 45, 60, 75, 90].map(t => [
      t,
      (t - 10) * 2,
    ]);
    const value = extrapolatedRate(points, 0, 100, true, false)!;
    // 150 over the 75 s sampled; extended by 5 s back (where the counter
    // was zero, sooner than the window's start 15 s back) and 10 s forward
    // (both under 1.1 sample intervals).
    expect(value).toBeCloseTo(150 * ((75 + 5 + 10) / 75), 6);
    expect(extrapolatedRate([[1, 1]], 0, 100, true, false)).toBeUndefined();
    // A counter reset adds the value before the reset back.
    expect(
      extrapolatedRate(
        [
          [15, 100],
          [30, 110],
          [45, 5],
        ],
        14,
        45,
        true,
        false,
      ),
    ).toBeCloseTo((110 + 5 - 100) * (31 / 30), 6);
  });

  it('sums and averages by labels, and takes the latest sample for instant selectors', () => {
    const source = fixedSource([
      tokens('llama', 'a-1', 10),
      tokens('llama', 'a-2', 20),
      tokens('mistral', 'b-1', 5),
    ]);
    const byModel = evaluate(
      source,
      'sum by (model_name) (increase(vllm:prompt_tokens_total[300s]))',
      905,
    );
    expect(byModel).toEqual({
      type: 'vector',
      samples: [
        { labels: { model_name: 'llama' }, value: 9000 },
        { labels: { model_name: 'mistral' }, value: 1500 },
      ],
    });
    expect(
      evaluate(
        source,
        'avg(vllm:prompt_tokens_total{model_name="llama"})',
        905,
      ),
    ).toEqual({
      type: 'vector',
      // The latest samples at t = 900: 9000 and 18000.
      samples: [{ labels: {}, value: 13500 }],
    });
    expect(
      evaluate(source, 'count(vllm:prompt_tokens_total) by (model_name)', 905),
    ).toMatchObject({
      samples: [
        { labels: { model_name: 'llama' }, value: 2 },
        { labels: { model_name: 'mistral' }, value: 1 },
      ],
    });
    expect(
      evaluate(
        source,
        'topk(1, vllm:prompt_tokens_total{model_name!="mistral"})',
        905,
      ),
    ).toMatchObject({ samples: [{ labels: { pod: 'a-2' }, value: 18000 }] });
  });

  it('evaluates arithmetic and comparisons between vectors and scalars', () => {
    const source = fixedSource([
      tokens('llama', 'a-1', 10),
      tokens('mistral', 'b-1', 5),
    ]);
    expect(
      evaluate(
        source,
        'sum(rate(vllm:prompt_tokens_total[5m])) / 1000 * 3600',
        905,
      ),
    ).toMatchObject({ samples: [{ labels: {}, value: 54 }] });
    expect(
      evaluate(source, 'rate(vllm:prompt_tokens_total[5m]) > 6', 905),
    ).toMatchObject({ samples: [{ labels: { model_name: 'llama' } }] });
    expect(
      evaluate(
        source,
        'rate(vllm:prompt_tokens_total[5m]) / on(pod, model_name) rate(vllm:prompt_tokens_total[5m])',
        905,
      ),
    ).toMatchObject({
      samples: [
        { labels: { pod: 'a-1', model_name: 'llama' }, value: 1 },
        { labels: { pod: 'b-1', model_name: 'mistral' }, value: 1 },
      ],
    });
    expect(evaluate(source, '2 ^ 3 ^ 2', 0)).toEqual({
      type: 'scalar',
      value: 512,
    });
    expect(evaluate(source, '-time() + 10', 4)).toEqual({
      type: 'scalar',
      value: 6,
    });
  });

  it('computes histogram_quantile as Prometheus does', () => {
    expect(
      bucketQuantile(0.5, [
        { le: 0.1, count: 10 },
        { le: 0.5, count: 30 },
        { le: Infinity, count: 40 },
      ]),
    ).toBeCloseTo(0.1 + 0.4 * (10 / 20), 9);
    // In the +Inf bucket: the highest finite bound.
    expect(
      bucketQuantile(0.99, [
        { le: 0.1, count: 10 },
        { le: Infinity, count: 40 },
      ]),
    ).toBe(0.1);
    expect(bucketQuantile(0.5, [{ le: 1, count: 1 }])).toBeNaN();

    const bucket = (le: string, perSecond: number) => ({
      labels: { __name__: 'lat_bucket', le, pod: 'a' },
      value: (t: number) => perSecond * t,
    });
    const source = fixedSource([
      bucket('0.1', 1),
      bucket('0.5', 3),
      bucket('+Inf', 4),
    ]);
    expect(
      evaluate(
        source,
        'histogram_quantile(0.5, sum by (le) (rate(lat_bucket[5m])))',
        905,
      ),
    ).toMatchObject({ samples: [{ labels: {}, value: 0.30000000000000004 }] });
  });
});
