import { createRouteRef } from '@backstage/core-plugin-api';

/** The evals page: leaderboard and side-by-side compare. */
export const evalsRouteRef = createRouteRef({ id: 'ai-platform:evals' });
/** The GPU quotas page. */
export const quotasRouteRef = createRouteRef({ id: 'ai-platform:quotas' });
/** The cost page (the leadership view). */
export const costRouteRef = createRouteRef({ id: 'ai-platform:cost' });
/** The SLO page (the fleet's budgets and burn rates). */
export const sloRouteRef = createRouteRef({ id: 'ai-platform:slo' });
/** The audit log page. */
export const auditRouteRef = createRouteRef({ id: 'ai-platform:audit' });
