/*
 * Benchmark: the cost store at fleet scale. Generates a year of hourly usage
 * samples for 1,000 endpoints (~8.76 million rows) and, on SQLite (a
 * temporary file) and on Postgres (a throwaway server, or BENCH_POSTGRES_URL),
 * measures the ingest rate, the time to build the hourly and daily rollups,
 * and a by-team-by-month cost query over the whole year: through the store's
 * rollups (costSummary) against the same answer from the raw samples with a
 * plain GROUP BY. Prints the numbers and whether the issue's aims are met.
 *
 *   yarn bench cost [--endpoints 1000] [--days 365] [--engine sqlite|pg|both]
 *                   [--runs 7] [--raw-runs 3] [--smoke] [--keep]
 *                   [--collector-endpoints 10000] [--collector-only] [--no-collector]
 *
 * Then the usage collector (collector.bench.ts): one collection of 10,000
 * endpoints across 3 fake clusters and a fake Prometheus on loopback, with
 * its time and its requests to the clusters and to Prometheus, and the same
 * for a tenth of the endpoints (the requests differ only by LIST pages).
 *
 * Postgres: BENCH_POSTGRES_URL=postgresql://user@host:port/db uses a server of
 * your own (a database named ai_platform_bench_cost_<pid> is created on it and
 * dropped at the end, unless --keep asks to keep it for a look); otherwise the bench starts a throwaway server from the
 * Postgres binaries (/usr/lib/postgresql/<version>/bin, or initdb on PATH) in
 * a temporary folder on a free loopback port, as the postgres user when run as
 * root, and stops it at the end.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory, { type Knex } from 'knex';
import { DatabaseCostQueries } from '../src/cost/DatabaseCostQueries';
import { DatabaseUsageStore } from '../src/cost/DatabaseUsageStore';
import {
  generateUsageHistory,
  mulberry32,
} from '../src/cost/seed/generateUsageHistory';
import type { UsageSample } from '../src/cost/types';
import { migrateDatabase } from '../src/database/migrateDatabase';
import { AIM_COLLECTION_MS, benchCollector } from './collector.bench';
import type {
  EndpointInfo,
  FleetSnapshot,
  PoolInfo,
} from '../src/fleet/FleetSource';

// ------------------------------------------------------------------ options

function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function numberOption(name: string, fallback: number): number {
  const v = option(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`--${name} needs a positive number, got '${v}'`);
  }
  return n;
}

const smoke = flag('smoke');
const endpointCount = Math.round(numberOption('endpoints', smoke ? 20 : 1000));
const days = Math.round(numberOption('days', smoke ? 14 : 365));
const runs = Math.round(numberOption('runs', smoke ? 3 : 7));
const rawRuns = Math.round(numberOption('raw-runs', 3));
const engineOption = option('engine') ?? 'both';
if (!['sqlite', 'pg', 'both'].includes(engineOption)) {
  throw new Error(`--engine must be sqlite, pg or both, got '${engineOption}'`);
}

const DAY = 86_400;
/** The year ends at the last midnight (UTC) before the bench runs. */
const END = Math.floor(Date.now() / 1000 / DAY) * DAY;
const START = END - days * DAY;

const collectorEndpoints = Math.round(
  numberOption('collector-endpoints', smoke ? 300 : 10_000),
);

const AIM_INGEST = 100_000;
const AIM_QUERY_MS = 50;
const AIM_RATIO = 100;

// ------------------------------------------------------------------ fleet

