import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import type { PermissionPolicy } from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { gateOverridePermission } from '@internal/plugin-ai-platform-common';
import permissionModuleAiPlatformPolicy, {
  AiPlatformPermissionPolicy,
} from '.';

describe('permissionModuleAiPlatformPolicy', () => {
  it('sets the ai-platform policy from root config', async () => {
    const setPolicy = jest.fn<void, [PermissionPolicy]>();
    await startTestBackend({
      extensionPoints: [[policyExtensionPoint, { setPolicy }]],
      features: [
        permissionModuleAiPlatformPolicy,
        mockServices.rootConfig.factory({
          data: {
            aiPlatform: { permissions: { platformAdmins: ['ml-platform'] } },
          },
        }),
      ],
    });

    expect(setPolicy).toHaveBeenCalledTimes(1);
    const policy = setPolicy.mock.calls[0][0];
    expect(policy).toBeInstanceOf(AiPlatformPermissionPolicy);

    const decision: PolicyDecision = await policy.handle(
      { permission: gateOverridePermission },
      {
        credentials: mockCredentials.user('user:default/alice'),
        info: {
          userEntityRef: 'user:default/alice',
          ownershipEntityRefs: [
            'user:default/alice',
            'group:default/ml-platform',
          ],
        },
      },
    );
    expect(decision).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
