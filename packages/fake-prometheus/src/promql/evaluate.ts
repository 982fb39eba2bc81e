// Over 500 lines: one evaluator for the node types parse.ts produces
// (selectors, ranges, operators with vector matching, aggregations,
// functions and Prometheus' extrapolation), kept beside each other.
import {
  matcherRegExp,
  PromQLError,
  type BinaryOp,
  type Expr,
  type Matcher,
} from './parse';

/** A series' labels, the metric name as `__name__`. */
export type Labels = Record<string, string>;
/** One sample: [unix seconds, value]. */
export type Point = [number, number];
/** A series with its samples in a time range. */
export type RangeSeries = { labels: Labels; points: Point[] };
/** One element of an instant vector. */
export type InstantSample = { labels: Labels; value: number };

/** Where the series come from. */
export interface SeriesSource {
  /**
   * The series whose labels match every matcher (the metric name as
   * `__name__`), each with its samples at times in `(from, to]`, oldest
   * first; series without a sample there are left out.
   */
  select(matchers: Matcher[], from: number, to: number): RangeSeries[];
}

/** What an expression evaluates to. */
export type Value =
  | { type: 'scalar'; value: number }
  | { type: 'string'; value: string }
  | { type: 'vector'; samples: InstantSample[] }
  | { type: 'matrix'; series: RangeSeries[] };

/** How far back an instant selector looks for the latest sample (Prometheus' default). */
export const LOOKBACK_SECONDS = 300;

/** Whether labels match every matcher (a missing label is the empty string). */
export function matches(labels: Labels, matchers: Matcher[]): boolean {
  return matchers.every(m => {
    const value = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        return value === m.value;
      case '!=':
        return value !== m.value;
      case '=~':
        return matcherRegExp(m.value).test(value);
      default:
        return !matcherRegExp(m.value).test(value);
    }
  });
}

const withoutName = (labels: Labels): Labels => {
  const { __name__, ...rest } = labels;
  return rest;
};

const keyOf = (labels: Labels) =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map(k => [k, labels[k]]),
  );

/**
 * Prometheus' extrapolated rate, as `rate`, `increase` and `delta` compute
 * it: the change over the samples in the window (counter resets added back),
 * extrapolated towards the window's edges by at most half a sample interval
 * (and for a counter, not below zero).
 */
export function extrapolatedRate(
  points: Point[],
  rangeStart: number,
  rangeEnd: number,
  isCounter: boolean,
  isRate: boolean,
): number | undefined {
  if (points.length < 2) return undefined;
  const [firstT, firstV] = points[0];
  const [lastT, lastV] = points[points.length - 1];
  let result = lastV - firstV;
  if (isCounter) {
    let previous = firstV;
    for (const [, v] of points.slice(1)) {
      if (v < previous) result += previous;
      previous = v;
    }
  }
  let durationToStart = firstT - rangeStart;
  const durationToEnd = rangeEnd - lastT;
  const sampledInterval = lastT - firstT;
  const averageInterval = sampledInterval / (points.length - 1);
  if (isCounter && result > 0 && firstV >= 0) {
    const durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageInterval * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo +=
    durationToStart < threshold ? durationToStart : averageInterval / 2;
  extrapolateTo +=
    durationToEnd < threshold ? durationToEnd : averageInterval / 2;
  result *= extrapolateTo / sampledInterval;
  if (isRate) result /= rangeEnd - rangeStart;
  return result;
}

/** Prometheus' classic-histogram quantile over cumulative buckets (upper bound, count). */
export function bucketQuantile(
  q: number,
  input: Array<{ le: number; count: number }>,
): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const buckets = [...input].sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets[buckets.length - 1].le !== Infinity) {
    return NaN;
  }
  for (let i = 1; i < buckets.length; i++) {
    if (buckets[i].count < buckets[i - 1].count) {
      buckets[i] = { ...buckets[i], count: buckets[i - 1].count };
    }
  }
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  const b = buckets.findIndex(x => x.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2].le;
  if (b === 0 && buckets[0].le <= 0) return buckets[0].le;
  let start = 0;
  let count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].le;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (buckets[b].le - start) * (rank / count);
}

function arithmetic(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
    default:
      throw new PromQLError(`not an arithmetic operator: ${op}`);
  }
}

function compare(op: BinaryOp, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    default:
      return a <= b;
  }
}

const isComparison = (op: BinaryOp) =>
  ['==', '!=', '>', '<', '>=', '<='].includes(op);

