import { objectName } from '../kube/KubernetesClusterClient';
import {
  applyObjects,
  lastAppliedObjects,
  unappliedObject,
} from './applyObjects';
import type { DeploymentStep } from './types';

/**
 * 5. Server-side apply of the objects to the pool's cluster, in order.
 * Without a configured cluster (or, when `unreachableClusters` is
 * `check-only`, a cluster that does not answer) nothing is applied and the
 * deployment ends check-only. A failed apply puts the GPU reservation back
 * and names the object; what was applied before it stays, and a re-run
 * converges. A dry run and an apply that changed nothing end here.
 */
export const applyStep: DeploymentStep = {
  name: 'apply',
  async run(run) {
    const { plan, dryRun, deps, progress, target } = run;
    if ('notConfigured' in target) {
      return {
        status: 'skipped',
        message: `Nothing was applied: ${target.notConfigured}. The checks ran and the objects were rendered; add the cluster to kubernetes.clusterLocatorMethods to deploy.`,
        end: { state: 'check-only', skipRest: 'nothing was applied' },
      };
    }
    const { cluster } = target;
    await progress.setState('applying');
    await progress.announce();
    const client = deps.clients.client(cluster);
    const result = await applyObjects({
      client,
      manifests: plan.manifests,
      dryRun,
      // An admin's adoption takes the objects' fields over.
      force: deps.deploy.forceConflicts || Boolean(run.adopting),
      lastApplied: await lastAppliedObjects({
        store: deps.store,
        endpointRef: plan.endpointRef,
        exceptId: progress.id,
      }),
      onApplied: async (objects, object) => {
        const name = `${object.kind}/${object.name}`;
        await progress.setObjects(objects);
        await progress.event(
          'info',
          `${dryRun ? 'dry run: ' : ''}${name} ${object.action}`,
          name,
        );
      },
    });
    if ('error' in result) {
      const { error, failedIndex } = result;
      const failed = plan.manifests[failedIndex];
      await run.restoreReservation();
      const objects = [
        ...result.objects,
        ...plan.manifests.slice(failedIndex).map(unappliedObject),
      ];
      if (
        error.unreachable &&
        failedIndex === 0 &&
        deps.deploy.unreachableClusters === 'check-only'
      ) {
        return {
          status: 'skipped',
          message: `Nothing was applied: cluster ${cluster.name} (${cluster.url}) could not be reached: ${error.clusterMessage}. The GPUs reserved above were released.`,
          objects,
          end: { state: 'check-only', skipRest: 'nothing was applied' },
        };
      }
      const before = result.objects.length
        ? ` (${result.objects
            .map(o => `${o.kind}/${o.name}`)
            .join(', ')} applied before it; a re-run converges)`
        : '';
      return {
        status: 'failed',
        message: `${error.message}${before}`,
        details: { object: objectName(failed), status: error.status },
        objects,
        error: {
          object: objectName(failed),
          cause: error.status
            ? `HTTP ${error.status}: ${error.clusterMessage}`
            : error.clusterMessage,
        },
      };
    }
    const { objects } = result;
    run.applied = { client, objects };
    const changed = objects.filter(o => o.action !== 'unchanged').length;
    const message = `${dryRun ? 'the cluster accepted' : 'applied'} ${
      objects.length
    } objects${dryRun ? ' (dryRun=All): ' : ': '}${changed} ${
      dryRun ? 'would change' : 'changed'
    }`;
    if (dryRun) {
      return {
        status: 'passed',
        message,
        objects,
        end: { state: 'dry-run', skipRest: 'a dry run does not roll out' },
      };
    }
    if (changed === 0) {
      return {
        status: 'passed',
        message,
        objects,
        end: {
          state: 'unchanged',
          skipRest: 'nothing changed, so there is nothing to roll out',
        },
      };
    }
    return { status: 'passed', message };
  },
};
