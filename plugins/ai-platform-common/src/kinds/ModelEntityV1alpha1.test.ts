import type { Entity } from '@backstage/catalog-model';
import { describeKindRecipe } from './__testUtils__/kindRecipe';
import {
  type ModelEntityV1alpha1,
  modelEntityV1alpha1Schema,
  modelEntityV1alpha1Validator as validator,
} from './ModelEntityV1alpha1';
import { isModelEntity } from './guards';

const full: ModelEntityV1alpha1 = {
  apiVersion: 'ai-platform.io/v1alpha1',
  kind: 'Model',
  metadata: { name: 'support-assistant-8b' },
  spec: {
    type: 'llm',
    owner: 'group:default/data-science',
    lifecycle: 'production',
    system: 'assistant-platform',
    source: 'hf://meta-llama/Llama-3.1-8B-Instruct',
    license: 'llama3.1',
    parameters: 8.03,
    contextLength: 131072,
    architecture: { layers: 32, kvHeads: 8, headDim: 128, hiddenSize: 4096 },
    baseModel: 'model:default/llama-3-1-8b-instruct',
    versions: [
      {
        name: 'v1',
        source: 's3://models/support/v1',
        revision: 'abc123',
        stage: 'production',
        dtype: 'bfloat16',
        quantization: 'fp8',
      },
    ],
    evaluation: {
      gates: [
        { task: 'mmlu', metric: 'acc', min: 0.6, max: 1, maxRegression: 0.02 },
      ],
    },
    datasets: ['s3://datasets/tickets'],
  },
};

describe('ModelEntityV1alpha1', () => {
  describeKindRecipe({ validator, schema: modelEntityV1alpha1Schema, full });

  it('accepts a minimal model', async () => {
    const minimal: Entity = {
      apiVersion: 'ai-platform.io/v1alpha1',
      kind: 'Model',
      metadata: { name: 'm' },
      spec: {
        type: 'embedding',
        owner: 'search',
        lifecycle: 'production',
        versions: [{ name: 'v1', stage: 'development' }],
      },
    };
    await expect(validator.check(minimal)).resolves.toBe(true);
  });

  it('rejects a model without versions', async () => {
    const entity = structuredClone(full);
    entity.spec.versions = [];
    await expect(validator.check(entity)).rejects.toThrow(
      'Model "default/support-assistant-8b" is invalid: spec.versions must be a list with at least 1 item (got [])',
    );
  });

  it('rejects duplicate version names', () => {
    const entity = structuredClone(full);
    entity.spec.versions.push({ name: 'v1', stage: 'staging' });
    expect(validator.validate(entity)).toEqual([
      {
        path: 'spec.versions[1].name',
        message:
          '"v1" is used by more than one version; version names must be unique',
      },
    ]);
  });

  it('rejects a gate without a threshold, and one with min above max', () => {
    const entity = structuredClone(full);
    entity.spec.evaluation = {
      gates: [{ task: 'mmlu', metric: 'acc' }],
    };
    expect(validator.validate(entity)).toEqual([
      {
        path: 'spec.evaluation.gates[0]',
        message: 'must set at least one of min, max, maxRegression',
      },
    ]);
    entity.spec.evaluation = {
      gates: [{ task: 'mmlu', metric: 'acc', min: 0.9, max: 0.5 }],
    };
    expect(validator.validate(entity)).toEqual([
      {
        path: 'spec.evaluation.gates[0]',
        message: 'min (0.9) must not be greater than max (0.5)',
      },
    ]);
  });

  it('reports every problem at once, naming each field', () => {
    const entity = structuredClone(full) as any;
    entity.spec.parameters = 0;
    entity.spec.versions[0].stage = 'prod';
    entity.spec.paramters = 8;
    expect(validator.validate(entity)).toEqual([
      {
        path: 'spec.paramters',
        message: expect.stringMatching(
          /^is not a known field \(expected one of: type, owner/,
        ),
      },
      { path: 'spec.parameters', message: 'must be a number > 0 (got 0)' },
      {
        path: 'spec.versions[0].stage',
        message:
          'must be one of development, staging, production, deprecated, archived (got "prod")',
      },
    ]);
  });

  it('has a type guard', () => {
    expect(isModelEntity(full)).toBe(true);
    expect(isModelEntity({ ...full, kind: 'Component' })).toBe(false);
  });
});
