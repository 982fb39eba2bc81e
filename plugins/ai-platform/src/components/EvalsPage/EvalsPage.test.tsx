import { fireEvent, screen, within } from '@testing-library/react';
import type { EvalLeaderboardRow } from '@internal/plugin-ai-platform-common';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import { renderWithApis } from '../../__testUtils__';
import { EvalsPage } from './EvalsPage';

const row = (
  model: string,
  title: string,
  version: string,
  stage: EvalLeaderboardRow['stage'],
  task: string,
  value: number,
): EvalLeaderboardRow => ({
  model,
  title,
  type: model.includes('bge') ? 'embedding' : 'llm',
  version,
  stage,
  task,
  metric: 'acc',
  value,
  postedAt: '2026-11-01T00:00:00.000Z',
});

const LLAMA = 'model:default/llama-3-1-8b-instruct';
const MISTRAL = 'model:default/mistral-7b-instruct';

const rows = [
  row(LLAMA, 'Llama 3.1 8B Instruct', 'v2', 'staging', 'mmlu', 0.6934),
  row(LLAMA, 'Llama 3.1 8B Instruct', 'v1', 'production', 'mmlu', 0.6812),
  row(
    MISTRAL,
    'Mistral 7B Instruct v0.3',
    'v0.3',
    'development',
    'mmlu',
    0.6201,
  ),
  row(LLAMA, 'Llama 3.1 8B Instruct', 'v1', 'production', 'ifeval', 0.7501),
  row('model:default/bge-m3', 'BGE-M3', 'v1', 'production', 'retrieval', 0.71),
];

function leaderboardApi(): Partial<AiPlatformApi> {
  return {
    getLeaderboard: jest.fn(async (filter = {}) => ({
      items: rows.filter(
        r =>
          (!filter.task || r.task === filter.task) &&
          (!filter.stage || r.stage === filter.stage) &&
          (!filter.type || r.type === filter.type),
      ),
    })),
  };
}

