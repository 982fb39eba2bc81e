import { renderTestApp } from '@backstage/frontend-test-utils';
import {
  catalogApiMock,
  createTestEntityPage,
} from '@backstage/plugin-catalog-react/testUtils';
import { aiPlatformApiRef } from '@internal/plugin-ai-platform-react';
import { screen } from '@testing-library/react';
import aiPlatformPlugin from './alpha';
import { endpointEntity, modelEntity, poolEntity } from './__testUtils__';

const modelDetails = aiPlatformPlugin.getExtension(
  'entity-card:ai-platform/model-details',
);
const endpointSlo = aiPlatformPlugin.getExtension(
  'entity-card:ai-platform/endpoint-slo',
);
const poolEndpoints = aiPlatformPlugin.getExtension(
  'entity-card:ai-platform/pool-endpoints',
);

describe('the ai-platform plugin (new frontend system)', () => {
  it('shows the model cards on Model entity pages only', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: modelEntity }),
        modelDetails,
        endpointSlo,
      ],
    });
    expect(
      await screen.findByRole('table', { name: 'Model details' }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Service level objectives')).toBeNull();
  });

  it('shows the endpoint cards on InferenceEndpoint pages', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: endpointEntity }),
        endpointSlo,
        modelDetails,
      ],
      apis: [
        [
          aiPlatformApiRef,
          { getEndpointSlo: async () => new Promise(() => {}) } as any,
        ],
      ],
    });
    expect(
      await screen.findByText('Service level objectives'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('table', { name: 'Model details' })).toBeNull();
  });

  it('shows the pool cards on GpuPool pages', async () => {
    renderTestApp({
      extensions: [
        createTestEntityPage({ entity: { ...poolEntity, relations: [] } }),
        poolEndpoints,
      ],
      apis: [catalogApiMock()],
    });
    expect(
      await screen.findByText('No endpoint runs on this pool'),
    ).toBeInTheDocument();
  });

  it('has a page for evals, quotas, cost, SLOs and audit', () => {
    for (const id of [
      'page:ai-platform/evals',
      'page:ai-platform/quotas',
      'page:ai-platform/cost',
      'page:ai-platform/slo',
      'page:ai-platform/audit',
    ] as const) {
      expect(aiPlatformPlugin.getExtension(id)).toBeDefined();
    }
  });
});
