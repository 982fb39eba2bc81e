import {
  type Entity,
  entityKindSchemaValidator,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  type AiPlatformKindValidator,
  type GpuPoolEntityV1alpha1,
  type InferenceEndpointEntityV1alpha1,
  type ModelEntityV1alpha1,
  gpuPoolEntityV1alpha1Schema,
  gpuPoolEntityV1alpha1Validator,
  inferenceEndpointEntityV1alpha1Schema,
  inferenceEndpointEntityV1alpha1Validator,
  modelEntityV1alpha1Schema,
  modelEntityV1alpha1Validator,
} from '@internal/plugin-ai-platform-common';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { readReferences } from './AiPlatformEntitiesProcessor';
import { crossEntityRules } from './crossEntityRules';

const examplesDir = path.resolve(__dirname, '../../../../examples');

function documents(file: string): Entity[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map(
    d => d.toJS() as Entity,
  );
}

const kinds: Record<
  string,
  { schema: object; validator: AiPlatformKindValidator }
> = {
  Model: {
    schema: modelEntityV1alpha1Schema,
    validator: modelEntityV1alpha1Validator,
  },
  InferenceEndpoint: {
    schema: inferenceEndpointEntityV1alpha1Schema,
    validator: inferenceEndpointEntityV1alpha1Validator,
  },
  GpuPool: {
    schema: gpuPoolEntityV1alpha1Schema,
    validator: gpuPoolEntityV1alpha1Validator,
  },
};

/** Backstage's own verdict: the entity, false (not this kind), or the error. */
function backstageVerdict(schema: object, entity: Entity) {
  try {
    return entityKindSchemaValidator(schema)(entity) ? 'valid' : 'other kind';
  } catch (error) {
    return `invalid: ${(error as Error).message}`;
  }
}

const text = (p: { path: string; message: string }) => `${p.path} ${p.message}`;

const examples = fs
  .readdirSync(examplesDir)
  .filter(f => f.endsWith('.yaml'))
  .flatMap(f => documents(path.join(examplesDir, f)));

function example(ref: string): Entity | undefined {
  return examples.find(
    e =>
      stringifyEntityRef(e).toLocaleLowerCase('en-US') ===
      ref.toLocaleLowerCase('en-US'),
  );
}

/**
 * What rejects each file of examples/invalid: `schema` (the kind schema, so
 * entityKindSchemaValidator rejects it too), a rule of the kind's validator
 * (`uniqueVersionNames`, ...), the processor's reference check
 * (`referenceKinds`) or a cross-entity rule of the processor
 * (`modelVersionExists`, ...).
 */
const rejectedBy: Record<string, string> = {
  'endpoint-bad-namespace.yaml': 'schema',
  'endpoint-cluster-mismatch.yaml': 'clusterMatchesPool',
  'endpoint-exceeds-pool.yaml': 'fitsPoolCapacity',
  'endpoint-max-below-replicas.yaml': 'replicaBounds',
  'endpoint-memory-utilization-percent.yaml': 'schema',
  'endpoint-missing-pool.yaml': 'schema',
  'endpoint-model-wrong-kind.yaml': 'referenceKinds',
  'endpoint-replica-spans-nodes.yaml': 'replicaFitsOnNode',
  'endpoint-replicas-not-a-number.yaml': 'schema',
  'endpoint-tp-not-dividing-gpus.yaml': 'tensorParallelDividesGpus',
  'endpoint-unknown-field.yaml': 'schema',
  'endpoint-unknown-model-version.yaml': 'modelVersionExists',
  'endpoint-zero-gpus.yaml': 'schema',
  'model-base-not-a-model.yaml': 'referenceKinds',
  'model-duplicate-version.yaml': 'uniqueVersionNames',
  'model-empty-owner.yaml': 'schema',
  'model-gate-without-threshold.yaml': 'schema',
  'model-missing-versions.yaml': 'schema',
  'model-parameters-not-a-number.yaml': 'schema',
  'model-source-without-scheme.yaml': 'schema',
  'model-unknown-stage.yaml': 'schema',
  'pool-bad-currency.yaml': 'schema',
  'pool-bad-toleration.yaml': 'schema',
  'pool-duplicate-team-quota.yaml': 'oneQuotaPerTeam',
  'pool-mig-without-resource-name.yaml': 'migNamesItsProfile',
  'pool-missing-gpu.yaml': 'schema',
  'pool-negative-price.yaml': 'schema',
  'pool-per-node-over-count.yaml': 'perNodeWithinCount',
  'pool-unknown-type.yaml': 'schema',
};

