import type { AuthService } from '@backstage/backend-plugin-api';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';

/**
 * A token for another plugin on behalf of the user who started the task, so
 * that the permission check, the audit record and the data land in that
 * plugin under the user, never under the scaffolder's own identity.
 */
export async function initiatorToken(options: {
  ctx: Pick<ActionContext<any>, 'getInitiatorCredentials'>;
  auth: AuthService;
  targetPluginId?: string;
}): Promise<string> {
  const onBehalfOf = await options.ctx.getInitiatorCredentials();
  const { token } = await options.auth.getPluginRequestToken({
    onBehalfOf,
    targetPluginId: options.targetPluginId ?? 'ai-platform',
  });
  return token;
}
