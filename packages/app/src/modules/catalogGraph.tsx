import {
  ALL_RELATIONS,
  ALL_RELATION_PAIRS,
  DefaultCatalogGraphApi,
  catalogGraphApiRef,
} from '@backstage/plugin-catalog-graph';
import {
  ApiBlueprint,
  createFrontendModule,
} from '@backstage/frontend-plugin-api';
import {
  RELATION_BASE_OF,
  RELATION_DERIVED_FROM,
  RELATION_HOSTS,
  RELATION_RUNS_ON,
  RELATION_SERVED_BY,
  RELATION_SERVES,
} from '@internal/plugin-ai-platform-common';

/**
 * Teaches the catalog graph the ai-platform relations (Model servedBy
 * InferenceEndpoint runsOn GpuPool, Model derivedFrom Model), so that the
 * Relations card of every entity page draws them.
 */
export const catalogGraphModule = createFrontendModule({
  pluginId: 'catalog-graph',
  extensions: [
    ApiBlueprint.make({
      params: defineParams =>
        defineParams({
          api: catalogGraphApiRef,
          deps: {},
          factory: () =>
            new DefaultCatalogGraphApi({
              knownRelations: [
                ...ALL_RELATIONS,
                RELATION_SERVES,
                RELATION_SERVED_BY,
                RELATION_RUNS_ON,
                RELATION_HOSTS,
                RELATION_DERIVED_FROM,
                RELATION_BASE_OF,
              ],
              knownRelationPairs: [
                ...ALL_RELATION_PAIRS,
                [RELATION_SERVES, RELATION_SERVED_BY],
                [RELATION_RUNS_ON, RELATION_HOSTS],
                [RELATION_DERIVED_FROM, RELATION_BASE_OF],
              ],
              defaultRelationTypes: { exclude: [] },
            }),
        }),
    }),
  ],
});
