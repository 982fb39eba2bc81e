import type { Entity } from '@backstage/catalog-model';
import { AI_PLATFORM_API_VERSION } from '../constants';
import schema from './Model.v1alpha1.schema.json';
import { createKindValidator } from './validation';

/** What a model does. */
export type ModelType =
  | 'llm'
  | 'embedding'
  | 'reranker'
  | 'vision'
  | 'speech'
  | 'multimodal'
  | 'classifier'
  | 'other';

/** Where a model version is in its life. */
export type ModelStage =
  | 'development'
  | 'staging'
  | 'production'
  | 'deprecated'
  | 'archived';

/** Numeric type the weights are stored in. */
export type ModelDtype =
  | 'float32'
  | 'float16'
  | 'bfloat16'
  | 'fp8'
  | 'int8'
  | 'int4';

/** Quantization method of a model version's weights. */
export type ModelQuantization =
  | 'fp8'
  | 'awq'
  | 'gptq'
  | 'int8'
  | 'int4'
  | 'bitsandbytes'
  | 'gguf';

/** Transformer shape, used to estimate KV-cache memory. */
export type ModelArchitecture = {
  layers: number;
  kvHeads: number;
  headDim: number;
  hiddenSize?: number;
};

/** One version of a model. */
export type ModelVersion = {
  name: string;
  source?: string;
  revision?: string;
  stage: ModelStage;
  dtype?: ModelDtype;
  quantization?: ModelQuantization;
};

/**
 * An eval gate. `maxRegression` is an absolute drop in the metric's own units
 * against the version in stage production.
 */
export type ModelEvaluationGate = {
  task: string;
  metric: string;
  min?: number;
  max?: number;
  maxRegression?: number;
};

/** The Model kind: a model family and its versions. */
export interface ModelEntityV1alpha1 extends Entity {
  apiVersion: typeof AI_PLATFORM_API_VERSION;
  kind: 'Model';
  spec: {
    type: ModelType;
    owner: string;
    lifecycle: string;
    system?: string;
    source?: string;
    license?: string;
    parameters?: number;
    contextLength?: number;
    architecture?: ModelArchitecture;
    baseModel?: string;
    versions: ModelVersion[];
    evaluation?: { gates?: ModelEvaluationGate[] };
    datasets?: string[];
  };
}

/** The JSON schema (draft-07) of the Model kind. */
export const modelEntityV1alpha1Schema = schema;

/** Validates Model entities; the error names the entity, field path and reason. */
export const modelEntityV1alpha1Validator = createKindValidator({
  kind: 'Model',
  schema,
  rules: [
    {
      name: 'uniqueVersionNames',
      check: entity => {
        const versions = (entity as ModelEntityV1alpha1).spec.versions;
        const seen = new Set<string>();
        const problems = [];
        for (const [i, v] of versions.entries()) {
          if (seen.has(v.name)) {
            problems.push({
              path: `spec.versions[${i}].name`,
              message: `"${v.name}" is used by more than one version; version names must be unique`,
            });
          }
          seen.add(v.name);
        }
        return problems;
      },
    },
    {
      name: 'gateMinNotAboveMax',
      check: entity => {
        const gates = (entity as ModelEntityV1alpha1).spec.evaluation?.gates;
        return (gates ?? []).flatMap((g, i) =>
          g.min !== undefined && g.max !== undefined && g.min > g.max
            ? [
                {
                  path: `spec.evaluation.gates[${i}]`,
                  message: `min (${g.min}) must not be greater than max (${g.max})`,
                },
              ]
            : [],
        );
      },
    },
  ],
});
