import { createRouteRef } from '@backstage/core-plugin-api';

/** The evals page: leaderboard and side-by-side compare. */
export const evalsRouteRef = createRouteRef({ id: 'ai-platform:evals' });
/** The GPU quotas page. */
export const quotasRouteRef = createRouteRef({ id: 'ai-platform:quotas' });
/** The cost page (the leadership view). */
export const costRouteRef = createRouteRef({ id: 'ai-platform:cost' });
/** The audit log page. */
export const auditRouteRef = createRouteRef({ id: 'ai-platform:audit' });
