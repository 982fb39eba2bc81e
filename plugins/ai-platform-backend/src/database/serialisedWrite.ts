import type { Knex } from 'knex';

/** What a serialised write locks. */
export type SerialisedWriteLock = {
  /**
   * The Postgres advisory lock: a string is hashed (`hashtext`), so that each
   * key (a pool, an endpoint) is its own lock; a number is the lock itself.
   */
  key: string | number;
  /**
   * SQLite has one writer at a time, but a transaction takes the write lock
   * only at its first write. Naming a table and a column here makes a write
   * that matches no row (`column = ''`) the transaction's first statement, so
   * that what `work` reads and writes is one serialised step. Left out, SQLite
   * takes the lock where `work` first writes.
   */
  sqliteWriteLock?: { table: string; column: string };
};

/**
 * Runs `work` in a transaction that no other serialised write with the same
 * lock runs beside, across replicas: on Postgres under a transaction-scoped
 * advisory lock, on SQLite under its write lock.
 */
export async function serialisedWrite<T>(
  knex: Knex,
  lock: SerialisedWriteLock,
  work: (tx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return knex.transaction(async tx => {
    if (tx.client.config.client === 'pg') {
      if (typeof lock.key === 'number') {
        await tx.raw('SELECT pg_advisory_xact_lock(?)', [lock.key]);
      } else {
        await tx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [lock.key]);
      }
    } else if (lock.sqliteWriteLock) {
      await tx(lock.sqliteWriteLock.table)
        .where(lock.sqliteWriteLock.column, '')
        .delete();
    }
    return work(tx);
  });
}
