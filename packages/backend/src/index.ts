/*
 * The AI platform portal's backend: Backstage core plugins plus the
 * ai-platform modules.
 */

import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));
backend.add(import('@backstage/plugin-proxy-backend'));

// Scaffolder: golden-path templates (templates/)
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
// ai-platform:model:size, :endpoint:render, :endpoint:deploy (the
// vllm-service template uses them)
backend.add(import('@internal/plugin-scaffolder-backend-module-ai-platform'));
// Demo only: ai-platform:publish:local and :catalog:register-local, so that
// the template publishes into a folder the catalog reads when there is no
// Git host (aiPlatform.scaffolder.localPublishDirectory)
backend.add(import('./modules/localPublish'));

// Auth: guest sign-in for the demo (see app-config.yaml)
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// Demo only: a second guest-style sign-in as the platform admin
// (auth.providers.demoAdmin; never configured in production)
backend.add(import('./modules/demoAdminAuth'));

// Catalog, with the Model, InferenceEndpoint and GpuPool kinds
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@internal/plugin-catalog-backend-module-ai-platform'));
// Logs catalog processing errors, including our validation errors
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// Permissions, with the ai-platform policy (aiPlatform.permissions config)
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/permissionPolicy'));

// The ai-platform backend: audit log, evals and gates (/api/ai-platform)
backend.add(import('@internal/plugin-ai-platform-backend'));

// Search (in-memory engine) over the catalog
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));

// Kubernetes: the same cluster config the ai-platform plugins read
backend.add(import('@backstage/plugin-kubernetes-backend'));

// Events between plugins (catalog and signals subscribe to it)
backend.add(import('@backstage/plugin-events-backend'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.start();
