import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
  isPermission,
  type Permission,
  type PermissionCondition,
  type PermissionCriteria,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  AI_PLATFORM_ENDPOINT_RESOURCE_TYPE,
  AI_PLATFORM_MODEL_RESOURCE_TYPE,
  AI_PLATFORM_TEAM_RESOURCE_TYPE,
  aiPlatformPermissions,
  auditReadPermission,
  budgetManagePermission,
  costReadPermission,
  endpointAdoptPermission,
  endpointDeployPermission,
  evalWritePermission,
  gateOverridePermission,
  quotaManagePermission,
  quotaRequestPermission,
} from '@internal/plugin-ai-platform-common';
import {
  type AiPlatformOwnedResource,
  aiPlatformPermissionRules,
  endpointPermissionConditions,
} from '@internal/plugin-ai-platform-node';
import {
  AiPlatformPermissionPolicy,
  normalizeEntityRef,
} from './AiPlatformPermissionPolicy';

function makeUser(
  userEntityRef: string,
  groups: string[],
): PolicyQueryUser & { claims: string[] } {
  const ownershipEntityRefs = [userEntityRef, ...groups];
  return {
    credentials: mockCredentials.user(userEntityRef),
    info: { userEntityRef, ownershipEntityRefs },
    claims: ownershipEntityRefs,
  };
}

/** Member of the platform admin group. */
const admin = makeUser('user:default/alice', ['group:default/ml-platform']);
/** Member of applied-ml, which owns the endpoint, the model and is the team. */
const owner = makeUser('user:default/bob', ['group:default/applied-ml']);
/** Member of another team only. */
const member = makeUser('user:default/carol', [
  'group:default/search-relevance',
]);

type UserName = 'admin' | 'owner' | 'member' | 'anonymous';
const users: Record<UserName, PolicyQueryUser | undefined> = {
  admin,
  owner,
  member,
  anonymous: undefined,
};

/** The resources the owner-scoped permissions are decided on. */
const endpoint: AiPlatformOwnedResource = {
  entityRef: 'inferenceendpoint:default/ranker-prod',
  owner: 'group:default/applied-ml',
  namespace: {
    cluster: 'gpu-us-east',
    name: 'ranking',
    owners: ['group:default/applied-ml'],
  },
};
const model: AiPlatformOwnedResource = {
  entityRef: 'model:default/ranker',
  owner: 'group:default/applied-ml',
};
const team: AiPlatformOwnedResource = {
  entityRef: 'group:default/applied-ml',
};

const defaultPolicy = () =>
  new AiPlatformPermissionPolicy({
    platformAdmins: ['group:default/ml-platform'],
    costReaders: 'everyone',
    auditReaders: [],
  });

type Expected =
  | AuthorizeResult.ALLOW
  | AuthorizeResult.DENY
  | {
      rules: Array<'IS_OWNER' | 'IS_TEAM_MEMBER' | 'IS_IN_OWNED_NAMESPACE'>;
      resourceType: string;
    };

const ALLOW = AuthorizeResult.ALLOW;
const DENY = AuthorizeResult.DENY;
const endpointOwner: Expected = {
  rules: ['IS_OWNER', 'IS_IN_OWNED_NAMESPACE'],
  resourceType: AI_PLATFORM_ENDPOINT_RESOURCE_TYPE,
};
const modelOwner: Expected = {
  rules: ['IS_OWNER'],
  resourceType: AI_PLATFORM_MODEL_RESOURCE_TYPE,
};
const teamMember: Expected = {
  rules: ['IS_TEAM_MEMBER'],
  resourceType: AI_PLATFORM_TEAM_RESOURCE_TYPE,
};

/** The decision table of the default policy: permission x user. */
const table: Array<[Permission, Record<UserName, Expected>]> = [
  [
    endpointDeployPermission,
    {
      admin: ALLOW,
      owner: endpointOwner,
      member: endpointOwner,
      anonymous: DENY,
    },
  ],
  [
    quotaManagePermission,
    { admin: ALLOW, owner: DENY, member: DENY, anonymous: DENY },
  ],
  [
    quotaRequestPermission,
    { admin: ALLOW, owner: teamMember, member: teamMember, anonymous: DENY },
  ],
  [
    budgetManagePermission,
    { admin: ALLOW, owner: DENY, member: DENY, anonymous: DENY },
  ],
  [
    evalWritePermission,
    { admin: ALLOW, owner: modelOwner, member: modelOwner, anonymous: DENY },
  ],
  [
    gateOverridePermission,
    { admin: ALLOW, owner: DENY, member: DENY, anonymous: DENY },
  ],
  [
    endpointAdoptPermission,
    { admin: ALLOW, owner: DENY, member: DENY, anonymous: DENY },
  ],
  [
    costReadPermission,
    { admin: ALLOW, owner: ALLOW, member: ALLOW, anonymous: DENY },
  ],
  [
    auditReadPermission,
    { admin: ALLOW, owner: DENY, member: DENY, anonymous: DENY },
  ],
];

