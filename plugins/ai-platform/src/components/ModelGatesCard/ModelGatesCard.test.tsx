import { fireEvent, screen, within } from '@testing-library/react';
import type { ModelGateStatus } from '@internal/plugin-ai-platform-common';
import { modelEntity, renderWithApis } from '../../__testUtils__';
import { ModelGatesCard } from './ModelGatesCard';

function statusOf(version: string): ModelGateStatus {
  const passed = version === 'v1';
  return {
    model: 'model:default/llama-3-1-8b-instruct',
    version,
    productionVersion: 'v1',
    passed,
    summary: passed
      ? { pass: 2, fail: 0, missing: 0, overridden: 0 }
      : { pass: 1, fail: 0, missing: 1, overridden: 0 },
    gates: [
      {
        task: 'mmlu',
        metric: 'acc',
        min: 0.66,
        value: 0.68,
        status: 'pass',
        passed: true,
        reasons: [],
      },
      {
        task: 'ifeval',
        metric: 'prompt_level_strict_acc',
        maxRegression: 0.02,
        status: passed ? 'pass' : 'missing',
        value: passed ? 0.75 : undefined,
        passed,
        reasons: passed ? [] : ['no score yet'],
      },
    ],
  };
}

describe('ModelGatesCard', () => {
  it('shows production and the staging candidate with their numbers', async () => {
    const getGateStatus = jest.fn(async ({ version }) => statusOf(version));
    await renderWithApis(<ModelGatesCard />, {
      entity: modelEntity,
      api: { getGateStatus },
    });
    const production = await screen.findByRole('region', {
      name: 'In production: v1',
    });
    expect(
      await within(production).findByText(
        'Passes its gates (2 pass, 0 fail, 0 missing)',
      ),
    ).toBeInTheDocument();
    const candidate = screen.getByRole('region', { name: 'Candidate: v2' });
    expect(
      await within(candidate).findByText(
        'Does not pass its gates (1 pass, 0 fail, 1 missing)',
      ),
    ).toBeInTheDocument();
    expect(within(candidate).getByText('missing')).toBeInTheDocument();
    expect(getGateStatus).toHaveBeenCalledWith({
      model: 'model:default/llama-3-1-8b-instruct',
      version: 'v2',
    });
  });

  it('lets the user pick another candidate', async () => {
    const getGateStatus = jest.fn(async ({ version }) => statusOf(version));
    await renderWithApis(<ModelGatesCard />, {
      entity: modelEntity,
      api: { getGateStatus },
    });
    fireEvent.mouseDown(screen.getByRole('button', { name: /Candidate/ }));
    fireEvent.click(
      await screen.findByRole('option', { name: 'v2-fp8 (development)' }),
    );
    expect(
      await screen.findByRole('region', { name: 'Candidate: v2-fp8' }),
    ).toBeInTheDocument();
    expect(getGateStatus).toHaveBeenCalledWith(
      expect.objectContaining({ version: 'v2-fp8' }),
    );
  });

  it('shows the backend error', async () => {
    await renderWithApis(<ModelGatesCard />, {
      entity: modelEntity,
      api: {
        getGateStatus: async () => {
          throw new Error(
            'model:default/llama-3-1-8b-instruct is not in the catalog',
          );
        },
      },
    });
    expect(
      (await screen.findAllByText(/is not in the catalog/)).length,
    ).toBeGreaterThan(0);
  });

  it('says when the model has no gates', async () => {
    await renderWithApis(<ModelGatesCard />, {
      entity: {
        ...modelEntity,
        spec: { ...modelEntity.spec, evaluation: undefined },
      },
    });
    expect(screen.getByText('No eval gates')).toBeInTheDocument();
  });
});
