import { screen, within } from '@testing-library/react';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import type { StoredEvalScore } from '@internal/plugin-ai-platform-common';
import { modelEntity, renderWithApis } from '../../__testUtils__';
import { ModelEvalsContent } from './ModelEvalsContent';

const MODEL = 'model:default/llama-3-1-8b-instruct';

const score = (
  version: string,
  task: string,
  value: number,
  postedAt: string,
): StoredEvalScore => ({
  modelRef: MODEL,
  version,
  runId: `${version}-${postedAt}`,
  postedAt,
  task,
  metric: 'acc',
  value,
  stderr: 0.004,
});

const api: Partial<AiPlatformApi> = {
  getEvalScores: async ({ version }) => {
    const latest: Record<string, StoredEvalScore[]> = {
      v1: [score('v1', 'mmlu', 0.6812, '2026-10-01T00:00:00Z')],
      v2: [score('v2', 'mmlu', 0.6934, '2026-11-01T00:00:00Z')],
    };
    return { model: MODEL, version, items: latest[version] ?? [] };
  },
  getEvalHistory: async ({ task, metric }) => ({
    model: MODEL,
    task,
    metric,
    items: [
      score('v1', 'mmlu', 0.6712, '2026-09-01T00:00:00Z'),
      score('v1', 'mmlu', 0.6812, '2026-10-01T00:00:00Z'),
      score('v2', 'mmlu', 0.6934, '2026-11-01T00:00:00Z'),
    ],
  }),
  listEvalRuns: async () => ({
    model: MODEL,
    items: [
      {
        id: 'run-1',
        modelRef: MODEL,
        version: 'v2',
        format: 'lm-evaluation-harness',
        provenance: {
          harness: 'lm-evaluation-harness',
          harnessVersion: 'abc1234567890',
          image: 'vllm/vllm-openai:v0.10.1',
        },
        postedBy: 'service:ci-evals',
        postedAt: '2026-11-01T00:00:00Z',
        scoreCount: 12,
      },
    ],
  }),
  getGateStatus: async ({ version }) => ({
    model: MODEL,
    version,
    passed: true,
    summary: { pass: 1, fail: 0, missing: 0, overridden: 0 },
    gates: [],
  }),
};

describe('ModelEvalsContent', () => {
  it('shows the latest score per version, a trend chart per task and the runs', async () => {
    await renderWithApis(<ModelEvalsContent />, { entity: modelEntity, api });
    const table = await screen.findByRole('table', {
      name: 'Latest scores per version',
    });
    const [, mmlu] = within(table).getAllByRole('row');
    expect(within(mmlu).getByText('0.6812')).toBeInTheDocument();
    expect(within(mmlu).getByText('0.6934')).toBeInTheDocument();
    expect(within(mmlu).getAllByText('—')).toHaveLength(1);

    const chart = screen.getByRole('figure', { name: 'Trend of mmlu acc' });
    expect(within(chart).getByText('min 0.66')).toBeInTheDocument();
    expect(chart.querySelectorAll('.recharts-line')).toHaveLength(2);

    const runs = screen.getByRole('table', { name: 'Recent eval runs' });
    expect(within(runs).getByText('service:ci-evals')).toBeInTheDocument();
    expect(
      within(runs).getByText('lm-evaluation-harness (abc1234567)'),
    ).toBeInTheDocument();
  });

  it('explains how to post results when there are none', async () => {
    await renderWithApis(<ModelEvalsContent />, {
      entity: modelEntity,
      api: {
        ...api,
        getEvalScores: async ({ version }) => ({
          model: MODEL,
          version,
          items: [],
        }),
        listEvalRuns: async () => ({ model: MODEL, items: [] }),
      },
    });
    expect(await screen.findByText('No eval results yet')).toBeInTheDocument();
    expect(
      screen.queryByRole('table', { name: 'Recent eval runs' }),
    ).toBeNull();
  });

  it('shows the error when the scores cannot be read', async () => {
    await renderWithApis(<ModelEvalsContent />, {
      entity: modelEntity,
      api: {
        ...api,
        getEvalScores: async () => {
          throw new Error('Request failed with 500');
        },
      },
    });
    expect(
      (await screen.findAllByText(/Request failed with 500/)).length,
    ).toBeGreaterThan(0);
  });
});
