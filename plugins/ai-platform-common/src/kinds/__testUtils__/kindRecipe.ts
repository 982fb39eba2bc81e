/* eslint-disable jest/no-export -- a shared test recipe, used by the kind tests */
import type { Entity } from '@backstage/catalog-model';
import type { AiPlatformKindValidator } from '../validation';

type Schema = Record<string, any>;

/** A field of a schema: its path, its schema and whether its parent requires it. */
export type SchemaField = {
  segments: Array<string | number>;
  path: string;
  schema: Schema;
  required: boolean;
};

function toPath(segments: Array<string | number>): string {
  return segments
    .map((s, i) => {
      if (typeof s === 'number') return `[${s}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(s)) return `${i ? '.' : ''}${s}`;
      return `[${JSON.stringify(s)}]`;
    })
    .join('');
}

/** Every field under `spec` of a kind schema, arrays walked through item 0. */
export function schemaFields(schema: Schema): SchemaField[] {
  const out: SchemaField[] = [];
  const walk = (s: Schema, segments: Array<string | number>) => {
    const required: string[] = s.required ?? [];
    for (const [name, child] of Object.entries<Schema>(s.properties ?? {})) {
      const seg = [...segments, name];
      out.push({
        segments: seg,
        path: toPath(seg),
        schema: child,
        required: required.includes(name),
      });
      if (child.type === 'object') walk(child, seg);
      if (child.type === 'array' && child.items?.type === 'object') {
        walk(child.items, [...seg, 0]);
      }
    }
  };
  walk(schema.properties.spec, ['spec']);
  return out;
}

export function getAt(obj: any, segments: Array<string | number>): unknown {
  return segments.reduce((o, s) => (o === undefined ? o : o[s]), obj);
}

export function setAt(
  entity: Entity,
  segments: Array<string | number>,
  value: unknown,
): Entity {
  const copy = structuredClone(entity) as any;
  let o = copy;
  for (const s of segments.slice(0, -1)) o = o[s];
  const last = segments[segments.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

/** A value of a type the field does not accept. */
export function wrongTypeValue(schema: Schema): unknown {
  if (schema.type === 'string' || Array.isArray(schema.enum)) return 42;
  if (schema.type === 'number' || schema.type === 'integer') return 'many';
  if (schema.type === 'array') return 'not-a-list';
  if (schema.type === 'object') return 'not-an-object';
  return { unexpected: true };
}

/**
 * The recipe of Backstage's kind tests: the full entity is accepted, other
 * kinds are ignored, and each field is rejected when missing (if required),
 * of the wrong type, or empty, with an error naming the field.
 */
export function describeKindRecipe(options: {
  validator: AiPlatformKindValidator;
  schema: Schema;
  /** An entity that sets every field of the schema. */
  full: Entity;
  /** String fields where an empty string is meaningful. */
  emptyAllowed?: string[];
}) {
  const { validator, schema, full } = options;
  const fields = schemaFields(schema);

  it('accepts the full entity', async () => {
    await expect(validator.check(full)).resolves.toBe(true);
    expect(validator.validate(full)).toEqual([]);
  });

  it('has a fixture that sets every field of the schema', () => {
    const unset = fields.filter(f => getAt(full, f.segments) === undefined);
    expect(unset.map(f => f.path)).toEqual([]);
  });

  it('has a description on every field of the schema', () => {
    const bare = fields.filter(f => !f.schema.description);
    expect(bare.map(f => f.path)).toEqual([]);
  });

  it('ignores other kinds and apiVersions', async () => {
    await expect(validator.check({ ...full, kind: 'Component' })).resolves.toBe(
      false,
    );
    await expect(
      validator.check({ ...full, apiVersion: 'backstage.io/v1alpha1' }),
    ).resolves.toBe(false);
  });

  const required = fields.filter(f => f.required);
  it.each(required.map(f => [f.path, f] as const))(
    'rejects a missing %s',
    async (path, field) => {
      const entity = setAt(full, field.segments, undefined);
      await expect(validator.check(entity)).rejects.toThrow(
        `${path} is required`,
      );
    },
  );

  it.each(fields.map(f => [f.path, f] as const))(
    'rejects a wrong-typed %s',
    async (path, field) => {
      const entity = setAt(full, field.segments, wrongTypeValue(field.schema));
      await expect(validator.check(entity)).rejects.toThrow(`${path} must be`);
    },
  );

  const strings = fields.filter(
    f => f.schema.type === 'string' || Array.isArray(f.schema.enum),
  );
  it('gives every string field minLength, a pattern or an enum', () => {
    const loose = strings.filter(
      f =>
        !f.schema.minLength &&
        !f.schema.pattern &&
        !f.schema.enum &&
        !(options.emptyAllowed ?? []).includes(f.path),
    );
    expect(loose.map(f => f.path)).toEqual([]);
  });
  const nonEmpty = strings.filter(
    f => !(options.emptyAllowed ?? []).includes(f.path),
  );
  it.each(nonEmpty.map(f => [f.path, f] as const))(
    'rejects an empty %s',
    async (path, field) => {
      const entity = setAt(full, field.segments, '');
      await expect(validator.check(entity)).rejects.toThrow(`${path} must be`);
    },
  );
}
