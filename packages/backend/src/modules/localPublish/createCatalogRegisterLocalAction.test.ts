import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { createHash } from 'crypto';
import fs from 'fs';
import http from 'http';
import type { AddressInfo } from 'net';
import os from 'os';
import path from 'path';
import yaml from 'yaml';
import {
  createCatalogRegisterLocalAction,
  globToRegExp,
} from './createCatalogRegisterLocalAction';
import { examples } from './createCatalogRegisterLocalAction.examples';

/**
 * A catalog on 127.0.0.1 that knows the given file locations and "processes"
 * a location when it is refreshed: the entities of the matching files appear
 * after `delayMs`.
 */
async function fakeCatalog(options: {
  locations: Array<{ target: string }>;
  delayMs?: number;
  refreshStatus?: number;
}) {
  const known = new Set<string>();
  const requests: Array<{ method: string; url: string; auth?: string }> = [];
  const timers: NodeJS.Timeout[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => (body += c));
    req.on('end', () => {
      requests.push({
        method: req.method!,
        url: req.url!,
        auth: req.headers.authorization,
      });
      const url = new URL(req.url!, 'http://127.0.0.1');
      const send = (status: number, data: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(data));
      };
      if (url.pathname === '/api/catalog/refresh') {
        if (options.refreshStatus) {
          send(options.refreshStatus, {
            error: { name: 'NotAllowedError', message: 'not allowed' },
            response: { statusCode: options.refreshStatus },
          });
          return;
        }
        const { entityRef } = JSON.parse(body);
        // The catalog names a config location after its type and target.
        const location = options.locations.find(
          l =>
            `location:default/generated-${createHash('sha1')
              .update(`file:${l.target}`)
              .digest('hex')}` === entityRef,
        );
        const timer = setTimeout(() => {
          const folder = location
            ? path.dirname(path.dirname(location.target))
            : undefined;
          for (const file of folder && fs.existsSync(folder)
            ? fs
                .readdirSync(folder)
                .map(d => path.join(folder, d, 'catalog-info.yaml'))
                .filter(f => fs.existsSync(f))
            : []) {
            for (const doc of yaml.parseAllDocuments(
              fs.readFileSync(file, 'utf8'),
            )) {
              const e = doc.toJS();
              known.add(
                `/api/catalog/entities/by-name/${e.kind}/default/${e.metadata.name}`,
              );
            }
          }
        }, options.delayMs ?? 30);
        timers.push(timer);
        send(200, {});
      } else if (known.has(url.pathname)) {
        send(200, { metadata: {} });
      } else {
        send(404, {
          error: { name: 'NotFoundError', message: 'no such entity' },
          response: { statusCode: 404 },
        });
      }
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    requests,
    discovery: {
      getBaseUrl: async (id: string) => `http://127.0.0.1:${port}/api/${id}`,
      getExternalBaseUrl: async (id: string) =>
        `http://127.0.0.1:${port}/api/${id}`,
    },
    close: () => {
      // A refresh's timer must not outlive the test (and its folder).
      timers.forEach(clearTimeout);
      return new Promise<void>(r => server.close(() => r()));
    },
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(
  options: {
    covered?: boolean;
    delayMs?: number;
    refreshStatus?: number;
  } = {},
) {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'published-'));
  cleanups.push(() => fs.rmSync(directory, { recursive: true, force: true }));
  const folder = path.join(directory, 'support-bot');
  fs.mkdirSync(folder);
  const catalogInfoPath = path.join(folder, 'catalog-info.yaml');
  fs.writeFileSync(
    catalogInfoPath,
    [
      'apiVersion: ai-platform.io/v1alpha1\nkind: InferenceEndpoint\nmetadata: { name: support-bot }\n',
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: { name: support-bot }\n',
    ].join('---\n'),
  );
  const locations = [
    { target: '/elsewhere/examples/org.yaml' },
    ...(options.covered === false
      ? []
      : [{ target: path.join(directory, '*', 'catalog-info.yaml') }]),
  ];
  const catalog = await fakeCatalog({
    locations,
    delayMs: options.delayMs,
    refreshStatus: options.refreshStatus,
  });
  cleanups.push(catalog.close);
  const action = createCatalogRegisterLocalAction({
    discovery: catalog.discovery,
    auth: mockServices.auth(),
    config: mockServices.rootConfig({
      data: {
        catalog: {
          locations: [
            { type: 'url', target: 'https://example.com/catalog-info.yaml' },
            ...locations.map(l => ({ type: 'file', target: l.target })),
          ],
        },
      },
    }),
    directory,
    pollIntervalMs: 10,
  });
  const logger = mockServices.logger.mock();
  const contextFor = (input: Record<string, unknown>) =>
    createMockActionContext({ input: input as any, logger });
  const locationRef = `location:default/generated-${createHash('sha1')
    .update(`file:${path.join(directory, '*', 'catalog-info.yaml')}`)
    .digest('hex')}`;
  return {
    action,
    catalog,
    catalogInfoPath,
    directory,
    contextFor,
    logger,
    locationRef,
  };
}

