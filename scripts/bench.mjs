// Benchmarks (not part of CI): yarn bench <name> [args]
// They print numbers; none of them asserts a time.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches = {
  catalog: {
    file: 'plugins/catalog-backend-module-ai-platform/bench/catalogProcessing.bench.ts',
    about:
      'validate and relate 10,000 entities of our kinds vs 10,000 built-in Components',
  },
  cost: {
    file: 'plugins/ai-platform-backend/bench/cost.bench.ts',
    about:
      'ingest a year of hourly usage of 1,000 endpoints (8.76M rows), build rollups, cost by team by month vs raw GROUP BY, on SQLite and Postgres',
  },
  deploy: {
    file: 'plugins/ai-platform-backend/bench/deploy.bench.ts',
    about:
      'deploys against the fake Kubernetes API server: requests and time per deploy, 100 concurrent deploys onto a pool with room for 60, and promotes with surge (requests, time, ready pods)',
  },
  ui: {
    file: 'scripts/bench-ui.mjs',
    about:
      'time until the cost page draws the seeded year for all teams in headless Chromium (production build), and the sizes of the plugin chunks [--no-build] [--runs N]',
  },
};

const [name, ...args] = process.argv.slice(2);
const bench = benches[name];
if (!bench) {
  console.log('Usage: yarn bench <name> [args]\n');
  for (const [n, b] of Object.entries(benches))
    console.log(`  ${n.padEnd(10)} ${b.about}`);
  process.exit(name ? 1 : 0);
}
// Plain ES modules run as they are; TypeScript through Backstage's transform.
const nodeArgs = bench.file.endsWith('.mjs')
  ? [bench.file, ...args]
  : [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      bench.file,
      ...args,
    ];
const r = spawnSync(process.execPath, nodeArgs, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_ENV: 'production' },
});
process.exit(r.status ?? 1);
