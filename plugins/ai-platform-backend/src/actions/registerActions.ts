import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { EvalService } from '../evals/EvalService';
import { canonicalRef } from '../quotas/FleetSource';
import type { QuotaService } from '../quotas/QuotaService';
import type { CostStore } from '../cost/types';
import { ISO_INSTANT, windowOf } from '../service/costRoutes';
import { InputError } from '@backstage/errors';
import type { DeploymentService } from '../deploy/DeploymentService';

/**
 * Read-only actions for AI assistants, served by the MCP actions backend:
 * a model version's gate status and its latest eval scores, a GPU pool's
 * capacity, a team's quota headroom and cost, and what an endpoint runs.
 */
export function registerActions(options: {
  actionsRegistry: ActionsRegistryService;
  evals: EvalService;
  quotas: QuotaService;
  costStore: CostStore;
  deployments?: DeploymentService;
  now?: () => Date;
}) {
  const { actionsRegistry, evals, quotas, costStore, deployments } = options;
  const now = options.now ?? (() => new Date());

  actionsRegistry.register({
    name: 'get-team-gpu-cost',
    title: 'Team GPU cost for a window',
    description:
      "A team's GPU cost for a window (default: the last 30 days), per currency: GPU-hours, cost (GPU-hours x the pool price), idle cost where utilisation is known, tokens and cost per 1M tokens, and the basis of the numbers (allocation alone, or with utilisation and token counts from Prometheus).",
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          team: z
            .string()
            .describe('Group entity ref, e.g. group:default/applied-ml'),
          from: z
            .string()
            .optional()
            .describe('ISO date, e.g. 2026-10-01 (default: 30 days before to)'),
          to: z
            .string()
            .optional()
            .describe('ISO date, exclusive (default: now)'),
        }),
      output: z =>
        z.object({
          team: z.string(),
          from: z.string(),
          to: z.string(),
          costs: z.array(
            z.object({
              currency: z.string(),
              cost: z.number(),
              gpuHours: z.number(),
              idleCost: z.number(),
              tokens: z.number(),
              costPerMillionTokens: z.number().optional(),
            }),
          ),
          basis: z.object({
            utilization: z.enum(['none', 'partial', 'full']),
            tokens: z.enum(['none', 'partial', 'full']),
          }),
        }),
    },
    action: async ({ input }) => {
      const team = canonicalRef(input.team, 'Group');
      const seconds = (iso: string, field: string) => {
        const t = Date.parse(iso);
        if (!ISO_INSTANT.test(iso) || Number.isNaN(t)) {
          throw new InputError(
            `${field} must be an ISO date or a date-time with Z or an offset`,
          );
        }
        return Math.floor(t / 1000);
      };
      const { from, to } = windowOf(
        {
          from: input.from ? seconds(input.from, 'from') : undefined,
          to: input.to ? seconds(input.to, 'to') : undefined,
        },
        now,
      );
      const summary = await costStore.costSummary({
        from,
        to,
        groupBy: 'team',
      });
      return {
        output: {
          team,
          from: new Date(summary.from * 1000).toISOString(),
          to: new Date(summary.to * 1000).toISOString(),
          costs: summary.groups
            .filter(g => g.key === team)
            .map(g => ({
              currency: g.currency,
              cost: g.cost,
              gpuHours: g.gpuHours,
              idleCost: g.idleCost,
              tokens: g.tokens,
              costPerMillionTokens: g.costPerMillionTokens,
            })),
          basis: {
            utilization: summary.basis.utilization,
            tokens: summary.basis.tokens,
          },
        },
      };
    },
  });

  const teamQuotaSchema = (z: any) =>
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
    attributes: { readOnly: true, idempotent: true, destructive: false },
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
    attributes: { readOnly: true, idempotent: true, destructive: false },
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
    attributes: { readOnly: true, idempotent: true, destructive: false },
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
    attributes: { readOnly: true, idempotent: true, destructive: false },
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
      attributes: { readOnly: true, idempotent: true, destructive: false },
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
  }
}
