import type { Entity } from '@backstage/catalog-model';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { AI_PLATFORM_API_VERSION } from '../constants';
import patternErrorMessages from './patternErrorMessages.json';

/** One thing wrong with an entity: where (a field path) and why. */
export interface EntityProblem {
  /** Field path such as `spec.resources.gpusPerReplica` or `spec.versions[1].stage`. */
  path: string;
  /** Why, phrased to follow the path: `must be an integer >= 1`. */
  message: string;
}

/**
 * A check that a JSON schema cannot express (it spans fields); runs only on
 * schema-valid entities. The name says which rule rejected an entity.
 */
export type EntityRule = {
  /** A stable name, e.g. `uniqueVersionNames`. */
  name: string;
  check(entity: Entity): EntityProblem[];
};

/**
 * Thrown for an invalid entity of our kinds. The message names the entity,
 * each field path and the reason, e.g.
 * `InferenceEndpoint "default/chat" is invalid: spec.resources.gpusPerReplica must be an integer >= 1 (got 0)`.
 */
export class EntityValidationError extends TypeError {
  readonly problems: EntityProblem[];

  constructor(entity: Entity, problems: EntityProblem[]) {
    super(
      `${entity.kind} "${describeEntity(entity)}" is invalid: ${problems
        .map(p => `${p.path} ${p.message}`)
        .join('; ')}`,
    );
    this.name = 'EntityValidationError';
    this.problems = problems;
  }
}

/**
 * A validator with the shape of `@backstage/catalog-model`'s `KindValidator`,
 * plus a synchronous `validate` that lists every problem.
 */
export interface AiPlatformKindValidator {
  /** The kind this validator checks. */
  readonly kind: string;
  /**
   * Returns false for entities of other kinds, true for valid ones, and throws
   * an {@link EntityValidationError} for invalid ones.
   */
  check(entity: Entity): Promise<boolean>;
  /** Every problem of an entity of this kind; an empty list when it is valid. */
  validate(entity: Entity): EntityProblem[];
  /** The problems the JSON schema alone finds (no rules). */
  schemaProblems(entity: Entity): EntityProblem[];
  /** The rules checked after the schema, in order. */
  readonly rules: readonly EntityRule[];
}

function describeEntity(entity: Entity): string {
  const name = entity.metadata?.name ?? '<unnamed>';
  return `${entity.metadata?.namespace ?? 'default'}/${name}`;
}

let sharedAjv: Ajv | undefined;
function ajv(): Ajv {
  // Strict, as `entityKindSchemaValidator` of @backstage/catalog-model
  // compiles (plus strictTypes): the kind schemas carry no editor-only
  // keywords. The wording of pattern errors lives in
  // patternErrorMessages.json, which the generated editor schema also uses.
  sharedAjv ??= new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    // anyOf branches name properties declared beside them, not inside them.
    strictRequired: false,
  });
  return sharedAjv;
}

/**
 * How an error of a `pattern` is worded (`that is a Kubernetes namespace
 * name ...`), by pattern; undefined for a pattern without one.
 */
export function patternErrorMessage(pattern: string): string | undefined {
  return (patternErrorMessages as Record<string, string>)[pattern];
}

/** Turns a JSON pointer (`/spec/versions/0/name`) into `spec.versions[0].name`. */
export function pointerToPath(pointer: string, child?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map(p => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) parts.push(child);
  let out = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out || '<root>';
}

type Schema = Record<string, any>;

function describeBounds(s: Schema): string[] {
  const bounds: string[] = [];
  if (s.minimum !== undefined) bounds.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) bounds.push(`<= ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) bounds.push(`< ${s.exclusiveMaximum}`);
  return bounds;
}

/** Words what a field's schema expects: `an integer >= 1`, `one of a, b`. */
export function describeExpectation(s: Schema): string {
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(', ')}`;
  if (s.const !== undefined) return `"${s.const}"`;
  switch (s.type) {
    case 'integer':
    case 'number': {
      const noun = s.type === 'integer' ? 'an integer' : 'a number';
      return [noun, describeBounds(s).join(' and ')].filter(Boolean).join(' ');
    }
    case 'string': {
      if (s.pattern) {
        return `a string ${
          patternErrorMessage(s.pattern) ?? `matching /${s.pattern}/`
        }`;
      }
      return s.minLength ? 'a non-empty string' : 'a string';
    }
    case 'array':
      return s.minItems
        ? `a list with at least ${s.minItems} item${s.minItems > 1 ? 's' : ''}`
        : 'a list';
    case 'object':
      return 'an object';
    case 'boolean':
      return 'true or false';
    default:
      return 'valid';
  }
}

function shortValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Turns Ajv's errors into one readable problem per field. */
export function ajvErrorsToProblems(errors: ErrorObject[]): EntityProblem[] {
  const problems = new Map<string, EntityProblem>();
  const add = (p: EntityProblem) => {
    if (!problems.has(p.path)) problems.set(p.path, p);
  };
  // Branch errors of anyOf/oneOf are summarised by the combinator's error.
  const combinators = errors
    .filter(e => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .map(e => e.schemaPath);
  for (const e of errors) {
    if (
      e.keyword === 'if' ||
      combinators.some(
        c => e.schemaPath !== c && e.schemaPath.startsWith(`${c}/`),
      )
    ) {
      continue;
    }
    const parent = (e.parentSchema ?? {}) as Schema;
    switch (e.keyword) {
      case 'required':
        add({
          path: pointerToPath(
            e.instancePath,
            (e.params as { missingProperty: string }).missingProperty,
          ),
          message: 'is required',
        });
        break;
      case 'additionalProperties': {
        const known = Object.keys(parent.properties ?? {});
        add({
          path: pointerToPath(
            e.instancePath,
            (e.params as { additionalProperty: string }).additionalProperty,
          ),
          message: `is not a known field${
            known.length ? ` (expected one of: ${known.join(', ')})` : ''
          }`,
        });
        break;
      }
      case 'anyOf':
      case 'oneOf': {
        const options = ((e.schema as Schema[]) ?? []).flatMap(
          branch => branch.required ?? [],
        );
        add({
          path: pointerToPath(e.instancePath),
          message: options.length
            ? `must set at least one of ${options.join(', ')}`
            : 'does not match any allowed form',
        });
        break;
      }
      default:
        add({
          path: pointerToPath(e.instancePath),
          message: `must be ${describeExpectation(parent)} (got ${shortValue(
            e.data,
          )})`,
        });
    }
  }
  return [...problems.values()];
}

/** Builds the validator of one of our kinds from its JSON schema and rules. */
export function createKindValidator(options: {
  kind: string;
  schema: object;
  rules?: EntityRule[];
}): AiPlatformKindValidator {
  const { kind, rules = [] } = options;
  let compiled: ValidateFunction | undefined;
  const schemaProblems = (entity: Entity): EntityProblem[] => {
    compiled ??= ajv().compile(options.schema);
    return compiled(entity) ? [] : ajvErrorsToProblems(compiled.errors ?? []);
  };
  const validate = (entity: Entity): EntityProblem[] => {
    const problems = schemaProblems(entity);
    return problems.length
      ? problems
      : rules.flatMap(rule => rule.check(entity));
  };
  return {
    kind,
    validate,
    schemaProblems,
    rules,
    async check(entity: Entity) {
      if (
        entity.apiVersion !== AI_PLATFORM_API_VERSION ||
        entity.kind !== kind
      ) {
        return false;
      }
      const problems = validate(entity);
      if (problems.length) {
        throw new EntityValidationError(entity, problems);
      }
      return true;
    },
  };
}
