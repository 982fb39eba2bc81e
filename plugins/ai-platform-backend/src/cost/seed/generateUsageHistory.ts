import type {
  EndpointInfo,
  FleetSnapshot,
  PoolInfo,
} from '../../fleet/FleetSource';
import { promptShare } from '../tokenSplit';
import type { UsageSample } from '../types';

const HOUR = 3600;
const DAY = 86_400;
const YEAR = 365 * DAY;

/**
 * A small, fast, seeded pseudo-random number generator (mulberry32).
 * Returns a function giving numbers in [0, 1); the same seed gives the same
 * sequence on every platform.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string, mixed with a seed: one PRNG stream per endpoint. */
function hashString(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Models that do not generate text (embeddings, rerankers, speech, vision). */
const NON_LLM_MODEL =
  /(embed|bge|e5-|gte-|rerank|whisper|clip|siglip|tts|asr|speech|ocr|detect|segment)/i;
/** Model names of text-generating LLMs. */
const LLM_MODEL =
  /(llama|mistral|mixtral|qwen|gemma|phi-|gpt|deepseek|falcon|instruct|chat|assistant|reason|coder|command)/i;
/** Pool names of mostly idle development pools, e.g. `l4-dev-timesliced`. */
const IDLE_POOL = /(^|-)(dev|sandbox)(-|$)/i;

const nameOf = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/**
 * Whether a model (entity ref) is a text-generating LLM, judged by its name:
 * `llama-3-1-8b-instruct`, `support-assistant-8b` and `mistral-7b-instruct`
 * are; `bge-m3`, `bge-reranker-v2-m3` and `whisper-large-v3` are not.
 */
export function looksLikeLlm(modelRef: string): boolean {
  const name = nameOf(modelRef);
  return !NON_LLM_MODEL.test(name) && LLM_MODEL.test(name);
}

/** Endpoints that launch during the history by default: ref to days before the end. */
export const DEFAULT_LAUNCHES: Readonly<Record<string, number>> = {
  'inferenceendpoint:default/support-assistant': 120,
};

/** Options of {@link generateUsageHistory}. */
export type GenerateUsageHistoryOptions = {
  /** The pools and endpoints to generate history for. */
  fleet: FleetSnapshot;
  /** End of the history (exclusive), epoch seconds; floored to the interval. */
  endSeconds: number;
  /** Length of the history in days. */
  days: number;
  /** Sampling interval in seconds; must divide a day. Default 3600. */
  intervalSeconds?: number;
  /** Seed of the pseudo-random numbers. Default 1. */
  seed?: number;
  /**
   * Models whose endpoints report token counts. Default: models whose names
   * look like LLMs (see {@link looksLikeLlm}).
   */
  llmModelRefs?: Iterable<string>;
  /**
   * Pools whose endpoints are mostly idle (utilisation 2-10%). Default: pools
   * whose names contain `dev` or `sandbox` as a word, e.g. `l4-dev-timesliced`.
   */
  idlePoolRefs?: Iterable<string>;
  /**
   * Endpoints launched during the history, as days before the end: no
   * samples before the launch, and two weeks of launch spike after it.
   * Default {@link DEFAULT_LAUNCHES}.
   */
  launches?: Readonly<Record<string, number>>;
};

/** Everything drawn once per endpoint. */
type Profile = {
  endpoint: EndpointInfo;
  pool: PoolInfo;
  price: { amount: number; currency: string };
  rand: () => number;
  llm: boolean;
  idle: boolean;
  autoscaled: boolean;
  /** GPUs of the smallest scaling step (an estimate of gpusPerReplica). */
  step: number;
  minGpus: number;
  maxGpus: number;
  fixedGpus: number;
  /** Weekday peak load (0..1 of the most the endpoint may hold) at the end. */
  baseAtEnd: number;
  /** Traffic multiplier over a year. */
  growthPerYear: number;
  weekendFactor: number;
  nightFloor: number;
  /** UTC hour of the daily peak. */
  peakHour: number;
  /** Output tokens per GPU-second at full utilisation. */
  tokensPerGpuSecond: number;
  /** Prompt tokens per generated token. */
  promptRatio: number;
  launchAt: number;
  /** Autocorrelated noise state (log scale). */
  noise: number;
  /** Request shape and prefill/decode speed (their own stream, so the rest of the history stays as it was). */
  traffic: {
    rand: () => number;
    /** Generated tokens per request. */
    tokensPerRequest: number;
    /** Seconds of prefill per prompt token, and of decode per generated token. */
    prefillPerToken: number;
    decodePerToken: number;
    /** Whether its vLLM exposes the phase histograms (else split by weighted tokens). */
    measured: boolean;
  };
};

/** Output tokens/s of one GPU of the pool at full load on an ~8B model. */
function gpuThroughput(product: string): number {
  let base = 1500;
  if (/GB200|B200|H200/i.test(product)) base = 6000;
  else if (/H100/i.test(product)) base = 4500;
  else if (/A100/i.test(product)) base = 2600;
  else if (/L40/i.test(product)) base = 2200;
  else if (/L4/i.test(product)) base = 1800;
  const mig = /MIG-(\d)g/i.exec(product);
  if (mig) base = (base * Number(mig[1])) / 7;
  if (/SHARED/i.test(product)) base /= 4;
  return base;
}

/** Throughput relative to an 8B model, from the parameter count in the model's name. */
function sizeFactor(modelRef: string): number {
  const m = /(\d+(?:\.\d+)?)b(?![a-z])/i.exec(nameOf(modelRef));
  if (!m) return 1;
  return Math.min(1.5, Math.max(0.05, 8 / Number(m[1])));
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

function trafficOf(rand: () => number): Profile['traffic'] {
  const between = (lo: number, hi: number) => lo + (hi - lo) * rand();
  return {
    rand,
    tokensPerRequest: between(120, 420),
    prefillPerToken: between(0.00008, 0.0002),
    decodePerToken: between(0.015, 0.04),
    // About one endpoint in five runs a vLLM without the phase histograms.
    measured: rand() >= 0.2,
  };
}

function buildProfiles(
  options: GenerateUsageHistoryOptions,
  end: number,
  interval: number,
  seed: number,
): Profile[] {
  const pools = new Map(options.fleet.pools.map(p => [p.ref, p]));
  const llmRefs = options.llmModelRefs
    ? new Set(options.llmModelRefs)
    : undefined;
  const idleRefs = options.idlePoolRefs
    ? new Set(options.idlePoolRefs)
    : undefined;
  const launches = options.launches ?? DEFAULT_LAUNCHES;
  const profiles: Profile[] = [];
  for (const endpoint of options.fleet.endpoints) {
    const pool = pools.get(endpoint.poolRef);
    if (!pool?.price || !(endpoint.gpusNeeded > 0)) continue;
    const rand = mulberry32(hashString(endpoint.ref, seed));
    const maxGpus = endpoint.gpusNeeded;
    const fixedGpus = Math.min(
      Math.max(endpoint.gpusRequested, 0) || maxGpus,
      maxGpus,
    );
    const autoscaled = maxGpus > fixedGpus;
    const step =
      Number.isInteger(fixedGpus) && Number.isInteger(maxGpus)
        ? gcd(fixedGpus, maxGpus)
        : fixedGpus;
    const launchDays = Object.prototype.hasOwnProperty.call(
      launches,
      endpoint.ref,
    )
      ? launches[endpoint.ref]
      : undefined;
    const between = (lo: number, hi: number) => lo + (hi - lo) * rand();
    profiles.push({
      endpoint,
      pool,
      price: pool.price,
      rand,
      llm: llmRefs
        ? llmRefs.has(endpoint.modelRef)
        : looksLikeLlm(endpoint.modelRef),
      idle: idleRefs
        ? idleRefs.has(pool.ref)
        : IDLE_POOL.test(nameOf(pool.ref)),
      autoscaled,
      step,
      minGpus: autoscaled ? step : fixedGpus,
      maxGpus,
      fixedGpus,
      baseAtEnd: autoscaled ? between(0.8, 0.95) : between(0.75, 1),
      growthPerYear: between(2, 3),
      weekendFactor: between(0.35, 0.55),
      nightFloor: between(0.2, 0.35),
      peakHour: between(12, 16),
      tokensPerGpuSecond:
        gpuThroughput(pool.product) * sizeFactor(endpoint.modelRef),
      promptRatio: between(2.5, 3.5),
      launchAt:
        launchDays === undefined
          ? -Infinity
          : Math.ceil((end - launchDays * DAY) / interval) * interval,
      noise: 0,
      traffic: trafficOf(mulberry32(hashString(endpoint.ref, seed ^ 0x5eed))),
    });
  }
  return profiles;
}

const clamp = (v: number, lo: number, hi: number) =>
  Math.min(hi, Math.max(lo, v));
const round4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** Daily shape: the night floor, rising to 1 around the peak hour (UTC). */
function diurnal(p: Profile, t: number): number {
  const hour = (((t % DAY) + DAY) % DAY) / HOUR;
  let d = hour - p.peakHour;
  if (d > 12) d -= 24;
  if (d < -12) d += 24;
  const bump = Math.max(0, Math.cos((d * Math.PI) / 12));
  return p.nightFloor + (1 - p.nightFloor) * bump * Math.sqrt(bump);
}

/** Weekly shape: weekdays 1 (Friday a little less), weekends lower. */
function weekly(p: Profile, t: number): number {
  const dow = (Math.floor(t / DAY) + 4) % 7; // 0 = Sunday; 1970-01-01 was a Thursday
  if (dow === 0 || dow === 6) return p.weekendFactor;
  return dow === 5 ? 0.92 : 1;
}

function sampleOf(
  p: Profile,
  t: number,
  end: number,
  interval: number,
): UsageSample {
  const { rand } = p;
  // AR(1) noise on the log scale: bursts that last a few hours.
  const gauss = rand() + rand() + rand() - 1.5; // mean 0, sd 0.5
  p.noise = 0.85 * p.noise + 0.12 * gauss;
  const mid = t + interval / 2;
  const shape = diurnal(p, mid) * weekly(p, mid) * Math.exp(p.noise);
  const sinceLaunch = t - p.launchAt;
  const spike =
    sinceLaunch >= 0 && sinceLaunch < 14 * DAY
      ? 1 + 1.3 * (1 - sinceLaunch / (14 * DAY))
      : 1;
  const growth = Math.pow(p.growthPerYear, (t - end) / YEAR);

  let gpus: number;
  let util: number;
  if (p.idle) {
    gpus = p.minGpus;
    util = 0.02 + 0.08 * clamp(shape * spike, 0, 1);
  } else {
    const load = p.baseAtEnd * growth * shape * spike;
    if (p.autoscaled) {
      const demand = load * p.maxGpus;
      // The autoscaler holds ~90% of the demand's GPUs; an hour's mean of
      // 5-minute replica counts moves in twelfths of a replica.
      const raw = clamp(demand / 0.9, p.minGpus, p.maxGpus);
      gpus = clamp(
        (Math.round((raw * 12) / p.step) * p.step) / 12,
        p.minGpus,
        p.maxGpus,
      );
      util = 0.03 + 0.85 * Math.min(1.05, demand / gpus);
    } else {
      gpus = p.fixedGpus;
      util = 0.03 + 0.85 * Math.min(1.1, load);
    }
    util = clamp(util + 0.03 * (rand() - 0.5), 0.01, 0.98);
  }

  const sample: UsageSample = {
    sampledAt: t,
    intervalSeconds: interval,
    endpointRef: p.endpoint.ref,
    teamRef: p.endpoint.teamRef,
    modelRef: p.endpoint.modelRef,
    ...(p.endpoint.modelVersion
      ? { modelVersion: p.endpoint.modelVersion }
      : {}),
    poolRef: p.pool.ref,
    cluster: p.pool.cluster,
    gpus: round4(gpus),
    gpuUtilization: round4(util),
    pricePerGpuHour: p.price.amount,
    currency: p.price.currency,
    // Generated, not observed: the cost pages say so.
    gpusBasis: 'demo',
  };
  if (p.llm) {
    // Utilisation has a floor of ~2% without any traffic.
    const busy = Math.max(0, util - 0.02);
    const generated = Math.round(
      p.tokensPerGpuSecond * gpus * busy * interval * (0.9 + 0.2 * rand()),
    );
    sample.generationTokens = generated;
    sample.promptTokens = Math.round(
      generated * p.promptRatio * (0.85 + 0.3 * rand()),
    );
    // Requests, and the time vLLM would measure in prefill and decode.
    const tr = p.traffic;
    const jitter = () => 0.9 + 0.2 * tr.rand();
    sample.requests = Math.round((generated / tr.tokensPerRequest) * jitter());
    const split = promptShare(
      tr.measured
        ? {
            prefillSeconds: sample.promptTokens * tr.prefillPerToken * jitter(),
            decodeSeconds: generated * tr.decodePerToken * jitter(),
          }
        : {
            promptTokens: sample.promptTokens,
            generationTokens: generated,
          },
    );
    if (split) {
      sample.promptShare = round4(split.share);
      sample.splitBasis = split.basis;
    }
  }
  return sample;
}

/**
 * Generates a realistic, deterministic usage history of the fleet's endpoints
 * (those whose pool has a price), one sample per endpoint and interval over
 * `days` days ending at `endSeconds`, yielded one UTC day at a time so that a
 * year of a large fleet never sits in memory at once.
 *
 * The history has daily and weekly seasonality (autoscaled endpoints hold
 * more replicas on weekday business hours, their minimum at night), traffic
 * growing 2-3x over a year, endpoints launched during the history (no samples
 * before the launch, a two-week spike after it), mostly idle development
 * pools (utilisation 2-10%), utilisation for every sample and token counts
 * (prompt:generation about 3:1) for LLM endpoints only, with their requests
 * and the prompt share of their cost (from simulated prefill and decode time,
 * or for about one endpoint in five from weighted token counts; see
 * tokenSplit.ts). GPUs never exceed the endpoint's `gpusNeeded`.
 */
export function* generateUsageHistory(
  options: GenerateUsageHistoryOptions,
): Generator<UsageSample[], void, undefined> {
  const interval = options.intervalSeconds ?? HOUR;
  if (!Number.isInteger(interval) || interval <= 0 || DAY % interval !== 0) {
    throw new Error(
      `intervalSeconds must be a positive whole number of seconds that divides a day, got ${interval}`,
    );
  }
  if (!Number.isFinite(options.days) || options.days <= 0) {
    throw new Error(`days must be a positive number, got ${options.days}`);
  }
  if (!Number.isFinite(options.endSeconds)) {
    throw new Error('endSeconds must be epoch seconds');
  }
  const end = Math.floor(options.endSeconds / interval) * interval;
  const start = end - Math.round((options.days * DAY) / interval) * interval;
  const profiles = buildProfiles(options, end, interval, options.seed ?? 1);
  if (!profiles.length) return;

  for (let dayStart = start; dayStart < end; ) {
    const chunkEnd = Math.min(end, Math.floor(dayStart / DAY) * DAY + DAY);
    const batch: UsageSample[] = [];
    for (const p of profiles) {
      for (
        let t = Math.max(dayStart, p.launchAt);
        t < chunkEnd;
        t += interval
      ) {
        batch.push(sampleOf(p, t, end, interval));
      }
    }
    if (batch.length) yield batch;
    dayStart = chunkEnd;
  }
}
