import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  type GpuPoolEntityV1alpha1,
  type InferenceEndpointEntityV1alpha1,
  type ModelEntityV1alpha1,
  gpusNeeded,
  gpusPerNode,
} from '@internal/plugin-ai-platform-common';

/** The entities an endpoint refers to, where the catalog has them. */
export type RelatedEntities = {
  model?: ModelEntityV1alpha1;
  pool?: GpuPoolEntityV1alpha1;
};

/**
 * A rule that spans an endpoint and the entities it refers to, which no
 * schema of one entity can check. Each problem is a sentence that starts
 * with the field path.
 */
export type CrossEntityRule = {
  /** A stable name, e.g. `modelVersionExists`. */
  name: string;
  check(
    endpoint: InferenceEndpointEntityV1alpha1,
    related: RelatedEntities,
  ): string[];
};

const modelVersionExists: CrossEntityRule = {
  name: 'modelVersionExists',
  check({ spec }, { model }) {
    if (!model) return [];
    const names = model.spec.versions.map(v => v.name);
    return names.includes(spec.modelVersion)
      ? []
      : [
          `spec.modelVersion "${
            spec.modelVersion
          }" is not a version of ${stringifyEntityRef(
            model,
          )} (its versions: ${names.join(', ')})`,
        ];
  },
};

const fitsPoolCapacity: CrossEntityRule = {
  name: 'fitsPoolCapacity',
  check({ spec }, { pool }) {
    if (!pool || !spec.resources) return [];
    const { gpusPerReplica, replicas, maxReplicas } = spec.resources;
    const needed = gpusNeeded(spec.resources);
    if (needed <= pool.spec.gpu.count) return [];
    const replicaText =
      maxReplicas !== undefined && maxReplicas > replicas
        ? `maxReplicas ${maxReplicas}`
        : `replicas ${replicas}`;
    return [
      `spec.resources needs ${needed} GPUs (gpusPerReplica ${gpusPerReplica} x ${replicaText}) but ${stringifyEntityRef(
        pool,
      )} has ${pool.spec.gpu.count} in all (spec.gpu.count)`,
    ];
  },
};

const replicaFitsOnNode: CrossEntityRule = {
  name: 'replicaFitsOnNode',
  check({ spec }, { pool }) {
    if (!pool || !spec.resources) return [];
    const perNode = gpusPerNode(pool.spec.gpu);
    return spec.resources.gpusPerReplica > perNode
      ? [
          `spec.resources.gpusPerReplica (${
            spec.resources.gpusPerReplica
          }) exceeds the ${perNode} GPUs per node of ${stringifyEntityRef(
            pool,
          )} (spec.gpu.perNode); a replica cannot span nodes`,
        ]
      : [];
  },
};

const clusterMatchesPool: CrossEntityRule = {
  name: 'clusterMatchesPool',
  check({ spec }, { pool }) {
    if (!pool || !spec.resources) return [];
    return spec.cluster && spec.cluster !== pool.spec.cluster
      ? [
          `spec.cluster "${
            spec.cluster
          }" differs from the cluster of ${stringifyEntityRef(pool)} ("${
            pool.spec.cluster
          }"), which is where the endpoint runs`,
        ]
      : [];
  },
};

/** The rules between an endpoint and its model and pool, in order. */
export const crossEntityRules: readonly CrossEntityRule[] = [
  modelVersionExists,
  fitsPoolCapacity,
  replicaFitsOnNode,
  clusterMatchesPool,
];
