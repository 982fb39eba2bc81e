import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { EvalService } from '../evals/EvalService';
import { canonicalRef } from '../quotas/FleetSource';
import type { QuotaService } from '../quotas/QuotaService';

/**
 * Read-only actions for AI assistants, served by the MCP actions backend:
 * a model version's gate status and its latest eval scores, a GPU pool's
 * capacity, and a team's quota headroom.
 */
export function registerActions(options: {
  actionsRegistry: ActionsRegistryService;
  evals: EvalService;
  quotas: QuotaService;
}) {
  const { actionsRegistry, evals, quotas } = options;

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
}
