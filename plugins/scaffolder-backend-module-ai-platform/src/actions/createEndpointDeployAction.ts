import type { AuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import type {
  DeploymentEvent,
  DeploymentRecord,
} from '@internal/plugin-ai-platform-common';
import type { AiPlatformClient } from '@internal/plugin-ai-platform-node';
import { describeError } from './describeError';
import { examples } from './createEndpointDeployAction.examples';
import { initiatorToken } from './initiatorToken';
import { endpointInputSchema, readEndpointInput } from './readEndpointInput';
import { yamlStream } from './yamlStream';

/** One log line for a deployment event. */
export function formatDeploymentEvent(event: DeploymentEvent): string {
  return `${event.object ? `[${event.object}] ` : ''}${event.message}`;
}

/** The rendered objects of a dry-run or check-only record, as multi-document YAML. */
export function manifestsYaml(record: DeploymentRecord): string | undefined {
  if (!record.manifests?.length) return undefined;
  return yamlStream(record.manifests);
}

/**
 * What a final record means for the person who ran the template, in one
 * paragraph; on a cluster the demo simulates (`simulatedClusters`), it says
 * so.
 */
export function summarizeDeployment(
  record: DeploymentRecord,
  options: { simulatedClusters?: string[] } = {},
): string {
  const summary = summarizeOutcome(record);
  return options.simulatedClusters?.includes(record.cluster)
    ? `${summary} Cluster ${record.cluster} is SIMULATED (the demo's fake Kubernetes API server with simulated GPU nodes): nothing runs on a real GPU.`
    : summary;
}

function summarizeOutcome(record: DeploymentRecord): string {
  const what = `${record.endpointRef} revision ${record.revision} (${record.modelRef} ${record.modelVersion} on ${record.poolRef}, cluster ${record.cluster}, namespace ${record.namespace})`;
  const objects = record.objects.map(o => `${o.kind}/${o.name}`).join(', ');
  switch (record.state) {
    case 'succeeded':
      return `Deployed ${what}: ${objects} applied and the rollout finished.`;
    case 'unchanged':
      return `${what}: the cluster already runs exactly this; nothing was changed.`;
    case 'dry-run':
      return `Dry run of ${what}: the checks passed and the cluster accepted ${objects} (dryRun=All). Nothing was reserved or applied.`;
    case 'check-only': {
      const apply = record.checks.find(c => c.name === 'apply');
      return `Check-only: NOTHING WAS APPLIED to cluster ${
        record.cluster
      }. The checks ran and the objects were rendered (${objects}) for ${what}. ${(
        apply?.message ?? ''
      ).replace(/^Nothing was applied: /, '')}`.trim();
    }
    case 'failed':
      return `Deployment of ${what} failed at the ${
        record.error?.check ?? 'unknown'
      } check: ${record.error?.message ?? 'no message'}${
        record.error?.object ? ` (object ${record.error.object})` : ''
      }${
        record.error?.cause ? `; the cluster said: ${record.error.cause}` : ''
      }`;
    default:
      return `${what} is ${record.state}.`;
  }
}

/**
 * `ai-platform:endpoint:deploy`: deploys an InferenceEndpoint through
 * `POST /api/ai-platform/deployments` as the user who runs the template
 * (permission, eval gates, quota, capacity, server-side apply, rollout), and
 * logs the deployment's events while it runs. The POST sits in a checkpoint,
 * so a retried task follows the same deployment instead of starting another.
 * A check-only result (the pool's cluster is not configured or not reachable)
 * does not fail the task; its output says plainly that nothing was applied.
 */
export function createEndpointDeployAction(options: {
  client: AiPlatformClient;
  auth: AuthService;
  /** How often to read the deployment record. @default 2000 */
  pollIntervalMs?: number;
  /** Clusters the demo simulates (`aiPlatform.demo.simulatedClusters`): the output says so. */
  simulatedClusters?: string[];
}) {
  const { client, auth } = options;
  return createTemplateAction({
    id: 'ai-platform:endpoint:deploy',
    description:
      'Deploys an InferenceEndpoint to its GPU pool through the ai-platform deployment service, as the user who runs the template, and follows the rollout',
    examples,
    schema: {
      input: {
        ...endpointInputSchema,
        dryRun: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Check and let the cluster validate the objects (dryRun=All); reserve and apply nothing',
            ),
        reason: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'Why: kept in the audit record; required with overrideGates',
            ),
        overrideGates: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Deploy although an eval gate fails or has no result (needs the ai-platform.gate.override permission and a reason)',
            ),
        timeoutMinutes: z =>
          z
            .number()
            .gt(0)
            .optional()
            .describe(
              'How long to follow the deployment before failing the step (default 30); the deployment itself goes on',
            ),
      },
      output: {
        deploymentId: z =>
          z
            .string()
            .describe(
              'The deployment record id (GET /api/ai-platform/deployments/{id})',
            ),
        revision: z =>
          z.number().describe("The endpoint's deployment revision"),
        state: z =>
          z
            .string()
            .describe(
              'Final state: succeeded, unchanged, dry-run or check-only (failed fails the step)',
            ),
        applied: z =>
          z
            .boolean()
            .describe(
              'Whether this deployment changed the cluster (state succeeded)',
            ),
        cluster: z => z.string().describe("The pool's cluster"),
        message: z =>
          z
            .string()
            .describe(
              'What happened, in plain words; for check-only it says that nothing was applied and which cluster config is missing or unreachable',
            ),
        manifests: z =>
          z
            .string()
            .optional()
            .describe(
              'On a dry run or check-only run: the rendered Kubernetes objects that would be applied, as multi-document YAML',
            ),
      },
    },
    async handler(ctx) {
      const { dryRun, reason, overrideGates, timeoutMinutes } = ctx.input;
      if (overrideGates && !reason) {
        throw new InputError(
          'reason: overrideGates needs a reason, kept with each gate override',
        );
      }
      const { endpoint, endpointRef } = await readEndpointInput({
        input: ctx.input,
        workspacePath: ctx.workspacePath,
      });
      const token = await initiatorToken({ ctx, auth });

      // A retried task finds the deployment it started here and follows it.
      // A task resumed after a crash between the backend accepting the
      // deploy and the checkpoint being saved sends the same idempotency key
      // again, and the backend answers the first deployment's record.
      const idempotencyKey = `scaffolder:${ctx.task.id}:${
        ctx.step?.id ?? 'deploy'
      }${dryRun ? ':dry-run' : ''}`;
      const deploymentId = await ctx.checkpoint({
        key: `ai-platform.deploy.${endpointRef}${dryRun ? '.dry-run' : ''}`,
        fn: async () => {
          try {
            const record = await client.deploy(
              {
                endpoint,
                idempotencyKey,
                ...(dryRun ? { dryRun } : {}),
                ...(reason ? { reason } : {}),
                ...(overrideGates ? { overrideGates } : {}),
              },
              { token },
            );
            return record.id;
          } catch (error) {
            throw new InputError(
              `Cannot deploy ${endpointRef}: ${describeError(error)}`,
            );
          }
        },
      });
      ctx.logger.info(
        `Deployment ${deploymentId} of ${endpointRef} started; following its events`,
      );

      const record = await client.waitForDeployment({
        id: deploymentId,
        token,
        pollIntervalMs: options.pollIntervalMs,
        timeoutMs: (timeoutMinutes ?? 30) * 60_000,
        signal: ctx.signal,
        onEvent: event => {
          const line = formatDeploymentEvent(event);
          if (event.level === 'error') ctx.logger.error(line);
          else if (event.level === 'warning') ctx.logger.warn(line);
          else ctx.logger.info(line);
        },
      });

      const message = summarizeDeployment(record, {
        simulatedClusters: options.simulatedClusters,
      });
      if (record.state === 'failed') {
        throw new Error(message);
      }
      if (record.state === 'check-only') {
        ctx.logger.warn(message);
      } else {
        ctx.logger.info(message);
      }
      const manifests = manifestsYaml(record);
      if (manifests) {
        ctx.logger.info(
          `The rendered objects${
            record.state === 'check-only' ? ' (not applied)' : ' (dry run)'
          }:\n${manifests}`,
        );
        ctx.output('manifests', manifests);
      }
      ctx.output('deploymentId', record.id);
      ctx.output('revision', record.revision);
      ctx.output('state', record.state);
      ctx.output('applied', record.state === 'succeeded');
      ctx.output('cluster', record.cluster);
      ctx.output('message', message);
    },
  });
}
