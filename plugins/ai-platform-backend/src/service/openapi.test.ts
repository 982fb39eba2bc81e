import { mockServices } from '@backstage/backend-test-utils';
import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import { createRouter } from './createRouter';

type Layer = {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
};

/** Every `METHOD /path` the router serves, with OpenAPI's {param} syntax. */
function routerOperations(stack: Layer[]): string[] {
  return stack.flatMap(layer => {
    if (layer.route) {
      return Object.keys(layer.route.methods).map(
        m =>
          `${m.toUpperCase()} ${layer.route!.path.replace(
            /:([A-Za-z]+)/g,
            '{$1}',
          )}`,
      );
    }
    return layer.handle?.stack ? routerOperations(layer.handle.stack) : [];
  });
}

describe('openapi.yaml', () => {
  it('describes exactly the routes the router serves, each with its error responses', async () => {
    const spec = parse(
      fs.readFileSync(
        path.resolve(__dirname, '../schema/openapi.yaml'),
        'utf8',
      ),
    );
    const specOperations = Object.entries<Record<string, any>>(
      spec.paths,
    ).flatMap(([p, ops]) =>
      Object.keys(ops).map(m => `${m.toUpperCase()} ${p}`),
    );
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      logger: mockServices.logger.mock(),
      auditLog: {} as any,
      evals: {} as any,
      evalStore: {} as any,
      quotas: {} as any,
      costStore: {} as any,
      deployments: { service: {} as any, catalog: {} as any },
      slos: {} as any,
    });
    expect(
      routerOperations((router as unknown as { stack: Layer[] }).stack)
        // Served by @backstage/backend-openapi-utils: the spec itself.
        .filter(op => op !== 'GET /openapi.json')
        .sort(),
    ).toEqual(specOperations.sort());
    for (const [p, ops] of Object.entries<Record<string, any>>(spec.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        expect({ op: `${method} ${p}`, has401: '401' in op.responses }).toEqual(
          {
            op: `${method} ${p}`,
            has401: true,
          },
        );
      }
    }
  });
});

describe('x-audit-action', () => {
  /** Operations that are not GET yet change nothing, so record nothing. */
  const READ_ONLY = ['POST /render', 'POST /sizing'];

  it('is named by every operation that changes something, and only by those', () => {
    const spec = parse(
      fs.readFileSync(
        path.resolve(__dirname, '../schema/openapi.yaml'),
        'utf8',
      ),
    );
    const wrong = Object.entries<Record<string, any>>(spec.paths).flatMap(
      ([p, ops]) =>
        Object.entries<any>(ops).flatMap(([method, op]) => {
          const name = `${method.toUpperCase()} ${p}`;
          const mutates = method !== 'get' && !READ_ONLY.includes(name);
          const action = op['x-audit-action'];
          return mutates === (typeof action === 'string' && action !== '')
            ? []
            : [`${name}: ${mutates ? 'missing' : 'unexpected'} x-audit-action`];
        }),
    );
    expect(wrong).toEqual([]);
  });
});
