import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  authProvidersExtensionPoint,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';
import {
  demoAdminAuthenticator,
  signInAsDemoAdmin,
} from './demoAdminAuthenticator';

export {
  demoAdminAuthenticator,
  readDemoAdminConfig,
  signInAsDemoAdmin,
} from './demoAdminAuthenticator';
export type {
  DemoAdminContext,
  DemoAdminResult,
} from './demoAdminAuthenticator';

/**
 * The demo's second guest-style sign-in: `demoAdmin` signs in as the user of
 * `auth.providers.demoAdmin.userEntityRef` (Alice, a platform admin, in the
 * demo). The auth backend serves it only when `auth.providers.demoAdmin` is
 * configured (app-config.yaml and app-config.e2e.yaml; production sets it to
 * null), and it refuses outside development like the guest provider.
 */
export const authModuleDemoAdminProvider = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-admin-provider',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'demoAdmin',
          factory: createProxyAuthProviderFactory({
            authenticator: demoAdminAuthenticator,
            signInResolver: signInAsDemoAdmin,
          }),
        });
      },
    });
  },
});

export default authModuleDemoAdminProvider;
