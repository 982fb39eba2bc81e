// @ts-check

/**
 * The notifications the plugin has sent, one row per de-duplication key
 * (e.g. `budget:group:default/applied-ml:2026-12:80`). A sender claims the
 * key by inserting it before sending; the primary key makes the claim
 * atomic across replicas, so a restart or a second replica never sends the
 * same notification twice.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('notifications_sent', table => {
    table.comment('Notifications sent by ai-platform, for de-duplication');
    table
      .string('dedupe_key', 512)
      .primary()
      .notNullable()
      .comment('What was notified, e.g. budget:<team>:<month>:<threshold>');
    table.string('topic', 255).notNullable().comment('The notification topic');
    table
      .text('recipients')
      .notNullable()
      .comment('JSON array of the entity refs it was sent to');
    table
      .string('sent_at', 32)
      .notNullable()
      .comment('ISO 8601 UTC time of the claim');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('notifications_sent');
};