/** Evaluates a parsed expression at one instant (unix seconds). */
export class Evaluator {
  constructor(
    private readonly source: SeriesSource,
    private readonly lookbackSeconds = LOOKBACK_SECONDS,
  ) {}

  evaluate(expr: Expr, time: number): Value {
    switch (expr.type) {
      case 'number':
        return { type: 'scalar', value: expr.value };
      case 'string':
        return { type: 'string', value: expr.value };
      case 'selector': {
        const at = time - (expr.offset ?? 0);
        if (expr.range !== undefined) {
          return {
            type: 'matrix',
            series: this.source.select(expr.matchers, at - expr.range, at),
          };
        }
        return {
          type: 'vector',
          samples: this.source
            .select(expr.matchers, at - this.lookbackSeconds, at)
            .map(s => ({
              labels: s.labels,
              value: s.points[s.points.length - 1][1],
            })),
        };
      }
      case 'negate': {
        const value = this.evaluate(expr.expr, time);
        if (value.type === 'scalar')
          return { type: 'scalar', value: -value.value };
        return {
          type: 'vector',
          samples: this.vector(value, 'unary -').map(s => ({
            labels: withoutName(s.labels),
            value: -s.value,
          })),
        };
      }
      case 'call':
        return this.call(expr.fn, expr.args, time);
      case 'aggregate':
        return this.aggregate(expr, time);
      case 'binary':
        return this.binary(expr, time);
      default:
        throw new PromQLError('unsupported expression');
    }
  }

  private vector(value: Value, where: string): InstantSample[] {
    if (value.type !== 'vector') {
      throw new PromQLError(
        `expected an instant vector for ${where}, got a ${value.type}`,
      );
    }
    return value.samples;
  }

  private scalar(value: Value, where: string): number {
    if (value.type !== 'scalar') {
      throw new PromQLError(
        `expected a scalar for ${where}, got a ${value.type}`,
      );
    }
    return value.value;
  }

  private matrix(expr: Expr | undefined, time: number, fn: string) {
    if (!expr || expr.type !== 'selector' || expr.range === undefined) {
      throw new PromQLError(
        `expected a range vector (a selector with [duration]) in ${fn}`,
      );
    }
    const end = time - (expr.offset ?? 0);
    return {
      start: end - expr.range,
      end,
      series: (this.evaluate(expr, time) as { series: RangeSeries[] }).series,
    };
  }