/** 20 pools over 4 clusters, 30 teams, ~40 models, `count` endpoints. */
function syntheticFleet(
  count: number,
  seed = 2026,
): {
  fleet: FleetSnapshot;
  launches: Record<string, number>;
  teams: number;
} {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const clusters = [
    'gpu-us-east',
    'gpu-us-west',
    'gpu-eu-west',
    'gpu-ap-south',
  ];
  const products = [
    { name: 'h100', product: 'NVIDIA-H100-80GB-HBM3', price: 4.1 },
    { name: 'h200', product: 'NVIDIA-H200', price: 5.2 },
    { name: 'a100', product: 'NVIDIA-A100-SXM4-80GB', price: 2.4 },
    {
      name: 'a100-mig-3g',
      product: 'NVIDIA-A100-SXM4-40GB-MIG-3g.20gb',
      price: 0.95,
    },
    { name: 'l40s', product: 'NVIDIA-L40S', price: 1.6 },
    { name: 'l4', product: 'NVIDIA-L4', price: 0.85 },
  ];
  const teams = Array.from(
    { length: 30 },
    (_, i) => `group:default/team-${String(i + 1).padStart(2, '0')}`,
  );
  const pools: PoolInfo[] = [];
  for (let i = 0; i < 20; i++) {
    const p = products[i % products.length];
    const cluster = clusters[i % clusters.length];
    // The last pool is a mostly idle dev pool; a third of the eu pools bill in EUR.
    const dev = i === 19;
    const eur = cluster === 'gpu-eu-west' && i % 3 === 0;
    const listPrice = dev ? 0.22 : p.price;
    const name = `${p.name}-${dev ? 'dev' : 'inference'}-${String(
      i + 1,
    ).padStart(2, '0')}`;
    pools.push({
      ref: `gpupool:default/${name}`,
      title: name,
      cluster,
      capacity: 512,
      product: p.product,
      baselines: new Map(),
      resourceName: 'nvidia.com/gpu',
      price: {
        amount: eur ? Math.round(listPrice * 92) / 100 : listPrice,
        currency: eur ? 'EUR' : 'USD',
      },
    });
  }
  const families = [
    'llama-3-1-8b-instruct',
    'llama-3-1-70b-instruct',
    'mistral-7b-instruct',
    'qwen-2-5-14b-instruct',
    'gemma-2-9b-chat',
    'support-assistant-8b',
    'bge-m3',
    'bge-reranker-v2-m3',
    'whisper-large-v3',
    'e5-large-embed',
  ];
  const models = Array.from(
    { length: 40 },
    (_, i) =>
      `model:default/${families[i % families.length]}${
        i < families.length ? '' : `-ft${i}`
      }`,
  );
  const endpoints: EndpointInfo[] = [];
  const launches: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const modelRef = pick(models);
    const pool = pick(pools);
    const perReplica = /70b/.test(modelRef) ? 4 : pick([1, 1, 1, 1, 2]);
    const replicas = 1 + Math.floor(rand() * 3);
    const autoscaled = rand() < 0.6;
    const maxReplicas = autoscaled
      ? replicas + 1 + Math.floor(rand() * 5)
      : replicas;
    const ref = `inferenceendpoint:default/ep-${String(i + 1).padStart(
      4,
      '0',
    )}`;
    endpoints.push({
      ref,
      title: ref,
      teamRef: teams[Math.floor(rand() * rand() * teams.length)],
      poolRef: pool.ref,
      modelRef,
      modelVersion: `v${1 + Math.floor(rand() * 3)}`,
      gpusNeeded: perReplica * maxReplicas,
      gpusRequested: perReplica * replicas,
    });
    // 5% launch during the year.
    if (rand() < 0.05) launches[ref] = Math.floor(rand() * days);
  }
  return { fleet: { pools, endpoints }, launches, teams: teams.length };
}

// ------------------------------------------------------------------ helpers

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function rowsOf(result: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(result)) return result as Array<Record<string, unknown>>;
  return (result as { rows: Array<Record<string, unknown>> }).rows;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

// ------------------------------------------------------------------ postgres

type Postgres = { url: string; about: string; stop: () => Promise<void> };

function pgBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter(v => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    const dir = path.join(base, v, 'bin');
    if (
      fs.existsSync(path.join(dir, 'initdb')) &&
      fs.existsSync(path.join(dir, 'pg_ctl'))
    ) {
      return dir;
    }
  }
  const which = spawnSync('bash', ['-c', 'command -v initdb'], {
    encoding: 'utf8',
  });
  const initdb = which.stdout.trim();
  return which.status === 0 && initdb
    ? path.dirname(fs.realpathSync(initdb))
    : undefined;
}

/** Creates a throwaway database on the server of BENCH_POSTGRES_URL. */
async function externalPostgres(url: string): Promise<Postgres> {
  const name = `ai_platform_bench_cost_${process.pid}`;
  const admin = knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: 1 },
  });
  await admin.raw(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.toString(),
    about: `BENCH_POSTGRES_URL, database ${name}`,
    stop: async () => {
      if (flag('keep')) {
        console.log(`  kept database ${name} (--keep)`);
      } else {
        await admin.raw(`DROP DATABASE IF EXISTS ${name}`);
      }
      await admin.destroy();
    },
  };
}

