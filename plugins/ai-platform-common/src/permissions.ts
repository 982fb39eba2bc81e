import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Resource types of the ai-platform permissions that are decided per
 * resource. The resource ref is an entity ref: the InferenceEndpoint, the
 * Model, or the team (Group) the action is about.
 */
export const AI_PLATFORM_ENDPOINT_RESOURCE_TYPE = 'ai-platform-endpoint';
/** Resource type of permissions decided per Model (entity ref). */
export const AI_PLATFORM_MODEL_RESOURCE_TYPE = 'ai-platform-model';
/** Resource type of permissions decided per team (Group entity ref). */
export const AI_PLATFORM_TEAM_RESOURCE_TYPE = 'ai-platform-team';

/** Deploy, promote or roll back an InferenceEndpoint. Owners of the endpoint, and admins. */
export const endpointDeployPermission = createPermission({
  name: 'ai-platform.endpoint.deploy',
  attributes: { action: 'update' },
  resourceType: AI_PLATFORM_ENDPOINT_RESOURCE_TYPE,
});

/** Set or clear a team's GPU quota on a pool; approve or reject requests. Admins. */
export const quotaManagePermission = createPermission({
  name: 'ai-platform.quota.manage',
  attributes: { action: 'update' },
});

/** Ask for more GPUs for a team. Members of the team, and admins. */
export const quotaRequestPermission = createPermission({
  name: 'ai-platform.quota.request',
  attributes: { action: 'create' },
  resourceType: AI_PLATFORM_TEAM_RESOURCE_TYPE,
});

/** Set a team's budget. Admins. */
export const budgetManagePermission = createPermission({
  name: 'ai-platform.budget.manage',
  attributes: { action: 'update' },
});

/** Post eval results for a model version. Owners of the model, CI (service tokens), and admins. */
export const evalWritePermission = createPermission({
  name: 'ai-platform.eval.write',
  attributes: { action: 'create' },
  resourceType: AI_PLATFORM_MODEL_RESOURCE_TYPE,
});

/** Override a failing or missing eval gate for one model version. Admins. */
export const gateOverridePermission = createPermission({
  name: 'ai-platform.gate.override',
  attributes: { action: 'update' },
});

/**
 * Apply an endpoint's objects over objects in the cluster that the portal
 * did not create for it (adopting an existing workload). Admins.
 */
export const endpointAdoptPermission = createPermission({
  name: 'ai-platform.endpoint.adopt',
  attributes: { action: 'update' },
});

/** Read cost figures and exports. Configurable in the policy. */
export const costReadPermission = createPermission({
  name: 'ai-platform.cost.read',
  attributes: { action: 'read' },
});

/** Read the audit log. Configurable in the policy. */
export const auditReadPermission = createPermission({
  name: 'ai-platform.audit.read',
  attributes: { action: 'read' },
});

/** Every permission of the ai-platform plugins. */
export const aiPlatformPermissions = [
  endpointDeployPermission,
  quotaManagePermission,
  quotaRequestPermission,
  budgetManagePermission,
  evalWritePermission,
  gateOverridePermission,
  endpointAdoptPermission,
  costReadPermission,
  auditReadPermission,
];
