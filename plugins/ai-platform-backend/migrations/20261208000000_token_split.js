// @ts-check

/**
 * The split of token cost between prompt and generated tokens, and request
 * counts (docs/cost.md, "Prompt and generation tokens").
 *
 * - usage_samples.prompt_share: share (0..1) of the sample's cost allotted
 *   to prompt tokens; null when the interval could not be split (no tokens,
 *   no measured time) or was written before this migration.
 * - usage_samples.split_basis: `measured` (vLLM's prefill and decode time)
 *   or `weighted` (token counts x aiPlatform.cost.tokenSplit.generationWeight).
 * - usage_samples.requests: requests served in the interval
 *   (vllm:request_success_total increase), when known.
 * - The rollups carry the sums the figures rest on; rows rolled up before
 *   this migration hold 0 and show no split.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('usage_samples', table => {
    table
      .double('prompt_share')
      .nullable()
      .comment('Share of the cost allotted to prompt tokens, 0..1');
    table
      .string('split_basis', 16)
      .nullable()
      .comment('measured | weighted: what prompt_share rests on');
    table
      .bigInteger('requests')
      .nullable()
      .comment('Requests served in the interval, when known');
  });
  for (const name of ['usage_hourly', 'usage_daily', 'usage_monthly']) {
    await knex.schema.alterTable(name, table => {
      table
        .double('prompt_token_cost')
        .notNullable()
        .defaultTo(0)
        .comment('Cost x prompt share of the split samples');
      table
        .double('split_cost')
        .notNullable()
        .defaultTo(0)
        .comment('Cost of the samples with known tokens that were split');
      table
        .double('split_measured_gpu_hours')
        .notNullable()
        .defaultTo(0)
        .comment('GPU-hours whose split rests on measured prefill/decode time');
      table
        .bigInteger('requests')
        .notNullable()
        .defaultTo(0)
        .comment('Requests served');
      table
        .double('request_cost')
        .notNullable()
        .defaultTo(0)
        .comment('Cost of the samples whose requests are counted');
    });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  for (const name of ['usage_hourly', 'usage_daily', 'usage_monthly']) {
    await knex.schema.alterTable(name, table => {
      table.dropColumn('prompt_token_cost');
      table.dropColumn('split_cost');
      table.dropColumn('split_measured_gpu_hours');
      table.dropColumn('requests');
      table.dropColumn('request_cost');
    });
  }
  await knex.schema.alterTable('usage_samples', table => {
    table.dropColumn('prompt_share');
    table.dropColumn('split_basis');
    table.dropColumn('requests');
  });
};
