// @ts-check

/**
 * The ai-platform database: the append-only, hash-chained audit log, eval
 * runs with their scores, and gate overrides. Times are ISO 8601 UTC strings
 * (the same text on every engine, and part of the audit hash).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('audit_log', table => {
    table.comment('Append-only, hash-chained record of every mutation');
    table.bigIncrements('seq').primary().comment('Order of the chain');
    table.string('id', 36).notNullable().unique();
    table.string('created_at', 24).notNullable();
    table.string('actor').notNullable().comment('User or service that acted');
    table.string('action').notNullable();
    table.string('target').nullable().comment('Entity ref acted upon');
    table
      .text('request')
      .notNullable()
      .comment('Request summary, JSON, secrets removed');
    table.string('outcome', 16).notNullable().comment('success or failure');
    table.text('message').nullable().comment('Failure message');
    // Unique: two records can never claim the same predecessor (no fork).
    table.string('prev_hash', 64).notNullable().unique();
    table.string('hash', 64).notNullable();
    table.index(['actor'], 'audit_log_actor_idx');
    table.index(['action'], 'audit_log_action_idx');
    table.index(['target'], 'audit_log_target_idx');
    table.index(['created_at'], 'audit_log_created_at_idx');
  });

  await knex.schema.createTable('eval_runs', table => {
    table.comment('One posted eval run of a model version, with provenance');
    table.string('id', 36).primary();
    table.string('model_ref').notNullable();
    table.string('model_version').notNullable();
    table.string('format', 32).notNullable();
    table.string('harness').notNullable();
    table.string('harness_version').nullable();
    table.string('batch_size').nullable();
    table.string('model_name').nullable();
    table.string('endpoint').nullable();
    table.string('image').nullable();
    table.string('run_at', 24).nullable();
    table.text('extra').nullable().comment('Further provenance, JSON');
    table.string('posted_by').notNullable();
    table.string('posted_at', 24).notNullable();
    table.index(
      ['model_ref', 'model_version', 'posted_at'],
      'eval_runs_model_idx',
    );
  });

  await knex.schema.createTable('eval_scores', table => {
    table.comment('The scores of an eval run, one per task and metric');
    table.bigIncrements('id').primary();
    table
      .string('run_id', 36)
      .notNullable()
      .references('id')
      .inTable('eval_runs')
      .onDelete('CASCADE');
    table.string('model_ref').notNullable();
    table.string('model_version').notNullable();
    table.string('task').notNullable();
    table.string('metric').notNullable();
    table.double('value').notNullable();
    table.double('stderr').nullable();
    table.string('task_version').nullable();
    table.integer('num_fewshot').nullable();
    table.string('dataset').nullable();
    table.integer('samples').nullable();
    table.boolean('higher_is_better').nullable();
    table.string('posted_at', 24).notNullable();
    table.index(['run_id'], 'eval_scores_run_idx');
    table.index(
      ['model_ref', 'model_version', 'task', 'metric', 'posted_at'],
      'eval_scores_lookup_idx',
    );
    table.index(['task', 'metric'], 'eval_scores_task_idx');
  });

  await knex.schema.createTable('gate_overrides', table => {
    table.comment('An admin override of one eval gate for one model version');
    table.string('id', 36).primary();
    table.string('model_ref').notNullable();
    table.string('model_version').notNullable();
    table.string('task').notNullable();
    table.string('metric').notNullable();
    table.text('reason').notNullable();
    table.string('actor').notNullable();
    table.string('created_at', 24).notNullable();
    table.unique(['model_ref', 'model_version', 'task', 'metric'], {
      indexName: 'gate_overrides_gate_uq',
    });
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gate_overrides');
  await knex.schema.dropTable('eval_scores');
  await knex.schema.dropTable('eval_runs');
  await knex.schema.dropTable('audit_log');
};
