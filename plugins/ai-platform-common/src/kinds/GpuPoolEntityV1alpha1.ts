import type { Entity } from '@backstage/catalog-model';
import {
  AI_PLATFORM_API_VERSION,
  DEFAULT_GPU_RESOURCE_NAME,
} from '../constants';
import schema from './GpuPool.v1alpha1.schema.json';
import { gpuResourceName } from './guards';
import {
  createKindValidator,
  type EntityProblem,
  type EntityRule,
} from './validation';

/** How a pool's GPUs are shared. */
export type GpuPoolType = 'dedicated' | 'shared' | 'mig' | 'time-sliced';

/** The accelerators of a pool. */
export type GpuPoolGpu = {
  product: string;
  memoryGiB: number;
  count: number;
  perNode?: number;
  resourceName?: string;
};

/** A Kubernetes toleration. */
export type GpuPoolToleration = {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
};

/** One team's baseline quota on a pool. */
export type GpuPoolQuota = {
  team: string;
  gpus: number;
};

/** The GpuPool kind: identical accelerators in one cluster that teams share. */
export interface GpuPoolEntityV1alpha1 extends Entity {
  apiVersion: typeof AI_PLATFORM_API_VERSION;
  kind: 'GpuPool';
  spec: {
    type: GpuPoolType;
    owner: string;
    lifecycle: string;
    system?: string;
    cluster: string;
    gpu: GpuPoolGpu;
    nodeSelector?: Record<string, string>;
    tolerations?: GpuPoolToleration[];
    kueue?: {
      clusterQueue?: string;
      localQueue?: string;
      resourceFlavor?: string;
    };
    costPerGpuHour?: { amount: number; currency: string };
    quotas?: GpuPoolQuota[];
    region?: string;
  };
}

/** The JSON schema (draft-07) of the GpuPool kind. */
export const gpuPoolEntityV1alpha1Schema = schema;

function poolOf(entity: Entity) {
  return (entity as GpuPoolEntityV1alpha1).spec;
}

const perNodeWithinCount: EntityRule = {
  name: 'perNodeWithinCount',
  check: entity => {
    const { gpu } = poolOf(entity);
    return gpu.perNode !== undefined && gpu.perNode > gpu.count
      ? [
          {
            path: 'spec.gpu.perNode',
            message: `(${gpu.perNode}) must not be greater than spec.gpu.count (${gpu.count})`,
          },
        ]
      : [];
  },
};

const migNamesItsProfile: EntityRule = {
  name: 'migNamesItsProfile',
  check: entity => {
    const { gpu, type } = poolOf(entity);
    return type === 'mig' && gpuResourceName(gpu) === DEFAULT_GPU_RESOURCE_NAME
      ? [
          {
            path: 'spec.gpu.resourceName',
            message:
              'is required for a MIG pool and must name the MIG profile, e.g. nvidia.com/mig-3g.40gb',
          },
        ]
      : [];
  },
};

const oneQuotaPerTeam: EntityRule = {
  name: 'oneQuotaPerTeam',
  check: entity => {
    const problems: EntityProblem[] = [];
    const teams = new Set<string>();
    for (const [i, q] of (poolOf(entity).quotas ?? []).entries()) {
      const team = q.team.toLocaleLowerCase('en-US');
      if (teams.has(team)) {
        problems.push({
          path: `spec.quotas[${i}].team`,
          message: `"${q.team}" has more than one quota on this pool; keep one entry per team`,
        });
      }
      teams.add(team);
    }
    return problems;
  },
};

/** Validates GpuPool entities; the error names the entity, field path and reason. */
export const gpuPoolEntityV1alpha1Validator = createKindValidator({
  kind: 'GpuPool',
  schema,
  rules: [perNodeWithinCount, migNamesItsProfile, oneQuotaPerTeam],
});
