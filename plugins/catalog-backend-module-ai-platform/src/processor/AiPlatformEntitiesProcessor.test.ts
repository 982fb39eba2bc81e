import type { Entity } from '@backstage/catalog-model';
import type { CatalogProcessorResult } from '@backstage/plugin-catalog-node';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { AiPlatformEntitiesProcessor } from './AiPlatformEntitiesProcessor';
import type { RelatedEntityLookup } from './RelatedEntityLookup';

const examplesDir = path.resolve(__dirname, '../../../../examples');
const location = { type: 'file', target: 'examples/test.yaml' };

function loadEntities(file: string): Entity[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(
    d => d.toJS() as Entity,
  );
}

const examples = fs
  .readdirSync(examplesDir)
  .filter(f => f.endsWith('.yaml'))
  .flatMap(f => loadEntities(path.join(examplesDir, f)));

/** Finds example entities by ref, as the catalog would. */
const exampleLookup: RelatedEntityLookup = {
  async getEntity(ref) {
    return examples.find(
      e =>
        `${e.kind}:${e.metadata.namespace ?? 'default'}/${
          e.metadata.name
        }`.toLocaleLowerCase('en-US') === ref.toLocaleLowerCase('en-US'),
    );
  },
};

async function run(
  entity: Entity,
  options: { lookup?: RelatedEntityLookup } = { lookup: exampleLookup },
) {
  const processor = new AiPlatformEntitiesProcessor(options);
  const emitted: CatalogProcessorResult[] = [];
  const valid = await processor.validateEntityKind(entity);
  if (valid) {
    await processor.postProcessEntity(entity, location, r => emitted.push(r));
  }
  const relations = emitted.flatMap(r =>
    r.type === 'relation'
      ? [
          `${r.relation.source.kind}:${r.relation.source.namespace}/${r.relation.source.name} ${r.relation.type} ${r.relation.target.kind}:${r.relation.target.namespace}/${r.relation.target.name}`,
        ]
      : [],
  );
  const errors = emitted.flatMap(r =>
    r.type === 'error' ? [r.error.message] : [],
  );
  return { valid, relations, errors };
}

function example(kind: string, name: string): Entity {
  const found = examples.find(e => e.kind === kind && e.metadata.name === name);
  if (!found) throw new Error(`no example ${kind} ${name}`);
  return found;
}

describe('AiPlatformEntitiesProcessor', () => {
  it('accepts every ai-platform entity of examples/ without errors', async () => {
    const ours = examples.filter(
      e => e.apiVersion === 'ai-platform.io/v1alpha1',
    );
    expect(ours.length).toBeGreaterThanOrEqual(19);
    for (const entity of ours) {
      const result = await run(entity);
      expect({
        name: entity.metadata.name,
        ...result,
        relations: undefined,
      }).toEqual({
        name: entity.metadata.name,
        valid: true,
        errors: [],
        relations: undefined,
      });
    }
  });

  it('leaves other kinds to other processors', async () => {
    const result = await run(example('Component', 'chat-web'));
    expect(result).toEqual({ valid: false, relations: [], errors: [] });
  });

  it('emits no relation itself: the catalog model layer emits them (see aiPlatformCatalogModel.test.ts)', async () => {
    for (const name of [
      'support-assistant-8b',
      'chat-assistant-prod',
      'l4-inference',
    ]) {
      const entity = examples.find(e => e.metadata.name === name)!;
      expect(await run(entity)).toEqual({
        valid: true,
        relations: [],
        errors: [],
      });
    }
  });

  it('runs before the catalog’s processors, so that its clear errors come first', () => {
    expect(new AiPlatformEntitiesProcessor().getPriority()).toBeLessThan(20);
  });

  it('reports a reference that is not an entity reference, naming the field', async () => {
    const entity = structuredClone(
      example('InferenceEndpoint', 'chat-assistant-prod'),
    );
    entity.spec!.gpuPool = 'gpupool:default/';
    expect((await run(entity)).errors).toEqual([
      'InferenceEndpoint "default/chat-assistant-prod" is invalid: spec.gpuPool must be an entity reference such as gpupool:default/name (got "gpupool:default/")',
    ]);
  });

  it('skips the cross-entity checks when a related entity is not in the catalog yet', async () => {
    const entity = structuredClone(
      example('InferenceEndpoint', 'chat-assistant-prod'),
    );
    entity.spec!.model = 'model:default/not-registered-yet';
    entity.spec!.modelVersion = 'v9';
    const result = await run(entity);
    expect(result.errors).toEqual([]);
  });

  it('keeps processing when the lookup fails', async () => {
    const failing: RelatedEntityLookup = {
      getEntity: async () => {
        throw new Error('catalog unavailable');
      },
    };
    const warn = jest.fn();
    const processor = new AiPlatformEntitiesProcessor({
      lookup: failing,
      logger: { warn } as any,
    });
    const emitted: CatalogProcessorResult[] = [];
    await processor.postProcessEntity(
      example('InferenceEndpoint', 'chat-assistant-prod'),
      location,
      r => emitted.push(r),
    );
    expect(emitted).toEqual([]);
    expect(warn).toHaveBeenCalledWith(
      'Could not look up a related entity; skipping its checks',
      expect.objectContaining({ error: 'Error: catalog unavailable' }),
    );
  });

  describe('examples/invalid', () => {
    const dir = path.join(examplesDir, 'invalid');
    const files = fs.readdirSync(dir).filter(f => f.endsWith('.yaml'));

    it('has one file per kind of mistake', () => {
      expect(files.length).toBeGreaterThanOrEqual(25);
    });

    it.each(files)('rejects %s with a message naming its field', async file => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const expected = text.match(/^# expect-error: (.+)$/m)?.[1];
      expect(expected).toBeDefined();
      const [entity] = loadEntities(path.join(dir, file));
      const messages: string[] = [];
      try {
        messages.push(...(await run(entity)).errors);
      } catch (error) {
        messages.push((error as Error).message);
      }
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(expected);
      expect(messages[0]).toContain(`"default/${entity.metadata.name}"`);
    });
  });
});