/** Starts a throwaway server with initdb and pg_ctl; throws with the reason when it cannot. */
async function throwawayPostgres(): Promise<Postgres> {
  const bin = pgBinDir();
  if (!bin) throw new Error('no Postgres binaries (initdb, pg_ctl) found');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-platform-bench-pg-'));
  let as: string[] = [];
  if (process.getuid?.() === 0) {
    // initdb refuses to run as root: the cluster belongs to the postgres user.
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    const runuser = [
      '/usr/sbin/runuser',
      '/sbin/runuser',
      '/usr/bin/runuser',
    ].find(p => fs.existsSync(p));
    if (uid.status !== 0 || !runuser) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error('running as root without a postgres user or runuser');
    }
    fs.chownSync(dir, Number(uid.stdout.trim()), Number(gid.stdout.trim()));
    as = [runuser, '-u', 'postgres', '--'];
  }
  const run = (cmd: string, args: string[]) => {
    const full = [...as, path.join(bin, cmd), ...args];
    const r = spawnSync(full[0], full.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`${cmd} failed: ${r.stderr || r.stdout || r.error}`);
    }
    return r.stdout;
  };
  const data = path.join(dir, 'data');
  const port = await freePort();
  let started = false;
  const stopSync = () => {
    if (started) {
      started = false;
      const pgCtl = [...as, path.join(bin, 'pg_ctl')];
      spawnSync(pgCtl[0], [
        ...pgCtl.slice(1),
        ...['-D', data, '-m', 'fast', '-w', 'stop'],
      ]);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stopSync);
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
    const settings = [
      `-p ${port}`,
      `-k ${dir}`,
      '-c listen_addresses=127.0.0.1',
      '-c shared_buffers=256MB',
      '-c max_wal_size=4GB',
    ].join(' ');
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      settings,
      'start',
    ]);
    started = true;
  } catch (error) {
    const log = path.join(dir, 'server.log');
    const tail = fs.existsSync(log)
      ? fs.readFileSync(log, 'utf8').slice(-2000)
      : '';
    stopSync();
    throw new Error(`${(error as Error).message}${tail ? `\n${tail}` : ''}`);
  }
  const version = run('postgres', ['--version']).trim();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    about: `${version}, throwaway server on 127.0.0.1:${port} (shared_buffers 256MB, max_wal_size 4GB, fsync on)`,
    stop: async () => stopSync(),
  };
}

async function startPostgres(): Promise<Postgres | { skipped: string }> {
  const url = process.env.BENCH_POSTGRES_URL;
  try {
    return url ? await externalPostgres(url) : await throwawayPostgres();
  } catch (error) {
    return { skipped: (error as Error).message };
  }
}

// ------------------------------------------------------------------ bench

type EngineResult = {
  engine: string;
  rows: number;
  ingestSeconds: number;
  rollupSeconds: number;
  queryMs: number;
  rawMs: number;
  matches: boolean;
};

/** The same answer as costSummary by team and month, from raw samples. */
function rawQuery(isPg: boolean): string {
  const month = isPg
    ? `to_char(to_timestamp(sampled_at) AT TIME ZONE 'UTC', 'YYYY-MM')`
    : `strftime('%Y-%m', sampled_at, 'unixepoch')`;
  return (
    `SELECT team_ref, currency, ${month} AS month, ` +
    `SUM(gpus * interval_seconds / 3600.0 * price_per_gpu_hour) AS cost, ` +
    `SUM(gpus * interval_seconds / 3600.0) AS gpu_hours ` +
    `FROM usage_samples WHERE sampled_at >= ? AND sampled_at < ? ` +
    `GROUP BY team_ref, currency, ${month}`
  );
}

