import fs from 'node:fs';
import path from 'node:path';
import type { Entity } from '@backstage/catalog-model';
import { parseAllDocuments } from 'yaml';
import { fleetFromEntities } from '../../fleet/FleetSource';
import type { UsageSample } from '../types';
import {
  generateUsageHistory,
  looksLikeLlm,
  mulberry32,
} from './generateUsageHistory';

const examples = path.resolve(__dirname, '../../../../../examples');
const fleet = fleetFromEntities(
  ['gpu-pools.yaml', 'endpoints.yaml'].flatMap(f =>
    parseAllDocuments(fs.readFileSync(path.join(examples, f), 'utf8')).map(
      d => d.toJS() as Entity,
    ),
  ),
);

const DAY = 86_400;
/** A Monday, midnight UTC. */
const END = Date.UTC(2026, 10, 23) / 1000;

const CHAT = 'inferenceendpoint:default/chat-assistant-prod';
const SUPPORT = 'inferenceendpoint:default/support-assistant';
const MISTRAL = 'inferenceendpoint:default/mistral-sandbox';
const LLM_ENDPOINTS = [
  CHAT,
  'inferenceendpoint:default/chat-assistant-staging',
  'inferenceendpoint:default/reasoning-70b-prod',
  SUPPORT,
  MISTRAL,
];

