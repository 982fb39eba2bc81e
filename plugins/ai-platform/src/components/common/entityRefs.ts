import { parseEntityRef } from '@backstage/catalog-model';

/**
 * A short name for an entity ref, for chart legends and labels: the name,
 * with the namespace when it is not `default`. Not a ref (a cluster name)
 * is returned as it is.
 */
export function shortRef(ref: string): string {
  try {
    const { namespace, name } = parseEntityRef(ref);
    return namespace === 'default' ? name : `${namespace}/${name}`;
  } catch {
    return ref;
  }
}

/** Whether a string is an entity ref of the given kind (lower case), e.g. `group`. */
export function isRefOfKind(ref: string, kind: string): boolean {
  return ref.toLocaleLowerCase('en-US').startsWith(`${kind}:`);
}
