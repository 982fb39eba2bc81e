// yarn bench ui [--no-build] [--runs N]
//
// How fast the cost page draws the full seeded year for all teams, in
// headless Chromium (Debian's, /usr/bin/chromium) against the production
// build of the app served by the backend, and how big the ai-platform
// plugin's JavaScript chunks are (and which of them the cost page loads).
// Prints numbers; asserts nothing.
//
// Steps: build the app for production (skip with --no-build to reuse
// packages/app/dist), start the backend on a free loopback port with an
// in-memory database (app-config.yaml + app-config.simulated.yaml +
// app-config.e2e.yaml, with the simulated cluster and its fake Prometheus
// running as in the browser tests: the example
// catalog, both demo identities, the seeded year of GPU usage), wait for the
// seed, then open /ai-platform/cost for the last 365 days grouped by team N
// times (default 5), each in a fresh browser context (cold cache, signed in
// as the guest through the sign-in page's remembered choice), and once more
// in the same context (warm cache). The time is the page's own clock from
// navigation start until every chart on the page has drawn its bars: the
// stacked spend chart with one bar segment per team and month of the API's
// answer, and the cost per 1M tokens chart.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from '@playwright/test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const runsArg = args.indexOf('--runs');
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 5;
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs must be a whole number >= 1');
  process.exit(1);
}
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const dist = path.join(root, 'packages/app/dist');
const STORAGE_KEY = 'ai-platform:demo-sign-in-provider';

const log = (...a) => console.log(...a);
const kb = bytes => `${(bytes / 1024).toFixed(1)} kB`;
const median = values => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const day = (date, plusDays = 0) =>
  new Date(date.getTime() + plusDays * 86_400_000).toISOString().slice(0, 10);

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function poll(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}

// --- 1. The production build ------------------------------------------------

