// Over 500 lines: the registration of each read-only action with its zod
// schemas and typed examples, which are most of the file; the two larger
// actions (sizing, a team's endpoints) have files of their own. One file per
// action is part of the store and helper split of issue 25.
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  costReadPermission,
  sameEntityRef,
} from '@internal/plugin-ai-platform-common';
import type { CostQueries } from '../cost/types';
import type { DeploymentService } from '../deploy/DeploymentService';
import type { EvalService } from '../evals/EvalService';
import { canonicalRef } from '../fleet/FleetSource';
import type { QuotaService } from '../quotas/QuotaService';
import {
  READ_ONLY,
  type Zod,
  costBasisSchema,
  costFigures,
  costFiguresSchema,
  costWindow,
  costWindowInput,
  isoOf,
} from './common';
import { registerSizeModelForPoolAction } from './sizeModelForPoolAction';
import { registerTeamEndpointsAction } from './teamEndpointsAction';

/**
 * Read-only actions for AI assistants, served by the MCP actions backend
 * (tools `ai-platform.<name>`): a model version's gate status and its latest
 * eval scores, a GPU pool's capacity, a team's quota headroom, cost and
 * endpoints, what an endpoint runs, and a model version's sizing on a pool.
 *
 * An action whose route checks a permission has it as its
 * `visibilityPermission` (the cost actions: `ai-platform.cost.read`); the
 * others are open to every signed-in caller, as their routes are. The
 * actions registry of @backstage/backend-defaults (0.18, Backstage 1.55)
 * checks the visibility permission twice, with the caller's credentials: it
 * leaves the action out of the list a caller gets (so MCP `tools/list` does
 * not show it, and `tools/call` does not find it), and its invoke endpoint,
 * which every call goes through (the actions service calls it over HTTP),
 * answers 404 before the action runs. So the actions do not check it again;
 * registerActions.mcp.test.ts pins both checks.
 */