async function benchEngine(options: {
  engine: string;
  knex: Knex;
  isPg: boolean;
  fleet: FleetSnapshot;
  launches: Record<string, number>;
}): Promise<EngineResult> {
  const { engine, knex, isPg } = options;
  const log = (s: string) => console.log(`  ${s}`);
  await migrateDatabase(knex);
  const store = DatabaseUsageStore.create({ knex });
  const costs = DatabaseCostQueries.create({ knex });

  // Ingest, one day per batch; generation time is not counted.
  let rows = 0;
  let ingestMs = 0;
  let generateMs = 0;
  let lastReport = performance.now();
  const history = generateUsageHistory({
    fleet: options.fleet,
    endSeconds: END,
    days,
    launches: options.launches,
  });
  for (;;) {
    const g0 = performance.now();
    const next = history.next();
    generateMs += performance.now() - g0;
    if (next.done) break;
    const batch: UsageSample[] = next.value;
    const t0 = performance.now();
    await store.insertSamples(batch);
    ingestMs += performance.now() - t0;
    rows += batch.length;
    if (performance.now() - lastReport > 30_000) {
      lastReport = performance.now();
      log(
        `... ${fmt(rows)} rows (${fmt(
          rows / (ingestMs / 1000),
        )} rows/s so far)`,
      );
    }
  }
  log(
    `ingest            ${fmt(rows)} rows in ${fmt(ingestMs / 1000, 1)} s: ${fmt(
      rows / (ingestMs / 1000),
    )} rows/s (batches of one day, ${fmt(
      rows / days,
    )} rows; generating them took ${fmt(generateMs / 1000, 1)} s more)`,
  );

  // Rollups: one per day, as the seed and a daily catch-up would run them.
  const r0 = performance.now();
  for (let day = START; day < END; day += DAY) {
    await store.rollup({ fromSeconds: day, toSeconds: day + DAY });
  }
  const rollupMs = performance.now() - r0;
  // The rollup tables the store's migration has (hourly, daily, monthly, ...).
  const tables: string[] = [];
  for (const t of ['usage_hourly', 'usage_daily', 'usage_monthly']) {
    if (await knex.schema.hasTable(t)) tables.push(t);
  }
  const counts: string[] = [];
  for (const t of tables) {
    const n = Number((await knex(t).count({ n: '*' }))[0].n);
    counts.push(`${fmt(n)} ${t.replace('usage_', '')}`);
  }
  log(
    `rollup build      ${fmt(rollupMs / 1000, 1)} s for ${days} days (${fmt(
      rollupMs / days,
    )} ms/day): rows ${counts.join(', ')}`,
  );

  // Statistics, as autovacuum (Postgres) or an occasional ANALYZE would have them.
  await knex.raw('ANALYZE');

  // By team and month over the whole history, through the rollups.
  const ask = () =>
    costs.costSummary({
      from: START,
      to: END,
      groupBy: 'team',
      granularity: 'month',
    });
  let summary = await ask(); // warm-up
  const queryTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    summary = await ask();
    queryTimes.push(performance.now() - t0);
  }
  const queryMs = median(queryTimes);

  // The same answer from the raw samples.
  const rawTimes: number[] = [];
  let raw: Array<Record<string, unknown>> = [];
  for (let i = 0; i < rawRuns; i++) {
    const t0 = performance.now();
    raw = rowsOf(await knex.raw(rawQuery(isPg), [START, END]));
    rawTimes.push(performance.now() - t0);
  }
  const rawMs = median(rawTimes);

  // Compare the answers.
  const fromRollups = new Map(
    (summary.series ?? []).map(p => [
      `${p.key}|${p.bucket}|${p.currency}`,
      p.cost,
    ]),
  );
  let matches = fromRollups.size === raw.length;
  for (const r of raw) {
    const key = `${r.team_ref}|${r.month}|${r.currency}`;
    const a = fromRollups.get(key);
    const b = Number(r.cost);
    if (a === undefined || Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(b))) {
      matches = false;
    }
  }
  log(
    `by team by month  rollups ${fmt(queryMs, 1)} ms (median of ${runs}; ${fmt(
      Math.min(...queryTimes),
      1,
    )}..${fmt(Math.max(...queryTimes), 1)})   raw GROUP BY ${fmt(
      rawMs,
    )} ms (median of ${rawRuns})   ${fmt(rawMs / queryMs)}x faster   answers ${
      matches ? 'match' : 'DIFFER'
    } (${fmt(raw.length)} team-month-currency groups)`,
  );

  if (isPg) {
    const sizes: string[] = [];
    for (const t of ['usage_samples', ...tables]) {
      const [row] = rowsOf(
        await knex.raw('SELECT pg_total_relation_size(?::regclass) AS bytes', [
          t,
        ]),
      );
      sizes.push(
        `${t.replace('usage_', '')} ${fmt(Number(row.bytes) / 2 ** 20)} MiB`,
      );
    }
    log(`size              ${sizes.join(', ')} (with indexes)`);
  }
  return {
    engine,
    rows,
    ingestSeconds: ingestMs / 1000,
    rollupSeconds: rollupMs / 1000,
    queryMs,
    rawMs,
    matches,
  };
}

