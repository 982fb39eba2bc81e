import { useCallback } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * Page state kept in the URL's query string, so that every view can be
 * linked to and reloaded: `get(name)` reads a parameter, `set({...})` changes
 * some (an empty or undefined value removes one) and keeps the rest.
 */
export function useQueryState() {
  const [params, setParams] = useSearchParams();
  const get = useCallback(
    (name: string): string | undefined => params.get(name) ?? undefined,
    [params],
  );
  const set = useCallback(
    (changes: Record<string, string | undefined>) => {
      setParams(
        current => {
          const next = new URLSearchParams(current);
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined || value === '') next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  return { get, set };
}
