import type { RootConfigService } from '@backstage/backend-plugin-api';
import fs from 'fs';
import path from 'path';

/** The config key of the folder `ai-platform:publish:local` writes into. */
export const LOCAL_PUBLISH_DIRECTORY_KEY =
  'aiPlatform.scaffolder.localPublishDirectory';

/**
 * The root of the repository the backend runs in: the nearest folder, from
 * `from` upwards, whose package.json declares workspaces; else `from`.
 */
export function findRepoRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    try {
      const pkg = JSON.parse(
        fs.readFileSync(path.join(dir, 'package.json'), 'utf8'),
      );
      if (pkg.workspaces) return dir;
    } catch {
      // no package.json here
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from);
    dir = parent;
  }
}

/**
 * The folder `ai-platform:publish:local` writes into, absolute: the config
 * value resolved against the backend's working directory (as `file` catalog
 * locations are), or `.data/published` at the repository root.
 */
export function readLocalPublishDirectory(
  config: RootConfigService,
  cwd: string = process.cwd(),
): string {
  const configured = config.getOptionalString(LOCAL_PUBLISH_DIRECTORY_KEY);
  return configured
    ? path.resolve(cwd, configured)
    : path.join(findRepoRoot(cwd), '.data', 'published');
}
