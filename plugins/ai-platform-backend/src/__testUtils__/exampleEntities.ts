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

/** The example endpoints' namespaces and their owners (the endpoints' owner groups). */
export function exampleNamespaceOwners(): Record<string, string[]> {
  const owners: Record<string, string[]> = {};
  for (const e of loadExampleEntities(['endpoints.yaml'])) {
    const spec = e.spec as { namespace?: string; owner?: string };
    if (!spec.namespace || !spec.owner) continue;
    owners[spec.namespace] = [
      ...new Set([...(owners[spec.namespace] ?? []), spec.owner]),
    ];
  }
  return owners;
}

/**
 * Namespace objects of the example endpoints' namespaces, annotated with
 * their owners (`ai-platform.io/owners`) as a platform team would, to seed a
 * fake cluster with. `extra` adds or replaces namespaces.
 */
export function ownedExampleNamespaces(
  extra: Record<string, string[]> = {},
): Array<{
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: { name: string; annotations: Record<string, string> };
}> {
  return Object.entries({ ...exampleNamespaceOwners(), ...extra }).map(
    ([name, groups]) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name,
        annotations: { 'ai-platform.io/owners': groups.join(',') },
      },
    }),
  );
}
