import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type { AlphaEntity } from '@backstage/catalog-model/alpha';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { parseAllDocuments } from 'yaml';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogModuleAiPlatform } from './module';

jest.setTimeout(240_000);

const examples = path.resolve(__dirname, '../../../examples');

const yamlFiles = (dir: string) =>
  fs
    .readdirSync(path.join(examples, dir))
    .filter(f => f.endsWith('.yaml'))
    .map(f => path.join(dir, f));

/** Every example entity's ref, and every broken one's name and expected error. */
const exampleRefs = yamlFiles('.')
  .flatMap(f =>
    parseAllDocuments(fs.readFileSync(path.join(examples, f), 'utf8')).map(d =>
      stringifyEntityRef(d.toJS() as Entity),
    ),
  )
  .sort();
const broken = yamlFiles('invalid').map(f => {
  const text = fs.readFileSync(path.join(examples, f), 'utf8');
  const entity = parseAllDocuments(text)[0].toJS() as Entity;
  return {
    entityRef: `${entity.kind}:${entity.metadata.name}`,
    expected: text.match(/^# expect-error: (.+)$/m)![1],
  };
});
/**
 * Broken endpoints whose mistake only shows against their model or pool:
 * stored when processed before those arrived (their error then goes to
 * their status), not stored otherwise, depending on processing order.
 */
const crossEntityBroken = [
  'inferenceendpoint:default/broken-capacity',
  'inferenceendpoint:default/broken-cluster',
  'inferenceendpoint:default/broken-span',
  'inferenceendpoint:default/broken-version',
];

/** Collects the catalog's processing errors, as the logs module would. */
function errorCollector(errors: Array<{ entityRef: string; message: string }>) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'test-errors',
    register(reg) {
      reg.registerInit({
        deps: { processing: catalogProcessingExtensionPoint },
        async init({ processing }) {
          processing.setOnProcessingErrorHandler(event => {
            for (const error of event.errors) {
              errors.push({
                entityRef: `${event.unprocessedEntity.kind}:${event.unprocessedEntity.metadata.name}`,
                message: `${error.message} ${String(
                  (error as any).cause?.message ?? '',
                )}`,
              });
            }
          });
        },
      });
    },
  });
}

