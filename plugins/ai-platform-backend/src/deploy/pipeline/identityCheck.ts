import { ConflictError } from '@backstage/errors';
import { namespaceNameOf } from './targetNamespace';
import type { DeploymentStep } from './types';

/**
 * 2. Endpoint identity. An endpoint's Kubernetes objects are named by its
 * `backstage.io/kubernetes-id` annotation (or its name), which its authors
 * choose; the names must be unique per namespace of a cluster across the
 * catalog's namespaces. Another catalog endpoint that deploys under the
 * same names into the same namespace of the same cluster refuses the call
 * (409): it would apply over that endpoint's workload.
 */
export const identityCheck: DeploymentStep = {
  name: 'identity',
  async run(run) {
    const { plan, deps } = run;
    const cluster = plan.pool.spec.cluster;
    const namespace = namespaceNameOf(plan);
    const name =
      plan.manifests.find(m => m.kind === 'Deployment')?.metadata.name ??
      plan.rendered?.name;
    if (!namespace || !name) {
      return {
        status: 'skipped',
        message: 'nothing to compare: the endpoint was not rendered',
      };
    }
    const others = (
      await deps.identities.endpointsNamed({ cluster, namespace, name })
    ).filter(e => e.endpointRef !== plan.endpointRef);
    if (!others.length) {
      return {
        status: 'passed',
        message: `${namespace}/${name} on cluster ${cluster} is used by no other endpoint of the catalog`,
      };
    }
    const taken = others
      .map(o => `${o.endpointRef}${o.owner ? ` (owner ${o.owner})` : ''}`)
      .join(', ');
    const message = `${plan.endpointRef} would deploy as ${namespace}/${name} on cluster ${cluster}, the Kubernetes name of ${taken} in the catalog. Choose another backstage.io/kubernetes-id annotation or spec.namespace.`;
    return { status: 'failed', message, refusal: new ConflictError(message) };
  },
};
