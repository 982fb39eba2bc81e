import type { PoolQuotas } from '@internal/plugin-ai-platform-common';

/** Quotas of the L4 pool: one team from YAML, one with an admin's override. */
export const l4Quotas: PoolQuotas = {
  pool: 'gpupool:default/l4-inference',
  title: 'L4 24GB (us-east)',
  cluster: 'gpu-us-east',
  capacity: 16,
  used: 7,
  free: 9,
  teams: [
    {
      team: 'group:default/applied-ml',
      quota: 8,
      baseline: 8,
      used: 7,
      free: 1,
    },
    {
      team: 'group:default/search-relevance',
      quota: 6,
      baseline: 4,
      override: {
        gpus: 6,
        reason: 'launch of semantic search',
        actor: 'user:default/alice',
        createdAt: '2026-11-20T10:00:00.000Z',
      },
      used: 0,
      free: 6,
    },
  ],
};