function collect(days: number, seed?: number): UsageSample[] {
  const out: UsageSample[] = [];
  for (const batch of generateUsageHistory({
    fleet,
    endSeconds: END,
    days,
    seed,
  })) {
    for (const s of batch) out.push(s);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const isWeekend = (t: number) => {
  const dow = new Date(t * 1000).getUTCDay();
  return dow === 0 || dow === 6;
};

describe('generateUsageHistory', () => {
  const year = collect(365);
  const of = (ref: string) => year.filter(s => s.endpointRef === ref);

  it('has the example fleet to work on', () => {
    expect(fleet.endpoints).toHaveLength(8);
    expect(fleet.pools).toHaveLength(4);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = collect(10, 42);
    const b = collect(10, 42);
    const c = collect(10, 43);
    expect(a).toEqual(b);
    expect(a.length).toBe(c.length);
    expect(a.map(s => s.gpuUtilization)).not.toEqual(
      c.map(s => s.gpuUtilization),
    );
    const r1 = mulberry32(7);
    const r2 = mulberry32(7);
    expect([r1(), r1(), r1()]).toEqual([r2(), r2(), r2()]);
  });

  it('yields one UTC day per batch', () => {
    let batches = 0;
    for (const batch of generateUsageHistory({
      fleet,
      endSeconds: END + 6 * 3600,
      days: 3,
    })) {
      batches++;
      const days = new Set(batch.map(s => Math.floor(s.sampledAt / DAY)));
      expect(days.size).toBe(1);
    }
    expect(batches).toBe(4);
  });

  it('writes days * 24 hourly samples per endpoint, after launch', () => {
    const launchAt = END - 120 * DAY;
    for (const endpoint of fleet.endpoints) {
      const samples = of(endpoint.ref);
      const first = endpoint.ref === SUPPORT ? launchAt : END - 365 * DAY;
      const expected = (END - first) / 3600;
      expect(samples).toHaveLength(expected);
      expect(new Set(samples.map(s => s.sampledAt)).size).toBe(expected);
      expect(Math.min(...samples.map(s => s.sampledAt))).toBe(first);
      expect(Math.max(...samples.map(s => s.sampledAt))).toBe(END - 3600);
    }
    expect(of(SUPPORT)).toHaveLength(120 * 24);
    expect(of(CHAT)).toHaveLength(365 * 24);
  });

  it('has no samples of the launched endpoint before its launch, and a spike after', () => {
    const launchAt = END - 120 * DAY;
    const support = of(SUPPORT);
    expect(support.every(s => s.sampledAt >= launchAt)).toBe(true);
    const tokens = (from: number, to: number) =>
      mean(
        support
          .filter(s => s.sampledAt >= from && s.sampledAt < to)
          .map(s => s.generationTokens!),
      );
    const firstWeek = tokens(launchAt, launchAt + 7 * DAY);
    const laterMonth = tokens(launchAt + 30 * DAY, launchAt + 60 * DAY);
    expect(firstWeek).toBeGreaterThan(laterMonth * 1.3);
  });

  it('scales autoscaled endpoints with load: weekdays above weekends, day above night', () => {
    const chat = of(CHAT);
    const weekday = mean(
      chat.filter(s => !isWeekend(s.sampledAt)).map(s => s.gpus),
    );
    const weekend = mean(
      chat.filter(s => isWeekend(s.sampledAt)).map(s => s.gpus),
    );
    expect(weekday).toBeGreaterThan(weekend * 1.1);
    const hourOf = (s: UsageSample) =>
      new Date(s.sampledAt * 1000).getUTCHours();
    const afternoon = mean(
      chat.filter(s => hourOf(s) >= 12 && hourOf(s) < 17).map(s => s.gpus),
    );
    const night = mean(
      chat.filter(s => hourOf(s) >= 0 && hourOf(s) < 4).map(s => s.gpus),
    );
    expect(afternoon).toBeGreaterThan(night);
    // Between the minimum (one step of 2) and the worst case.
    expect(Math.min(...chat.map(s => s.gpus))).toBe(2);
    expect(Math.max(...chat.map(s => s.gpus))).toBe(6);
  });

  it('grows: the last month costs more than the first and serves more tokens', () => {
    const first = year.filter(s => s.sampledAt < END - 335 * DAY);
    const last = year.filter(s => s.sampledAt >= END - 30 * DAY);
    const gpuHours = (xs: UsageSample[]) =>
      xs
        .filter(s => s.endpointRef !== SUPPORT)
        .reduce((sum, s) => sum + s.gpus, 0);
    expect(gpuHours(last)).toBeGreaterThan(gpuHours(first));
    const chatTokens = (xs: UsageSample[]) =>
      xs
        .filter(s => s.endpointRef === CHAT)
        .reduce((sum, s) => sum + s.generationTokens!, 0);
    expect(chatTokens(last)).toBeGreaterThan(chatTokens(first) * 1.7);
  });

  it('keeps the dev pool mostly idle', () => {
    const idle = year.filter(
      s => s.poolRef === 'gpupool:default/l4-dev-timesliced',
    );
    expect(idle.length).toBeGreaterThan(0);
    const utils = idle.map(s => s.gpuUtilization!);
    expect(mean(utils)).toBeLessThan(0.15);
    expect(Math.min(...utils)).toBeGreaterThanOrEqual(0.02);
    expect(Math.max(...utils)).toBeLessThanOrEqual(0.1);
    const busy = year.filter(
      s => s.poolRef !== 'gpupool:default/l4-dev-timesliced',
    );
    expect(mean(busy.map(s => s.gpuUtilization!))).toBeGreaterThan(0.2);
  });

  it('reports utilisation for every sample and tokens for LLM endpoints only', () => {
    const wrong = year.filter(s => {
      const llm = LLM_ENDPOINTS.includes(s.endpointRef);
      return (
        s.gpuUtilization === undefined ||
        s.gpuUtilization < 0 ||
        s.gpuUtilization > 1 ||
        (s.generationTokens !== undefined) !== llm ||
        (s.promptTokens !== undefined) !== llm
      );
    });
    expect(wrong).toEqual([]);
    const chat = of(CHAT);
    const prompt = chat.reduce((sum, s) => sum + s.promptTokens!, 0);
    const generated = chat.reduce((sum, s) => sum + s.generationTokens!, 0);
    expect(prompt / generated).toBeGreaterThan(2.5);
    expect(prompt / generated).toBeLessThan(3.5);
    // An L4 serving an 8B model: at most ~2k output tokens/s per GPU.
    expect(
      Math.max(...chat.map(s => s.generationTokens! / 3600 / s.gpus)),
    ).toBeLessThan(2_200);
    expect(looksLikeLlm('model:default/bge-reranker-v2-m3')).toBe(false);
    expect(looksLikeLlm('model:default/support-assistant-8b')).toBe(true);
  });

  it('splits LLM samples between prompt and generation, mostly by measured time, and counts requests', () => {
    const llm = year.filter(s => LLM_ENDPOINTS.includes(s.endpointRef));
    const unsplit = llm.filter(
      s =>
        s.generationTokens! > 0 &&
        (s.promptShare === undefined ||
          s.promptShare < 0 ||
          s.promptShare > 1 ||
          s.requests === undefined),
    );
    expect(unsplit).toEqual([]);
    // Non-LLM endpoints have neither.
    expect(
      year.filter(
        s =>
          !LLM_ENDPOINTS.includes(s.endpointRef) &&
          (s.promptShare !== undefined || s.requests !== undefined),
      ),
    ).toEqual([]);
    // One basis per endpoint; both bases occur in the fleet.
    const bases = new Map<string, Set<string | undefined>>();
    for (const s of llm) {
      if (!bases.has(s.endpointRef)) bases.set(s.endpointRef, new Set());
      bases.get(s.endpointRef)!.add(s.splitBasis);
    }
    for (const set of bases.values()) {
      set.delete(undefined);
      expect(set.size).toBe(1);
    }
    const all = [...bases.values()].flatMap(b => [...b]);
    expect(all).toContain('measured');
    // Measured time puts most of the cost on decode, as vLLM reports it.
    const measured = llm.filter(s => s.splitBasis === 'measured');
    expect(mean(measured.map(s => s.promptShare!))).toBeLessThan(0.2);
    // A request generates ~120-420 tokens.
    const chat = of(CHAT);
    const perRequest =
      chat.reduce((a, s) => a + s.generationTokens!, 0) /
      chat.reduce((a, s) => a + s.requests!, 0);
    expect(perRequest).toBeGreaterThan(100);
    expect(perRequest).toBeLessThan(450);
  });

  it('never holds more than gpusNeeded, and prices from the pool', () => {
    const endpoints = new Map(fleet.endpoints.map(e => [e.ref, e]));
    const pools = new Map(fleet.pools.map(p => [p.ref, p]));
    const wrong = year.filter(s => {
      const endpoint = endpoints.get(s.endpointRef)!;
      const pool = pools.get(s.poolRef)!;
      return !(
        s.gpus > 0 &&
        s.gpus <= endpoint.gpusNeeded &&
        s.pricePerGpuHour === pool.price!.amount &&
        s.currency === pool.price!.currency &&
        s.cluster === pool.cluster &&
        s.teamRef === endpoint.teamRef &&
        s.modelRef === endpoint.modelRef &&
        s.intervalSeconds === 3600
      );
    });
    expect(wrong).toEqual([]);
  });

  it('skips endpoints whose pool has no price, and honours the options', () => {
    const unpriced = {
      pools: fleet.pools.map(p =>
        p.ref === 'gpupool:default/h100-inference'
          ? { ...p, price: undefined }
          : p,
      ),
      endpoints: fleet.endpoints,
    };
    const samples = [
      ...generateUsageHistory({
        fleet: unpriced,
        endSeconds: END,
        days: 2,
        intervalSeconds: 900,
        launches: {},
        llmModelRefs: [],
        idlePoolRefs: [],
      }),
    ].flat();
    expect(new Set(samples.map(s => s.endpointRef)).size).toBe(6);
    expect(samples).toHaveLength(6 * 2 * 96);
    expect(samples.every(s => s.generationTokens === undefined)).toBe(true);
    expect(() =>
      generateUsageHistory({
        fleet,
        endSeconds: END,
        days: 1,
        intervalSeconds: 7000,
      }).next(),
    ).toThrow(/divides a day/);
  });
});
