import {
  type Entity,
  entityKindSchemaValidator,
} from '@backstage/catalog-model';
import {
  type CatalogModel,
  CatalogModelSources,
  compileCatalogModel,
} from '@backstage/catalog-model/alpha';
import type {
  CatalogProcessor,
  CatalogProcessorResult,
} from '@backstage/plugin-catalog-node';
import {
  gpuPoolEntityV1alpha1Schema,
  inferenceEndpointEntityV1alpha1Schema,
  modelEntityV1alpha1Schema,
} from '@internal/plugin-ai-platform-common';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { AiPlatformEntitiesProcessor } from '../processor/AiPlatformEntitiesProcessor';
import type { RelatedEntityLookup } from '../processor/RelatedEntityLookup';
import { aiPlatformCatalogModel } from './aiPlatformCatalogModel';

// The catalog's own ModelProcessor (@backstage/plugin-catalog-backend 4.0,
// Backstage 1.55), which validates against the model and emits the
// relations of its relation fields. The package exports neither it nor
// ModelHolder, so the test loads the installed files by path.
const catalogBackend = path.dirname(
  require.resolve('@backstage/plugin-catalog-backend/package.json'),
);
/* eslint-disable @typescript-eslint/no-require-imports */
const { ModelProcessor } = require(path.join(
  catalogBackend,
  'dist/processors/ModelProcessor.cjs.js',
)) as {
  ModelProcessor: new (holder: unknown) => CatalogProcessor;
};
const { ModelHolder } = require(path.join(
  catalogBackend,
  'dist/model/ModelHolder.cjs.js',
)) as {
  ModelHolder: { modelPassthroughForTest(model: CatalogModel): unknown };
};
/* eslint-enable @typescript-eslint/no-require-imports */

const examplesDir = path.resolve(__dirname, '../../../../examples');
const location = { type: 'file', target: 'examples/test.yaml' };

function documents(file: string): Entity[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(
    d => d.toJS() as Entity,
  );
}

const examples = fs
  .readdirSync(examplesDir)
  .filter(f => f.endsWith('.yaml'))
  .flatMap(f => documents(path.join(examplesDir, f)));
const invalid = fs
  .readdirSync(path.join(examplesDir, 'invalid'))
  .filter(f => f.endsWith('.yaml'))
  .flatMap(f => documents(path.join(examplesDir, 'invalid', f)));

const lookup: RelatedEntityLookup = {
  async getEntity(ref) {
    return examples.find(
      e =>
        `${e.kind}:${e.metadata.namespace ?? 'default'}/${
          e.metadata.name
        }`.toLocaleLowerCase('en-US') === ref.toLocaleLowerCase('en-US'),
    );
  },
};

/** The model as the catalog compiles it from our model source. */
async function compileFromSource(): Promise<CatalogModel> {
  const source = CatalogModelSources.static([aiPlatformCatalogModel]);
  const iterator = source.read();
  const first = await iterator.next();
  await iterator.return(undefined);
  return compileCatalogModel((first.value?.data ?? []).map(d => d.layer));
}

const ourSchemas: Record<string, object> = {
  Model: modelEntityV1alpha1Schema,
  InferenceEndpoint: inferenceEndpointEntityV1alpha1Schema,
  GpuPool: gpuPoolEntityV1alpha1Schema,
};

