import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CanaryStatus } from '@internal/plugin-ai-platform-common';
import type express from 'express';
import { z } from 'zod';
import { actorOf } from '../audit/AuditLog';
import type { DeploymentService } from '../deploy/DeploymentService';
import type { RouteContext } from './routeContext';
import { nonEmpty, parseInput, reasonSchema } from './validate';

const endpointParams = z.object({ namespace: nonEmpty, name: nonEmpty });
const optionalReason = z.object({ reason: reasonSchema.optional() }).strict();
const requiredReason = z.object({ reason: reasonSchema }).strict();

type CanaryAction = 'advance' | 'approve' | 'abort';

/**
 * The canary routes (docs/canary.md): the status of an endpoint's canary,
 * and advance (skip a timed pause), approve (pass a manual step) and abort
 * (all traffic back to stable). Each action needs the promote's permission
 * `ai-platform.endpoint.deploy` on the endpoint (decided as for a promote)
 * and goes through the mutation helper: one audit record per call
 * (`endpoint.canary.advance`, `.approve`, `.abort`), success or refusal.
 */
export function addCanaryRoutes(
  router: express.Router,
  options: RouteContext & { deployments: DeploymentService },
) {
  const { deployments, credentialsOf, mutations } = options;

  const endpointRefOf = (req: express.Request) => {
    const { namespace, name } = parseInput(
      endpointParams,
      req.params,
      'params',
    );
    return stringifyEntityRef({ kind: 'InferenceEndpoint', namespace, name });
  };

  router.get('/endpoints/:namespace/:name/canary', async (req, res) => {
    const credentials = await credentialsOf(req);
    const { canaries, endpointRef } = await deployments.canaryFor({
      credentials,
      endpointRef: endpointRefOf(req),
    });
    res.json(await canaries.status(endpointRef));
  });

  const action = (name: CanaryAction) => {
    router.post(
      `/endpoints/:namespace/:name/canary/${name}`,
      async (req, res) => {
        const status = await mutations.run<
          { endpointRef: string; reason?: string },
          undefined,
          CanaryStatus
        >(req, {
          action: `endpoint.canary.${name}`,
          parse: r => ({
            endpointRef: endpointRefOf(r),
            ...parseInput(
              name === 'abort' ? requiredReason : optionalReason,
              r.body ?? {},
              'body',
            ),
          }),
          describe: input => ({
            target: input.endpointRef,
            request: input.reason ? { reason: input.reason } : {},
            severityLevel: 'high',
          }),
          authorize: async (input, credentials) => {
            await deployments.canaryFor({
              credentials,
              endpointRef: input.endpointRef,
              authorize: name,
            });
          },
          run: async (input, { credentials }) => {
            const { canaries, endpointRef } = await deployments.canaryFor({
              credentials,
              endpointRef: input.endpointRef,
            });
            const actor = actorOf(credentials);
            if (name === 'advance') {
              return canaries.advance(endpointRef, actor, input.reason);
            }
            if (name === 'approve') {
              return canaries.approve(endpointRef, actor, input.reason);
            }
            return canaries.abort(endpointRef, actor, input.reason!);
          },
          facts: after => ({
            deploymentId: after.deploymentId,
            revision: after.revision,
            stepIndex: after.stepIndex,
            weight: after.steps[after.stepIndex]?.weight ?? null,
            phase: after.phase,
          }),
        });
        res.json(status);
      },
    );
  };
  action('advance');
  action('approve');
  action('abort');
}
