// @ts-check

/**
 * Canary promotes (docs/canary.md): one row per canary, keyed by the
 * deployment (promote) it belongs to, with the step it is on, its phase,
 * the end of its pause, the last analysis and the GPUs held for its pods
 * (a row of gpu_surge_reservations under the same deployment id, released
 * once: `reservation_released_at` is set by the one release that deleted
 * it). Its step changes are rows of canary_events. The deployment record
 * keeps the plan the checks decided in deployments.canary (dry runs too).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('canaries', table => {
    table.comment('Canary promotes: where each one is, step by step');
    table
      .string('deployment_id')
      .primary()
      .comment('The promote (deployments.id) the canary belongs to');
    table.string('endpoint_ref').notNullable();
    table.integer('revision').notNullable();
    table
      .string('engine', 32)
      .notNullable()
      .comment('argo-rollouts | gateway-api');
    table.string('cluster').notNullable();
    table.string('namespace').notNullable();
    table
      .string('name')
      .notNullable()
      .comment("The endpoint's Kubernetes name");
    table.string('team_ref').notNullable();
    table.string('pool_ref').notNullable();
    table.string('stable_version').notNullable();
    table.string('canary_version').notNullable();
    table.text('steps').notNullable().comment('JSON array of CanaryStep');
    table.integer('step_index').notNullable();
    table.string('phase', 32).notNullable();
    table.text('message').notNullable();
    table.string('pause_ends_at').nullable();
    table
      .text('split')
      .nullable()
      .comment('JSON CanarySplit, as last observed');
    table.text('analysis').notNullable().comment('JSON CanaryAnalysis');
    table
      .text('analysis_targets')
      .nullable()
      .comment('JSON: the SLO targets the analysis holds the canary to');
    table.text('settings').notNullable().comment('JSON CanaryClusterSettings');
    table.text('warnings').notNullable().comment('JSON array of strings');
    table.integer('reserved_gpus').notNullable();
    table.string('reservation_released_at').nullable();
    table.string('requested_by').notNullable();
    table.string('started_at').notNullable();
    table.string('updated_at').notNullable();
    table.string('ended_at').nullable();
    table.index(['endpoint_ref', 'started_at'], 'canaries_endpoint_idx');
    table.index(['ended_at'], 'canaries_ended_idx');
  });
  await knex.schema.createTable('canary_events', table => {
    table.comment('Step changes of canaries (each also an audit record)');
    table.increments('id');
    table.string('deployment_id').notNullable();
    table.string('at').notNullable();
    table.string('type', 32).notNullable();
    table.integer('step_index').notNullable();
    table.string('actor').notNullable();
    table.text('message').notNullable();
    table.index(['deployment_id', 'id'], 'canary_events_deployment_idx');
  });
  await knex.schema.alterTable('deployments', table => {
    table
      .text('canary')
      .nullable()
      .comment(
        'JSON CanaryPlan of a canary promote (engine, steps, GPUs, split)',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('deployments', table => {
    table.dropColumn('canary');
  });
  await knex.schema.dropTable('canary_events');
  await knex.schema.dropTable('canaries');
};
