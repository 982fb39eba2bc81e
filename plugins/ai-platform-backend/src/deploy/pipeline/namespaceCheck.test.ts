import { NotAllowedError } from '@backstage/errors';
import { examplePlan, fakeRun } from '../__testUtils__/fakeRun';
import type { NamespaceOwnership } from '../tenancy/NamespaceOwners';
import { namespaceCheck } from './namespaceCheck';
import type { DeploymentDependencies } from './types';

function owners(
  answer: Partial<NamespaceOwnership>,
): DeploymentDependencies['namespaceOwners'] {
  return {
    ownership: async (cluster, namespace) => ({
      cluster,
      namespace,
      sources: [],
      system: false,
      ...answer,
    }),
  };
}

const run = async (answer: Partial<NamespaceOwnership>) =>
  namespaceCheck.run(
    fakeRun({
      plan: await examplePlan(),
      deps: { namespaceOwners: owners(answer) },
    }),
  );

describe('namespaceCheck', () => {
  it('passes a namespace whose owners a source names, saying which', async () => {
    expect(
      await run({
        owners: ['group:default/applied-ml'],
        sources: ['cluster', 'config'],
      }),
    ).toEqual({
      status: 'passed',
      message:
        'namespace chat-staging on cluster gpu-eu-west (owned by group:default/applied-ml), from the Namespace annotation and config',
      details: {
        cluster: 'gpu-eu-west',
        namespace: 'chat-staging',
        owners: ['group:default/applied-ml'],
        sources: ['cluster', 'config'],
      },
    });
  });

  it('says when config decided because the cluster could not be asked', async () => {
    const outcome = await run({
      owners: ['group:default/applied-ml'],
      sources: ['config'],
      clusterError: 'connect ECONNREFUSED',
    });
    expect(outcome.status).toBe('passed');
    expect(outcome.message).toContain(
      'from config (the cluster could not be asked: connect ECONNREFUSED)',
    );
  });

  it('refuses a system namespace, whoever owns it', async () => {
    const outcome = await run({
      owners: ['group:default/applied-ml'],
      sources: ['config'],
      system: true,
    });
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toBe(
      'namespace chat-staging is a system namespace (kube-*, default and aiPlatform.deploy.systemNamespaces): the portal never deploys into it',
    );
    expect(outcome.refusal).toBeInstanceOf(NotAllowedError);
  });

  it.each([
    [
      'the Namespace has no annotation',
      {},
      'the Namespace has no ai-platform.io/owners annotation',
    ],
    [
      'the cluster cannot be asked',
      { clusterError: 'connect ECONNREFUSED' },
      'the cluster could not be asked (connect ECONNREFUSED)',
    ],
    [
      'the namespace does not exist',
      { missing: true },
      'the namespace does not exist on cluster gpu-eu-west',
    ],
  ])(
    'refuses a namespace nobody can be verified to own when %s',
    async (_name, answer, why) => {
      const outcome = await run(answer);
      expect(outcome.status).toBe('failed');
      expect(outcome.message).toBe(
        `cannot verify who owns namespace chat-staging on cluster gpu-eu-west: ${why}, and aiPlatform.deploy.namespaces.gpu-eu-west does not name its owners. Ask the platform team to annotate the Namespace or map it in config.`,
      );
      expect(outcome.refusal).toBeInstanceOf(NotAllowedError);
    },
  );

  it('fails a namespace config names but the cluster does not have', async () => {
    const outcome = await run({
      owners: ['group:default/applied-ml'],
      sources: ['config'],
      missing: true,
    });
    expect(outcome).toEqual({
      status: 'failed',
      message:
        'namespace chat-staging does not exist on cluster gpu-eu-west (config names its owners: group:default/applied-ml); ask the platform team to create it',
    });
  });

  it('refuses objects spread over more than one namespace', async () => {
    const plan = await examplePlan();
    plan.manifests = [
      plan.manifests[0],
      {
        ...plan.manifests[1],
        metadata: { ...plan.manifests[1].metadata, namespace: 'kube-system' },
      },
    ];
    const outcome = await namespaceCheck.run(
      fakeRun({
        plan,
        deps: { namespaceOwners: owners({ owners: ['group:default/x'] }) },
      }),
    );
    expect(outcome.message).toBe(
      "Deployment/chat-assistant-staging is in namespace kube-system, not chat-staging: an endpoint's objects go into one namespace",
    );
  });
});
