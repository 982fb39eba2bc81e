import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import fs from 'fs/promises';
import path from 'path';
import { examples } from './createPublishLocalAction.examples';

/** Written into every published folder: which task wrote it. */
export const PUBLISHED_BY_FILE = '.published-by.json';

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function publishedByTask(folder: string): Promise<string | undefined> {
  try {
    const text = await fs.readFile(
      path.join(folder, PUBLISHED_BY_FILE),
      'utf8',
    );
    return (JSON.parse(text) as { taskId?: string }).taskId;
  } catch {
    return undefined;
  }
}

/**
 * `ai-platform:publish:local`: copies the workspace into a folder of the
 * portal's own machine (`<directory>/<name>`, by default
 * `.data/published/<name>` at the repository root), for demos and local
 * development without a Git host. `app-config.yaml` lists
 * `<directory>/*\/catalog-info.yaml` as a catalog location, so the catalog can
 * read what was published (see `ai-platform:catalog:register-local`).
 */
export function createPublishLocalAction(options: {
  /** The absolute folder to publish into. */
  directory: string;
}) {
  const { directory } = options;
  return createTemplateAction({
    id: 'ai-platform:publish:local',
    description:
      "Publishes the workspace into a folder on the portal's machine (by default .data/published/<name>), which the catalog reads as a file location",
    examples,
    schema: {
      input: {
        name: z =>
          z
            .string()
            .regex(
              /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,99}$/,
              'must be a folder name: letters, digits, ".", "_" and "-", starting with a letter or digit, at most 100 characters',
            )
            .describe('Folder name under the publish directory'),
        sourcePath: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'Folder of the workspace to publish (default: all of it)',
            ),
        overwrite: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Replace a folder of that name that another task published (default false: fail)',
            ),
      },
      output: {
        path: z => z.string().describe('The published folder, absolute'),
        catalogInfoPath: z =>
          z
            .string()
            .optional()
            .describe('The published catalog-info.yaml, absolute, if any'),
        remoteUrl: z =>
          z.string().describe('A file:// URL of the published folder'),
      },
    },
    async handler(ctx) {
      const { name, sourcePath, overwrite } = ctx.input;
      const source = resolveSafeChildPath(ctx.workspacePath, sourcePath ?? '.');
      const target = resolveSafeChildPath(directory, name);

      const published = await ctx.checkpoint({
        key: `ai-platform.publish-local.${name}`,
        fn: async () => {
          if (await exists(target)) {
            const by = await publishedByTask(target);
            // A retry of this task may replace what its first attempt wrote.
            if (by !== ctx.task.id && !overwrite) {
              throw new InputError(
                `name: ${target} exists already${
                  by ? ` (published by task ${by})` : ''
                }; choose another name, remove the folder, or set overwrite`,
              );
            }
            await fs.rm(target, { recursive: true, force: true });
          }
          await fs.mkdir(directory, { recursive: true });
          await fs.cp(source, target, { recursive: true });
          await fs.writeFile(
            path.join(target, PUBLISHED_BY_FILE),
            `${JSON.stringify(
              {
                taskId: ctx.task.id,
                template: ctx.templateInfo?.entityRef,
                user: ctx.user?.ref,
                publishedAt: new Date().toISOString(),
              },
              null,
              2,
            )}\n`,
          );
          return target;
        },
      });

      const catalogInfo = path.join(published, 'catalog-info.yaml');
      ctx.logger.info(`Published the workspace to ${published}`);
      ctx.output('path', published);
      if (await exists(catalogInfo)) {
        ctx.output('catalogInfoPath', catalogInfo);
      }
      ctx.output('remoteUrl', `file://${published}`);
    },
  });
}
