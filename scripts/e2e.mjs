// Browser tests: builds the frontend for production, then runs Playwright
// (Debian's Chromium) against the backend serving that build on port 7017
// with an in-memory database. Results: test-results/e2e.json, screenshots and
// traces in test-results/e2e/.
// Set E2E_SKIP_BUILD=1 to reuse an existing packages/app/dist.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return r.status ?? 1;
}

if (!process.env.E2E_SKIP_BUILD) {
  console.log(
    '==> Building the frontend for production (yarn workspace app build)',
  );
  if (run('yarn', ['workspace', 'app', 'build']) !== 0) process.exit(1);
}
console.log('==> Running Playwright');
process.exit(
  run('yarn', [
    'playwright',
    'test',
    '--config',
    'playwright.config.ts',
    ...process.argv.slice(2),
  ]),
);
