import {
  allowedBadShare,
  burnRate,
  objectiveReport,
  snapToBoundary,
} from './sloMath';
import { VLLM_BUCKETS } from './sloQueries';

describe('snapToBoundary', () => {
  it('takes the largest boundary not above the target', () => {
    // TTFT buckets ... 0.1, 0.25, 0.5 ...: 300 ms counts under 250 ms.
    expect(snapToBoundary(VLLM_BUCKETS.ttft, 0.3)).toBe(0.25);
    // A target on a boundary uses it.
    expect(snapToBoundary(VLLM_BUCKETS.ttft, 0.25)).toBe(0.25);
    // e2e buckets 2.5, 5: 4 s counts under 2.5 s.
    expect(snapToBoundary(VLLM_BUCKETS.latency, 4)).toBe(2.5);
    // ITL buckets 0.05, 0.075: 60 ms counts under 50 ms.
    expect(snapToBoundary(VLLM_BUCKETS.itl, 0.06)).toBe(0.05);
  });

  it('has none below the smallest boundary, and ignores +Inf', () => {
    expect(snapToBoundary(VLLM_BUCKETS.latency, 0.2)).toBeUndefined();
    expect(snapToBoundary([0.5, Infinity], 1e9)).toBe(0.5);
  });
});

describe('budgets and burn rates', () => {
  it('allows 1 − availability of the requests to fail, and 5 % to be slower than a p95 target', () => {
    expect(allowedBadShare('availability', 99.9)).toBeCloseTo(0.001, 12);
    expect(allowedBadShare('availability', 99)).toBeCloseTo(0.01, 12);
    expect(allowedBadShare('ttft', 400)).toBe(0.05);
  });

  it('computes the availability budget of a 99.9 % target from the counts', () => {
    // 1,000,000 requests over the window allow 1,000 failures; 400 failed:
    // 60 % of the budget is left. Last hour: 50 of 10,000 failed, 0.5 %, 5x
    // the allowed 0.1 %. Last 6 h: 120 of 60,000, 0.2 %, 2x.
    const report = objectiveReport({
      kind: 'availability',
      target: 99.9,
      metric: 'http_requests_total',
      window: { total: 1_000_000, bad: 400 },
      lastHour: { total: 10_000, bad: 50 },
      last6h: { total: 60_000, bad: 120 },
    });
    expect(report.window.allowedBad).toBeCloseTo(1000, 6);
    expect(report.budgetLeft).toBeCloseTo(0.6, 9);
    expect(report.compliance).toBeCloseTo(0.9996, 12);
    expect(report.burnRate1h).toBeCloseTo(5, 9);
    expect(report.burnRate6h).toBeCloseTo(2, 9);
    expect(report.status).toBe('ok');
  });

  it('says burning at 14.4x over 1 h or 6x over 6 h, and breached once the budget is spent', () => {
    const base = {
      kind: 'availability' as const,
      target: 99.9,
      metric: 'http_requests_total',
      window: { total: 1_000_000, bad: 400 },
    };
    // 15 of 1,000 in the last hour: 1.5 %, 15x.
    expect(
      objectiveReport({ ...base, lastHour: { total: 1000, bad: 15 } }).status,
    ).toBe('burning');
    // 7 of 1,000 in 6 h: 0.7 %, 7x.
    expect(
      objectiveReport({ ...base, last6h: { total: 1000, bad: 7 } }).status,
    ).toBe('burning');
    // 14 of 1,000 in the last hour: 14x, under the page threshold.
    expect(
      objectiveReport({ ...base, lastHour: { total: 1000, bad: 14 } }).status,
    ).toBe('ok');
    // 1,200 failed of the 1,000 allowed: 20 % overspent.
    const spent = objectiveReport({
      ...base,
      window: { total: 1_000_000, bad: 1200 },
    });
    expect(spent.budgetLeft).toBeCloseTo(-0.2, 9);
    expect(spent.status).toBe('breached');
  });

  it('computes a latency budget from the requests under the boundary', () => {
    // 2,000 requests, 60 above the 250 ms boundary: 100 may be (5 %), 40 % left.
    const report = objectiveReport({
      kind: 'ttft',
      target: 300,
      boundaryMs: 250,
      metric: 'vllm:time_to_first_token_seconds',
      window: { total: 2000, bad: 60 },
      lastHour: { total: 100, bad: 10 },
    });
    expect(report.boundaryMs).toBe(250);
    expect(report.window.allowedBad).toBeCloseTo(100, 9);
    expect(report.budgetLeft).toBeCloseTo(0.4, 9);
    expect(report.compliance).toBeCloseTo(0.97, 12);
    // 10 % slow over the allowed 5 %.
    expect(report.burnRate1h).toBeCloseTo(2, 9);
    expect(report.burnRate6h).toBeUndefined();
  });

  it('has no figures without requests, or without a boundary under the target', () => {
    const empty = objectiveReport({
      kind: 'latency',
      target: 4000,
      boundaryMs: 2500,
      metric: 'vllm:e2e_request_latency_seconds',
      window: { total: 0, bad: 0 },
    });
    expect(empty.status).toBe('no-data');
    expect(empty.budgetLeft).toBeUndefined();
    const below = objectiveReport({
      kind: 'latency',
      target: 100,
      metric: 'vllm:e2e_request_latency_seconds',
      window: { total: 1000, bad: 10 },
    });
    expect(below.status).toBe('no-boundary');
    expect(below.budgetLeft).toBeUndefined();
  });

  it('spends all of a 100 % target on the first failure', () => {
    const perfect = {
      kind: 'availability' as const,
      target: 100,
      metric: 'http_requests_total',
    };
    expect(
      objectiveReport({ ...perfect, window: { total: 10, bad: 0 } }),
    ).toMatchObject({ budgetLeft: 1, status: 'ok' });
    expect(
      objectiveReport({ ...perfect, window: { total: 10, bad: 1 } }),
    ).toMatchObject({ budgetLeft: 0, status: 'breached' });
    expect(burnRate({ total: 10, bad: 1 }, 0)).toBeUndefined();
  });
});
