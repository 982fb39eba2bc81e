import type { JsonObject } from '@backstage/types';
import type { AuditOutcome } from '@internal/plugin-ai-platform-common';

/** The API shapes, shared with the clients through -common. */
export type {
  AuditOutcome,
  AuditRecord,
  AuditFilter,
  AuditPage,
  AuditVerification,
} from '@internal/plugin-ai-platform-common';

/** One action to record. */
export type NewAuditEntry = {
  /** Who acted: a user entity ref, or `service:<subject>` for a service. */
  actor: string;
  /** What was done, e.g. `eval.ingest`, `gate.override`, `quota.update`. */
  action: string;
  /** The entity ref acted upon, when there is one. */
  target?: string;
  /** A summary of the request; secrets are removed before storing. */
  request: JsonObject;
  outcome: AuditOutcome;
  /** The failure message (or a short note on success). */
  message?: string;
};
