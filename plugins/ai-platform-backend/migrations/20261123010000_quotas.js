// @ts-check

/**
 * GPU quotas: admin overrides of the pools' YAML baselines, GPU allocations
 * held by endpoints (reserved before a deploy), and quota requests.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('quota_overrides', table => {
    table.comment('Admin quota for a team on a pool, over the YAML baseline');
    table.string('team_ref').notNullable();
    table.string('pool_ref').notNullable();
    table.integer('gpus').notNullable();
    table.text('reason').notNullable();
    table.string('actor').notNullable();
    table.string('created_at', 24).notNullable();
    table.primary(['team_ref', 'pool_ref']);
  });

  await knex.schema.createTable('gpu_allocations', table => {
    table.comment('GPUs held by an endpoint on a pool (its worst case)');
    table.string('endpoint_ref').primary();
    table.string('team_ref').notNullable();
    table.string('pool_ref').notNullable();
    table.integer('gpus').notNullable();
    table.string('updated_by').notNullable();
    table.string('updated_at', 24).notNullable();
    table.index(['pool_ref', 'team_ref'], 'gpu_allocations_pool_team_idx');
  });

  await knex.schema.createTable('quota_requests', table => {
    table.comment('A request for more GPUs, and the admin decision on it');
    table.string('id', 36).primary();
    table.string('team_ref').notNullable();
    table.string('pool_ref').notNullable();
    table.integer('gpus').notNullable().comment('The quota asked for (total)');
    table.integer('quota_at_request').notNullable();
    table.text('reason').notNullable();
    table.string('requested_by').notNullable();
    table.string('created_at', 24).notNullable();
    table
      .string('state', 16)
      .notNullable()
      .comment('pending, approved or rejected');
    table.string('decided_by').nullable();
    table.text('decision_reason').nullable();
    table.string('decided_at', 24).nullable();
    table.index(['state', 'created_at'], 'quota_requests_state_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('quota_requests');
  await knex.schema.dropTable('gpu_allocations');
  await knex.schema.dropTable('quota_overrides');
};