describe('EvalsPage', () => {
  it('ranks model versions per task', async () => {
    await renderWithApis(<EvalsPage />, { api: leaderboardApi() });
    const mmlu = await screen.findByRole('table', {
      name: 'Leaderboard for mmlu acc',
    });
    const [, first, second, third] = within(mmlu).getAllByRole('row');
    expect(within(first).getByText('0.6934')).toBeInTheDocument();
    expect(within(first).getByText('v2')).toBeInTheDocument();
    expect(
      within(first).getByRole('link', { name: /Llama 3.1 8B Instruct/ }),
    ).toHaveAttribute('href', '/catalog/default/model/llama-3-1-8b-instruct');
    expect(within(second).getByText('production')).toBeInTheDocument();
    expect(within(third).getByText('3')).toBeInTheDocument();
    expect(
      screen.getByRole('table', { name: 'Leaderboard for ifeval acc' }),
    ).toBeInTheDocument();
  });

  it('filters through the API by task and stage from the URL', async () => {
    const api = leaderboardApi();
    await renderWithApis(<EvalsPage />, {
      api,
      initialRouteEntries: ['/?task=mmlu&stage=production'],
    });
    const mmlu = await screen.findByRole('table', {
      name: 'Leaderboard for mmlu acc',
    });
    expect(within(mmlu).getAllByRole('row')).toHaveLength(2);
    expect(api.getLeaderboard).toHaveBeenCalledWith({
      type: undefined,
      task: 'mmlu',
      stage: 'production',
    });
    expect(
      screen.queryByRole('table', { name: 'Leaderboard for ifeval acc' }),
    ).toBeNull();
  });

  it('changes a filter with the select', async () => {
    const api = leaderboardApi();
    await renderWithApis(<EvalsPage />, { api });
    await screen.findByRole('table', { name: 'Leaderboard for mmlu acc' });
    fireEvent.mouseDown(screen.getByRole('button', { name: /Any type/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'embedding' }));
    expect(
      await screen.findByRole('table', {
        name: 'Leaderboard for retrieval acc',
      }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Leaderboard for mmlu acc' }),
    ).toBeNull();
    expect(api.getLeaderboard).toHaveBeenLastCalledWith({
      type: 'embedding',
      task: undefined,
      stage: undefined,
    });
  });

  it('says when there are no results at all, and shows errors', async () => {
    await renderWithApis(<EvalsPage />, {
      api: { getLeaderboard: async () => ({ items: [] }) },
    });
    expect(await screen.findByText('No eval results yet')).toBeInTheDocument();
  });

  it('shows the backend error', async () => {
    await renderWithApis(<EvalsPage />, {
      api: {
        getLeaderboard: async () => {
          throw new Error('Invalid query: stage: Invalid option');
        },
      },
    });
    expect(
      (await screen.findAllByText(/Invalid query: stage/)).length,
    ).toBeGreaterThan(0);
  });

  it('compares two versions and highlights the differences', async () => {
    const compareEvals = jest.fn(async () => ({
      a: { model: LLAMA, version: 'v1' },
      b: { model: LLAMA, version: 'v2' },
      rows: [
        {
          task: 'gsm8k',
          metric: 'exact_match,strict-match',
          a: 0.8,
          b: 0.77,
          delta: -0.03,
        },
        { task: 'ifeval', metric: 'prompt_level_strict_acc', a: 0.75 },
        { task: 'mmlu', metric: 'acc', a: 0.6812, b: 0.6934, delta: 0.0122 },
        { task: 'toxigen', metric: 'acc_norm', a: 0.9, b: 0.9, delta: 0 },
        {
          task: 'wikitext',
          metric: 'word_perplexity',
          a: 9.5,
          b: 9.1,
          delta: -0.4,
          higherIsBetter: false,
        },
      ],
    }));
    await renderWithApis(<EvalsPage />, {
      api: { ...leaderboardApi(), compareEvals },
      initialRouteEntries: ['/?view=compare'],
    });
    expect(screen.getByRole('tab', { name: 'Compare' })).toHaveAttribute(
      'aria-selected',
      'true',
    );
    const table = await screen.findByRole('table', {
      name: 'Comparison of A and B',
    });
    const [, gsm8k, ifeval, mmlu, toxigen, wikitext] =
      within(table).getAllByRole('row');
    const lower = within(gsm8k).getByText('-0.03 (lower in B)');
    expect(within(ifeval).getByText('only in A')).toBeInTheDocument();
    const higher = within(mmlu).getByText('+0.0122 (higher in B)');
    expect(within(toxigen).getByText('no change')).toBeInTheDocument();
    // Lower perplexity is better: the drop is shown as an improvement.
    const better = within(wikitext).getByText(
      '-0.4 (lower in B, better: lower is better)',
    );
    expect(better.className).toBe(higher.className);
    expect(lower.className).not.toBe(higher.className);
    // Defaults: the first model with several versions, production against the candidate.
    expect(compareEvals).toHaveBeenCalledWith({
      model: LLAMA,
      a: 'v1',
      b: 'v2',
      modelB: undefined,
    });
  });

  it('compares versions of two models from the URL', async () => {
    const compareEvals = jest.fn(async () => ({
      a: { model: LLAMA, version: 'v1' },
      b: { model: 'model:default/support-assistant-8b', version: '2026-09' },
      rows: [],
    }));
    await renderWithApis(<EvalsPage />, {
      api: { compareEvals },
      initialRouteEntries: [
        `/?view=compare&model=${LLAMA}&a=v1&modelB=model:default/support-assistant-8b&b=2026-09`,
      ],
    });
    expect(
      await screen.findByText('Neither version has scores'),
    ).toBeInTheDocument();
    expect(compareEvals).toHaveBeenCalledWith({
      model: LLAMA,
      a: 'v1',
      b: '2026-09',
      modelB: 'model:default/support-assistant-8b',
    });
  });
});