export function registerActions(options: {
  actionsRegistry: ActionsRegistryService;
  evals: EvalService;
  quotas: QuotaService;
  costStore: CostQueries;
  /** The catalog, read with the caller's credentials (sizing, a team's endpoints). */
  catalog: CatalogService;
  /** Read through its type only; without it there are no deployment actions. */
  deployments?: Pick<DeploymentService, 'status' | 'list' | 'running'>;
  now?: () => Date;
}) {
  const { actionsRegistry, evals, quotas, costStore, catalog, deployments } =
    options;
  const now = options.now ?? (() => new Date());

  actionsRegistry.register({
    name: 'get-team-gpu-cost',
    title: 'Team GPU cost for a window',
    description:
      "A team's GPU cost for a window (default: the last 30 days), per currency: GPU-hours, cost (GPU-hours x the pool price), idle cost where utilisation is known, tokens and cost per 1M tokens, and the basis of the numbers (allocation alone, or with utilisation and token counts from Prometheus).",
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
          costs: z.array(costFiguresSchema(z)),
          basis: costBasisSchema(z),
        }),
    },
    examples: [
      {
        title: "Applied ML's GPU cost in the last 30 days",
        input: { team: 'group:default/applied-ml' },
        output: {
          team: 'group:default/applied-ml',
          from: '2026-10-21T11:00:00.000Z',
          to: '2026-11-20T11:00:00.000Z',
          costs: [
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
        title: "A team's GPU cost in October 2026",
        input: {
          team: 'group:default/data-science',
          from: '2026-10-01',
          to: '2026-11-01',
        },
      },
    ],
    action: async ({ input }) => {
      const team = canonicalRef(input.team, 'Group');
      const summary = await costStore.costSummary({
        ...costWindow(input, now),
        groupBy: 'team',
      });
      return {
        output: {
          team,
          from: isoOf(summary.from),
          to: isoOf(summary.to),
          costs: summary.groups
            .filter(g => sameEntityRef(g.key, team))
            .map(costFigures),
          basis: {
            utilization: summary.basis.utilization,
            tokens: summary.basis.tokens,
          },
        },
      };
    },
  });

  const teamQuotaSchema = (z: Zod) =>
    z.object({
      team: z.string(),
      quota: z.number(),
      baseline: z.number().optional(),
      overridden: z.boolean(),
      used: z.number(),
      free: z.number(),
    });

  actionsRegistry.register({
    name: 'get-gpu-pool-capacity',
    title: 'GPU pool capacity',
    description:
      "A GPU pool's capacity (spec.gpu.count), the GPUs allocated to endpoints (their worst case: gpusPerReplica x maxReplicas), the GPUs free, and each team's quota and usage on it.",
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          pool: z
            .string()
            .describe(
              'GpuPool entity ref, e.g. gpupool:default/h100-inference',
            ),
        }),
      output: z =>
        z.object({
          pool: z.string(),
          cluster: z.string(),
          capacity: z.number(),
          used: z.number(),
          free: z.number(),
          teams: z.array(teamQuotaSchema(z)),
        }),
    },
    examples: [
      {
        title: 'Capacity and team quotas of the L4 pool',
        input: { pool: 'gpupool:default/l4-inference' },
        output: {
          pool: 'gpupool:default/l4-inference',
          cluster: 'gpu-eu-west',
          capacity: 16,
          used: 7,
          free: 9,
          teams: [
            {
              team: 'group:default/applied-ml',
              quota: 12,
              baseline: 12,
              overridden: false,
              used: 7,
              free: 5,
            },
            {
              team: 'group:default/data-science',
              quota: 4,
              baseline: 4,
              overridden: false,
              used: 0,
              free: 4,
            },
          ],
        },
      },
    ],
    action: async ({ input }) => {
      const [pool] = await quotas.overview({
        pool: canonicalRef(input.pool, 'GpuPool'),
      });
      return {
        output: {
          pool: pool.pool,
          cluster: pool.cluster,
          capacity: pool.capacity,
          used: pool.used,
          free: pool.free,
          teams: pool.teams.map(t => ({
            team: t.team,
            quota: t.quota,
            baseline: t.baseline,
            overridden: t.override !== undefined,
            used: t.used,
            free: t.free,
          })),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-team-quota-headroom',
    title: 'Team GPU quota headroom',
    description:
      "A team's GPU quota, usage and free GPUs on every pool where it has a quota or runs endpoints, with each pool's free capacity (a placement needs both).",
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          team: z
            .string()
            .describe('Group entity ref, e.g. group:default/applied-ml'),
        }),
      output: z =>
        z.object({
          team: z.string(),
          pools: z.array(
            z.object({
              pool: z.string(),
              quota: z.number(),
              used: z.number(),
              free: z.number(),
              poolFree: z.number(),
              canPlace: z
                .number()
                .describe('GPUs the team can place now: min(free, poolFree)'),
            }),
          ),
        }),
    },
    examples: [
      {
        title: 'Where can Applied ML place more GPUs?',
        input: { team: 'group:default/applied-ml' },
        output: {
          team: 'group:default/applied-ml',
          pools: [
            {
              pool: 'gpupool:default/h100-inference',
              quota: 16,
              used: 12,
              free: 4,
              poolFree: 18,
              canPlace: 4,
            },
            {
              pool: 'gpupool:default/l4-inference',
              quota: 12,
              used: 7,
              free: 5,
              poolFree: 9,
              canPlace: 5,
            },
          ],
        },
      },
    ],
    action: async ({ input }) => {
      const team = canonicalRef(input.team, 'Group');
      const pools = await quotas.overview({ team });
      return {
        output: {
          team,
          pools: pools.flatMap(p =>
            p.teams.map(t => ({
              pool: p.pool,
              quota: t.quota,
              used: t.used,
              free: t.free,
              poolFree: p.free,
              canPlace: Math.min(t.free, p.free),
            })),
          ),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-model-gate-status',
    title: 'Model version gate status',
    description:
      'Evaluates a model version against its eval gates (spec.evaluation.gates of the Model): pass, fail or missing per gate, with the score, the thresholds, the production baseline and any override. A missing score counts as failing for promotion to production.',
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          model: z
            .string()
            .describe(
              'Model entity ref, e.g. model:default/llama-3-1-8b-instruct',
            ),
          version: z
            .string()
            .describe('Version name from the Model spec.versions, e.g. v2'),
        }),
      output: z =>
        z.object({
          passed: z
            .boolean()
            .describe('Whether every gate passed or is overridden'),
          productionVersion: z.string().optional(),
          gates: z.array(
            z.object({
              task: z.string(),
              metric: z.string(),
              status: z.enum(['pass', 'fail', 'missing']),
              passed: z.boolean(),
              value: z.number().optional(),
              min: z.number().optional(),
              max: z.number().optional(),
              maxRegression: z.number().optional(),
              baselineValue: z.number().optional(),
              overridden: z.boolean(),
              reasons: z.array(z.string()),
            }),
          ),
        }),
    },
    examples: [
      {
        title: 'May Llama 3.1 8B v2 go to production?',
        description:
          'Two gates pass; ifeval has no score yet, which blocks a promotion.',
        input: { model: 'model:default/llama-3-1-8b-instruct', version: 'v2' },
        output: {
          passed: false,
          productionVersion: 'v1',
          gates: [
            {
              task: 'mmlu',
              metric: 'acc',
              status: 'pass',
              passed: true,
              value: 0.681,
              min: 0.66,
              overridden: false,
              reasons: [],
            },
            {
              task: 'gsm8k',
              metric: 'exact_match,strict-match',
              status: 'pass',
              passed: true,
              value: 0.7695,
              min: 0.75,
              overridden: false,
              reasons: [],
            },
            {
              task: 'ifeval',
              metric: 'prompt_level_strict_acc',
              status: 'missing',
              passed: false,
              maxRegression: 0.02,
              baselineValue: 0.78,
              overridden: false,
              reasons: [
                'no score for ifeval prompt_level_strict_acc in version v2',
              ],
            },
          ],
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const status = await evals.gateStatus(
        input.model,
        input.version,
        credentials,
      );
      return {
        output: {
          passed: status.passed,
          productionVersion: status.productionVersion,
          gates: status.gates.map(g => ({
            task: g.task,
            metric: g.metric,
            status: g.status,
            passed: g.passed,
            value: g.value,
            min: g.min,
            max: g.max,
            maxRegression: g.maxRegression,
            baselineValue: g.baselineValue,
            overridden: g.overridden !== undefined,
            reasons: g.reasons,
          })),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-model-eval-scores',
    title: 'Latest eval scores of a model version',
    description:
      'The newest score per task and metric posted for a model version (from CI or the portal), with standard error, few-shot count and when it was posted.',
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          model: z
            .string()
            .describe('Model entity ref, e.g. model:default/bge-m3'),
          version: z.string().describe('Version name, e.g. v1'),
        }),
      output: z =>
        z.object({
          scores: z.array(
            z.object({
              task: z.string(),
              metric: z.string(),
              value: z.number(),
              stderr: z.number().optional(),
              numFewshot: z.number().optional(),
              postedAt: z.string(),
            }),
          ),
        }),
    },
    examples: [
      {
        title: 'Latest scores of Llama 3.1 8B v1',
        input: { model: 'model:default/llama-3-1-8b-instruct', version: 'v1' },
        output: {
          scores: [
            {
              task: 'gsm8k',
              metric: 'exact_match,strict-match',
              value: 0.7695,
              stderr: 0.0116,
              numFewshot: 5,
              postedAt: '2026-11-01T08:30:00.000Z',
            },
            {
              task: 'mmlu',
              metric: 'acc',
              value: 0.681,
              stderr: 0.0037,
              numFewshot: 0,
              postedAt: '2026-11-01T08:30:00.000Z',
            },
          ],
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const scores = await evals.latestScores(
        input.model,
        input.version,
        credentials,
      );
      return {
        output: {
          scores: scores.map(s => ({
            task: s.task,
            metric: s.metric,
            value: s.value,
            stderr: s.stderr,
            numFewshot: s.numFewshot,
            postedAt: s.postedAt,
          })),
        },
      };
    },
  });

  if (deployments) {
    actionsRegistry.register({
      name: 'get-endpoint-deployment-status',
      title: 'Inference endpoint running version and deployment status',
      description:
        'What an InferenceEndpoint runs now: the model version of its last applied deployment (the records are the truth; it may differ from the catalog YAML after a promote), ready replicas, pods and recent Kubernetes events where its cluster is configured, and its latest deployment revisions with their outcome.',
      attributes: READ_ONLY,
      schema: {
        input: z =>
          z.object({
            endpoint: z
              .string()
              .describe(
                'InferenceEndpoint entity ref, e.g. inferenceendpoint:default/chat-assistant-prod',
              ),
          }),
        output: z =>
          z.object({
            endpoint: z.string(),
            cluster: z.string(),
            namespace: z.string(),
            catalogModelVersion: z.string(),
            runningModelVersion: z
              .string()
              .optional()
              .describe('Absent when the portal never deployed it'),
            runningRevision: z.number().optional(),
            clusterConfigured: z.boolean(),
            error: z.string().optional(),
            readyReplicas: z.number().optional(),
            replicas: z.number().optional(),
            pods: z.array(
              z.object({
                name: z.string(),
                phase: z.string(),
                ready: z.boolean(),
                restarts: z.number(),
                reason: z.string().optional(),
              }),
            ),
            warnings: z
              .array(z.string())
              .describe('Recent Warning events: reason and message'),
            recentDeployments: z.array(
              z.object({
                revision: z.number(),
                operation: z.string(),
                state: z.string(),
                modelVersion: z.string(),
                requestedBy: z.string(),
                createdAt: z.string(),
                error: z.string().optional(),
              }),
            ),
          }),
      },
      examples: [
        {
          title: 'What does the production chat assistant run?',
          description:
            'A promote to v2 ran; one of the new replicas cannot be scheduled.',
          input: { endpoint: 'inferenceendpoint:default/chat-assistant-prod' },
          output: {
            endpoint: 'inferenceendpoint:default/chat-assistant-prod',
            cluster: 'gpu-eu-west',
            namespace: 'chat',
            catalogModelVersion: 'v1',
            runningModelVersion: 'v2',
            runningRevision: 3,
            clusterConfigured: true,
            readyReplicas: 1,
            replicas: 2,
            pods: [
              {
                name: 'chat-assistant-prod-7c9f8d6b5-2xkqp',
                phase: 'Running',
                ready: true,
                restarts: 0,
              },
              {
                name: 'chat-assistant-prod-7c9f8d6b5-9wz4m',
                phase: 'Pending',
                ready: false,
                restarts: 0,
                reason: 'Unschedulable',
              },
            ],
            warnings: [
              'FailedScheduling: 0/4 nodes are available: 4 Insufficient nvidia.com/gpu.',
            ],
            recentDeployments: [
              {
                revision: 3,
                operation: 'promote',
                state: 'succeeded',
                modelVersion: 'v2',
                requestedBy: 'user:default/guest',
                createdAt: '2026-11-18T09:05:12.000Z',
              },
              {
                revision: 2,
                operation: 'deploy',
                state: 'succeeded',
                modelVersion: 'v1',
                requestedBy: 'user:default/guest',
                createdAt: '2026-11-02T14:21:03.000Z',
              },
            ],
          },
        },
      ],
      action: async ({ input, credentials }) => {
        const status = await deployments.status({
          credentials,
          endpointRef: input.endpoint,
        });
        const history = await deployments.list({
          endpointRef: status.endpointRef,
          limit: 5,
        });
        return {
          output: {
            endpoint: status.endpointRef,
            cluster: status.cluster,
            namespace: status.namespace,
            catalogModelVersion: status.catalogModelVersion,
            runningModelVersion: status.runningModelVersion,
            runningRevision: status.runningRevision,
            clusterConfigured: status.clusterConfigured,
            error: status.error,
            readyReplicas: status.deployment?.readyReplicas,
            replicas: status.deployment?.replicas,
            pods: status.pods,
            warnings: status.events
              .filter(e => e.type === 'Warning')
              .map(e => `${e.reason}: ${e.message}`),
            recentDeployments: history.map(r => ({
              revision: r.revision,
              operation: r.operation,
              state: r.state,
              modelVersion: r.modelVersion,
              requestedBy: r.requestedBy,
              createdAt: r.createdAt,
              ...(r.error
                ? { error: `${r.error.check}: ${r.error.message}` }
                : {}),
            })),
          },
        };
      },
    });

    registerTeamEndpointsAction({
      actionsRegistry,
      catalog,
      costStore,
      deployments,
      now,
    });
  }

  registerSizeModelForPoolAction({ actionsRegistry, catalog });
}
