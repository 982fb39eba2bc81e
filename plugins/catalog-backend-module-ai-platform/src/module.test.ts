import {
  TestDatabases,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createBackendModule } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { AlphaEntity } from '@backstage/catalog-model/alpha';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import path from 'path';
import request from 'supertest';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogModuleAiPlatform } from './module';

jest.setTimeout(120_000);

const examples = path.resolve(__dirname, '../../../examples');

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
      const { server } = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleAiPlatform,
          errorCollector(errors),
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
                locations: [
                  file('org.yaml'),
                  file('models.yaml'),
                  file('gpu-pools.yaml'),
                  file('endpoints.yaml'),
                  file('components.yaml'),
                  file('invalid/endpoint-zero-gpus.yaml'),
                  file('invalid/endpoint-unknown-model-version.yaml'),
                ],
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
        names.filter((n: string) => n !== 'broken-version').sort(),
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
    },
  );
});
