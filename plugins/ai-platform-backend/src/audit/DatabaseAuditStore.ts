import type { Knex } from 'knex';
import { createHash, randomUUID } from 'crypto';
import type { JsonObject } from '@backstage/types';
import type {
  AuditFilter,
  AuditPage,
  AuditRecord,
  AuditVerification,
  NewAuditEntry,
} from './types';
import { serialisedWrite } from '../database/serialisedWrite';

/** The prevHash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Postgres advisory lock key that serialises appends across replicas. */
const APPEND_LOCK_KEY = 727_001;

type AuditRow = {
  seq: number | string;
  id: string;
  created_at: string;
  actor: string;
  action: string;
  target: string | null;
  request: string;
  outcome: string;
  message: string | null;
  prev_hash: string;
  hash: string;
};

/** JSON with object keys sorted, so that a record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : Number(a > b)));
    return `{${entries
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** The hash of a record: SHA-256 of its fields and the previous hash. */
export function hashRecord(record: Omit<AuditRecord, 'seq' | 'hash'>): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        id: record.id,
        time: record.time,
        actor: record.actor,
        action: record.action,
        target: record.target ?? null,
        request: record.request,
        outcome: record.outcome,
        message: record.message ?? null,
        prevHash: record.prevHash,
      }),
    )
    .digest('hex');
}

function rowToRecord(row: AuditRow): AuditRecord {
  return {
    seq: Number(row.seq),
    id: row.id,
    time: row.created_at,
    actor: row.actor,
    action: row.action,
    target: row.target ?? undefined,
    request: JSON.parse(row.request) as JsonObject,
    outcome: row.outcome as AuditRecord['outcome'],
    message: row.message ?? undefined,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function encodeCursor(seq: number): string {
  return Buffer.from(`seq:${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^seq:(\d+)$/.exec(
    Buffer.from(cursor, 'base64url').toString('utf8'),
  );
  return match ? Number(match[1]) : undefined;
}

/** Stores the audit log: append-only, hash-chained, serialised appends. */
export interface AuditStore {
  append(entry: NewAuditEntry): Promise<AuditRecord>;
  query(options: {
    filter?: AuditFilter;
    cursor?: string;
    limit?: number;
  }): Promise<AuditPage>;
  /** Every record matching the filter, oldest first, in batches. */
  stream(filter?: AuditFilter): AsyncIterable<AuditRecord>;
  verify(): Promise<AuditVerification>;
}

/** The audit store on the plugin's database (SQLite or Postgres). */
export class DatabaseAuditStore implements AuditStore {
  static create(options: { knex: Knex; now?: () => Date }): DatabaseAuditStore {
    return new DatabaseAuditStore(
      options.knex,
      options.now ?? (() => new Date()),
    );
  }

  private constructor(
    private readonly knex: Knex,
    private readonly now: () => Date,
  ) {}

  /** Thrown for a cursor that this store did not hand out. */
  static isValidCursor(cursor: string): boolean {
    return decodeCursor(cursor) !== undefined;
  }

  async append(entry: NewAuditEntry): Promise<AuditRecord> {
    // One appender at a time across all replicas: read the head and insert
    // after it without anyone else slipping in between.
    return serialisedWrite(this.knex, { key: APPEND_LOCK_KEY }, async tx => {
      const head = await tx<AuditRow>('audit_log')
        .select('hash')
        .orderBy('seq', 'desc')
        .first();
      const unhashed = {
        id: randomUUID(),
        time: this.now().toISOString(),
        actor: entry.actor,
        action: entry.action,
        target: entry.target,
        request: entry.request,
        outcome: entry.outcome,
        message: entry.message,
        prevHash: head?.hash ?? GENESIS_HASH,
      };
      const hash = hashRecord(unhashed);
      const [inserted] = await tx('audit_log')
        .insert({
          id: unhashed.id,
          created_at: unhashed.time,
          actor: unhashed.actor,
          action: unhashed.action,
          target: unhashed.target ?? null,
          request: JSON.stringify(unhashed.request),
          outcome: unhashed.outcome,
          message: unhashed.message ?? null,
          prev_hash: unhashed.prevHash,
          hash,
        })
        .returning('seq');
      const seq = typeof inserted === 'object' ? inserted.seq : inserted;
      return { ...unhashed, seq: Number(seq), hash };
    });
  }

  private filtered(filter: AuditFilter = {}) {
    const q = this.knex<AuditRow>('audit_log');
    if (filter.actor) q.where('actor', filter.actor);
    if (filter.action) q.where('action', filter.action);
    if (filter.target) q.where('target', filter.target);
    if (filter.outcome) q.where('outcome', filter.outcome);
    if (filter.from) q.where('created_at', '>=', filter.from);
    if (filter.to) q.where('created_at', '<', filter.to);
    return q;
  }

  async query(options: {
    filter?: AuditFilter;
    cursor?: string;
    limit?: number;
  }): Promise<AuditPage> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const q = this.filtered(options.filter);
    if (options.cursor) {
      const before = decodeCursor(options.cursor);
      if (before === undefined) {
        throw new Error('invalid cursor');
      }
      q.where('seq', '<', before);
    }
    const rows = await q.orderBy('seq', 'desc').limit(limit + 1);
    const items = rows.slice(0, limit).map(rowToRecord);
    return {
      items,
      nextCursor:
        rows.length > limit
          ? encodeCursor(items[items.length - 1].seq)
          : undefined,
    };
  }

  async *stream(filter?: AuditFilter): AsyncIterable<AuditRecord> {
    let after = 0;
    for (;;) {
      const rows = await this.filtered(filter)
        .where('seq', '>', after)
        .orderBy('seq', 'asc')
        .limit(1000);
      for (const row of rows) yield rowToRecord(row);
      if (rows.length < 1000) return;
      after = Number(rows[rows.length - 1].seq);
    }
  }

  async verify(): Promise<AuditVerification> {
    let prevHash = GENESIS_HASH;
    let checked = 0;
    for await (const record of this.stream()) {
      checked++;
      if (record.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          firstBroken: {
            seq: record.seq,
            id: record.id,
            reason: `prev_hash does not match the hash of the record before it (a record was removed, inserted or reordered)`,
          },
        };
      }
      if (hashRecord(record) !== record.hash) {
        return {
          ok: false,
          checked,
          firstBroken: {
            seq: record.seq,
            id: record.id,
            reason:
              'the record was changed after it was written (its hash does not match its contents)',
          },
        };
      }
      prevHash = record.hash;
    }
    return { ok: true, checked };
  }
}
