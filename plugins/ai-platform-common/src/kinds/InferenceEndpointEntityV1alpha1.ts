import type { Entity } from '@backstage/catalog-model';
import { AI_PLATFORM_API_VERSION } from '../constants';
import schema from './InferenceEndpoint.v1alpha1.schema.json';
import {
  createKindValidator,
  type EntityProblem,
  type EntityRule,
} from './validation';

/** The serving engine of an endpoint. */
export type InferenceEndpointType =
  | 'vllm'
  | 'tgi'
  | 'triton'
  | 'kserve'
  | 'external';

/** The serving container and its engine arguments. */
export type InferenceEndpointRuntime = {
  image?: string;
  maxModelLen?: number;
  maxNumSeqs?: number;
  tensorParallelSize?: number;
  gpuMemoryUtilization?: number;
  apiKeySecret?: string;
  hfTokenSecret?: string;
  extraArgs?: string[];
};

/** GPUs and replicas of an endpoint. */
export type InferenceEndpointResources = {
  gpusPerReplica: number;
  replicas: number;
  minReplicas?: number;
  maxReplicas?: number;
};

/** Service level objectives of an endpoint (docs/slos.md). */
export type InferenceEndpointSlo = {
  /** 95th percentile time to first token, ms. */
  ttftP95Ms?: number;
  /** 95th percentile end-to-end request latency, ms. */
  latencyP95Ms?: number;
  /** Percent of requests that must not fail (5xx), e.g. 99.9. */
  availability?: number;
  /** 95th percentile inter-token latency (time per output token), ms. */
  itlP95Ms?: number;
  /** The SLO window in days; 28 when absent. */
  windowDays?: number;
};

/** How the portal rolls out a new revision of an endpoint. */
export type InferenceEndpointRollout = {
  /**
   * Re-apply the last succeeded revision when a rollout fails. Default: on
   * for lifecycle `production`, off otherwise (see `autoRollbackEnabled`).
   */
  autoRollback?: boolean;
};

/** The InferenceEndpoint kind: one served deployment of a model version. */
export interface InferenceEndpointEntityV1alpha1 extends Entity {
  apiVersion: typeof AI_PLATFORM_API_VERSION;
  kind: 'InferenceEndpoint';
  spec: {
    type: InferenceEndpointType;
    owner: string;
    lifecycle: string;
    system?: string;
    model: string;
    modelVersion: string;
    gpuPool?: string;
    namespace?: string;
    url?: string;
    cluster?: string;
    runtime?: InferenceEndpointRuntime;
    resources?: InferenceEndpointResources;
    rollout?: InferenceEndpointRollout;
    slo?: InferenceEndpointSlo;
    providesApis?: string[];
  };
}

/** The JSON schema (draft-07) of the InferenceEndpoint kind. */
export const inferenceEndpointEntityV1alpha1Schema = schema;

function resourcesOf(entity: Entity) {
  const { resources, runtime } = (entity as InferenceEndpointEntityV1alpha1)
    .spec;
  return { resources, runtime };
}

const replicaBounds: EntityRule = {
  name: 'replicaBounds',
  check: entity => {
    const { resources } = resourcesOf(entity);
    const problems: EntityProblem[] = [];
    if (!resources) return problems;
    const { replicas, minReplicas, maxReplicas } = resources;
    if (minReplicas !== undefined && minReplicas > replicas) {
      problems.push({
        path: 'spec.resources.minReplicas',
        message: `(${minReplicas}) must not be greater than replicas (${replicas})`,
      });
    }
    if (maxReplicas !== undefined && maxReplicas < replicas) {
      problems.push({
        path: 'spec.resources.maxReplicas',
        message: `(${maxReplicas}) must not be less than replicas (${replicas})`,
      });
    }
    return problems;
  },
};

const tensorParallelDividesGpus: EntityRule = {
  name: 'tensorParallelDividesGpus',
  check: entity => {
    const { resources, runtime } = resourcesOf(entity);
    const tp = runtime?.tensorParallelSize;
    return resources && tp !== undefined && resources.gpusPerReplica % tp !== 0
      ? [
          {
            path: 'spec.runtime.tensorParallelSize',
            message: `(${tp}) must divide spec.resources.gpusPerReplica (${resources.gpusPerReplica})`,
          },
        ]
      : [];
  },
};

/** Validates InferenceEndpoint entities; the error names the entity, field path and reason. */
export const inferenceEndpointEntityV1alpha1Validator = createKindValidator({
  kind: 'InferenceEndpoint',
  schema,
  rules: [replicaBounds, tensorParallelDividesGpus],
});
