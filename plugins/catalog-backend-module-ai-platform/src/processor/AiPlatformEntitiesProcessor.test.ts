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

  it('emits the relations of a fine-tuned Model in both directions', async () => {
    const { relations } = await run(example('Model', 'support-assistant-8b'));
    expect(relations).toEqual([
      'Model:default/support-assistant-8b ownedBy Group:default/data-science',
      'Group:default/data-science ownerOf Model:default/support-assistant-8b',
      'Model:default/support-assistant-8b partOf System:default/assistant-platform',
      'System:default/assistant-platform hasPart Model:default/support-assistant-8b',
      'Model:default/support-assistant-8b derivedFrom Model:default/llama-3-1-8b-instruct',
      'Model:default/llama-3-1-8b-instruct baseOf Model:default/support-assistant-8b',
    ]);
  });

  it('emits the relations of an InferenceEndpoint in both directions', async () => {
    const { relations } = await run(
      example('InferenceEndpoint', 'chat-assistant-prod'),
    );
    expect(relations).toEqual([
      'InferenceEndpoint:default/chat-assistant-prod ownedBy Group:default/applied-ml',
      'Group:default/applied-ml ownerOf InferenceEndpoint:default/chat-assistant-prod',
      'InferenceEndpoint:default/chat-assistant-prod partOf System:default/assistant-platform',
      'System:default/assistant-platform hasPart InferenceEndpoint:default/chat-assistant-prod',
      'InferenceEndpoint:default/chat-assistant-prod serves Model:default/llama-3-1-8b-instruct',
      'Model:default/llama-3-1-8b-instruct servedBy InferenceEndpoint:default/chat-assistant-prod',
      'InferenceEndpoint:default/chat-assistant-prod runsOn GpuPool:default/l4-inference',
      'GpuPool:default/l4-inference hosts InferenceEndpoint:default/chat-assistant-prod',
      'InferenceEndpoint:default/chat-assistant-prod providesApi API:default/openai-compatible-inference',
      'API:default/openai-compatible-inference apiProvidedBy InferenceEndpoint:default/chat-assistant-prod',
    ]);
  });

  it('emits the relations of a GpuPool in both directions', async () => {
    const { relations } = await run(example('GpuPool', 'l4-inference'));
    expect(relations).toEqual([
      'GpuPool:default/l4-inference ownedBy Group:default/ml-platform',
      'Group:default/ml-platform ownerOf GpuPool:default/l4-inference',
    ]);
  });

  it('resolves short references in the entity namespace with the right default kind', async () => {
    const entity = structuredClone(
      example('InferenceEndpoint', 'reranker-bge'),
    );
    entity.metadata.namespace = 'search';
    entity.spec!.owner = 'search-relevance';
    entity.spec!.model = 'bge-reranker-v2-m3';
    entity.spec!.gpuPool = 'default/a100-mig-3g';
    delete entity.spec!.system;
    const { relations } = await run(entity, {});
    expect(relations).toEqual([
      'InferenceEndpoint:search/reranker-bge ownedBy Group:search/search-relevance',
      'Group:search/search-relevance ownerOf InferenceEndpoint:search/reranker-bge',
      'InferenceEndpoint:search/reranker-bge serves Model:search/bge-reranker-v2-m3',
      'Model:search/bge-reranker-v2-m3 servedBy InferenceEndpoint:search/reranker-bge',
      'InferenceEndpoint:search/reranker-bge runsOn GpuPool:default/a100-mig-3g',
      'GpuPool:default/a100-mig-3g hosts InferenceEndpoint:search/reranker-bge',
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
    expect(emitted.filter(r => r.type === 'error')).toEqual([]);
    expect(emitted.filter(r => r.type === 'relation')).toHaveLength(10);
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
