import { useState } from 'react';

let next = 0;

/**
 * A stable, unique element id for label and aria wiring. React 18's useId is
 * not in the React versions the plugin supports (16-18), and Material UI's
 * unstable_useId has no types.
 */
export function useElementId(prefix = 'ai-platform'): string {
  const [id] = useState(() => {
    next += 1;
    return `${prefix}-${next}`;
  });
  return id;
}