/** One collection of the collector for N and N / 10 endpoints: time and requests. */
async function collectorMeasure() {
  console.log(
    `Usage collector: one collection across 3 fake clusters, each with a fake Prometheus, on loopback (a process per cluster); machine load ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} cores`,
  );
  const results = [];
  for (const endpoints of [
    Math.max(3, Math.round(collectorEndpoints / 10)),
    collectorEndpoints,
  ]) {
    const r = await benchCollector({ endpoints });
    results.push(r);
    console.log(
      `  ${fmt(endpoints).padStart(7)} endpoints: ${fmt(
        r.ms,
      )} ms, of which ${fmt(
        r.collectorCpuMs,
      )} ms CPU in the collector's process (first collection of the process: ${fmt(
        r.coldMs,
      )} ms); requests: ${
        r.clusterRequests
      } to the clusters (LIST pages of 500), ${
        r.prometheusRequests
      } to Prometheus; ${fmt(r.samples)} samples`,
    );
  }
  const [small, large] = results;
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `  Prometheus requests independent of the endpoints: ${met(
      small.prometheusRequests === large.prometheusRequests,
    )}; cluster requests = 3 clusters x 2 types x pages: ${met(
      large.clusterRequests ===
        3 * 2 * Math.max(1, Math.ceil(collectorEndpoints / 3 / 500)),
    )}`,
  );
  console.log(
    `  one collection of ${fmt(collectorEndpoints)} endpoints < ${fmt(
      AIM_COLLECTION_MS,
    )} ms: ${met(large.ms < AIM_COLLECTION_MS)} (${fmt(large.ms)} ms)`,
  );
}

async function main() {
  // Ctrl-C still runs the exit handlers that stop a throwaway server.
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  if (flag('collector-only')) {
    await collectorMeasure();
    return;
  }
  const { fleet, launches, teams } = syntheticFleet(endpointCount);
  console.log(
    `Cost benchmark${smoke ? ' (smoke)' : ''}: ${fmt(
      endpointCount,
    )} endpoints on ${
      fleet.pools.length
    } pools, ${teams} teams; ${days} days of hourly samples (~${fmt(
      endpointCount * days * 24,
    )} rows; ${
      Object.keys(launches).length
    } of the endpoints launch during the period)`,
  );
  const results: EngineResult[] = [];

  if (engineOption !== 'pg') {
    const dir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'ai-platform-bench-sqlite-'),
    );
    const filename = path.join(dir, 'cost.sqlite');
    console.log(`SQLite (better-sqlite3, ${filename}):`);
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
    });
    try {
      results.push(
        await benchEngine({
          engine: 'SQLite',
          knex,
          isPg: false,
          fleet,
          launches,
        }),
      );
      console.log(
        `  size              ${fmt(
          fs.statSync(filename).size / 2 ** 20,
        )} MiB (file)`,
      );
    } finally {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  if (engineOption !== 'sqlite') {
    const pg = await startPostgres();
    if ('skipped' in pg) {
      const message = `Postgres skipped: ${pg.skipped}. Set BENCH_POSTGRES_URL=postgresql://user@host:port/db to use a server of your own.`;
      console.log(message);
      if (engineOption === 'pg') process.exitCode = 1;
    } else {
      console.log(`Postgres (${pg.about}):`);
      const knex = knexFactory({ client: 'pg', connection: pg.url });
      try {
        results.push(
          await benchEngine({
            engine: 'Postgres',
            knex,
            isPg: true,
            fleet,
            launches,
          }),
        );
      } finally {
        await knex.destroy();
        await pg.stop();
      }
    }
  }

  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`Aims${smoke ? ' (smoke sizes: not meaningful)' : ''}:`);
  const pgResult = results.find(r => r.engine === 'Postgres');
  if (pgResult) {
    const rate = pgResult.rows / pgResult.ingestSeconds;
    console.log(
      `  ingest > ${fmt(AIM_INGEST)} rows/s on Postgres: ${met(
        rate > AIM_INGEST,
      )} (${fmt(rate)})`,
    );
  } else {
    console.log('  ingest on Postgres: not measured');
  }
  for (const r of results) {
    console.log(
      `  ${r.engine}: rollup query < ${AIM_QUERY_MS} ms: ${met(
        r.queryMs < AIM_QUERY_MS,
      )} (${fmt(r.queryMs, 1)} ms); >= ${AIM_RATIO}x faster than raw: ${met(
        r.rawMs / r.queryMs >= AIM_RATIO,
      )} (${fmt(r.rawMs / r.queryMs)}x)${r.matches ? '' : '; ANSWERS DIFFER'}`,
    );
  }
  if (results.some(r => !r.matches)) process.exitCode = 1;
  if (!flag('no-collector')) await collectorMeasure();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