/**
 * Evaluates a decision's conditions against a resource, as the permission
 * framework does: allOf, anyOf, not, and each rule of -node.
 */
function applyCondition(
  conditions: PermissionCriteria<PermissionCondition>,
  resource: AiPlatformOwnedResource,
): boolean {
  if ('allOf' in conditions) {
    return conditions.allOf.every(c => applyCondition(c, resource));
  }
  if ('anyOf' in conditions) {
    return conditions.anyOf.some(c => applyCondition(c, resource));
  }
  if ('not' in conditions) {
    return !applyCondition(conditions.not, resource);
  }
  const params = conditions.params as any;
  const rules = {
    [AI_PLATFORM_ENDPOINT_RESOURCE_TYPE]: aiPlatformPermissionRules.endpoint,
    [AI_PLATFORM_MODEL_RESOURCE_TYPE]: aiPlatformPermissionRules.model,
    [AI_PLATFORM_TEAM_RESOURCE_TYPE]: aiPlatformPermissionRules.team,
  }[conditions.resourceType];
  const rule = Object.values(rules ?? {}).find(r => r.name === conditions.rule);
  if (!rule) {
    throw new Error(`Unknown rule ${conditions.rule}`);
  }
  return (rule.apply as (r: unknown, p: unknown) => boolean)(resource, params);
}

function expectedDecision(
  expected: Expected,
  user: PolicyQueryUser | undefined,
): PolicyDecision {
  if (typeof expected !== 'object') {
    return { result: expected };
  }
  const criteria = expected.rules.map(rule => ({
    resourceType: expected.resourceType,
    rule,
    params: { claims: user!.info.ownershipEntityRefs },
  }));
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'ai-platform',
    resourceType: expected.resourceType,
    conditions: (criteria.length === 1
      ? criteria[0]
      : { allOf: criteria }) as PermissionCriteria<PermissionCondition>,
  };
}

function resourceOf(resourceType: string): AiPlatformOwnedResource {
  switch (resourceType) {
    case AI_PLATFORM_ENDPOINT_RESOURCE_TYPE:
      return endpoint;
    case AI_PLATFORM_MODEL_RESOURCE_TYPE:
      return model;
    default:
      return team;
  }
}

