// @ts-check

/**
 * Where every usage number comes from.
 *
 * - usage_samples.gpus_basis: what the sample's GPUs rest on:
 *   `cluster-state` (the pods the collector listed in the cluster),
 *   `last-known-state` (the cluster did not answer; its last listed pods),
 *   `demo` (the demo's generated history). Null on samples written before
 *   this migration, which billed the catalog's replicas (`catalog`).
 * - usage_samples.metrics_basis: `prometheus` when the sample's token counts
 *   and utilisation were read from Prometheus; null when none were.
 * - The rollups carry the GPU-hours of each basis, so that a cost figure can
 *   say how much of it rests on what.
 * - cluster_observations: per cluster, the workloads and pods the collector
 *   listed last (the "last known state" of a cluster that stops answering),
 *   and when.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('usage_samples', table => {
    table
      .string('gpus_basis', 32)
      .nullable()
      .comment(
        'cluster-state | last-known-state | demo; null: catalog replicas (before 2026-12-07)',
      );
    table
      .string('metrics_basis', 32)
      .nullable()
      .comment('prometheus when tokens and utilisation were read from it');
  });
  for (const name of ['usage_hourly', 'usage_daily', 'usage_monthly']) {
    await knex.schema.alterTable(name, table => {
      table
        .double('cluster_gpu_hours')
        .notNullable()
        .defaultTo(0)
        .comment('GPU-hours read from the cluster state');
      table
        .double('last_known_gpu_hours')
        .notNullable()
        .defaultTo(0)
        .comment("GPU-hours from an unreachable cluster's last known state");
      table
        .double('demo_gpu_hours')
        .notNullable()
        .defaultTo(0)
        .comment("GPU-hours of the demo's generated history");
    });
  }
  await knex.schema.createTable('cluster_observations', table => {
    table.comment(
      'The workloads and pods of each cluster as the usage collector last listed them',
    );
    table.string('cluster').primary();
    table
      .bigInteger('observed_at')
      .notNullable()
      .comment('When the lists were read, epoch seconds UTC');
    table
      .text('state', 'longtext')
      .notNullable()
      .comment('JSON: the workloads and pods (see ClusterObservation)');
    table
      .bigInteger('failed_at')
      .nullable()
      .comment('When the cluster last failed to answer, if after observed_at');
    table.text('failure').nullable().comment('Why it failed');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cluster_observations');
  for (const name of ['usage_hourly', 'usage_daily', 'usage_monthly']) {
    await knex.schema.alterTable(name, table => {
      table.dropColumn('cluster_gpu_hours');
      table.dropColumn('last_known_gpu_hours');
      table.dropColumn('demo_gpu_hours');
    });
  }
  await knex.schema.alterTable('usage_samples', table => {
    table.dropColumn('gpus_basis');
    table.dropColumn('metrics_basis');
  });
};
