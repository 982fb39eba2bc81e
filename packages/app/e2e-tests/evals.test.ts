import type {
  EvalComparison,
  EvalLeaderboardResponse,
} from '@internal/plugin-ai-platform-common';
import {
  apiAs,
  expect,
  rowsOf,
  score,
  screenshot,
  test,
  type Api,
} from './support';

const LLAMA_8B = 'model:default/llama-3-1-8b-instruct';
const LLAMA_70B = 'model:default/llama-3-1-70b-instruct';

/**
 * Besides the demo's seeded results, the test posts runs of its own as a CI
 * pipeline would (the generic format), as the admin, who may write evals for
 * every model: the newest run of a version is the one the pages show.
 */
async function postEvalRuns(api: Api) {
  const runs: Array<[string, string, Array<[string, string, number]>]> = [
    [
      LLAMA_8B,
      'v1',
      [
        ['mmlu', 'acc', 0.6843],
        ['gsm8k', 'exact_match,strict-match', 0.7712],
        ['ifeval', 'prompt_level_strict_acc', 0.7985],
      ],
    ],
    [
      LLAMA_8B,
      'v2',
      [
        ['mmlu', 'acc', 0.6971],
        ['gsm8k', 'exact_match,strict-match', 0.7894],
        ['ifeval', 'prompt_level_strict_acc', 0.7702],
      ],
    ],
    [LLAMA_70B, 'v1', [['mmlu', 'acc', 0.8361]]],
  ];
  for (const [model, version, scores] of runs) {
    await api.post('/evals/runs', {
      model,
      version,
      format: 'generic',
      results: {
        harness: 'e2e',
        scores: scores.map(([task, metric, value]) => ({
          task,
          metric,
          value,
          stderr: 0.004,
        })),
      },
    });
  }
}

/** The difference column as the page words it. */
function deltaText(r: { a?: number; b?: number; delta?: number }): string {
  if (r.a === undefined) return 'only in B';
  if (r.b === undefined) return 'only in A';
  if (!r.delta) return 'no change';
  return r.delta > 0
    ? `+${score(r.delta)} (higher in B)`
    : `${score(r.delta)} (lower in B)`;
}

test.describe('Evals page', () => {
  test('the leaderboard and the compare view show the API figures', async ({
    pageAs,
    request,
  }) => {
    await postEvalRuns(await apiAs(request, 'admin'));
    const api = await apiAs(request, 'member');
    const page = await pageAs('member');

    await page.goto('/ai-platform/evals');
    const leaderboard = await api.get<EvalLeaderboardResponse>(
      '/evals/leaderboard',
    );
    const mmlu = leaderboard.items.filter(
      r => r.task === 'mmlu' && r.metric === 'acc',
    );
    expect(mmlu.length).toBeGreaterThanOrEqual(2);
    const rows = await rowsOf(
      page.getByRole('table', { name: 'Leaderboard for mmlu acc' }),
    );
    expect(rows.map(r => r.slice(0, 3).concat(r[4]))).toEqual(
      mmlu.map((r, i) => [
        String(i + 1),
        r.title,
        r.version,
        r.stderr === undefined
          ? score(r.value)
          : `${score(r.value)} ± ${score(r.stderr)}`,
      ]),
    );
    // Best first (MMLU accuracy: higher is better), and our newest runs shown.
    const values = mmlu.map(r => r.value);
    expect(values).toEqual([...values].sort((a, b) => b - a));
    for (const [title, version, value] of [
      ['Llama 3.1 70B Instruct', 'v1', 0.8361],
      ['Llama 3.1 8B Instruct', 'v2', 0.6971],
    ] as const) {
      expect(rows).toContainEqual(
        expect.arrayContaining([title, version, `${score(value)} ± 0.004`]),
      );
    }
    await screenshot(page, 'evals-leaderboard');

    // Filter by task: only the mmlu table remains, as the API filters it.
    await page.getByRole('button', { name: /Any task/ }).click();
    await page.getByRole('option', { name: 'gsm8k' }).click();
    await expect(page).toHaveURL(/task=gsm8k/);
    const gsm8k = await api.get<EvalLeaderboardResponse>('/evals/leaderboard', {
      task: 'gsm8k',
    });
    await expect(
      page.getByRole('table', { name: /^Leaderboard for/ }),
    ).toHaveCount(new Set(gsm8k.items.map(r => `${r.task}|${r.metric}`)).size);

    // Compare v1 and v2 of Llama 3.1 8B: values and differences (B - A).
    await page.goto(
      `/ai-platform/evals?view=compare&model=${encodeURIComponent(
        LLAMA_8B,
      )}&a=v1&b=v2`,
    );
    const comparison = await api.get<EvalComparison>('/evals/compare', {
      model: LLAMA_8B,
      a: 'v1',
      b: 'v2',
    });
    const compared = await rowsOf(
      page.getByRole('table', { name: 'Comparison of A and B' }),
    );
    expect(compared).toEqual(
      comparison.rows.map(r => [
        r.task,
        r.metric,
        r.a === undefined ? '—' : score(r.a),
        r.b === undefined ? '—' : score(r.b),
        deltaText(r),
      ]),
    );
    await screenshot(page, 'evals-compare');
  });
});
