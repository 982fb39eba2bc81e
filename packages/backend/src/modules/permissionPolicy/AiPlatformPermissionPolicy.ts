import type { Config } from '@backstage/config';
import {
  AuthorizeResult,
  isPermission,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
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
  endpointPermissionConditions,
  modelPermissionConditions,
  teamPermissionConditions,
} from '@internal/plugin-ai-platform-node';

/** Who may read something: every signed-in user, or a list of entity refs. */
export type AiPlatformReaders = 'everyone' | string[];

/** Options of {@link AiPlatformPermissionPolicy}. */
export type AiPlatformPermissionPolicyOptions = {
  /** Group (or user) entity refs whose members may do everything. */
  platformAdmins: string[];
  /** Who may read cost figures (platform admins always may). */
  costReaders: AiPlatformReaders;
  /** Who may read the audit log (platform admins always may); [] = admins only. */
  auditReaders: AiPlatformReaders;
};

const AI_PLATFORM_PREFIX = 'ai-platform.';

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

/**
 * Normalizes an entity ref to its full, lower-cased form `kind:namespace/name`.
 * A ref without a kind is a Group, one without a namespace is in `default`:
 * `ml-platform` -> `group:default/ml-platform`,
 * `User:jdoe` -> `user:default/jdoe`.
 */
export function normalizeEntityRef(ref: string, defaultKind = 'group'): string {
  const trimmed = ref.trim();
  if (!trimmed) {
    throw new Error('Entity ref must not be empty');
  }
  const colon = trimmed.indexOf(':');
  const kind = colon >= 0 ? trimmed.slice(0, colon) : defaultKind;
  const rest = colon >= 0 ? trimmed.slice(colon + 1) : trimmed;
  const slash = rest.indexOf('/');
  const namespace = slash >= 0 ? rest.slice(0, slash) : 'default';
  const name = slash >= 0 ? rest.slice(slash + 1) : rest;
  if (
    !kind ||
    !namespace ||
    !name ||
    name.includes('/') ||
    name.includes(':')
  ) {
    throw new Error(`Invalid entity ref '${ref}'`);
  }
  return `${kind}:${namespace}/${name}`.toLocaleLowerCase('en-US');
}

/** Like {@link normalizeEntityRef}, but never throws: for claims of users. */
function normalizeClaim(ref: string): string {
  try {
    return normalizeEntityRef(ref);
  } catch {
    return ref.trim().toLocaleLowerCase('en-US');
  }
}

function normalizeReaders(readers: AiPlatformReaders): AiPlatformReaders {
  return readers === 'everyone'
    ? 'everyone'
    : readers.map(r => normalizeEntityRef(r));
}

function readReaders(
  config: Config | undefined,
  key: string,
  defaultValue: AiPlatformReaders,
): AiPlatformReaders {
  if (!config?.has(key)) {
    return defaultValue;
  }
  const value = config.get(key);
  if (typeof value === 'string') {
    if (value !== 'everyone') {
      throw new Error(
        `Invalid config aiPlatform.permissions.${key}: expected 'everyone' or a list of entity refs, got '${value}'`,
      );
    }
    return 'everyone';
  }
  return config.getStringArray(key);
}

/**
 * Permission policy of the AI platform portal.
 *
 * - Permissions of other plugins (not `ai-platform.*`) are allowed, as the
 *   allow-all policy this replaces did.
 * - `ai-platform.*` permissions need a signed-in user. Platform admins may do
 *   everything; owners may deploy their endpoints (into namespaces their
 *   team owns: rule IS_IN_OWNED_NAMESPACE) and post evals of their
 *   models; team members may request quota for their team; cost and audit
 *   reads follow config; everything else (including unknown `ai-platform.*`
 *   permissions) is denied.
 */
export class AiPlatformPermissionPolicy implements PermissionPolicy {
  private readonly platformAdmins: Set<string>;
  private readonly costReaders: AiPlatformReaders;
  private readonly auditReaders: AiPlatformReaders;

  static fromConfig(config: Config): AiPlatformPermissionPolicy {
    const permissions = config.getOptionalConfig('aiPlatform.permissions');
    return new AiPlatformPermissionPolicy({
      platformAdmins:
        permissions?.getOptionalStringArray('platformAdmins') ?? [],
      costReaders: readReaders(permissions, 'costReaders', 'everyone'),
      auditReaders: readReaders(permissions, 'auditReaders', []),
    });
  }

  constructor(options: AiPlatformPermissionPolicyOptions) {
    this.platformAdmins = new Set(
      options.platformAdmins.map(r => normalizeEntityRef(r)),
    );
    this.costReaders = normalizeReaders(options.costReaders);
    this.auditReaders = normalizeReaders(options.auditReaders);
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;

    if (!permission.name.startsWith(AI_PLATFORM_PREFIX)) {
      // Other plugins stay open, as with the allow-all policy, for signed-in
      // users and for calls without a user alike. (Service-to-service calls
      // never reach a policy: the permissions service allows them itself.
      // A missing user here means an anonymous caller.)
      return ALLOW;
    }

    if (!user) {
      // Anonymous callers get nothing of the ai-platform.
      return DENY;
    }

    const claims = user.info.ownershipEntityRefs;
    const normalizedClaims = claims.map(normalizeClaim);

    if (normalizedClaims.some(c => this.platformAdmins.has(c))) {
      return ALLOW;
    }

    if (isPermission(permission, endpointDeployPermission)) {
      // Owners deploy their endpoints, into namespaces their team owns.
      // An adopter can open more namespaces with isInNamespace here.
      return endpointPermissionConditions.createConditionalDecision(
        permission,
        {
          allOf: [
            endpointPermissionConditions.conditions.isOwner({ claims }),
            endpointPermissionConditions.conditions.isInOwnedNamespace({
              claims,
            }),
          ],
        },
      );
    }
    if (isPermission(permission, evalWritePermission)) {
      return modelPermissionConditions.createConditionalDecision(
        permission,
        modelPermissionConditions.conditions.isOwner({ claims }),
      );
    }
    if (isPermission(permission, quotaRequestPermission)) {
      return teamPermissionConditions.createConditionalDecision(
        permission,
        teamPermissionConditions.conditions.isTeamMember({ claims }),
      );
    }
    if (
      isPermission(permission, quotaManagePermission) ||
      isPermission(permission, budgetManagePermission) ||
      isPermission(permission, gateOverridePermission) ||
      isPermission(permission, endpointAdoptPermission)
    ) {
      return DENY;
    }
    if (isPermission(permission, costReadPermission)) {
      return this.isReader(this.costReaders, normalizedClaims) ? ALLOW : DENY;
    }
    if (isPermission(permission, auditReadPermission)) {
      return this.isReader(this.auditReaders, normalizedClaims) ? ALLOW : DENY;
    }

    // Unknown ai-platform permission: fail closed.
    return DENY;
  }

  private isReader(readers: AiPlatformReaders, claims: string[]): boolean {
    return readers === 'everyone' || claims.some(c => readers.includes(c));
  }
}
