import type { JsonObject } from '@backstage/types';
import type { NewAuditEntry } from './types';

/** The actor of everything the demo seeds write (eval runs, audit records). */
export const DEMO_SEED_ACTOR = 'service:ai-platform-demo-seed';

/** What every demo seed message starts with. */
export const DEMO_MESSAGE_PREFIX = 'Demo data: ';

/**
 * The audit record of something a demo seed wrote: the action a real call
 * would record, by {@link DEMO_SEED_ACTOR}, marked as demo data with
 * `"demo": true` in its request and a message starting "Demo data: ".
 */
export function demoSeedAuditEntry(options: {
  action: string;
  target?: string;
  request: JsonObject;
  /** What was seeded, e.g. `seeded eval run ...`. */
  message: string;
}): NewAuditEntry {
  return {
    actor: DEMO_SEED_ACTOR,
    action: options.action,
    target: options.target,
    request: { ...options.request, demo: true },
    outcome: 'success',
    message: `${DEMO_MESSAGE_PREFIX}${options.message}`,
  };
}