  private call(fn: string, args: Expr[], time: number): Value {
    const map = (f: (v: number) => number): Value => ({
      type: 'vector',
      samples: this.vector(this.evaluate(args[0], time), fn).map(s => ({
        labels: withoutName(s.labels),
        value: f(s.value),
      })),
    });
    const overTime = (f: (values: number[]) => number): Value => {
      const { series } = this.matrix(args[0], time, fn);
      return {
        type: 'vector',
        samples: series
          .filter(s => s.points.length > 0)
          .map(s => ({
            labels: withoutName(s.labels),
            value: f(s.points.map(p => p[1])),
          })),
      };
    };
    switch (fn) {
      case 'rate':
      case 'increase':
      case 'delta': {
        const { start, end, series } = this.matrix(args[0], time, fn);
        const samples: InstantSample[] = [];
        for (const s of series) {
          const value = extrapolatedRate(
            s.points,
            start,
            end,
            fn !== 'delta',
            fn === 'rate',
          );
          if (value !== undefined) {
            samples.push({ labels: withoutName(s.labels), value });
          }
        }
        return { type: 'vector', samples };
      }
      case 'irate': {
        const { series } = this.matrix(args[0], time, fn);
        return {
          type: 'vector',
          samples: series
            .filter(s => s.points.length >= 2)
            .map(s => {
              const [t1, v1] = s.points[s.points.length - 2];
              const [t2, v2] = s.points[s.points.length - 1];
              const change = v2 < v1 ? v2 : v2 - v1;
              return {
                labels: withoutName(s.labels),
                value: change / (t2 - t1),
              };
            }),
        };
      }
      case 'avg_over_time':
        return overTime(v => v.reduce((a, b) => a + b, 0) / v.length);
      case 'sum_over_time':
        return overTime(v => v.reduce((a, b) => a + b, 0));
      case 'min_over_time':
        return overTime(v => Math.min(...v));
      case 'max_over_time':
        return overTime(v => Math.max(...v));
      case 'count_over_time':
        return overTime(v => v.length);
      case 'last_over_time':
        return overTime(v => v[v.length - 1]);
      case 'histogram_quantile': {
        const q = this.scalar(this.evaluate(args[0], time), fn);
        const groups = new Map<
          string,
          { labels: Labels; buckets: Array<{ le: number; count: number }> }
        >();
        for (const s of this.vector(this.evaluate(args[1], time), fn)) {
          const { le, ...rest } = withoutName(s.labels);
          if (le === undefined) continue;
          const key = keyOf(rest);
          const group = groups.get(key) ?? { labels: rest, buckets: [] };
          group.buckets.push({
            le: le === '+Inf' ? Infinity : Number(le),
            count: s.value,
          });
          groups.set(key, group);
        }
        return {
          type: 'vector',
          samples: [...groups.values()].map(g => ({
            labels: g.labels,
            value: bucketQuantile(q, g.buckets),
          })),
        };
      }
      case 'abs':
        return map(Math.abs);
      case 'ceil':
        return map(Math.ceil);
      case 'floor':
        return map(Math.floor);
      case 'round': {
        const to = args[1] ? this.scalar(this.evaluate(args[1], time), fn) : 1;
        return map(v => Math.floor(v / to + 0.5) * to);
      }
      case 'clamp': {
        const min = this.scalar(this.evaluate(args[1], time), fn);
        const max = this.scalar(this.evaluate(args[2], time), fn);
        return map(v => Math.max(min, Math.min(max, v)));
      }
      case 'clamp_min': {
        const min = this.scalar(this.evaluate(args[1], time), fn);
        return map(v => Math.max(min, v));
      }
      case 'clamp_max': {
        const max = this.scalar(this.evaluate(args[1], time), fn);
        return map(v => Math.min(max, v));
      }
      case 'time':
        return { type: 'scalar', value: time };
      case 'vector':
        return {
          type: 'vector',
          samples: [
            {
              labels: {},
              value: this.scalar(this.evaluate(args[0], time), fn),
            },
          ],
        };
      case 'scalar': {
        const samples = this.vector(this.evaluate(args[0], time), fn);
        return {
          type: 'scalar',
          value: samples.length === 1 ? samples[0].value : NaN,
        };
      }
      case 'sort':
      case 'sort_desc': {
        const samples = [...this.vector(this.evaluate(args[0], time), fn)];
        samples.sort((a, b) =>
          fn === 'sort' ? a.value - b.value : b.value - a.value,
        );
        return { type: 'vector', samples };
      }
      default:
        throw new PromQLError(`function ${fn} is not supported`);
    }
  }

  private aggregate(
    expr: Extract<Expr, { type: 'aggregate' }>,
    time: number,
  ): Value {
    const samples = this.vector(this.evaluate(expr.expr, time), expr.op);
    const param =
      expr.param !== undefined
        ? this.scalar(this.evaluate(expr.param, time), expr.op)
        : undefined;
    const groupLabels = (labels: Labels): Labels => {
      const g = expr.grouping;
      if (!g) return {};
      if (g.without) {
        const out = withoutName(labels);
        for (const l of g.labels) delete out[l];
        return out;
      }
      const out: Labels = {};
      for (const l of g.labels) {
        if (labels[l] !== undefined && labels[l] !== '') out[l] = labels[l];
      }
      return out;
    };
    const groups = new Map<
      string,
      { labels: Labels; members: InstantSample[] }
    >();
    for (const s of samples) {
      const labels = groupLabels(s.labels);
      const key = keyOf(labels);
      const group = groups.get(key) ?? { labels, members: [] };
      group.members.push(s);
      groups.set(key, group);
    }
    const out: InstantSample[] = [];
    for (const { labels, members } of groups.values()) {
      const values = members.map(m => m.value);
      const sum = values.reduce((a, b) => a + b, 0);
      const mean = sum / values.length;
      const variance =
        values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
      switch (expr.op) {
        case 'sum':
          out.push({ labels, value: sum });
          break;
        case 'avg':
          out.push({ labels, value: mean });
          break;
        case 'min':
          out.push({ labels, value: Math.min(...values) });
          break;
        case 'max':
          out.push({ labels, value: Math.max(...values) });
          break;
        case 'count':
          out.push({ labels, value: values.length });
          break;
        case 'group':
          out.push({ labels, value: 1 });
          break;
        case 'stddev':
          out.push({ labels, value: Math.sqrt(variance) });
          break;
        case 'stdvar':
          out.push({ labels, value: variance });
          break;
        case 'quantile': {
          const sorted = [...values].sort((a, b) => a - b);
          const rank = param! * (sorted.length - 1);
          const lower = Math.max(0, Math.floor(rank));
          const upper = Math.min(sorted.length - 1, lower + 1);
          const weight = rank - Math.floor(rank);
          let value = sorted[lower] * (1 - weight) + sorted[upper] * weight;
          if (param! < 0) value = -Infinity;
          if (param! > 1) value = Infinity;
          out.push({ labels, value });
          break;
        }
        case 'topk':
        case 'bottomk': {
          const k = Math.floor(param!);
          const sorted = [...members].sort((a, b) =>
            expr.op === 'topk' ? b.value - a.value : a.value - b.value,
          );
          out.push(...sorted.slice(0, Math.max(0, k)));
          break;
        }
        default:
          throw new PromQLError(`aggregation ${expr.op} is not supported`);
      }
    }
    return { type: 'vector', samples: out };
  }

