import { defineConfig } from '@playwright/test';

/**
 * Browser tests run in Debian's Chromium (never a downloaded browser) against
 * the production build of the app, served by the backend on port 7017 with
 * an in-memory database (app-config.e2e.yaml). Started by scripts/e2e.mjs.
 */
const port = 7017;

// The config files (at the repository root): the demo's, its simulated
// clusters, and the browser tests' own (ports, the in-memory database,
// gpu-us-east simulated and gpu-eu-west unreachable).
const configs = [
  'app-config.yaml',
  'app-config.simulated.yaml',
  'app-config.e2e.yaml',
];
const configArgs = (dir: string) =>
  configs.map(c => `--config ${dir}${c}`).join(' ');
// TypeScript entry points, run with the Node that runs Playwright.
const tsNode = `"${process.execPath}" --require @backstage/cli/config/nodeTransform.cjs`;

export default defineConfig({
  testDir: 'packages/app/e2e-tests',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  outputDir: 'test-results/e2e',
  webServer: [
    // The simulated GPU cluster (packages/fake-kube-apiserver) and its fake
    // Prometheus (packages/fake-prometheus), as ./scripts/start runs them
    // but without a state file: every run starts from the examples. Pods
    // start half a second after they are scheduled.
    {
      command: `${tsNode} packages/fake-kube-apiserver/src/cli.ts ${configArgs(
        '',
      )} --examples examples --rollout-delay-ms 500`,
      // Any answer will do (401 without the token).
      url: 'http://127.0.0.1:17443/version',
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      command: `${tsNode} packages/fake-prometheus/src/cli.ts ${configArgs(
        '',
      )}`,
      url: 'http://127.0.0.1:19091/clusters/gpu-us-east/-/ready',
      reuseExistingServer: !process.env.CI,
      timeout: 60_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      // The backend without `backstage-cli package start`'s file watcher, so
      // that an edit elsewhere in the tree does not restart it (and wipe its
      // in-memory database) in the middle of a run. NODE_ENV=development as
      // that command sets it: the demo's guest-style sign-ins need it.
      // The Node that runs Playwright (the project's Node 22), not whichever
      // `node` comes first on the PATH.
      command: `"${
        process.execPath
      }" --enable-source-maps --require @backstage/cli/config/nodeTransform.cjs src/index.ts ${configArgs(
        '../../',
      )}`,
      cwd: 'packages/backend',
      env: { NODE_ENV: 'development' },
      url: `http://localhost:${port}/.backstage/health/v1/readiness`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
      stdout: 'pipe',
      stderr: 'pipe',
    },
  ],
  use: {
    baseURL: `http://localhost:${port}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
});
