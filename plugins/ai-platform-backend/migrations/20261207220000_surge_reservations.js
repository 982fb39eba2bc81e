// @ts-check

/**
 * Surge reservations: the GPUs of the extra pods a rolling update starts
 * before old ones go (maxSurge x gpusPerReplica), one row per deployment
 * while its rollout runs, on top of the endpoint's allocation in
 * gpu_allocations. Quota and pool usage count them; the row goes when the
 * deployment ends (succeeded, failed, or interrupted and swept).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gpu_surge_reservations', table => {
    table.comment(
      'GPUs held for the surge pods of a rollout in progress, released when it ends',
    );
    table
      .string('deployment_id')
      .primary()
      .comment('The deployment (deployments.id) whose rollout holds them');
    table.string('endpoint_ref').notNullable();
    table.string('team_ref').notNullable();
    table.string('pool_ref').notNullable();
    table.integer('gpus').notNullable();
    table.string('created_at').notNullable();
    table.index(['pool_ref'], 'gpu_surge_reservations_pool_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gpu_surge_reservations');
};
