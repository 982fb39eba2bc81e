import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  canonicalEntityRefOrUndefined,
  costReadPermission,
  isInferenceEndpointEntity,
  sameEntityRef,
} from '@internal/plugin-ai-platform-common';
import type { CostQueries } from '../cost/types';
import type { DeploymentService } from '../deploy/DeploymentService';
import { canonicalRef } from '../fleet/FleetSource';
import {
  READ_ONLY,
  costBasisSchema,
  costFigures,
  costFiguresSchema,
  costWindow,
  costWindowInput,
  isoOf,
} from './common';

/** A ref in canonical form, or undefined when the entity's field is malformed. */
function refOrUndefined(ref: string | undefined, kind: string, ns: string) {
  return canonicalEntityRefOrUndefined(ref, {
    defaultKind: kind,
    defaultNamespace: ns,
  });
}

/**
 * `get-team-endpoints`: the InferenceEndpoints a team owns, each with the
 * version it runs (the deployment records), its replicas and pool (the
 * catalog) and its cost over a window (the cost rollups). Visible to, and
 * callable by, those granted `ai-platform.cost.read`, as the cost routes are.
 */
export function registerTeamEndpointsAction(options: {
  actionsRegistry: ActionsRegistryService;
  catalog: CatalogService;
  costStore: CostQueries;
  deployments: Pick<DeploymentService, 'running'>;
  now: () => Date;
}) {
  const { actionsRegistry, catalog, costStore, deployments, now } = options;

  actionsRegistry.register({
    name: 'get-team-endpoints',
    title: "A team's inference endpoints, what they run and what they cost",
    description:
      "Every InferenceEndpoint a team owns (spec.owner) that the caller can see in the catalog: the model version it runs now (the newest applied deployment record, which may differ from the catalog's spec.modelVersion after a promote or rollback; absent when the portal never deployed it), its replicas and GPUs per replica and its GPU pool (the catalog), and its GPU cost for a window (default: the last 30 days) per currency. teamTotals is the team's whole cost in the window, endpoints no longer in the catalog included.",
    attributes: READ_ONLY,
    visibilityPermission: costReadPermission,
    schema: {
      input: z =>
        z.object({
          team: z
            .string()
            .describe('Group entity ref, e.g. group:default/applied-ml'),
          ...costWindowInput(z),
        }),
      output: z =>
        z.object({
          team: z.string(),
          from: z.string(),
          to: z.string(),
          endpoints: z.array(
            z.object({
              endpoint: z.string(),
              title: z.string(),
              lifecycle: z.string(),
              model: z.string().optional(),
              catalogModelVersion: z
                .string()
                .describe("The catalog's spec.modelVersion"),
              runningModelVersion: z
                .string()
                .optional()
                .describe(
                  'From the newest applied deployment record; absent when the portal never deployed it',
                ),
              runningRevision: z.number().optional(),
              runningSince: z.string().optional(),
              pool: z.string().optional(),
              resources: z
                .object({
                  replicas: z.number(),
                  minReplicas: z.number().optional(),
                  maxReplicas: z.number().optional(),
                  gpusPerReplica: z.number(),
                })
                .optional()
                .describe("The catalog's spec.resources"),
              costs: z.array(costFiguresSchema(z)),
            }),
          ),
          teamTotals: z.array(costFiguresSchema(z)),
          basis: costBasisSchema(z),
        }),
    },
    examples: [
      {
        title: "Applied ML's endpoints and their cost in the last 30 days",
        input: { team: 'group:default/applied-ml' },
        output: {
          team: 'group:default/applied-ml',
          from: '2026-10-21T11:00:00.000Z',
          to: '2026-11-20T11:00:00.000Z',
          endpoints: [
            {
              endpoint: 'inferenceendpoint:default/chat-assistant-prod',
              title: 'Chat assistant (production)',
              lifecycle: 'production',
              model: 'model:default/llama-3-1-8b-instruct',
              catalogModelVersion: 'v1',
              runningModelVersion: 'v2',
              runningRevision: 3,
              runningSince: '2026-11-18T09:12:40.000Z',
              pool: 'gpupool:default/l4-inference',
              resources: {
                replicas: 2,
                minReplicas: 2,
                maxReplicas: 6,
                gpusPerReplica: 1,
              },
              costs: [
                {
                  currency: 'USD',
                  cost: 1224,
                  gpuHours: 1440,
                  idleCost: 310.2,
                  tokens: 912000000,
                  costPerMillionTokens: 1.34,
                },
              ],
            },
          ],
          teamTotals: [
            {
              currency: 'USD',
              cost: 25_019.6,
              gpuHours: 7310,
              idleCost: 4120.5,
              tokens: 1_530_000_000,
              costPerMillionTokens: 16.35,
            },
          ],
          basis: { utilization: 'partial', tokens: 'partial' },
        },
      },
      {
        title: "A team's endpoints in October 2026",
        input: {
          team: 'group:default/search-relevance',
          from: '2026-10-01',
          to: '2026-11-01',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const team = canonicalRef(input.team, 'Group');
      const window = costWindow(input, now);
      const [{ items }, running, byEndpoint, byTeam] = await Promise.all([
        catalog.getEntities(
          { filter: { kind: 'InferenceEndpoint' } },
          { credentials },
        ),
        deployments.running(),
        costStore.costSummary({ ...window, groupBy: 'endpoint' }),
        costStore.costSummary({ ...window, groupBy: 'team' }),
      ]);
      const endpoints = items
        .filter(isInferenceEndpointEntity)
        .map(entity => {
          const ns = entity.metadata.namespace ?? 'default';
          return {
            entity,
            ref: stringifyEntityRef(entity),
            owner: refOrUndefined(entity.spec.owner, 'Group', ns),
            pool: refOrUndefined(entity.spec.gpuPool, 'GpuPool', ns),
            model: refOrUndefined(entity.spec.model, 'Model', ns),
          };
        })
        .filter(e => e.owner !== undefined && sameEntityRef(e.owner, team))
        .sort((a, b) => a.ref.localeCompare(b.ref));

      return {
        output: {
          team,
          from: isoOf(byEndpoint.from),
          to: isoOf(byEndpoint.to),
          endpoints: endpoints.map(({ entity, ref, pool, model }) => {
            const runs = running.find(r => sameEntityRef(r.endpointRef, ref));
            const resources = entity.spec.resources;
            return {
              endpoint: ref,
              title: entity.metadata.title ?? entity.metadata.name,
              lifecycle: entity.spec.lifecycle,
              model,
              catalogModelVersion: entity.spec.modelVersion,
              runningModelVersion: runs?.modelVersion,
              runningRevision: runs?.revision,
              runningSince: runs?.finishedAt,
              pool,
              resources: resources && {
                replicas: resources.replicas,
                minReplicas: resources.minReplicas,
                maxReplicas: resources.maxReplicas,
                gpusPerReplica: resources.gpusPerReplica,
              },
              costs: byEndpoint.groups
                .filter(g => sameEntityRef(g.key, ref))
                .map(costFigures),
            };
          }),
          teamTotals: byTeam.groups
            .filter(g => sameEntityRef(g.key, team))
            .map(costFigures),
          basis: {
            utilization: byEndpoint.basis.utilization,
            tokens: byEndpoint.basis.tokens,
          },
        },
      };
    },
  });
}