describe('globToRegExp', () => {
  it.each([
    ['/a/*/catalog-info.yaml', '/a/x/catalog-info.yaml', true],
    ['/a/*/catalog-info.yaml', '/a/x/y/catalog-info.yaml', false],
    ['/a/**/catalog-info.yaml', '/a/x/y/catalog-info.yaml', true],
    ['/a/**/catalog-info.yaml', '/a/catalog-info.yaml', true],
    ['/a/*.{yaml,yml}', '/a/b.yml', true],
    ['/a.b/?.yaml', '/aXb/c.yaml', false],
  ])('%s matches %s: %s', (glob, file, expected) => {
    expect(globToRegExp(glob).test(file)).toBe(expected);
  });
});

describe('ai-platform:catalog:register-local', () => {
  it('refreshes the file location that covers the file, as the user, and waits for the entities', async () => {
    const { action, catalog, catalogInfoPath, contextFor, locationRef } =
      await setup();
    const ctx = contextFor({ catalogInfoPath });
    await action.handler(ctx);
    const refresh = catalog.requests.find(
      r => r.url === '/api/catalog/refresh',
    );
    expect(refresh?.auth).toMatch(
      /^Bearer mock-service-token:.*"target":"catalog"/,
    );
    expect(refresh?.auth).toContain('"obo":"user:default/mock"');
    expect(ctx.output).toHaveBeenCalledWith('locationRef', locationRef);
    expect(ctx.output).toHaveBeenCalledWith(
      'entityRef',
      'component:default/support-bot',
    );
    expect(ctx.output).toHaveBeenCalledWith('entityRefs', [
      'inferenceendpoint:default/support-bot',
      'component:default/support-bot',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('registered', true);
  });

  it('registers once when a resumed task runs the step again: it only refreshes, never adds a location', async () => {
    const { action, catalog, catalogInfoPath, contextFor, locationRef } =
      await setup();
    for (let attempt = 0; attempt < 2; attempt++) {
      const ctx = contextFor({ catalogInfoPath });
      await action.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith('locationRef', locationRef);
    }
    expect(
      catalog.requests.filter(r => r.url === '/api/catalog/refresh'),
    ).toHaveLength(2);
    // No location is created, so none can be created twice.
    expect(
      catalog.requests.filter(
        r => r.method === 'POST' && r.url.startsWith('/api/catalog/locations'),
      ),
    ).toEqual([]);
  });

  it('succeeds with a warning when the catalog is slower than the timeout', async () => {
    const { action, catalogInfoPath, contextFor, logger } = await setup({
      delayMs: 5000,
    });
    const ctx = contextFor({ catalogInfoPath, timeoutSeconds: 0.1 });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('registered', false);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Not in the catalog yet: inferenceendpoint:default\/support-bot, component:default\/support-bot\./,
      ),
    );
  });

  it('says which config to add when no catalog location covers the folder', async () => {
    const { action, catalogInfoPath, contextFor, directory } = await setup({
      covered: false,
    });
    await expect(
      action.handler(contextFor({ catalogInfoPath })),
    ).rejects.toThrow(
      `No catalog location covers ${catalogInfoPath}: add a file location for the publish folder to app-config.yaml (catalog.locations: - type: file, target: ${directory}/*/catalog-info.yaml`,
    );
  });

  it("reports the catalog's refusal, and refuses files outside the publish folder", async () => {
    const { action, catalogInfoPath, contextFor, locationRef } = await setup({
      refreshStatus: 403,
    });
    await expect(
      action.handler(contextFor({ catalogInfoPath })),
    ).rejects.toThrow(`Cannot refresh ${locationRef}: not allowed (HTTP 403)`);
    await expect(
      action.handler(contextFor({ catalogInfoPath: '/etc/passwd' })),
    ).rejects.toThrow(
      /^catalogInfoPath: \/etc\/passwd is not inside the local publish folder/,
    );
  });

  it.each(examples.map(e => [e.description, e.example]))(
    'runs the example: %s',
    async (_description, example) => {
      const { action, catalogInfoPath, directory, contextFor } = await setup();
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      // The template expression and the example's folder stand for the published file.
      const input = {
        ...step.input,
        catalogInfoPath: step.input.catalogInfoPath.startsWith('${{')
          ? catalogInfoPath
          : step.input.catalogInfoPath.replace(
              '/srv/portal/.data/published',
              directory,
            ),
      };
      const ctx = contextFor(input);
      await action.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith('registered', true);
    },
  );
});
