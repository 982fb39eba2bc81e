import { renderInTestApp } from '@backstage/frontend-test-utils';
import { screen, within } from '@testing-library/react';
import type { ModelGateStatus } from '@internal/plugin-ai-platform-common';
import { GateResultsTable, gateSummaryText } from './GateResultsTable';

const status: ModelGateStatus = {
  model: 'model:default/llama-3-1-8b-instruct',
  version: 'v2',
  productionVersion: 'v1',
  passed: false,
  summary: { pass: 1, fail: 1, missing: 1, overridden: 0 },
  gates: [
    {
      task: 'mmlu',
      metric: 'acc',
      min: 0.66,
      value: 0.6834,
      status: 'pass',
      passed: true,
      reasons: [],
    },
    {
      task: 'ifeval',
      metric: 'prompt_level_strict_acc',
      maxRegression: 0.02,
      value: 0.71,
      baselineVersion: 'v1',
      baselineValue: 0.75,
      status: 'fail',
      passed: false,
      reasons: ['dropped 0.04 below v1 (0.75); at most 0.02 allowed'],
    },
    {
      task: 'gsm8k',
      metric: 'exact_match,strict-match',
      min: 0.75,
      status: 'missing',
      passed: false,
      reasons: ['no score for gsm8k exact_match,strict-match'],
    },
  ],
};

describe('GateResultsTable', () => {
  it('shows each gate with its rule, numbers and outcome', async () => {
    await renderInTestApp(<GateResultsTable status={status} />);
    const table = screen.getByRole('table', { name: 'Gates of v2' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4);
    expect(within(rows[1]).getByText('≥ 0.66')).toBeInTheDocument();
    expect(within(rows[1]).getByText('pass')).toBeInTheDocument();
    expect(within(rows[2]).getByText('drop ≤ 0.02 vs v1')).toBeInTheDocument();
    expect(within(rows[2]).getByText('0.75 (v1)')).toBeInTheDocument();
    expect(within(rows[2]).getByText('fail')).toBeInTheDocument();
    expect(
      within(rows[2]).getByText(/dropped 0.04 below v1/),
    ).toBeInTheDocument();
    expect(within(rows[3]).getByText('missing')).toBeInTheDocument();
    expect(gateSummaryText(status)).toBe('1 pass, 1 fail, 1 missing');
  });

  it('shows an overridden gate as such', async () => {
    await renderInTestApp(
      <GateResultsTable
        status={{
          ...status,
          gates: [
            {
              ...status.gates[1],
              passed: true,
              overridden: {
                task: 'ifeval',
                metric: 'prompt_level_strict_acc',
                reason: 'accepted by the product owner',
                actor: 'user:default/alice',
                createdAt: '2026-11-20T10:00:00.000Z',
              },
            },
          ],
        }}
      />,
    );
    expect(screen.getByText('fail, overridden')).toBeInTheDocument();
  });

  it('says so when the model has no gates', async () => {
    await renderInTestApp(
      <GateResultsTable status={{ ...status, gates: [] }} />,
    );
    expect(screen.getByText(/defines no eval gates/)).toBeInTheDocument();
  });
});
