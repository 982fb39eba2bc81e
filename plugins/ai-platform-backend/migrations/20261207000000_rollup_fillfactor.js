// @ts-check

/**
 * Room in each page of the daily and monthly rollups for the rewrites of
 * their rows: every rollup of a day or month (each collector run) updates
 * that day's or month's rows in place, and with free space on the page
 * Postgres makes those HOT updates that leave no dead rows behind. Without
 * it, a monthly table of 12,700 rows grew to 63 MB of mostly dead rows in a
 * year of rollups, and every cost query read them. Postgres only; the
 * setting applies to pages written from now on.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client !== 'pg') return;
  await knex.raw('ALTER TABLE usage_daily SET (fillfactor = 50)');
  await knex.raw('ALTER TABLE usage_monthly SET (fillfactor = 50)');
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  if (knex.client.config.client !== 'pg') return;
  await knex.raw('ALTER TABLE usage_daily RESET (fillfactor)');
  await knex.raw('ALTER TABLE usage_monthly RESET (fillfactor)');
};
