import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import aiPlatformPlugin, {
  aiPlatformScaffolderModule,
} from '@internal/plugin-ai-platform/alpha';
import { navModule } from './modules/nav';
import { catalogGraphModule } from './modules/catalogGraph';
import { demoSignInModule } from './modules/demoSignIn';

export default createApp({
  features: [
    catalogPlugin,
    aiPlatformPlugin,
    navModule,
    catalogGraphModule,
    aiPlatformScaffolderModule,
    demoSignInModule,
  ],
});
