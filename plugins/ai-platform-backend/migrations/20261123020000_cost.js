// @ts-check

/**
 * Usage and cost: raw usage samples written by the collector, their hourly,
 * daily and monthly rollups (which every cost query reads), and team budgets.
 * Times of samples and buckets are epoch seconds (UTC) in bigint columns, so
 * bucketing is integer arithmetic on both engines.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('usage_samples', table => {
    table.comment(
      'Raw usage samples: what one endpoint held during one collector interval',
    );
    table.bigIncrements('id').primary();
    table
      .bigInteger('sampled_at')
      .notNullable()
      .comment('Start of the interval, epoch seconds UTC');
    table.integer('interval_seconds').notNullable();
    table.string('endpoint_ref').notNullable();
    table.string('team_ref').notNullable();
    table.string('model_ref').notNullable();
    table.string('model_version').nullable();
    table.string('pool_ref').notNullable();
    table.string('cluster').notNullable();
    table.double('gpus').notNullable();
    table
      .double('gpu_utilization')
      .nullable()
      .comment('Mean utilisation 0..1, when known');
    table.bigInteger('prompt_tokens').nullable();
    table.bigInteger('generation_tokens').nullable();
    table.double('price_per_gpu_hour').notNullable();
    table.string('currency', 16).notNullable();
    table.index(['sampled_at'], 'usage_samples_sampled_at_idx');
  });

  /**
   * @param {string} name
   * @param {string} comment
   * @param {boolean} byEntity index by time alone, by team and by endpoint
   *   too (the hourly rollup, the largest, is only read for a few hours at a
   *   time, which its key serves)
   */
  const createRollup = (name, comment, byEntity) =>
    knex.schema.createTable(name, table => {
      table.comment(comment);
      table
        .bigInteger('bucket_start')
        .notNullable()
        .comment('Start of the bucket, epoch seconds UTC');
      table.string('endpoint_ref').notNullable();
      table.string('team_ref').notNullable();
      table.string('model_ref').notNullable();
      table.string('pool_ref').notNullable();
      table.string('cluster').notNullable();
      table.string('currency', 16).notNullable();
      table.double('gpu_hours').notNullable();
      table.double('cost').notNullable();
      table
        .double('util_gpu_hours')
        .notNullable()
        .comment('GPU-hours whose utilisation is known');
      table.double('idle_gpu_hours').notNullable();
      table.double('idle_cost').notNullable();
      table
        .double('token_gpu_hours')
        .notNullable()
        .comment('GPU-hours whose token counts are known');
      table
        .double('token_cost')
        .notNullable()
        .comment('Cost of the GPU-hours whose token counts are known');
      table.bigInteger('prompt_tokens').notNullable();
      table.bigInteger('generation_tokens').notNullable();
      table.integer('sample_count').notNullable();
      // Leads with bucket_start: serves every time-range query.
      table.unique(
        [
          'bucket_start',
          'endpoint_ref',
          'team_ref',
          'model_ref',
          'pool_ref',
          'cluster',
          'currency',
        ],
        { indexName: `${name}_key_uq` },
      );
      if (byEntity) {
        // Time ranges: a narrow index, which the planner prefers to the wide
        // key for ranges of weeks (Postgres chose a full scan otherwise).
        table.index(['bucket_start'], `${name}_bucket_idx`);
        table.index(['team_ref', 'bucket_start'], `${name}_team_idx`);
        table.index(['endpoint_ref', 'bucket_start'], `${name}_endpoint_idx`);
      }
    });

  await createRollup(
    'usage_hourly',
    'Usage and cost per endpoint, team, model, pool, cluster, currency and UTC hour',
    false,
  );
  await createRollup(
    'usage_daily',
    'Usage and cost per endpoint, team, model, pool, cluster, currency and UTC day',
    true,
  );

  // Whole months, so that a year by month reads ~12 rows per endpoint.
  await createRollup(
    'usage_monthly',
    'Usage and cost per endpoint, team, model, pool, cluster, currency and UTC month',
    true,
  );

  await knex.schema.createTable('team_budgets', table => {
    table.comment('Monthly cost budget of a team');
    table.string('team_ref').notNullable();
    table.string('month', 7).notNullable().comment('YYYY-MM (UTC)');
    table.double('amount').notNullable();
    table.string('currency', 16).notNullable();
    table.string('set_by').notNullable();
    table.string('set_at', 24).notNullable();
    table.unique(['team_ref', 'month'], {
      indexName: 'team_budgets_team_month_uq',
    });
    table.index(['month'], 'team_budgets_month_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('team_budgets');
  await knex.schema.dropTable('usage_monthly');
  await knex.schema.dropTable('usage_daily');
  await knex.schema.dropTable('usage_hourly');
  await knex.schema.dropTable('usage_samples');
};