  private binary(expr: Extract<Expr, { type: 'binary' }>, time: number): Value {
    const lhs = this.evaluate(expr.lhs, time);
    const rhs = this.evaluate(expr.rhs, time);
    const { op } = expr;
    const comparison = isComparison(op);
    if (lhs.type === 'scalar' && rhs.type === 'scalar') {
      if (comparison && !expr.bool) {
        throw new PromQLError(
          'comparisons between scalars must use BOOL modifier',
        );
      }
      return {
        type: 'scalar',
        value: comparison
          ? Number(compare(op, lhs.value, rhs.value))
          : arithmetic(op, lhs.value, rhs.value),
      };
    }
    if (lhs.type === 'scalar' || rhs.type === 'scalar') {
      const scalarOnLeft = lhs.type === 'scalar';
      const scalar = scalarOnLeft
        ? (lhs as { value: number }).value
        : (rhs as { value: number }).value;
      const samples = this.vector(scalarOnLeft ? rhs : lhs, `operator ${op}`);
      const out: InstantSample[] = [];
      for (const s of samples) {
        const [a, b] = scalarOnLeft ? [scalar, s.value] : [s.value, scalar];
        if (comparison) {
          const holds = compare(op, a, b);
          if (expr.bool) {
            out.push({ labels: withoutName(s.labels), value: Number(holds) });
          } else if (holds) {
            out.push(s);
          }
        } else {
          out.push({
            labels: withoutName(s.labels),
            value: arithmetic(op, a, b),
          });
        }
      }
      return { type: 'vector', samples: out };
    }
    const left = this.vector(lhs, `operator ${op}`);
    const right = this.vector(rhs, `operator ${op}`);
    const matchKey = (labels: Labels) => {
      const m = expr.matching;
      if (m?.on) {
        const out: Labels = {};
        for (const l of m.labels) if (labels[l]) out[l] = labels[l];
        return keyOf(out);
      }
      const out = withoutName(labels);
      for (const l of m?.labels ?? []) delete out[l];
      return keyOf(out);
    };
    const byKey = new Map<string, InstantSample>();
    for (const s of right) {
      const key = matchKey(s.labels);
      if (byKey.has(key)) {
        throw new PromQLError(
          `found duplicate series for the match group ${key} on the right hand-side of the operation: many-to-many matching not allowed`,
        );
      }
      byKey.set(key, s);
    }
    const resultLabels = (labels: Labels, dropName: boolean) => {
      let out = dropName ? withoutName(labels) : { ...labels };
      const m = expr.matching;
      if (m?.on) {
        const kept: Labels = {};
        for (const l of m.labels) if (out[l] !== undefined) kept[l] = out[l];
        out = kept;
      } else {
        for (const l of m?.labels ?? []) delete out[l];
      }
      return out;
    };
    const out: InstantSample[] = [];
    for (const s of left) {
      const other = byKey.get(matchKey(s.labels));
      if (!other) continue;
      if (comparison) {
        const holds = compare(op, s.value, other.value);
        if (expr.bool) {
          out.push({
            labels: resultLabels(s.labels, true),
            value: Number(holds),
          });
        } else if (holds) {
          out.push({ labels: resultLabels(s.labels, false), value: s.value });
        }
      } else {
        out.push({
          labels: resultLabels(s.labels, true),
          value: arithmetic(op, s.value, other.value),
        });
      }
    }
    return { type: 'vector', samples: out };
  }
}
