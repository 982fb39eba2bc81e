import type { EvalLeaderboardResponse } from '@internal/plugin-ai-platform-common';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import App from './App';

/**
 * The backend's address: nothing listens there, so that no request of the
 * app reaches a real backend; `fetch` answers them below.
 */
const BACKEND = 'http://127.0.0.1:9';

/** The guest's Backstage token, as the auth backend would sign it. */
const GUEST_TOKEN = 'header.eyJzdWIiOiJ1c2VyOmRlZmF1bHQvZ3Vlc3QifQ.signature';

/** Every request the app sent, as `METHOD path`, and the token it carried. */
let requests: Array<{ request: string; token?: string }> = [];

const leaderboard: EvalLeaderboardResponse = {
  items: [
    {
      model: 'model:default/llama-3-1-8b-instruct',
      title: 'Llama 3.1 8B Instruct',
      type: 'llm',
      version: 'v2',
      stage: 'staging',
      task: 'mmlu',
      metric: 'acc',
      value: 0.6971,
      stderr: 0.004,
      postedAt: '2026-11-20T10:00:00Z',
    },
  ],
};

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/**
 * The backend as far as this test needs it: the guest provider's session,
 * an empty catalog and the ai-platform eval leaderboard. Anything else
 * answers 404, as a backend without that plugin would.
 */
async function backend(input: RequestInfo | URL, init?: RequestInit) {
  const request = new Request(input, init);
  const url = new URL(request.url);
  requests.push({
    request: `${request.method} ${url.pathname}`,
    token: request.headers.get('authorization')?.replace(/^Bearer /, ''),
  });
  if (url.pathname === '/api/auth/guest/refresh') {
    return json({
      profile: { displayName: 'Guest' },
      backstageIdentity: {
        token: GUEST_TOKEN,
        identity: {
          type: 'user',
          userEntityRef: 'user:default/guest',
          ownershipEntityRefs: ['user:default/guest'],
        },
      },
    });
  }
  if (url.pathname === '/api/catalog/entities/by-query') {
    return json({ items: [], totalItems: 0, pageInfo: {} });
  }
  if (url.pathname === '/api/catalog/entity-facets') {
    return json({ facets: {} });
  }
  if (url.pathname === '/api/ai-platform/evals/leaderboard') {
    return json(leaderboard);
  }
  return json(
    { error: { name: 'NotFoundError', message: `No route ${url.pathname}` } },
    404,
  );
}

/**
 * The features the production build adds to the app. With `app.packages:
 * all` (app-config.yaml) the build finds the frontend plugins and modules
 * among packages/app's dependencies and hands them to `createApp` in
 * `window['__@backstage/discovered__']`; Jest runs no build, so the test
 * finds them the same way. The sidebar needs them: it shows the
 * notifications plugin's item, for one.
 */
function discoverFeatures() {
  const modules: Array<{ name: string; export?: string; default: unknown }> =
    [];
  const { dependencies } = require('../package.json');
  for (const name of Object.keys(dependencies)) {
    const pkg = require(`${name}/package.json`);
    const role = pkg.backstage?.role;
    if (role !== 'frontend-plugin' && role !== 'frontend-plugin-module') {
      continue;
    }
    modules.push({ name, default: require(name).default });
    if (pkg.exports?.['./alpha']) {
      modules.push({
        name,
        export: './alpha',
        default: require(`${name}/alpha`).default,
      });
    }
  }
  return { modules };
}

describe('App', () => {
  const originalFetch = global.fetch;

  beforeEach(() => {
    requests = [];
    window.localStorage.clear();
    global.fetch = jest.fn(backend) as typeof fetch;
    (window as any)['__@backstage/discovered__'] = discoverFeatures();
    process.env = {
      ...process.env,
      NODE_ENV: 'test',
      // The app section of app-config.yaml, as the frontend reads it.
      APP_CONFIG: [
        {
          data: {
            app: {
              title: 'AI Platform Portal',
              baseUrl: 'http://localhost',
              packages: 'all',
              extensions: [{ 'page:catalog': { config: { path: '/' } } }],
            },
            backend: { baseUrl: BACKEND },
          },
          context: 'test',
        },
      ] as any,
    };
  });

  afterEach(() => {
    global.fetch = originalFetch;
    delete (window as any)['__@backstage/discovered__'];
  });

  it('asks who you are, signs in as guest and lists the ai-platform pages in the sidebar', async () => {
    render(App.createRoot());

    // The demo's sign-in page: a choice of identity, nothing signed in yet.
    const guest = await screen.findByRole(
      'button',
      { name: 'Enter as guest' },
      { timeout: 15_000 },
    );
    expect(
      screen.getByRole('button', { name: 'Enter as demo admin' }),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('sidebar-root')).toBeNull();
    expect(requests).toEqual([]);

    await userEvent.click(guest);

    const sidebar = await screen.findByTestId(
      'sidebar-root',
      {},
      { timeout: 15_000 },
    );
    expect(requests[0].request).toBe('GET /api/auth/guest/refresh');
    for (const [title, href] of [
      ['Catalog', '/'],
      ['Evals', '/ai-platform/evals'],
      ['GPU quotas', '/ai-platform/quotas'],
      ['GPU cost', '/ai-platform/cost'],
      ['SLOs', '/ai-platform/slo'],
      ['Audit log', '/ai-platform/audit'],
    ]) {
      expect(
        within(sidebar).getByRole('link', { name: title }),
      ).toHaveAttribute('href', href);
    }

    // The Evals item opens the plugin's page, which asks the ai-platform
    // backend as the guest.
    await userEvent.click(within(sidebar).getByRole('link', { name: 'Evals' }));
    const table = await screen.findByRole(
      'table',
      { name: 'Leaderboard for mmlu acc' },
      { timeout: 15_000 },
    );
    expect(
      within(table).getByRole('row', { name: /Llama 3\.1 8B Instruct v2/ }),
    ).toHaveTextContent('0.6971 ± 0.004');
    expect(requests).toContainEqual({
      request: 'GET /api/ai-platform/evals/leaderboard',
      token: GUEST_TOKEN,
    });
  });
});
