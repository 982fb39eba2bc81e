import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import { endpointDeployPermission } from '@internal/plugin-ai-platform-common';
import { aiPlatformPermissionRules } from '@internal/plugin-ai-platform-node';
import {
  allPermissions,
  examplePlan,
  fakeRun,
  STAGING,
} from '../__testUtils__/fakeRun';
import { permissionCheck } from './permissionCheck';
import type { DeploymentDependencies } from './types';

/** An endpoint not in the catalog, owned by `owner`. */
function posted(owner: string): Entity {
  return {
    apiVersion: 'ai-platform.io/v1alpha1',
    kind: 'InferenceEndpoint',
    metadata: { name: 'new-chat', namespace: 'default' },
    spec: {
      type: 'vllm',
      owner,
      lifecycle: 'experimental',
      model: 'model:default/llama-3-1-8b-instruct',
      modelVersion: 'v2',
      gpuPool: 'gpupool:default/l4-inference',
      namespace: 'chat-staging',
      runtime: { image: 'vllm/vllm-openai:v0.10.1', maxModelLen: 8192 },
      resources: { gpusPerReplica: 1, replicas: 1 },
    },
  };
}

type Condition = { rule: string; params: Record<string, unknown> };

/**
 * A policy that answers a conditional decision: every condition given must
 * hold (IS_OWNER with the caller's claims, and any others).
 */
function conditionalPermissions(
  ...conditions: Condition[]
): DeploymentDependencies['permissions'] {
  const criteria = conditions.map(c => ({
    ...c,
    resourceType: 'ai-platform-endpoint',
  }));
  const decision = {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'ai-platform',
    resourceType: 'ai-platform-endpoint',
    conditions: criteria.length === 1 ? criteria[0] : { allOf: criteria },
  } as PolicyDecision;
  return {
    authorize: async () => {
      throw new Error('the deploy decides conditional decisions itself');
    },
    authorizeConditional: async requests => requests.map(() => decision),
  };
}

const BOB_CLAIMS = ['user:default/bob', 'group:default/applied-ml'];
const isOwner = (claims = BOB_CLAIMS): Condition => ({
  rule: 'IS_OWNER',
  params: { claims },
});
const isInOwnedNamespace = (claims = BOB_CLAIMS): Condition => ({
  rule: 'IS_IN_OWNED_NAMESPACE',
  params: { claims },
});

/** Namespace owners as the cluster would say: every namespace owned by `owners`. */
function namespaceOwners(
  owners: string[] | undefined,
): DeploymentDependencies['namespaceOwners'] {
  return {
    ownership: async (cluster, namespace) => ({
      cluster,
      namespace,
      ...(owners ? { owners } : {}),
      sources: owners ? ['cluster'] : [],
      system: false,
    }),
  };
}

const registry: DeploymentDependencies['permissionsRegistry'] = {
  getPermissionRuleset: (() => ({
    getRuleByName: (name: string) => {
      const rule = Object.values(aiPlatformPermissionRules.endpoint).find(
        r => r.name === name,
      );
      if (!rule) throw new Error(`no rule ${name}`);
      return rule;
    },
  })) as unknown as DeploymentDependencies['permissionsRegistry']['getPermissionRuleset'],
};

