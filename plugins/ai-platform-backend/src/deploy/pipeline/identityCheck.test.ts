import { ConflictError } from '@backstage/errors';
import { examplePlan, fakeRun, STAGING } from '../__testUtils__/fakeRun';
import type { EndpointIdentity } from '../tenancy/EndpointIdentities';
import { identityCheck } from './identityCheck';

/** A catalog in which `endpoints` use every name asked about. */
function identities(endpoints: EndpointIdentity[]) {
  const asked: unknown[] = [];
  return {
    asked,
    endpointsNamed: async (options: unknown) => {
      asked.push(options);
      return endpoints;
    },
  };
}

describe('identityCheck', () => {
  it('passes when no other catalog endpoint uses the names, asking about the cluster, namespace and name', async () => {
    const catalog = identities([
      { endpointRef: STAGING, owner: 'group:default/applied-ml' },
    ]);
    const outcome = await identityCheck.run(
      fakeRun({ plan: await examplePlan(), deps: { identities: catalog } }),
    );
    expect(outcome).toEqual({
      status: 'passed',
      message:
        'chat-staging/chat-assistant-staging on cluster gpu-eu-west is used by no other endpoint of the catalog',
    });
    expect(catalog.asked).toEqual([
      {
        cluster: 'gpu-eu-west',
        namespace: 'chat-staging',
        name: 'chat-assistant-staging',
      },
    ]);
  });

  it('refuses (409) an endpoint whose names another catalog endpoint uses, naming it and its owner', async () => {
    const plan = await examplePlan({
      endpoint: {
        ...(await examplePlan()).endpoint,
        metadata: {
          name: 'chat-assistant-staging',
          namespace: 'takeover-x',
        },
      },
    });
    expect(plan.inCatalog).toBe(false);
    const outcome = await identityCheck.run(
      fakeRun({
        plan,
        deps: {
          identities: identities([
            { endpointRef: STAGING, owner: 'group:default/applied-ml' },
          ]),
        },
      }),
    );
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toBe(
      'inferenceendpoint:takeover-x/chat-assistant-staging would deploy as chat-staging/chat-assistant-staging on cluster gpu-eu-west, the Kubernetes name of inferenceendpoint:default/chat-assistant-staging (owner group:default/applied-ml) in the catalog. Choose another backstage.io/kubernetes-id annotation or spec.namespace.',
    );
    expect(outcome.refusal).toBeInstanceOf(ConflictError);
  });
});
