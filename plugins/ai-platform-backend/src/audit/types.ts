import type { JsonObject } from '@backstage/types';

/** Whether a recorded action succeeded. */
export type AuditOutcome = 'success' | 'failure';

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

/** A stored audit record: the entry, its place in the chain and its hash. */
export type AuditRecord = NewAuditEntry & {
  seq: number;
  id: string;
  /** ISO 8601 UTC. */
  time: string;
  /** Hash of the previous record (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 over this record's fields and prevHash. */
  hash: string;
};

/** Filters of an audit query; all optional, combined with AND. */
export type AuditFilter = {
  actor?: string;
  action?: string;
  target?: string;
  outcome?: AuditOutcome;
  /** Inclusive lower bound, ISO 8601. */
  from?: string;
  /** Exclusive upper bound, ISO 8601. */
  to?: string;
};

/** One page of records, newest first; pass nextCursor to get the next page. */
export type AuditPage = {
  items: AuditRecord[];
  nextCursor?: string;
};

/** The result of walking the chain. */
export type AuditVerification = {
  ok: boolean;
  /** Records checked. */
  checked: number;
  /** The first record where the chain breaks, when it does. */
  firstBroken?: {
    seq: number;
    id: string;
    reason: string;
  };
};