describe('permissionCheck', () => {
  it('passes when the policy allows deploying, without reading the namespace', async () => {
    const asked: unknown[] = [];
    const run = fakeRun({
      plan: await examplePlan(),
      deps: {
        permissions: {
          ...allPermissions(AuthorizeResult.ALLOW),
          authorizeConditional: async requests => {
            asked.push(...requests);
            return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
          },
        },
      },
    });
    expect(await permissionCheck.run(run)).toEqual({
      status: 'passed',
      message: 'ai-platform.endpoint.deploy granted',
    });
    expect(asked).toEqual([{ permission: endpointDeployPermission }]);
  });

  it('refuses with a NotAllowedError naming the actor, the permission, the owner and the pool', async () => {
    const run = fakeRun({
      plan: await examplePlan(),
      call: { credentials: mockCredentials.user('user:default/carol') },
      deps: { permissions: allPermissions(AuthorizeResult.DENY) },
    });
    const outcome = await permissionCheck.run(run);
    expect(outcome).toMatchObject({
      status: 'failed',
      message: `user:default/carol may not deploy ${STAGING} (permission ai-platform.endpoint.deploy, decided for owner group:default/applied-ml on pool gpupool:default/l4-inference)`,
    });
    expect(outcome.refusal).toBeInstanceOf(NotAllowedError);
    expect(outcome.refusal?.message).toBe(outcome.message);
  });

  it('decides an endpoint in the catalog on its entity, and one not in the catalog on the owner in the request', async () => {
    const deps = {
      permissions: conditionalPermissions(isOwner()),
      permissionsRegistry: registry,
      namespaceOwners: namespaceOwners(['group:default/applied-ml']),
    };
    const catalogEndpoint = fakeRun({ plan: await examplePlan(), deps });
    expect(catalogEndpoint.plan.inCatalog).toBe(true);
    expect((await permissionCheck.run(catalogEndpoint)).status).toBe('passed');

    const mine = fakeRun({
      plan: await examplePlan({ endpoint: posted('group:default/applied-ml') }),
      deps,
    });
    expect(mine.plan.inCatalog).toBe(false);
    expect((await permissionCheck.run(mine)).status).toBe('passed');

    const theirs = fakeRun({
      plan: await examplePlan({
        endpoint: posted('group:default/data-science'),
      }),
      deps,
    });
    const outcome = await permissionCheck.run(theirs);
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'decided for owner group:default/data-science on pool gpupool:default/l4-inference',
    );
    expect(outcome.refusal).toBeInstanceOf(NotAllowedError);
  });

  it('decides an endpoint not in the catalog on the pool in the request', async () => {
    const run = fakeRun({
      plan: await examplePlan({ endpoint: posted('group:default/applied-ml') }),
      deps: {
        permissions: conditionalPermissions(isOwner(), {
          rule: 'IS_ON_POOL',
          params: { pools: ['gpupool:default/l4-dev-timesliced'] },
        }),
        permissionsRegistry: registry,
        namespaceOwners: namespaceOwners(['group:default/applied-ml']),
      },
    });
    expect((await permissionCheck.run(run)).status).toBe('failed');
  });

  it('decides on the owners of the namespace the objects go to (IS_IN_OWNED_NAMESPACE)', async () => {
    const run = (owners: string[] | undefined) =>
      examplePlan().then(plan =>
        fakeRun({
          plan,
          deps: {
            permissions: conditionalPermissions(
              isOwner(),
              isInOwnedNamespace(),
            ),
            permissionsRegistry: registry,
            namespaceOwners: namespaceOwners(owners),
          },
        }),
      );
    expect(
      (await permissionCheck.run(await run(['group:default/applied-ml'])))
        .status,
    ).toBe('passed');

    const othersNamespace = await permissionCheck.run(
      await run(['group:default/data-science']),
    );
    expect(othersNamespace.status).toBe('failed');
    expect(othersNamespace.message).toContain(
      'into namespace chat-staging on cluster gpu-eu-west (owned by group:default/data-science)',
    );
    // A namespace no source names an owner of is nobody's.
    const unowned = await permissionCheck.run(await run(undefined));
    expect(unowned.message).toContain('(no verifiable owner)');
    expect(unowned.refusal).toBeInstanceOf(NotAllowedError);
  });

  it('lets a policy open a namespace to a team (IS_IN_NAMESPACE)', async () => {
    const run = fakeRun({
      plan: await examplePlan(),
      deps: {
        permissions: conditionalPermissions(isOwner(), {
          rule: 'IS_IN_NAMESPACE',
          params: { namespaces: ['gpu-eu-west/chat-staging'] },
        }),
        permissionsRegistry: registry,
        // Owned by another team; the policy says Applied ML may deploy there.
        namespaceOwners: namespaceOwners(['group:default/data-science']),
      },
    });
    expect((await permissionCheck.run(run)).status).toBe('passed');
  });
});
