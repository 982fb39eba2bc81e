// @ts-check

/**
 * Deployments: one row per deployment call (a revision of an endpoint),
 * success or failure, with its checks, progress events and the exact objects
 * it rendered, so that a rollback can re-apply them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('deployments', table => {
    table.comment(
      'Deployment revisions of inference endpoints: every deploy, promote and rollback call',
    );
    table.string('id').primary();
    table.string('endpoint_ref').notNullable();
    table
      .integer('revision')
      .notNullable()
      .comment('Numbered per endpoint from 1');
    table.string('operation', 16).notNullable();
    table.string('state', 16).notNullable();
    table.boolean('dry_run').notNullable();
    table.string('model_ref').notNullable();
    table.string('model_version').notNullable();
    table.string('pool_ref').notNullable();
    table.string('team_ref').notNullable();
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table.integer('gpus').notNullable();
    table.string('requested_by').notNullable();
    table.text('reason').nullable();
    table.integer('restored_revision').nullable();
    table
      .string('spec_hash', 64)
      .notNullable()
      .comment('sha256 of the rendered objects');
    table.text('checks').notNullable().comment('JSON array of checks');
    table.text('events').notNullable().comment('JSON array of progress events');
    table
      .text('objects')
      .notNullable()
      .comment('JSON array: what apply did to each object');
    table
      .text('manifests')
      .notNullable()
      .comment('JSON array: the rendered objects, for rollbacks');
    table.text('error').nullable().comment('JSON: the failed check');
    table.text('sizing').nullable().comment('JSON: the GPU sizing');
    table.string('created_at').notNullable();
    table.string('updated_at').notNullable();
    table.string('finished_at').nullable();
    table.unique(['endpoint_ref', 'revision'], {
      indexName: 'deployments_endpoint_revision_uq',
    });
    table.index(['state'], 'deployments_state_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('deployments');
};
