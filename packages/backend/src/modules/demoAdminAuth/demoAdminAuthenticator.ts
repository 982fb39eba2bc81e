import type { Config } from '@backstage/config';
import {
  createProxyAuthenticator,
  type SignInResolver,
} from '@backstage/plugin-auth-node';

/** What a demo-admin sign-in resolves to: the configured catalog user. */
export type DemoAdminResult = {
  userEntityRef: string;
};

/** The provider's config, read once when the auth backend starts. */
export type DemoAdminContext = {
  userEntityRef: string;
};

const USER_REF = /^(?:user:)?(?:([^:/]+)\/)?([^:/]+)$/i;

/**
 * Reads `auth.providers.demoAdmin`: `userEntityRef` (required) is a user
 * reference such as `user:default/alice`. Outside development (NODE_ENV) it
 * refuses, so that the auth backend fails to start rather than sign anyone
 * in as an admin, unless `dangerouslyAllowOutsideDevelopment` is true (the
 * same switch as Backstage's guest provider).
 */
export function readDemoAdminConfig(
  config: Config,
  nodeEnv: string | undefined = process.env.NODE_ENV,
): DemoAdminContext {
  if (
    nodeEnv !== 'development' &&
    config.getOptionalBoolean('dangerouslyAllowOutsideDevelopment') !== true
  ) {
    throw new Error(
      "the demoAdmin provider signs anyone in as a platform admin, so it only runs in a development environment (NODE_ENV=development) unless 'auth.providers.demoAdmin.dangerouslyAllowOutsideDevelopment' is true; remove auth.providers.demoAdmin (set it to null) outside the demo",
    );
  }
  const raw = config.getString('userEntityRef');
  const match = USER_REF.exec(raw.trim());
  if (!match) {
    throw new Error(
      `auth.providers.demoAdmin.userEntityRef must be a user entity reference such as user:default/alice (got "${raw}")`,
    );
  }
  const [, namespace = 'default', name] = match;
  return { userEntityRef: `user:${namespace}/${name}` };
}

/**
 * A guest-style (proxy) authenticator: no credentials are asked for; every
 * sign-in is the configured user.
 */
export const demoAdminAuthenticator = createProxyAuthenticator<
  DemoAdminContext,
  DemoAdminResult,
  undefined
>({
  defaultProfileTransform: async () => ({ profile: {} }),
  initialize: ({ config }) => readDemoAdminConfig(config),
  async authenticate(_options, ctx) {
    return { result: { userEntityRef: ctx.userEntityRef } };
  },
});

/**
 * Signs in as the configured user, who must be in the catalog: the admin's
 * group memberships (and so the permissions) come from the catalog, and a
 * user missing from it must not become an identity without them.
 */
export const signInAsDemoAdmin: SignInResolver<DemoAdminResult> = async (
  { result },
  ctx,
) => ctx.signInWithCatalogUser({ entityRef: result.userEntityRef });
