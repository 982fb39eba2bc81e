import {
  AI_PLATFORM_ENDPOINT_RESOURCE_TYPE,
  AI_PLATFORM_MODEL_RESOURCE_TYPE,
  AI_PLATFORM_TEAM_RESOURCE_TYPE,
  canonicalEntityRef,
} from '@internal/plugin-ai-platform-common';
import {
  type PermissionResourceRef,
  createConditionExports,
  createPermissionResourceRef,
  createPermissionRule,
} from '@backstage/plugin-permission-node';
import { z } from 'zod';

/**
 * The Kubernetes namespace an endpoint deploys into, and who owns it: the
 * Group refs of the Namespace's `ai-platform.io/owners` annotation and of
 * `aiPlatform.deploy.namespaces` in config. `owners` is undefined when
 * neither source could say.
 */
export type AiPlatformNamespaceResource = {
  cluster: string;
  name: string;
  owners?: string[];
};

/**
 * The resource an owner-scoped ai-platform permission is decided on: the
 * entity ref of the endpoint, model or team, its owner (for an endpoint or
 * model) as an entity ref, and for an endpoint the GpuPool it runs on and
 * the namespace it deploys into (with that namespace's owners, loaded
 * before the decision). For an endpoint not yet in the catalog, owner, pool
 * and namespace are the ones in the request.
 */
export type AiPlatformOwnedResource = {
  entityRef: string;
  owner?: string;
  pool?: string;
  namespace?: AiPlatformNamespaceResource;
};

/** Queries are not used: these permissions are decided one resource at a time. */
export type AiPlatformResourceQuery = never;

function normalize(ref: string, defaultKind: string): string {
  try {
    return canonicalEntityRef(ref, { defaultKind });
  } catch {
    return ref.toLocaleLowerCase('en-US');
  }
}

const claimsSchema = z.object({
  claims: z
    .array(z.string())
    .describe(
      'Entity refs of the user and the groups they belong to (ownershipEntityRefs)',
    ),
});

function makeResourceRef<T extends string>(resourceType: T) {
  return createPermissionResourceRef<
    AiPlatformOwnedResource,
    AiPlatformResourceQuery
  >().with({ pluginId: 'ai-platform', resourceType });
}

/** Permission resource of InferenceEndpoints (`ai-platform.endpoint.deploy`). */
export const endpointResourceRef = makeResourceRef(
  AI_PLATFORM_ENDPOINT_RESOURCE_TYPE,
);
/** Permission resource of Models (`ai-platform.eval.write`). */
export const modelResourceRef = makeResourceRef(
  AI_PLATFORM_MODEL_RESOURCE_TYPE,
);
/** Permission resource of teams (`ai-platform.quota.request`). */
export const teamResourceRef = makeResourceRef(AI_PLATFORM_TEAM_RESOURCE_TYPE);

function ownerRule<T extends string>(
  resourceRef: PermissionResourceRef<
    AiPlatformOwnedResource,
    AiPlatformResourceQuery,
    T
  >,
) {
  return createPermissionRule({
    name: 'IS_OWNER',
    description:
      'Allow when the resource is owned by the user or one of their groups',
    resourceRef,
    paramsSchema: claimsSchema,
    apply: (resource, { claims }) =>
      !!resource.owner &&
      claims
        .map(c => normalize(c, 'Group'))
        .includes(normalize(resource.owner, 'Group')),
    toQuery: () => {
      throw new Error('IS_OWNER is decided per resource, not as a query');
    },
  });
}

const onPoolRule = createPermissionRule({
  name: 'IS_ON_POOL',
  description: 'Allow when the endpoint runs on one of the given GpuPools',
  resourceRef: endpointResourceRef,
  paramsSchema: z.object({
    pools: z
      .array(z.string())
      .describe('Entity refs of the GpuPools (a bare name is a GpuPool)'),
  }),
  apply: (resource, { pools }) =>
    !!resource.pool &&
    pools
      .map(p => normalize(p, 'GpuPool'))
      .includes(normalize(resource.pool, 'GpuPool')),
  toQuery: () => {
    throw new Error('IS_ON_POOL is decided per resource, not as a query');
  },
});

const inOwnedNamespaceRule = createPermissionRule({
  name: 'IS_IN_OWNED_NAMESPACE',
  description:
    'Allow when the endpoint deploys into a Kubernetes namespace owned by the user or one of their groups (the Namespace annotation ai-platform.io/owners, or aiPlatform.deploy.namespaces in config)',
  resourceRef: endpointResourceRef,
  paramsSchema: claimsSchema,
  apply: (resource, { claims }) => {
    const owners = resource.namespace?.owners;
    if (!owners?.length) return false;
    const mine = new Set(claims.map(c => normalize(c, 'Group')));
    return owners.some(o => mine.has(normalize(o, 'Group')));
  },
  toQuery: () => {
    throw new Error(
      'IS_IN_OWNED_NAMESPACE is decided per resource, not as a query',
    );
  },
});

const inNamespaceRule = createPermissionRule({
  name: 'IS_IN_NAMESPACE',
  description:
    'Allow when the endpoint deploys into one of the given Kubernetes namespaces (`name` in any cluster, or `cluster/name`)',
  resourceRef: endpointResourceRef,
  paramsSchema: z.object({
    namespaces: z
      .array(z.string())
      .describe('Namespace names, or cluster/name for one cluster only'),
  }),
  apply: (resource, { namespaces }) => {
    const ns = resource.namespace;
    if (!ns) return false;
    return namespaces.some(
      n => n === ns.name || n === `${ns.cluster}/${ns.name}`,
    );
  },
  toQuery: () => {
    throw new Error('IS_IN_NAMESPACE is decided per resource, not as a query');
  },
});

const teamMemberRule = createPermissionRule({
  name: 'IS_TEAM_MEMBER',
  description: 'Allow when the user is a member of the team',
  resourceRef: teamResourceRef,
  paramsSchema: claimsSchema,
  apply: (resource, { claims }) =>
    claims
      .map(c => normalize(c, 'Group'))
      .includes(normalize(resource.entityRef, 'Group')),
  toQuery: () => {
    throw new Error('IS_TEAM_MEMBER is decided per resource, not as a query');
  },
});

/** Rules of each resource type, registered by the ai-platform backend. */
export const aiPlatformPermissionRules = {
  endpoint: {
    isOwner: ownerRule(endpointResourceRef),
    isOnPool: onPoolRule,
    isInOwnedNamespace: inOwnedNamespaceRule,
    isInNamespace: inNamespaceRule,
  },
  model: { isOwner: ownerRule(modelResourceRef) },
  team: { isTeamMember: teamMemberRule },
};

/** Conditions a permission policy returns for endpoint permissions. */
export const endpointPermissionConditions = createConditionExports({
  resourceRef: endpointResourceRef,
  rules: aiPlatformPermissionRules.endpoint,
});
/** Conditions a permission policy returns for model permissions. */
export const modelPermissionConditions = createConditionExports({
  resourceRef: modelResourceRef,
  rules: aiPlatformPermissionRules.model,
});
/** Conditions a permission policy returns for team permissions. */
export const teamPermissionConditions = createConditionExports({
  resourceRef: teamResourceRef,
  rules: aiPlatformPermissionRules.team,
});
