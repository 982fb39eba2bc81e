import { entityKindSchemaValidator } from '@backstage/catalog-model';
import { spawnSync } from 'child_process';
import path from 'path';
import {
  gpuPoolEntityV1alpha1Schema,
  gpuPoolEntityV1alpha1Validator,
} from './GpuPoolEntityV1alpha1';
import {
  inferenceEndpointEntityV1alpha1Schema,
  inferenceEndpointEntityV1alpha1Validator,
} from './InferenceEndpointEntityV1alpha1';
import {
  modelEntityV1alpha1Schema,
  modelEntityV1alpha1Validator,
} from './ModelEntityV1alpha1';
import patternErrorMessages from './patternErrorMessages.json';
import modelLayerModel from './catalogModel/Model.v1alpha1.json';
import modelLayerEndpoint from './catalogModel/InferenceEndpoint.v1alpha1.json';
import modelLayerPool from './catalogModel/GpuPool.v1alpha1.json';

const kinds = [
  {
    kind: 'Model',
    schema: modelEntityV1alpha1Schema,
    validator: modelEntityV1alpha1Validator,
  },
  {
    kind: 'InferenceEndpoint',
    schema: inferenceEndpointEntityV1alpha1Schema,
    validator: inferenceEndpointEntityV1alpha1Validator,
  },
  {
    kind: 'GpuPool',
    schema: gpuPoolEntityV1alpha1Schema,
    validator: gpuPoolEntityV1alpha1Validator,
  },
];

/** Every `pattern` of a schema. */
function patterns(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(patterns);
  if (!schema || typeof schema !== 'object') return [];
  return Object.entries(schema).flatMap(([key, value]) =>
    key === 'pattern' && typeof value === 'string' ? [value] : patterns(value),
  );
}

describe('the kind schemas (src/kinds/*.v1alpha1.schema.json, the one source)', () => {
  it.each(kinds)(
    '$kind compiles under entityKindSchemaValidator (Ajv strict mode) and agrees with our validator on its examples',
    ({ kind, schema, validator }) => {
      const validate = entityKindSchemaValidator(schema);
      for (const example of schema.examples) {
        expect(validate(example)).toBe(example);
        expect(validator.validate(example)).toEqual([]);
      }
      // Another kind is not ours to judge: false, not an error.
      expect(
        validate({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'x' },
        }),
      ).toBe(false);
      const broken = structuredClone(schema.examples[0]) as any;
      broken.spec.owner = '';
      expect(() => validate(broken)).toThrow('/spec/owner');
      expect(validator.schemaProblems(broken)).toEqual([
        { path: 'spec.owner', message: 'must be a non-empty string (got "")' },
      ]);
      expect(kind).toBe(schema.title);
    },
  );

  it('words the error of every pattern, in one place', () => {
    const used = kinds.flatMap(k => patterns(k.schema));
    expect(used.length).toBeGreaterThan(0);
    expect([...new Set(used)].sort()).toEqual(
      Object.keys(patternErrorMessages).sort(),
    );
  });

  it('generates the editor schema and the model-layer schemas from them, without drift', () => {
    const result = spawnSync(
      process.execPath,
      [
        path.resolve(__dirname, '../../scripts/generate-schemas.mjs'),
        '--check',
      ],
      { encoding: 'utf8' },
    );
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
  });

  it('gives the model layer spec-only schemas, with the endpoint’s conditional rule as spec types', () => {
    const forbidden = [
      'allOf',
      'anyOf',
      'oneOf',
      'if',
      'then',
      'else',
      'not',
      '$ref',
    ];
    for (const file of [modelLayerModel, modelLayerEndpoint, modelLayerPool]) {
      for (const { jsonSchema } of file.versions) {
        const root = jsonSchema as Record<string, any>;
        expect(Object.keys(root.properties)).toEqual(['spec']);
        for (const keyword of forbidden) {
          expect(root).not.toHaveProperty([keyword]);
          expect(root.properties.spec).not.toHaveProperty([keyword]);
        }
      }
    }
    expect(
      modelLayerEndpoint.versions.map(v => ({
        specType: (v as { specType?: string[] }).specType,
        types: v.jsonSchema.properties.spec.properties.type.enum,
        required: v.jsonSchema.properties.spec.required,
      })),
    ).toEqual([
      {
        specType: undefined,
        types: ['vllm', 'tgi', 'triton', 'kserve', 'external'],
        required: ['type', 'owner', 'lifecycle', 'model', 'modelVersion'],
      },
      {
        specType: ['vllm', 'tgi', 'triton', 'kserve'],
        types: ['vllm', 'tgi', 'triton', 'kserve'],
        required: [
          'type',
          'owner',
          'lifecycle',
          'model',
          'modelVersion',
          'gpuPool',
          'namespace',
          'resources',
        ],
      },
      {
        specType: ['external'],
        types: ['external'],
        required: ['type', 'owner', 'lifecycle', 'model', 'modelVersion'],
      },
    ]);
  });
});
