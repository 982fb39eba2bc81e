import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { AiPlatformPermissionPolicy } from './AiPlatformPermissionPolicy';

export {
  AiPlatformPermissionPolicy,
  normalizeEntityRef,
} from './AiPlatformPermissionPolicy';
export type {
  AiPlatformPermissionPolicyOptions,
  AiPlatformReaders,
} from './AiPlatformPermissionPolicy';

/**
 * Sets the permission backend's policy to {@link AiPlatformPermissionPolicy},
 * configured from `aiPlatform.permissions`. Replaces the allow-all policy
 * module: add only one policy module to the backend.
 */
export const permissionModuleAiPlatformPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'ai-platform-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        policy: policyExtensionPoint,
      },
      async init({ config, policy }) {
        policy.setPolicy(AiPlatformPermissionPolicy.fromConfig(config));
      },
    });
  },
});

export default permissionModuleAiPlatformPolicy;