describe('AiPlatformPermissionPolicy', () => {
  it('covers every ai-platform permission in the table', () => {
    expect(table.map(([p]) => p.name).sort()).toEqual(
      aiPlatformPermissions.map(p => p.name).sort(),
    );
  });

  describe.each(table.map(([p, e]) => [p.name, p, e] as const))(
    '%s',
    (_name, permission, expectations) => {
      it.each(Object.entries(expectations) as Array<[UserName, Expected]>)(
        `${permission.name} for %s`,
        async (userName, expected) => {
          const user = users[userName];
          const decision = await defaultPolicy().handle({ permission }, user);

          expect(decision).toEqual(expectedDecision(expected, user));

          // For conditional decisions: the owner (member of applied-ml)
          // passes the condition on the applied-ml resource; the member of
          // search-relevance does not. Not applicable to ALLOW/DENY.
          const passes =
            decision.result === AuthorizeResult.CONDITIONAL
              ? applyCondition(
                  decision.conditions,
                  resourceOf(decision.resourceType),
                )
              : 'n/a';
          expect(passes).toBe(
            typeof expected === 'object' ? userName === 'owner' : 'n/a',
          );
        },
      );
    },
  );

  describe('conditions applied to resources', () => {
    const conditionalPermissions = [
      endpointDeployPermission,
      evalWritePermission,
      quotaRequestPermission,
    ];

    it.each(conditionalPermissions.map(p => [p.name, p] as const))(
      '%s: owner passes, member does not; the reverse on another team resource',
      async (_name, permission) => {
        const policy = defaultPolicy();
        const ownerDecision = await policy.handle({ permission }, owner);
        const memberDecision = await policy.handle({ permission }, member);
        if (
          ownerDecision.result !== AuthorizeResult.CONDITIONAL ||
          memberDecision.result !== AuthorizeResult.CONDITIONAL
        ) {
          throw new Error('Expected conditional decisions');
        }
        const resource = resourceOf(permission.resourceType!);
        expect(applyCondition(ownerDecision.conditions, resource)).toBe(true);
        expect(applyCondition(memberDecision.conditions, resource)).toBe(false);

        // A resource of another team passes the member, not the owner.
        const other: AiPlatformOwnedResource =
          permission === quotaRequestPermission
            ? { entityRef: 'group:default/search-relevance' }
            : {
                ...resource,
                owner: 'group:default/search-relevance',
                ...(resource.namespace
                  ? {
                      namespace: {
                        ...resource.namespace,
                        owners: ['group:default/search-relevance'],
                      },
                    }
                  : {}),
              };
        expect(applyCondition(ownerDecision.conditions, other)).toBe(false);
        expect(applyCondition(memberDecision.conditions, other)).toBe(true);
      },
    );

    it('an endpoint or model without an owner passes nobody', async () => {
      const decision = await defaultPolicy().handle(
        { permission: endpointDeployPermission },
        owner,
      );
      if (decision.result !== AuthorizeResult.CONDITIONAL) {
        throw new Error('Expected a conditional decision');
      }
      expect(
        applyCondition(decision.conditions, { entityRef: endpoint.entityRef }),
      ).toBe(false);
    });
  });

  describe('namespaces', () => {
    it("refuses the owner an endpoint into another team's namespace, or one nobody owns", async () => {
      const decision = await defaultPolicy().handle(
        { permission: endpointDeployPermission },
        owner,
      );
      if (decision.result !== AuthorizeResult.CONDITIONAL) {
        throw new Error('Expected a conditional decision');
      }
      const into = (owners?: string[]) => ({
        ...endpoint,
        namespace: { cluster: 'gpu-us-east', name: 'support', owners },
      });
      expect(applyCondition(decision.conditions, into())).toBe(false);
      expect(
        applyCondition(
          decision.conditions,
          into(['group:default/data-science']),
        ),
      ).toBe(false);
      expect(
        applyCondition(
          decision.conditions,
          into(['group:default/data-science', 'group:default/applied-ml']),
        ),
      ).toBe(true);
    });

    it("lets an adopter's policy open a namespace to a team through IS_IN_NAMESPACE", async () => {
      // An adopter's policy: Applied ML may also deploy into the shared
      // sandbox namespace of gpu-us-east, whoever owns it.
      class AdopterPolicy extends AiPlatformPermissionPolicy {
        async handle(request: PolicyQuery, user?: PolicyQueryUser) {
          const decision = await super.handle(request, user);
          if (
            decision.result !== AuthorizeResult.CONDITIONAL ||
            !isPermission(request.permission, endpointDeployPermission) ||
            !user?.info.ownershipEntityRefs.includes('group:default/applied-ml')
          ) {
            return decision;
          }
          const claims = user.info.ownershipEntityRefs;
          return endpointPermissionConditions.createConditionalDecision(
            request.permission,
            {
              anyOf: [
                decision.conditions as PermissionCriteria<
                  PermissionCondition<'ai-platform-endpoint'>
                >,
                {
                  allOf: [
                    endpointPermissionConditions.conditions.isOwner({ claims }),
                    endpointPermissionConditions.conditions.isInNamespace({
                      namespaces: ['gpu-us-east/shared-sandbox'],
                    }),
                  ],
                },
              ],
            },
          );
        }
      }
      const policy = new AdopterPolicy({
        platformAdmins: ['group:default/ml-platform'],
        costReaders: 'everyone',
        auditReaders: [],
      });
      const sandbox = {
        ...endpoint,
        namespace: {
          cluster: 'gpu-us-east',
          name: 'shared-sandbox',
          owners: ['group:default/ml-platform'],
        },
      };
      const ownersDecision = await policy.handle(
        { permission: endpointDeployPermission },
        owner,
      );
      const defaultDecision = await defaultPolicy().handle(
        { permission: endpointDeployPermission },
        owner,
      );
      if (
        ownersDecision.result !== AuthorizeResult.CONDITIONAL ||
        defaultDecision.result !== AuthorizeResult.CONDITIONAL
      ) {
        throw new Error('Expected conditional decisions');
      }
      expect(applyCondition(defaultDecision.conditions, sandbox)).toBe(false);
      expect(applyCondition(ownersDecision.conditions, sandbox)).toBe(true);
      // The same namespace on another cluster stays closed.
      expect(
        applyCondition(ownersDecision.conditions, {
          ...sandbox,
          namespace: { ...sandbox.namespace, cluster: 'gpu-eu-west' },
        }),
      ).toBe(false);
      // And the team's own namespaces stay open.
      expect(applyCondition(ownersDecision.conditions, endpoint)).toBe(true);
    });
  });

  describe('permissions of other plugins', () => {
    const catalogRead = createPermission({
      name: 'catalog.entity.read',
      attributes: { action: 'read' },
    });
    const catalogDelete = createPermission({
      name: 'catalog.entity.delete',
      attributes: { action: 'delete' },
      resourceType: 'catalog-entity',
    });

    it.each(
      (Object.keys(users) as UserName[]).flatMap(u => [
        [catalogRead.name, u, catalogRead] as const,
        [catalogDelete.name, u, catalogDelete] as const,
      ]),
    )('allows %s for %s', async (_name, userName, permission) => {
      const policy = new AiPlatformPermissionPolicy({
        platformAdmins: [],
        costReaders: [],
        auditReaders: [],
      });
      await expect(
        policy.handle({ permission }, users[userName]),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    });
  });

  describe('unknown ai-platform permissions', () => {
    const unknown = createPermission({
      name: 'ai-platform.something.new',
      attributes: { action: 'update' },
    });

    it.each([
      ['owner', DENY],
      ['member', DENY],
      ['anonymous', DENY],
      ['admin', ALLOW],
    ] as const)(
      '%s: %s (fail closed, admins may do everything)',
      async (userName, result) => {
        await expect(
          defaultPolicy().handle({ permission: unknown }, users[userName]),
        ).resolves.toEqual({ result });
      },
    );

    it('does not treat a permission named like ai-platform but not prefixed with it as ai-platform', async () => {
      const other = createPermission({
        name: 'ai-platformx.thing',
        attributes: {},
      });
      await expect(
        defaultPolicy().handle({ permission: other }, undefined),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    });
  });

  describe('config variants', () => {
    async function decide(
      policy: AiPlatformPermissionPolicy,
      permission: Permission,
      user: PolicyQueryUser | undefined,
    ) {
      return (await policy.handle({ permission }, user)).result;
    }

    it('costReaders everyone: every signed-in user reads cost, anonymous does not', async () => {
      const policy = new AiPlatformPermissionPolicy({
        platformAdmins: ['group:default/ml-platform'],
        costReaders: 'everyone',
        auditReaders: [],
      });
      expect(await decide(policy, costReadPermission, admin)).toBe(ALLOW);
      expect(await decide(policy, costReadPermission, owner)).toBe(ALLOW);
      expect(await decide(policy, costReadPermission, member)).toBe(ALLOW);
      expect(await decide(policy, costReadPermission, undefined)).toBe(DENY);
    });

    it('costReaders list: only listed groups (and admins) read cost', async () => {
      const policy = new AiPlatformPermissionPolicy({
        platformAdmins: ['group:default/ml-platform'],
        costReaders: ['group:default/applied-ml'],
        auditReaders: [],
      });
      expect(await decide(policy, costReadPermission, admin)).toBe(ALLOW);
      expect(await decide(policy, costReadPermission, owner)).toBe(ALLOW);
      expect(await decide(policy, costReadPermission, member)).toBe(DENY);
      expect(await decide(policy, costReadPermission, undefined)).toBe(DENY);
    });

    it('costReaders list can name a user', async () => {
      const policy = new AiPlatformPermissionPolicy({
        platformAdmins: [],
        costReaders: ['user:default/carol'],
        auditReaders: [],
      });
      expect(await decide(policy, costReadPermission, member)).toBe(ALLOW);
      expect(await decide(policy, costReadPermission, owner)).toBe(DENY);
    });

    it('auditReaders list including the member group', async () => {
      const policy = new AiPlatformPermissionPolicy({
        platformAdmins: ['group:default/ml-platform'],
        costReaders: 'everyone',
        auditReaders: ['group:default/search-relevance'],
      });
      expect(await decide(policy, auditReadPermission, admin)).toBe(ALLOW);
      expect(await decide(policy, auditReadPermission, member)).toBe(ALLOW);
      expect(await decide(policy, auditReadPermission, owner)).toBe(DENY);
      expect(await decide(policy, auditReadPermission, undefined)).toBe(DENY);
    });

    it('auditReaders everyone', async () => {
      const policy = new AiPlatformPermissionPolicy({
        platformAdmins: [],
        costReaders: 'everyone',
        auditReaders: 'everyone',
      });
      expect(await decide(policy, auditReadPermission, owner)).toBe(ALLOW);
      expect(await decide(policy, auditReadPermission, member)).toBe(ALLOW);
      expect(await decide(policy, auditReadPermission, undefined)).toBe(DENY);
    });

    it('compares entity refs case-insensitively', async () => {
      const policy = new AiPlatformPermissionPolicy({
        platformAdmins: ['Group:Default/ML-Platform'],
        costReaders: [],
        auditReaders: [],
      });
      const shouting = makeUser('user:default/dave', [
        'GROUP:DEFAULT/ML-PLATFORM',
      ]);
      expect(await decide(policy, gateOverridePermission, shouting)).toBe(
        ALLOW,
      );
      expect(await decide(policy, gateOverridePermission, admin)).toBe(ALLOW);
    });

    it('fromConfig normalizes short refs', async () => {
      const policy = AiPlatformPermissionPolicy.fromConfig(
        new ConfigReader({
          aiPlatform: {
            permissions: {
              platformAdmins: ['ML-Platform'],
              costReaders: ['applied-ml'],
              auditReaders: ['default/search-relevance', 'user:carol'],
            },
          },
        }),
      );
      expect(await decide(policy, gateOverridePermission, admin)).toBe(ALLOW);
      expect(await decide(policy, budgetManagePermission, admin)).toBe(ALLOW);
      expect(await decide(policy, gateOverridePermission, owner)).toBe(DENY);
      expect(await decide(policy, costReadPermission, owner)).toBe(ALLOW);
      expect(await decide(policy, costReadPermission, member)).toBe(DENY);
      expect(await decide(policy, auditReadPermission, member)).toBe(ALLOW);
      expect(await decide(policy, auditReadPermission, owner)).toBe(DENY);
    });

    it('fromConfig reads costReaders and auditReaders "everyone"', async () => {
      const policy = AiPlatformPermissionPolicy.fromConfig(
        new ConfigReader({
          aiPlatform: {
            permissions: { costReaders: 'everyone', auditReaders: 'everyone' },
          },
        }),
      );
      expect(await decide(policy, costReadPermission, member)).toBe(ALLOW);
      expect(await decide(policy, auditReadPermission, member)).toBe(ALLOW);
    });

    it('fromConfig defaults: no admins, cost for everyone, audit for admins only', async () => {
      const policy = AiPlatformPermissionPolicy.fromConfig(
        new ConfigReader({}),
      );
      // Without configured admins, the ml-platform member is no admin.
      expect(await decide(policy, gateOverridePermission, admin)).toBe(DENY);
      expect(await decide(policy, costReadPermission, member)).toBe(ALLOW);
      expect(await decide(policy, costReadPermission, undefined)).toBe(DENY);
      expect(await decide(policy, auditReadPermission, admin)).toBe(DENY);
      expect(await decide(policy, auditReadPermission, member)).toBe(DENY);
    });

    it('fromConfig rejects a readers string other than everyone', () => {
      expect(() =>
        AiPlatformPermissionPolicy.fromConfig(
          new ConfigReader({
            aiPlatform: { permissions: { costReaders: 'nobody' } },
          }),
        ),
      ).toThrow(/costReaders/);
    });

    it('fromConfig rejects a malformed entity ref', () => {
      expect(() =>
        AiPlatformPermissionPolicy.fromConfig(
          new ConfigReader({
            aiPlatform: { permissions: { platformAdmins: ['group:a/b/c'] } },
          }),
        ),
      ).toThrow(/Invalid entity ref/);
    });
  });
});

describe('normalizeEntityRef', () => {
  it.each([
    ['ml-platform', 'group:default/ml-platform'],
    ['ML-Platform', 'group:default/ml-platform'],
    ['default/ml-platform', 'group:default/ml-platform'],
    ['other/ml-platform', 'group:other/ml-platform'],
    ['group:ml-platform', 'group:default/ml-platform'],
    ['User:Default/Alice', 'user:default/alice'],
    [' group:default/ml-platform ', 'group:default/ml-platform'],
  ])('%s -> %s', (input, output) => {
    expect(normalizeEntityRef(input)).toBe(output);
  });

  it.each(['', 'group:', 'group:/x', 'a/b/c'])('rejects %j', input => {
    expect(() => normalizeEntityRef(input)).toThrow();
  });
});
