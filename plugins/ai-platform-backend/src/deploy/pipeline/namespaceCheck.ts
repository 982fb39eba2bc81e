import { NotAllowedError } from '@backstage/errors';
import { ANNOTATION_NAMESPACE_OWNERS } from '@internal/plugin-ai-platform-common';
import { describeNamespace, targetNamespace } from './targetNamespace';
import type { DeploymentStep } from './types';

/**
 * 3. Namespace. The objects go into one namespace, which is not a system
 * namespace (kube-*, default and `aiPlatform.deploy.systemNamespaces`: no
 * policy can lift that) and whose owners a source the platform team
 * controls names: the Namespace's `ai-platform.io/owners` annotation, or
 * `aiPlatform.deploy.namespaces` in config when the cluster cannot say.
 * Whether the caller's team is an owner is the permission decision's (rule
 * IS_IN_OWNED_NAMESPACE), so that a policy can change it.
 */
export const namespaceCheck: DeploymentStep = {
  name: 'namespace',
  async run(run) {
    const { plan } = run;
    const refuse = (message: string) => ({
      status: 'failed' as const,
      message,
      refusal: new NotAllowedError(message),
    });
    const namespace = await targetNamespace(run);
    if (!namespace) {
      return refuse(
        `${plan.endpointRef} names no spec.namespace: the portal deploys only into a namespace the endpoint names and its team owns`,
      );
    }
    const elsewhere = plan.manifests.find(
      m => m.metadata.namespace !== namespace.namespace,
    );
    if (elsewhere) {
      return refuse(
        `${elsewhere.kind}/${elsewhere.metadata.name} is in namespace ${elsewhere.metadata.namespace}, not ${namespace.namespace}: an endpoint's objects go into one namespace`,
      );
    }
    if (namespace.system) {
      return refuse(
        `namespace ${namespace.namespace} is a system namespace (kube-*, default and aiPlatform.deploy.systemNamespaces): the portal never deploys into it`,
      );
    }
    if (!namespace.owners) {
      let cluster = `the Namespace has no ${ANNOTATION_NAMESPACE_OWNERS} annotation`;
      if (namespace.clusterError) {
        cluster = `the cluster could not be asked (${namespace.clusterError})`;
      } else if (namespace.missing) {
        cluster = `the namespace does not exist on cluster ${namespace.cluster}`;
      }
      return refuse(
        `cannot verify who owns namespace ${namespace.namespace} on cluster ${namespace.cluster}: ${cluster}, and aiPlatform.deploy.namespaces.${namespace.cluster} does not name its owners. Ask the platform team to annotate the Namespace or map it in config.`,
      );
    }
    if (namespace.missing) {
      return {
        status: 'failed',
        message: `namespace ${namespace.namespace} does not exist on cluster ${
          namespace.cluster
        } (config names its owners: ${namespace.owners.join(
          ', ',
        )}); ask the platform team to create it`,
      };
    }
    return {
      status: 'passed',
      message: `${describeNamespace(namespace)}, from ${namespace.sources
        .map(s => (s === 'cluster' ? 'the Namespace annotation' : 'config'))
        .join(' and ')}${
        namespace.clusterError
          ? ` (the cluster could not be asked: ${namespace.clusterError})`
          : ''
      }`,
      details: {
        cluster: namespace.cluster,
        namespace: namespace.namespace,
        owners: namespace.owners,
        sources: namespace.sources,
      },
    };
  },
};
