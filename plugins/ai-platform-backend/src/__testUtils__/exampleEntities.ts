import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';

const examples = path.resolve(__dirname, '../../../../examples');

/** The entities of the repository's example catalog files (examples/*.yaml). */
export function loadExampleEntities(
  files: string[] = ['models.yaml', 'gpu-pools.yaml', 'endpoints.yaml'],
): Entity[] {
  return files.flatMap(file =>
    parseAllDocuments(fs.readFileSync(path.join(examples, file), 'utf8')).map(
      document => document.toJS() as Entity,
    ),
  );
}

/** One example entity by ref, e.g. `gpupool:default/l4-inference`; throws when absent. */
export function exampleEntity<T extends Entity = Entity>(ref: string): T {
  const entity = loadExampleEntities().find(
    e =>
      stringifyEntityRef({
        ...e,
        metadata: { namespace: 'default', ...e.metadata },
      }) === ref,
  );
  if (!entity) {
    throw new Error(`No example entity ${ref}`);
  }
  return entity as T;
}
