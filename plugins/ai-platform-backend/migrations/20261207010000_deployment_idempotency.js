// @ts-check

/**
 * An idempotency key per deployment call (for the scaffolder: task id and
 * step id), unique, so that a call repeated with the same key (a resumed
 * task) answers the first call's record instead of starting another
 * deployment. Null for calls without a key.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('deployments', table => {
    table
      .string('idempotency_key', 255)
      .nullable()
      .comment('The caller-chosen key of the call; unique when set');
    table.unique(['idempotency_key'], {
      indexName: 'deployments_idempotency_key_unique',
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.dropUnique(['idempotency_key'], 'deployments_idempotency_key_unique');
    table.dropColumn('idempotency_key');
  });
};
