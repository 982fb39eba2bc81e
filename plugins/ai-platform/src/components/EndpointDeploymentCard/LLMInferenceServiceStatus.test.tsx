import { screen, within } from '@testing-library/react';
import type { EndpointLiveStatus } from '@internal/plugin-ai-platform-common';
import type { AiPlatformApi } from '@internal/plugin-ai-platform-react';
import {
  deploymentRecord,
  endpointEntity,
  liveStatus,
  renderWithApis,
} from '../../__testUtils__';
import { EndpointDeploymentCard } from './EndpointDeploymentCard';

/** The live status of an endpoint served by a KServe LLMInferenceService. */
function llmStatus(ready: boolean): EndpointLiveStatus {
  const { deployment: _, ...rest } = liveStatus;
  return {
    ...rest,
    target: 'llm-inference-service',
    llmInferenceService: {
      name: 'chat-assistant-prod',
      apiVersion: 'serving.kserve.io/v1alpha2',
      ...(ready
        ? {
            url: 'http://inference-gateway.chat.svc.cluster.local/chat/chat-assistant-prod',
          }
        : {}),
      ready,
      generation: 2,
      observedGeneration: 2,
      workload: 'chat-assistant-prod-kserve',
      conditions: ready
        ? [
            { type: 'Ready', status: 'True' },
            { type: 'RouterReady', status: 'True' },
            { type: 'WorkloadsReady', status: 'True' },
          ]
        : [
            {
              type: 'PresetsCombined',
              status: 'False',
              reason: 'ConfigNotFound',
              message:
                'LLMInferenceServiceConfig "kserve-config-llm-template" not found',
            },
            {
              type: 'Ready',
              status: 'False',
              reason: 'ConfigNotFound',
              message:
                'LLMInferenceServiceConfig "kserve-config-llm-template" not found',
            },
          ],
    },
  };
}

function api(status: EndpointLiveStatus): Partial<AiPlatformApi> {
  return {
    getEndpointStatus: jest.fn(async () => status),
    listDeployments: jest.fn(async () => ({ items: [deploymentRecord(1)] })),
  };
}

describe('EndpointDeploymentCard for an LLMInferenceService', () => {
  it('says which target the endpoint uses, where it answers, its conditions and pods', async () => {
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: api(llmStatus(true)),
    });
    const running = await screen.findByRole('table', { name: 'Running' });
    expect(
      within(running).getByText(
        'KServe LLMInferenceService (KServe makes the workload, its Service and router)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'LLMInferenceService chat-assistant-prod is Ready (generation 2 of 2 seen by KServe)',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', {
        name: /^http:\/\/inference-gateway\.chat\.svc\.cluster\.local\/chat\/chat-assistant-prod/,
      }),
    ).toBeInTheDocument();
    const conditions = screen.getByRole('table', {
      name: 'LLMInferenceService conditions',
    });
    expect(within(conditions).getByText('RouterReady')).toBeInTheDocument();
    expect(screen.getByRole('table', { name: 'Pods' })).toBeInTheDocument();
    // No Deployment replica line: KServe's workload is read through the service.
    expect(screen.queryByText(/replicas ready/)).not.toBeInTheDocument();
  });

  it('shows why it is not ready, with the condition message', async () => {
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: api(llmStatus(false)),
    });
    expect(
      await screen.findByText(
        'LLMInferenceService chat-assistant-prod is not ready (generation 2 of 2 seen by KServe): Ready False (ConfigNotFound): LLMInferenceServiceConfig "kserve-config-llm-template" not found',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/URL: none yet/)).toBeInTheDocument();
  });

  it('names the plain Deployment target', async () => {
    await renderWithApis(<EndpointDeploymentCard />, {
      entity: endpointEntity,
      api: api({ ...liveStatus, target: 'deployment' }),
    });
    const running = await screen.findByRole('table', { name: 'Running' });
    expect(
      within(running).getByText(
        'Kubernetes Deployment (with Service, PodDisruptionBudget and autoscaler)',
      ),
    ).toBeInTheDocument();
  });
});
