/** Whether a recorded action succeeded. */
export type AuditOutcome = 'success' | 'failure';

/** A stored audit record: the action, its place in the hash chain and its hash. */
export type AuditRecord = {
  seq: number;
  id: string;
  /** ISO 8601 UTC. */
  time: string;
  /** Who acted: a user entity ref, or `service:<subject>` for a service. */
  actor: string;
  /** What was done, e.g. `eval.ingest`, `gate.override`, `quota.update`. */
  action: string;
  /** The entity ref acted upon, when there is one. */
  target?: string;
  /** A summary of the request, secrets removed. */
  request: { [key: string]: unknown };
  outcome: AuditOutcome;
  /** The failure message (or a short note on success). */
  message?: string;
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
  /** Inclusive lower bound, ISO 8601 date-time with offset. */
  from?: string;
  /** Exclusive upper bound, ISO 8601 date-time with offset. */
  to?: string;
};

/** Answer of `GET /audit`: one page of records, newest first. */
export type AuditPage = {
  items: AuditRecord[];
  /** Pass as `cursor` to get the next page; absent on the last page. */
  nextCursor?: string;
};

/** Answer of `GET /audit/verify`: the result of walking the chain. */
export type AuditVerification = {
  ok: boolean;
  /** Records checked. */
  checked: number;
  /** The first record where the chain breaks, when it does. */
  firstBroken?: { seq: number; id: string; reason: string };
};