if (build) {
  log('==> Building the app for production (yarn workspace app build)');
  const started = Date.now();
  const r = spawnSync('yarn', ['workspace', 'app', 'build'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  log(`    built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} else if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error('--no-build, but packages/app/dist has no build');
  process.exit(1);
}

// --- 2. The chunks of our plugin --------------------------------------------

const staticDir = path.join(dist, 'static');
const initialScripts = new Set(
  [
    ...fs
      .readFileSync(path.join(dist, 'index.html'), 'utf8')
      .matchAll(/<script[^>]*src="\/static\/([^"]+)"/g),
  ].map(m => m[1]),
);
const OURS =
  /plugins\/(ai-platform|ai-platform-react|ai-platform-common)\/src\/(.*)$/;
const chunks = fs
  .readdirSync(staticDir)
  .filter(f => f.endsWith('.js'))
  .map(file => {
    const code = fs.readFileSync(path.join(staticDir, file));
    let sources = [];
    try {
      sources = JSON.parse(
        fs.readFileSync(path.join(staticDir, `${file}.map`), 'utf8'),
      ).sources;
    } catch {
      // no source map: not attributable
    }
    const ours = sources
      .map(s => OURS.exec(s))
      .filter(Boolean)
      .map(m => `${m[1]}/${m[2]}`);
    const packages = new Set(
      sources
        .map(s => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s)?.[1])
        .filter(Boolean),
    );
    return {
      file,
      bytes: code.length,
      gzip: zlib.gzipSync(code, { level: 9 }).length,
      ours,
      packages: [...packages],
      initial: initialScripts.has(file),
    };
  });

/** What a chunk of ours holds, in words: component folders, or files. */
function describeOurs(ours) {
  const parts = new Set(
    ours.map(s => {
      const component = /^ai-platform\/components\/([^/]+)\//.exec(s);
      if (component) return component[1];
      if (s.startsWith('ai-platform/')) return `ai-platform/${s.split('/')[1]}`;
      return s.split('/')[0];
    }),
  );
  return [...parts].sort().join(', ');
}

// --- 3. The backend, seeded -------------------------------------------------

const port = await freePort();
const base = `http://localhost:${port}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ui-'));
const benchConfig = path.join(tmp, 'app-config.bench-ui.yaml');
fs.writeFileSync(
  benchConfig,
  [
    `app: { baseUrl: '${base}' }`,
    'backend:',
    `  baseUrl: '${base}'`,
    `  listen: { port: ${port} }`,
    `  cors: { origin: '${base}' }`,
    '',
  ].join('\n'),
);
const configs = [
  '../../app-config.yaml',
  '../../app-config.simulated.yaml',
  '../../app-config.e2e.yaml',
  benchConfig,
].flatMap(c => ['--config', c]);

// The simulated GPU cluster and its fake Prometheus, as the browser tests
// run them (app-config.e2e.yaml's ports), each a process of its own.
const helpers = [
  ['simulated-clusters', 'packages/fake-kube-apiserver/src/cli.ts'],
  ['simulated-metrics', 'packages/fake-prometheus/src/cli.ts'],
].map(([name, entry]) => {
  const helperLog = fs.openSync(path.join(tmp, `${name}.log`), 'w');
  return spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      entry,
      ...configs.map(c => c.replace(/^\.\.\/\.\.\//, '')),
      ...(name === 'simulated-clusters' ? ['--rollout-delay-ms', '500'] : []),
    ],
    { cwd: root, stdio: ['ignore', helperLog, helperLog], detached: true },
  );
});
const stopHelpers = () => {
  for (const helper of helpers) {
    try {
      process.kill(-helper.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
};
process.on('exit', stopHelpers);
log(`==> Started the simulated cluster and metrics (logs in ${tmp})`);

const backendLog = path.join(tmp, 'backend.log');
log(`==> Starting the backend on ${base} (log: ${backendLog})`);
const logFd = fs.openSync(backendLog, 'w');
const backend = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--require',
    '@backstage/cli/config/nodeTransform.cjs',
    'src/index.ts',
    ...configs,
  ],
  {
    cwd: path.join(root, 'packages/backend'),
    // Development: the demo's guest-style sign-in only works there.
    env: { ...process.env, NODE_ENV: 'development' },
    stdio: ['ignore', logFd, logFd],
    detached: true,
  },
);
const stopBackend = () => {
  try {
    process.kill(-backend.pid, 'SIGTERM');
  } catch {
    // already gone
  }
};
process.on('exit', stopBackend);
process.on('SIGINT', () => process.exit(130));

let browser;
let finished = false;
try {
  const startedAt = Date.now();
  await poll(
    'the backend to be ready',
    async () =>
      (await fetch(`${base}/.backstage/health/v1/readiness`)).ok &&
      (
        await fetch(`${base}/`)
      ).ok,
    240_000,
  );
  const session = await (
    await fetch(`${base}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    })
  ).json();
  const token = session.backstageIdentity.token;
  const now = new Date();
  const from = day(now, -365);
  const last = day(now, -1);
  const to = day(now);
  const summaryUrl = `${base}/api/ai-platform/cost/summary?from=${from}&to=${to}&groupBy=team&granularity=month`;
  const summary = await poll(
    'the seeded year of GPU usage',
    async () => {
      const res = await fetch(summaryUrl, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await res.json();
      const months = new Set((body.series ?? []).map(p => p.bucket)).size;
      return months >= 12 ? body : undefined;
    },
    120_000,
  );
  const bars = summary.series.filter(p => p.cost > 0).length;
  log(
    `    ready and seeded in ${((Date.now() - startedAt) / 1000).toFixed(
      0,
    )} s: ${summary.groups.length} teams, ${
      new Set(summary.series.map(p => p.bucket)).size
    } months, ${bars} bar segments, ${summary.totals
      .map(t => `${t.cost.toFixed(2)} ${t.currency}`)
      .join(', ')}`,
  );

  // --- 4. The cost page in headless Chromium --------------------------------

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const costUrl = `${base}/ai-platform/cost?window=custom&from=${from}&to=${last}`;
  const currency = summary.totals[0].currency;
  const chartsDrawn = ({ spend, expectedBars, tokens }) => {
    const count = label =>
      document.querySelectorAll(
        `figure[aria-label="${label}"] .recharts-bar-rectangle`,
      ).length;
    return count(spend) >= expectedBars && count(tokens) > 0
      ? performance.now()
      : false;
  };
  const chartArgs = {
    spend: `Spend by team per month in ${currency}`,
    expectedBars: bars,
    tokens: `Cost per 1M tokens by model in ${currency}`,
  };

  async function measure(page) {
    await page.goto(costUrl, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(chartsDrawn, chartArgs, {
      polling: 'raf',
      timeout: 120_000,
    });
    return handle.jsonValue();
  }

  const newContext = async () => {
    const context = await browser.newContext({
      viewport: { width: 1440, height: 1000 },
    });
    // The sign-in page's remembered choice: signs in as the guest at once.
    await context.addInitScript(
      ([key]) => window.localStorage.setItem(key, 'guest'),
      [STORAGE_KEY],
    );
    return context;
  };

  // One untimed load, so that the backend's first answers (cold caches,
  // lazy initialisation) do not count.
  {
    const context = await newContext();
    await measure(await context.newPage());
    await context.close();
  }

  log(`==> The cost page, last 365 days by team, ${runs} cold loads`);
  const cold = [];
  const warm = [];
  let loadedOnCostPage;
  for (let i = 0; i < runs; i++) {
    const context = await newContext();
    const page = await context.newPage();
    const scripts = new Set();
    page.on('request', request => {
      const m = /\/static\/([^/?]+\.js)/.exec(request.url());
      if (m) scripts.add(m[1]);
    });
    const ms = await measure(page);
    cold.push(ms);
    loadedOnCostPage ??= scripts;
    // The same page again, with the browser cache warm.
    warm.push(await measure(page));
    log(
      `    run ${i + 1}: ${ms.toFixed(0)} ms cold, ${warm[i].toFixed(
        0,
      )} ms warm`,
    );
    await context.close();
  }
  log(
    `    median: ${median(cold).toFixed(0)} ms cold (min ${Math.min(
      ...cold,
    ).toFixed(0)}, max ${Math.max(...cold).toFixed(0)}), ${median(warm).toFixed(
      0,
    )} ms warm (aim: under 2000 ms)`,
  );

  // --- 5. Chunk sizes ------------------------------------------------------

  const ours = chunks
    .filter(c => c.ours.length > 0)
    .sort((a, b) => b.bytes - a.bytes);
  log('==> JavaScript chunks with ai-platform plugin code (packages/app/dist)');
  log(
    `    ${'chunk'.padEnd(32)} ${'size'.padStart(9)} ${'gzip'.padStart(
      9,
    )}  load        holds`,
  );
  for (const c of ours) {
    let load;
    if (c.initial) load = 'initial';
    else if (loadedOnCostPage.has(c.file)) load = 'lazy, cost';
    else load = 'lazy';
    log(
      `    ${c.file.padEnd(32)} ${kb(c.bytes).padStart(9)} ${kb(
        c.gzip,
      ).padStart(9)}  ${load.padEnd(10)}  ${describeOurs(c.ours)}${
        c.packages.length ? ` (+ ${c.packages.length} npm packages)` : ''
      }`,
    );
  }
  const pages = ['EvalsPage', 'QuotasPage', 'CostPage', 'AuditPage'];
  for (const name of pages) {
    const holding = ours.filter(c =>
      c.ours.some(s => s.startsWith(`ai-platform/components/${name}/`)),
    );
    const eager = holding.some(c => c.initial);
    const others = pages.filter(
      other =>
        other !== name &&
        holding.some(c =>
          c.ours.some(s => s.startsWith(`ai-platform/components/${other}/`)),
        ),
    );
    log(
      `    ${name}: ${eager ? 'IN THE INITIAL BUNDLE' : 'lazy'}, in ${holding
        .map(c => c.file)
        .join(', ')}${
        others.length ? ` (shared with ${others.join(', ')})` : ''
      }`,
    );
  }
  const sum = list => list.reduce((n, c) => n + c.bytes, 0);
  const sumGz = list => list.reduce((n, c) => n + c.gzip, 0);
  const costChunks = chunks.filter(c => loadedOnCostPage.has(c.file));
  const lazyOnCost = costChunks.filter(c => !c.initial);
  log(
    `    plugin code in all chunks: ${kb(sum(ours))} (${kb(
      sumGz(ours),
    )} gzip); the cost page loads ${costChunks.length} scripts, ${kb(
      sum(costChunks),
    )} (${kb(sumGz(costChunks))} gzip), of which ${
      lazyOnCost.length
    } lazily: ${kb(sum(lazyOnCost))} (${kb(sumGz(lazyOnCost))} gzip)`,
  );
  log('    largest lazy scripts of the cost page:');
  for (const c of lazyOnCost.sort((a, b) => b.bytes - a.bytes).slice(0, 6)) {
    const holds = [
      c.ours.length ? describeOurs(c.ours) : '',
      c.packages.slice(0, 6).join(', ') +
        (c.packages.length > 6 ? ', ...' : ''),
    ].filter(Boolean);
    log(
      `      ${c.file.padEnd(32)} ${kb(c.bytes).padStart(9)} ${kb(
        c.gzip,
      ).padStart(9)}  ${holds.join('; ')}`,
    );
  }
  finished = true;
} finally {
  await browser?.close();
  stopBackend();
  stopHelpers();
  if (finished) fs.rmSync(tmp, { recursive: true, force: true });
  else console.error(`The backend's log: ${backendLog}`);
}