describe('aiPlatformCatalogModel', () => {
  let model: CatalogModel;
  let modelProcessor: CatalogProcessor;
  beforeAll(async () => {
    model = await compileFromSource();
    modelProcessor = new ModelProcessor(
      ModelHolder.modelPassthroughForTest(model),
    );
  });

  it('declares our three kinds beside Backstage’s default kinds', () => {
    const kinds = model.listKinds();
    expect(kinds.map(k => k.names.kind)).toEqual(
      expect.arrayContaining([
        'Component',
        'Group',
        'User',
        'System',
        'API',
        'Model',
        'InferenceEndpoint',
        'GpuPool',
      ]),
    );
    expect(
      kinds.find(k => k.names.kind === 'InferenceEndpoint')?.versions,
    ).toEqual([
      { apiVersion: 'ai-platform.io/v1alpha1' },
      { apiVersion: 'ai-platform.io/v1alpha1', specType: 'vllm' },
      { apiVersion: 'ai-platform.io/v1alpha1', specType: 'tgi' },
      { apiVersion: 'ai-platform.io/v1alpha1', specType: 'triton' },
      { apiVersion: 'ai-platform.io/v1alpha1', specType: 'kserve' },
      { apiVersion: 'ai-platform.io/v1alpha1', specType: 'external' },
    ]);
  });

  it('declares the relation fields of each kind', () => {
    const fields = (kind: string, type?: string) =>
      model
        .getKind({
          kind,
          apiVersion: 'ai-platform.io/v1alpha1',
          spec: { type },
        })!
        .relationFields.map(
          f => `${f.path} ${f.relation} ${f.allowedKinds!.join('|')}`,
        );
    expect(fields('Model')).toEqual([
      'spec.owner ownedBy Group|User',
      'spec.system partOf System',
      'spec.baseModel derivedFrom Model',
    ]);
    const endpointFields = [
      'spec.owner ownedBy Group|User',
      'spec.system partOf System',
      'spec.model serves Model',
      'spec.gpuPool runsOn GpuPool',
      'spec.providesApis providesApi API',
    ];
    expect(fields('InferenceEndpoint', 'vllm')).toEqual(endpointFields);
    expect(fields('InferenceEndpoint', 'external')).toEqual(endpointFields);
    expect(fields('GpuPool')).toEqual([
      'spec.owner ownedBy Group|User',
      'spec.system partOf System',
    ]);
  });

  it('judges every example and broken example as entityKindSchemaValidator does, through the catalog’s model processor', async () => {
    for (const entity of [...examples, ...invalid]) {
      const schema = ourSchemas[entity.kind];
      if (!schema) continue;
      let backstage: boolean;
      try {
        backstage = Boolean(entityKindSchemaValidator(schema)(entity));
      } catch {
        backstage = false;
      }
      let layer: boolean;
      try {
        layer = await modelProcessor.validateEntityKind!(entity);
      } catch {
        layer = false;
      }
      expect({ name: entity.metadata.name, layer }).toEqual({
        name: entity.metadata.name,
        layer: backstage,
      });
    }
    // An external endpoint needs no pool; a served one does (spec types).
    const external = structuredClone(
      examples.find(e => e.metadata.name === 'chat-assistant-prod')!,
    );
    external.spec = { ...external.spec, type: 'external' };
    delete external.spec.gpuPool;
    delete external.spec.namespace;
    delete external.spec.resources;
    await expect(modelProcessor.validateEntityKind!(external)).resolves.toBe(
      true,
    );
    await expect(
      modelProcessor.validateEntityKind!({
        ...external,
        spec: { ...external.spec, type: 'vllm' },
      }),
    ).rejects.toThrow("must have required property 'gpuPool'");
  });

  describe('relations, from the model processor and ours together', () => {
    /** Runs the catalog's model processor and ours as the catalog runs them. */
    async function relationsOf(entity: Entity) {
      const emitted: Array<{ by: string; relation: string }> = [];
      const ours = new AiPlatformEntitiesProcessor({ lookup });
      for (const processor of [ours, modelProcessor]) {
        await processor.postProcessEntity!(
          structuredClone(entity),
          location,
          (r: CatalogProcessorResult) => {
            if (r.type === 'relation') {
              const { source, type, target } = r.relation;
              emitted.push({
                by: processor.getProcessorName(),
                relation:
                  `${source.kind}:${source.namespace}/${source.name} ${type} ${target.kind}:${target.namespace}/${target.name}`.toLocaleLowerCase(
                    'en-US',
                  ),
              });
            }
          },
          {} as never,
        );
      }
      return emitted;
    }

    it('emits each relation of every example once, all from the model', async () => {
      for (const entity of examples) {
        const emitted = await relationsOf(entity);
        const relations = emitted.map(e => e.relation);
        expect({
          name: entity.metadata.name,
          duplicates: relations.filter((r, i) => relations.indexOf(r) !== i),
          ours: emitted.filter(e => e.by !== 'ModelProcessor'),
        }).toEqual({ name: entity.metadata.name, duplicates: [], ours: [] });
      }
    });

    it('emits the relations of an InferenceEndpoint in both directions', async () => {
      const endpoint = examples.find(
        e => e.metadata.name === 'chat-assistant-prod',
      )!;
      expect((await relationsOf(endpoint)).map(e => e.relation)).toEqual(
        [
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
        ].map(r => r.toLocaleLowerCase('en-US')),
      );
    });

    it('emits the relations of a fine-tuned Model and of a GpuPool in both directions', async () => {
      const derived = examples.find(
        e => e.metadata.name === 'support-assistant-8b',
      )!;
      expect((await relationsOf(derived)).map(e => e.relation)).toEqual(
        [
          'Model:default/support-assistant-8b ownedBy Group:default/data-science',
          'Group:default/data-science ownerOf Model:default/support-assistant-8b',
          'Model:default/support-assistant-8b partOf System:default/assistant-platform',
          'System:default/assistant-platform hasPart Model:default/support-assistant-8b',
          'Model:default/support-assistant-8b derivedFrom Model:default/llama-3-1-8b-instruct',
          'Model:default/llama-3-1-8b-instruct baseOf Model:default/support-assistant-8b',
        ].map(r => r.toLocaleLowerCase('en-US')),
      );
      const pool = examples.find(e => e.metadata.name === 'l4-inference')!;
      expect((await relationsOf(pool)).map(e => e.relation)).toEqual(
        [
          'GpuPool:default/l4-inference ownedBy Group:default/ml-platform',
          'Group:default/ml-platform ownerOf GpuPool:default/l4-inference',
        ].map(r => r.toLocaleLowerCase('en-US')),
      );
    });

    it('gives an endpoint the dependencyOf of a Component that depends on it', async () => {
      const component = examples.find(e => e.metadata.name === 'chat-web')!;
      expect((await relationsOf(component)).map(e => e.relation)).toEqual(
        expect.arrayContaining([
          'component:default/chat-web dependson inferenceendpoint:default/chat-assistant-prod',
          'inferenceendpoint:default/chat-assistant-prod dependencyof component:default/chat-web',
        ]),
      );
    });

    it('resolves short references in the entity namespace with the right default kind', async () => {
      const entity = structuredClone(
        examples.find(e => e.metadata.name === 'reranker-bge')!,
      );
      entity.metadata.namespace = 'search';
      entity.spec!.owner = 'search-relevance';
      entity.spec!.model = 'bge-reranker-v2-m3';
      entity.spec!.gpuPool = 'default/a100-mig-3g';
      delete entity.spec!.system;
      expect((await relationsOf(entity)).map(e => e.relation)).toEqual(
        [
          'InferenceEndpoint:search/reranker-bge ownedBy Group:search/search-relevance',
          'Group:search/search-relevance ownerOf InferenceEndpoint:search/reranker-bge',
          'InferenceEndpoint:search/reranker-bge serves Model:search/bge-reranker-v2-m3',
          'Model:search/bge-reranker-v2-m3 servedBy InferenceEndpoint:search/reranker-bge',
          'InferenceEndpoint:search/reranker-bge runsOn GpuPool:default/a100-mig-3g',
          'GpuPool:default/a100-mig-3g hosts InferenceEndpoint:search/reranker-bge',
        ].map(r => r.toLocaleLowerCase('en-US')),
      );
    });
  });
});