async function waitFor<T>(fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('catalogModuleAiPlatform in a running catalog', () => {
  const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

  it.each(databases.eachSupportedId())(
    'processes the example catalog and reports broken entities, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const errors: Array<{ entityRef: string; message: string }> = [];
      const file = (name: string) => ({
        type: 'file',
        target: path.join(examples, name),
      });
      const actions = actionsRegistryServiceMock();
      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleAiPlatform,
          errorCollector(errors),
          createServiceFactory({
            service: actionsRegistryServiceRef,
            deps: {},
            factory: () => actions,
          }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                rules: [
                  {
                    allow: [
                      'Component',
                      'System',
                      'API',
                      'Group',
                      'User',
                      'Location',
                      'Model',
                      'InferenceEndpoint',
                      'GpuPool',
                    ],
                  },
                ],
                processingInterval: { seconds: 2 },
                // The whole example catalog and every broken example.
                locations: [...yamlFiles('.'), ...yamlFiles('invalid')].map(
                  file,
                ),
                actions: {
                  experimentalCatalogLayersDescriptions: { enabled: true },
                },
              },
            },
          }),
        ],
      });

      const getEntity = async (ref: string) => {
        const res = await request(server)
          .get(`/api/catalog/entities/by-name/${ref}`)
          .set('Authorization', mockCredentials.user.header());
        return res.status === 200 ? (res.body as Entity) : undefined;
      };

      // Relations of the entity, once processing and stitching have settled
      // on the expected list (or the last seen list, for the failure message).
      const settledRelations = async (
        ref: string,
        expected: string[],
        keep = (_: string) => true,
      ) => {
        let last: string[] = [];
        try {
          await waitFor(async () => {
            const e = await getEntity(ref);
            last = (e?.relations ?? [])
              .map(r => `${r.type} ${r.targetRef}`)
              .filter(keep)
              .sort();
            return JSON.stringify(last) === JSON.stringify(expected)
              ? last
              : undefined;
          });
        } catch {
          // fall through to the assertion, which shows the difference
        }
        return last;
      };

      // The endpoint arrives with its relations in both directions.
      const endpointRelations = [
        'dependencyOf component:default/chat-web',
        'dependencyOf component:default/meeting-notes',
        'ownedBy group:default/applied-ml',
        'partOf system:default/assistant-platform',
        'providesApi api:default/openai-compatible-inference',
        'runsOn gpupool:default/l4-inference',
        'serves model:default/llama-3-1-8b-instruct',
      ];
      expect(
        await settledRelations(
          'inferenceendpoint/default/chat-assistant-prod',
          endpointRelations,
        ),
      ).toEqual(endpointRelations);
      const modelRelations = [
        'baseOf model:default/support-assistant-8b',
        'ownedBy group:default/ml-platform',
        'servedBy inferenceendpoint:default/chat-assistant-prod',
        'servedBy inferenceendpoint:default/chat-assistant-staging',
      ];
      expect(
        await settledRelations(
          'model/default/llama-3-1-8b-instruct',
          modelRelations,
          r => /^(servedBy|baseOf|ownedBy) /.test(r) && !r.includes('broken-'),
        ),
      ).toEqual(modelRelations);

      // A schema error names the entity, field and reason; it does not stop
      // the others (all 8 example endpoints are in).
      await waitFor(async () =>
        errors.find(e => e.entityRef === 'InferenceEndpoint:broken-zero-gpus'),
      );
      expect(
        errors.find(e => e.entityRef === 'InferenceEndpoint:broken-zero-gpus')!
          .message,
      ).toContain(
        'InferenceEndpoint "default/broken-zero-gpus" is invalid: spec.resources.gpusPerReplica must be an integer >= 1 (got 0)',
      );
      expect(
        await getEntity('inferenceendpoint/default/broken-zero-gpus'),
      ).toBeUndefined();

      // The cross-entity rule is reported once the model is in the catalog.
      const versionError = await waitFor(async () =>
        errors.find(e => e.entityRef === 'InferenceEndpoint:broken-version'),
      );
      const versionMessage =
        'spec.modelVersion "v9" is not a version of model:default/llama-3-1-8b-instruct (its versions: v1, v2, v2-fp8)';
      expect(versionError.message).toContain(versionMessage);
      // When the endpoint was stored before its model arrived, the error is
      // stitched into its status, which the entity page shows.
      if (await getEntity('inferenceendpoint/default/broken-version')) {
        await waitFor(async () => {
          const e = await getEntity('inferenceendpoint/default/broken-version');
          return (e as AlphaEntity | undefined)?.status?.items?.some(i =>
            i.error?.message.includes(versionMessage),
          )
            ? e
            : undefined;
        });
      }

      const list = await request(server)
        .get(
          '/api/catalog/entities/by-query?filter=kind=inferenceendpoint&limit=100',
        )
        .set('Authorization', mockCredentials.user.header());
      const names = list.body.items.map((e: Entity) => e.metadata.name);
      expect(
        names.filter((n: string) => !n.startsWith('broken-')).sort(),
      ).toEqual([
        'chat-assistant-prod',
        'chat-assistant-staging',
        'embeddings-bge-m3',
        'mistral-sandbox',
        'reasoning-70b-prod',
        'reranker-bge',
        'support-assistant',
        'transcription-whisper',
      ]);

      // Every broken example is reported, by our processor (first, with the
      // entity, field and reason), never by the model processor's schema
      // check; the valid examples have no errors.
      await waitFor(async () =>
        broken.every(b => errors.some(e => e.entityRef === b.entityRef))
          ? true
          : undefined,
      );
      for (const { entityRef, expected } of broken) {
        expect({
          entityRef,
          messages: errors
            .filter(e => e.entityRef === entityRef)
            .map(e => e.message),
        }).toEqual({
          entityRef,
          messages: expect.arrayContaining([expect.stringContaining(expected)]),
        });
      }
      expect(
        errors.filter(
          e =>
            !broken.some(b => b.entityRef === e.entityRef) ||
            e.message.includes('ModelProcessor'),
        ),
      ).toEqual([]);

      // The same entities as before the model layer: the whole example
      // catalog (Component, Group, User, ... recognised beside our kinds),
      // and no broken one but those stored before their model or pool came.
      const all = await request(server)
        .get('/api/catalog/entities')
        .set('Authorization', mockCredentials.user.header());
      const refs = (all.body as Entity[])
        .map(e => stringifyEntityRef(e))
        .filter(r => !r.startsWith('location:'))
        .sort();
      expect(refs.filter(r => !crossEntityBroken.includes(r))).toEqual(
        exampleRefs,
      );

      // The catalog's model-description action lists our kinds, their spec
      // types and relation fields, and our relations.
      const { output } = await actions.invoke({
        id: 'test:get-catalog-model-description',
        input: {},
      });
      const description = (output as { description: string }).description;
      for (const text of [
        '### Entity Kind "Model"',
        '### Entity Kind "InferenceEndpoint"',
        '### Entity Kind "GpuPool"',
        '### Entity Kind "Component"',
        'apiVersion: "ai-platform.io/v1alpha1" (spec.type: "external")',
        '"spec.baseModel" (derivedFrom Model; reverse baseOf)',
        '"spec.model" (serves Model; reverse servedBy)',
        '"spec.gpuPool" (runsOn GpuPool; reverse hosts)',
        '"spec.providesApis" (providesApi API; reverse apiProvidedBy)',
        '"spec.owner" (ownedBy Group or User; reverse ownerOf)',
        '### Relation "servedBy": served by',
        '### Relation "runsOn": runs on',
        '### Relation "derivedFrom": derived from',
      ]) {
        expect(description).toContain(text);
      }
    },
  );
});
