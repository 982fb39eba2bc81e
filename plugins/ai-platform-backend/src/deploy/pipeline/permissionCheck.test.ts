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

/** A policy that answers a conditional decision: the caller's groups own it, on the given pools. */
function conditionalPermissions(options: {
  claims: string[];
  pools?: string[];
}): DeploymentDependencies['permissions'] {
  const isOwner = {
    rule: 'IS_OWNER',
    resourceType: 'ai-platform-endpoint',
    params: { claims: options.claims },
  };
  const decision: PolicyDecision = {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'ai-platform',
    resourceType: 'ai-platform-endpoint',
    conditions: options.pools
      ? {
          allOf: [
            isOwner,
            {
              rule: 'IS_ON_POOL',
              resourceType: 'ai-platform-endpoint',
              params: { pools: options.pools },
            },
          ],
        }
      : isOwner,
  };
  return {
    authorize: async () => {
      throw new Error(
        'an endpoint not in the catalog is decided conditionally',
      );
    },
    authorizeConditional: async requests => requests.map(() => decision),
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
  it('passes when the policy allows deploying the endpoint in the catalog, asked about that endpoint', async () => {
    const asked: unknown[] = [];
    const run = fakeRun({
      plan: await examplePlan(),
      deps: {
        permissions: {
          ...allPermissions(AuthorizeResult.ALLOW),
          authorize: async requests => {
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
    expect(asked).toEqual([
      { permission: endpointDeployPermission, resourceRef: STAGING },
    ]);
  });

  it('refuses with a NotAllowedError naming the actor and the permission', async () => {
    const run = fakeRun({
      plan: await examplePlan(),
      call: { credentials: mockCredentials.user('user:default/carol') },
      deps: { permissions: allPermissions(AuthorizeResult.DENY) },
    });
    const outcome = await permissionCheck.run(run);
    expect(outcome).toMatchObject({
      status: 'failed',
      message: `user:default/carol may not deploy ${STAGING} (permission ai-platform.endpoint.deploy)`,
    });
    expect(outcome.refusal).toBeInstanceOf(NotAllowedError);
    expect(outcome.refusal?.message).toBe(outcome.message);
  });

  it('decides an endpoint not in the catalog on the owner group in the request', async () => {
    const mine = fakeRun({
      plan: await examplePlan({ endpoint: posted('group:default/applied-ml') }),
      deps: {
        permissions: conditionalPermissions({
          claims: ['user:default/bob', 'group:default/applied-ml'],
        }),
        permissionsRegistry: registry,
      },
    });
    expect(mine.plan.inCatalog).toBe(false);
    expect((await permissionCheck.run(mine)).status).toBe('passed');

    const theirs = fakeRun({
      plan: await examplePlan({
        endpoint: posted('group:default/data-science'),
      }),
      deps: {
        permissions: conditionalPermissions({
          claims: ['user:default/bob', 'group:default/applied-ml'],
        }),
        permissionsRegistry: registry,
      },
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
        permissions: conditionalPermissions({
          claims: ['group:default/applied-ml'],
          pools: ['gpupool:default/l4-dev-timesliced'],
        }),
        permissionsRegistry: registry,
      },
    });
    expect((await permissionCheck.run(run)).status).toBe('failed');
  });
});
