import { mockServices } from '@backstage/backend-test-utils';
import { requestsBetween, trafficProfile } from '@internal/fake-prometheus';
import {
  collectSimulated,
  llamaDeployment,
  startSimulatedCluster,
} from './__testUtils__/collectorFixtures';

/**
 * The collector's own queries against the demo's simulated metrics: a fake
 * API server runs chat-assistant-prod as the portal renders it (vLLM serves
 * it as the model's name), and the fake Prometheus answers with the series
 * of its pods.
 */
describe('UsageCollector against the simulated cluster and metrics', () => {
  let cluster: Awaited<ReturnType<typeof startSimulatedCluster>>;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({
      namespaces: ['chat'],
      deployments: [llamaDeployment('chat-assistant-prod', 'chat', 2)],
    });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('attributes the simulated tokens and utilisation to the endpoint that runs', async () => {
    const { result, samples, end } = await collectSimulated(
      cluster,
      mockServices.logger.mock(),
    );
    expect(result.prometheusClusters).toEqual(['gpu-eu-west']);
    const profile = trafficProfile('chat', 'chat-assistant-prod');
    const served = 2 * requestsBetween(profile, end - 300, end);
    const chat = samples.find(s =>
      s.endpointRef.endsWith('/chat-assistant-prod'),
    )!;
    expect(chat.promptTokens! / (served * profile.promptTokens)).toBeCloseTo(
      1,
      2,
    );
    expect(
      chat.generationTokens! / (served * profile.generationTokens),
    ).toBeCloseTo(1, 2);
    expect(chat.gpuUtilization).toBeGreaterThan(0.1);
    expect(chat.gpuUtilization).toBeLessThanOrEqual(1);

    // Read from the cluster: the two pods it runs, the whole interval.
    expect(chat).toMatchObject({ gpus: 2, gpusBasis: 'cluster-state' });

    // Declared on the same cluster but not running: no GPUs, no tokens.
    const staging = samples.find(s =>
      s.endpointRef.endsWith('/chat-assistant-staging'),
    )!;
    expect(staging).toMatchObject({ gpus: 0, gpusBasis: 'cluster-state' });
    expect(staging.promptTokens).toBeUndefined();
    expect(staging.gpuUtilization).toBeUndefined();
    // gpu-us-east is not configured here: its endpoints are not sampled.
    expect(samples.some(s => s.cluster === 'gpu-us-east')).toBe(false);
  });
});
