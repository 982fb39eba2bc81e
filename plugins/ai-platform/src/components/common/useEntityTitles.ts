import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { canonicalEntityRefOrUndefined } from '@internal/plugin-ai-platform-common';
import { useCallback, useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { shortRef } from './entityRefs';

/** The ref in the catalog's canonical form, or undefined when not a ref. */
function canonicalRef(value: string): string | undefined {
  return value.includes(':') ? canonicalEntityRefOrUndefined(value) : undefined;
}

/**
 * Display names for entity refs, for chart legends, axes and tooltips: each
 * entity's `metadata.title` where the catalog has one, else its name (with
 * the namespace when not `default`). Reads the catalog once for all refs
 * (`getEntitiesByRefs`, only the fields it needs). Until the answer comes, or
 * when the catalog cannot be read or does not know a ref, the name is used;
 * values that are not refs (cluster names) are returned as they are.
 */
export function useEntityTitles(
  values: readonly string[],
): (value: string) => string {
  const catalogApi = useApi(catalogApiRef);
  const refs = useMemo(
    () =>
      [
        ...new Set(
          values.map(canonicalRef).filter((r): r is string => r !== undefined),
        ),
      ].sort(),
    [values],
  );
  const key = refs.join(',');
  const { value: titles } = useAsync(async () => {
    const found = new Map<string, string>();
    if (refs.length === 0) return found;
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refs,
      fields: ['kind', 'metadata.name', 'metadata.namespace', 'metadata.title'],
    });
    items.forEach((entity, i) => {
      const title = entity?.metadata.title;
      if (title) found.set(refs[i], title);
    });
    return found;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [catalogApi, key]);
  return useCallback(
    (value: string) => {
      const ref = canonicalRef(value);
      return (ref && titles?.get(ref)) || shortRef(value);
    },
    [titles],
  );
}
