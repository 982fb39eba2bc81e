import {
  type AuthService,
  type DiscoveryService,
  isChildPath,
  type RootConfigService,
} from '@backstage/backend-plugin-api';
import { InputError, ResponseError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  describeError,
  initiatorToken,
} from '@internal/plugin-scaffolder-backend-module-ai-platform';
import { createHash } from 'crypto';
import fs from 'fs/promises';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { examples } from './createCatalogRegisterLocalAction.examples';

/** A glob as the catalog's file locations use it, as a regular expression of whole paths. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') {
      source += '[^/]*';
    } else if (c === '?') {
      source += '[^/]';
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) {
        source += '\\{';
      } else {
        source += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map(s => s.replace(/[.+^$()|[\]\\]/g, '\\$&'))
          .join('|')})`;
        i = end;
      }
    } else {
      source += c.replace(/[.+^$()|[\]\\{}]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

type EntityName = { kind: string; namespace: string; name: string };

function refOf(e: EntityName): string {
  return `${e.kind}:${e.namespace}/${e.name}`.toLocaleLowerCase('en-US');
}

/**
 * `ai-platform:catalog:register-local`: makes the entities of a locally
 * published catalog-info.yaml appear in the catalog. The catalog API only
 * registers `url` locations, so a local file cannot be registered with
 * `catalog:register`; instead `app-config.yaml` lists the publish folder as a
 * `file` location glob, and this action asks the catalog (as the user who runs
 * the template) to refresh that location now rather than at its next
 * processing round, then waits until the entities are there. The location is
 * found in this backend's `catalog.locations` config, the way the catalog
 * names it (so the catalog must run in the same backend, as it does in the
 * portal).
 */
export function createCatalogRegisterLocalAction(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  /** The backend's config: its `catalog.locations` say which location covers the folder. */
  config: RootConfigService;
  /** The local publish folder: only files inside it are registered. */
  directory: string;
  /** @default 1000 */
  pollIntervalMs?: number;
}) {
  const { discovery, auth, config, directory } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  return createTemplateAction({
    id: 'ai-platform:catalog:register-local',
    description:
      'Makes the entities of a locally published catalog-info.yaml appear in the catalog: refreshes the file location of app-config that covers it and waits for them',
    examples,
    schema: {
      input: {
        catalogInfoPath: z =>
          z
            .string()
            .min(1)
            .describe(
              'The published catalog-info.yaml, absolute (the catalogInfoPath output of ai-platform:publish:local)',
            ),
        timeoutSeconds: z =>
          z
            .number()
            .gt(0)
            .optional()
            .describe(
              'How long to wait for the entities to appear (default 60); after that the step succeeds with a warning',
            ),
      },
      output: {
        entityRef: z =>
          z
            .string()
            .describe(
              'The first Component of the file (else its first entity), for an "Open in catalog" link',
            ),
        entityRefs: z =>
          z.array(z.string()).describe('Every entity of the file'),
        locationRef: z =>
          z
            .string()
            .describe('The catalog Location entity that covers the file'),
        registered: z =>
          z
            .boolean()
            .describe(
              'Whether every entity was in the catalog before the timeout',
            ),
      },
    },
    async handler(ctx) {
      const file = path.resolve(ctx.input.catalogInfoPath);
      if (!isChildPath(directory, file)) {
        throw new InputError(
          `catalogInfoPath: ${file} is not inside the local publish folder ${directory}`,
        );
      }
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (error) {
        throw new InputError(
          `catalogInfoPath: cannot read ${file}: ${(error as Error).message}`,
        );
      }
      const entities: EntityName[] = parseAllDocuments(text)
        .map(d => d.toJS() as Record<string, any> | null)
        .filter(e => e?.kind && e?.metadata?.name)
        .map(e => ({
          kind: String(e!.kind),
          namespace: String(e!.metadata.namespace ?? 'default'),
          name: String(e!.metadata.name),
        }));
      if (!entities.length) {
        throw new InputError(
          `catalogInfoPath: ${file} holds no entity (kind and metadata.name)`,
        );
      }

      const baseUrl = await discovery.getBaseUrl('catalog');
      const token = await initiatorToken({
        ctx,
        auth,
        targetPluginId: 'catalog',
      });
      const call = async (
        method: 'GET' | 'POST',
        route: string,
        body?: unknown,
      ) => {
        const response = await fetch(`${baseUrl}${route}`, {
          method,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(body ? { 'Content-Type': 'application/json' } : {}),
          },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        if (!response.ok && response.status !== 404) {
          throw await ResponseError.fromResponse(response);
        }
        return response;
      };

      // The file location of the catalog's config that covers the file.
      // The catalog names it after its resolved target; it is not listed as
      // an entity while its glob matches no file (its processing fails), but
      // it can be refreshed by name all the same.
      const target = (config.getOptionalConfigArray('catalog.locations') ?? [])
        .filter(l => l.getOptionalString('type') === 'file')
        .map(l => path.resolve(l.getString('target')))
        .find(t => globToRegExp(t).test(file));
      if (!target) {
        throw new InputError(
          `No catalog location covers ${file}: add a file location for the publish folder to app-config.yaml (catalog.locations: - type: file, target: ${path.join(
            directory,
            '*',
            'catalog-info.yaml',
          )}; relative targets are resolved against the backend's working directory), then restart the backend`,
        );
      }
      const locationRef = `location:default/generated-${createHash('sha1')
        .update(`file:${target}`)
        .digest('hex')}`;
      try {
        await call('POST', '/refresh', { entityRef: locationRef });
      } catch (error) {
        throw new Error(
          `Cannot refresh ${locationRef}: ${describeError(error)}`,
        );
      }
      ctx.logger.info(
        `Asked the catalog to read ${target} again (${locationRef}); waiting for ${entities
          .map(refOf)
          .join(', ')}`,
      );

      const deadline = Date.now() + (ctx.input.timeoutSeconds ?? 60) * 1000;
      let missing = entities;
      for (;;) {
        const found = await Promise.all(
          missing.map(async e => {
            const answer = await call(
              'GET',
              `/entities/by-name/${encodeURIComponent(
                e.kind,
              )}/${encodeURIComponent(e.namespace)}/${encodeURIComponent(
                e.name,
              )}`,
            );
            return answer.ok;
          }),
        );
        missing = missing.filter((_, i) => !found[i]);
        if (!missing.length || Date.now() + pollIntervalMs > deadline) break;
        ctx.signal?.throwIfAborted();
        await new Promise(resolve => setTimeout(resolve, pollIntervalMs));
      }
      if (missing.length) {
        ctx.logger.warn(
          `Not in the catalog yet: ${missing
            .map(refOf)
            .join(
              ', ',
            )}. The catalog reads ${file} through ${locationRef}; if they do not appear, that entity's processing errors (and the backend log) say why.`,
        );
      } else {
        ctx.logger.info(`In the catalog: ${entities.map(refOf).join(', ')}`);
      }
      const main =
        entities.find(e => e.kind.toLocaleLowerCase('en-US') === 'component') ??
        entities[0];
      ctx.output('entityRef', refOf(main));
      ctx.output('entityRefs', entities.map(refOf));
      ctx.output('locationRef', locationRef);
      ctx.output('registered', missing.length === 0);
    },
  });
}