describe('validate every example with entityKindSchemaValidator', () => {
  it('gives the same verdict as our validators on every document of examples/', () => {
    expect(examples.length).toBeGreaterThan(30);
    for (const entity of examples) {
      const verdicts = Object.entries(kinds).map(([kind, { schema }]) => [
        kind,
        backstageVerdict(schema, entity),
      ]);
      expect({ name: entity.metadata.name, verdicts }).toEqual({
        name: entity.metadata.name,
        // Valid for its own kind schema; the other kind schemas say it is
        // not theirs (false), not that it is invalid.
        verdicts: Object.keys(kinds).map(kind => [
          kind,
          kind === entity.kind ? 'valid' : 'other kind',
        ]),
      });
      // Ours agrees: no problem, schema or rule, on any of our kinds.
      expect({
        name: entity.metadata.name,
        problems: kinds[entity.kind]?.validator.validate(entity) ?? [],
      }).toEqual({ name: entity.metadata.name, problems: [] });
    }
  });

  const invalidDir = path.join(examplesDir, 'invalid');
  const files = fs.readdirSync(invalidDir).filter(f => f.endsWith('.yaml'));

  it('names what rejects every file of examples/invalid', () => {
    expect(Object.keys(rejectedBy).sort()).toEqual(files.sort());
  });

  /** A broken example: its entity, expected error, validator and rule. */
  const load = (file: string) => {
    const expected = fs
      .readFileSync(path.join(invalidDir, file), 'utf8')
      .match(/^# expect-error: (.+)$/m)![1];
    const [entity] = documents(path.join(invalidDir, file));
    const { schema, validator } = kinds[entity.kind];
    return {
      entity,
      expected,
      validator,
      rule: rejectedBy[file],
      backstage: backstageVerdict(schema, entity),
    };
  };
  const filesRejectedBy = (test: (rule: string) => boolean) =>
    files.filter(f => test(rejectedBy[f]));
  const kindRuleNames = Object.values(kinds).flatMap(k =>
    k.validator.rules.map(r => r.name),
  );
  const crossRuleNames = crossEntityRules.map(r => r.name);

  it.each(filesRejectedBy(rule => rule === 'schema'))(
    '%s: rejected by the schema, by entityKindSchemaValidator as by ours',
    file => {
      const { entity, expected, validator, backstage } = load(file);
      expect(backstage).toMatch(/^invalid: /);
      // Ours says which field and why.
      expect(validator.schemaProblems(entity).map(text).join('; ')).toContain(
        expected,
      );
    },
  );

  it.each(filesRejectedBy(rule => kindRuleNames.includes(rule)))(
    '%s: accepted by the schema, rejected by the named rule of our validator',
    file => {
      const { entity, expected, validator, rule, backstage } = load(file);
      expect(backstage).toBe('valid');
      expect(validator.schemaProblems(entity)).toEqual([]);
      const named = validator.rules.find(r => r.name === rule)!;
      expect(validator.validate(entity)).toEqual(named.check(entity));
      expect(named.check(entity).map(text).join('; ')).toContain(expected);
    },
  );

  it.each(filesRejectedBy(rule => rule === 'referenceKinds'))(
    '%s: accepted by the schema, rejected by the processor’s referenceKinds check',
    file => {
      const { entity, expected, validator, backstage } = load(file);
      expect(backstage).toBe('valid');
      expect(validator.validate(entity)).toEqual([]);
      expect(
        readReferences(entity).flatMap(r => (r.problem ? [r.problem] : [])),
      ).toEqual([expect.stringContaining(expected)]);
    },
  );

  it.each(filesRejectedBy(rule => crossRuleNames.includes(rule)))(
    '%s: accepted by the schema, rejected by the named cross-entity rule',
    file => {
      const { entity, expected, validator, rule, backstage } = load(file);
      expect(backstage).toBe('valid');
      expect(validator.validate(entity)).toEqual([]);
      const references = readReferences(entity);
      expect(references.filter(r => r.problem)).toEqual([]);
      const related = (field: string) => {
        const ref = references.find(r => r.path === field)?.target;
        return ref && example(stringifyEntityRef(ref));
      };
      const byRule = Object.fromEntries(
        crossEntityRules.map(r => [
          r.name,
          r.check(entity as InferenceEndpointEntityV1alpha1, {
            model: related('spec.model') as ModelEntityV1alpha1 | undefined,
            pool: related('spec.gpuPool') as GpuPoolEntityV1alpha1 | undefined,
          }),
        ]),
      );
      const none = Object.fromEntries(crossRuleNames.map(name => [name, []]));
      expect(byRule).toEqual({
        ...none,
        [rule]: [expect.stringContaining(expected)],
      });
    },
  );

  it('sorts every broken example into exactly one of the groups above', () => {
    const known = [
      'schema',
      'referenceKinds',
      ...kindRuleNames,
      ...crossRuleNames,
    ];
    expect(Object.values(rejectedBy).filter(r => !known.includes(r))).toEqual(
      [],
    );
  });
});
