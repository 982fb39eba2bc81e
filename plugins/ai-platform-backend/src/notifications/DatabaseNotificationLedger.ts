import type { Knex } from 'knex';

/** The store calls the notifier makes. */
export interface NotificationLedger {
  /**
   * Claims a de-duplication key: true when this call inserted it (so the
   * caller sends), false when it was claimed before, by this replica or
   * another.
   */
  claim(entry: {
    key: string;
    topic: string;
    recipients: string[];
    at: string;
  }): Promise<boolean>;
  /** Gives a claim back, after a send that failed, so a later run retries. */
  release(key: string): Promise<void>;
  /** Whether a key was claimed. */
  has(key: string): Promise<boolean>;
}

/**
 * The notifications sent, in the plugin's database (table
 * `notifications_sent`). The key is the primary key, so concurrent claims
 * of one key by two replicas insert one row: one of them sends.
 */
export class DatabaseNotificationLedger implements NotificationLedger {
  private constructor(private readonly knex: Knex) {}

  static create(options: { knex: Knex }): DatabaseNotificationLedger {
    return new DatabaseNotificationLedger(options.knex);
  }

  async claim(entry: {
    key: string;
    topic: string;
    recipients: string[];
    at: string;
  }): Promise<boolean> {
    const inserted = await this.knex('notifications_sent')
      .insert({
        dedupe_key: entry.key,
        topic: entry.topic,
        recipients: JSON.stringify(entry.recipients),
        sent_at: entry.at,
      })
      .onConflict('dedupe_key')
      .ignore()
      .returning('dedupe_key');
    return inserted.length > 0;
  }

  async release(key: string): Promise<void> {
    await this.knex('notifications_sent').where('dedupe_key', key).delete();
  }

  async has(key: string): Promise<boolean> {
    const row = await this.knex('notifications_sent')
      .where('dedupe_key', key)
      .first('dedupe_key');
    return Boolean(row);
  }
}
