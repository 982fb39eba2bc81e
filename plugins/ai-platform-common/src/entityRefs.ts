import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/** How to read a ref written without its kind or namespace. */
export type EntityRefDefaults = {
  /** The kind of a ref without one (e.g. `Group` for `team-a`); none: the ref must name its kind. */
  defaultKind?: string;
  /** The namespace of a ref without one; `default` unless given. */
  defaultNamespace?: string;
};

/**
 * An entity ref in the catalog's canonical form (`kind:namespace/name` in
 * lower case, as `stringifyEntityRef` writes it), e.g. `group:default/team-a` for `team-a` with
 * `defaultKind: 'Group'`. Throws the catalog's error when `ref` is not an
 * entity ref; callers that answer a request turn that into their own error.
 */
export function canonicalEntityRef(
  ref: string,
  defaults: EntityRefDefaults = {},
): string {
  return stringifyEntityRef(
    parseEntityRef(ref, {
      defaultKind: defaults.defaultKind,
      defaultNamespace: defaults.defaultNamespace ?? 'default',
    }),
  );
}

/** {@link canonicalEntityRef}, or undefined when `ref` is not a string or not an entity ref. */
export function canonicalEntityRefOrUndefined(
  ref: unknown,
  defaults: EntityRefDefaults = {},
): string | undefined {
  if (typeof ref !== 'string') return undefined;
  try {
    return canonicalEntityRef(ref, defaults);
  } catch {
    return undefined;
  }
}

/** Entity refs compare without regard to case (the catalog's own rule); undefined matches nothing. */
export function sameEntityRef(
  a: string | undefined,
  b: string | undefined,
): boolean {
  return (
    a !== undefined &&
    b !== undefined &&
    a.toLocaleLowerCase('en-US') === b.toLocaleLowerCase('en-US')
  );
}
