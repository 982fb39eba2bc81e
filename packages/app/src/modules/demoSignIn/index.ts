import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/**
 * Replaces the app's sign-in page with the demo's choice of identity: guest
 * (a member of Applied ML) or demo admin (ML Platform). See README, demo
 * identities.
 */
export const demoSignInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () =>
          import('./DemoSignInPage').then(m => m.DemoSignInPage),
      },
    }),
  ],
});
