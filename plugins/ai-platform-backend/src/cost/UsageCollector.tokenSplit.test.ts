import { mockServices } from '@backstage/backend-test-utils';
import {
  latencies,
  meanOf,
  requestsBetween,
  trafficProfile,
} from '@internal/fake-prometheus';
import {
  collectSimulated,
  llamaDeployment,
  startSimulatedCluster,
} from './__testUtils__/collectorFixtures';

/**
 * The token split against the demo's simulated metrics: two endpoints of one
 * model (vLLM serves both under the model's name), each told apart by its
 * pods, each split by its own measured prefill and decode time.
 */
describe('UsageCollector: the token split of two endpoints of one model', () => {
  let cluster: Awaited<ReturnType<typeof startSimulatedCluster>>;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({
      namespaces: ['chat', 'chat-staging'],
      deployments: [
        llamaDeployment('chat-assistant-prod', 'chat', 2),
        llamaDeployment('chat-assistant-staging', 'chat-staging', 1),
      ],
    });
  });

  afterAll(async () => {
    await cluster?.close();
  });

  it('splits each endpoint by its own measured prefill and decode time, and counts its requests', async () => {
    const { result, samples, end } = await collectSimulated(
      cluster,
      mockServices.logger.mock(),
    );
    expect(result.prometheusClusters).toEqual(['gpu-eu-west']);
    const expected = (namespace: string, name: string, replicas: number) => {
      const profile = trafficProfile(namespace, name);
      const l = latencies(profile);
      return {
        share: meanOf(l.prefill) / (meanOf(l.prefill) + meanOf(l.decode)),
        requests: replicas * requestsBetween(profile, end - 300, end),
      };
    };
    const sampleOf = (name: string) =>
      samples.find(s => s.endpointRef.endsWith(`/${name}`))!;
    for (const [namespace, name, replicas] of [
      ['chat', 'chat-assistant-prod', 2],
      ['chat-staging', 'chat-assistant-staging', 1],
    ] as const) {
      const sample = sampleOf(name);
      const want = expected(namespace, name, replicas);
      expect(sample).toMatchObject({
        splitBasis: 'measured',
        gpus: replicas,
        gpusBasis: 'cluster-state',
      });
      expect(sample.promptShare! / want.share).toBeCloseTo(1, 2);
      expect(sample.requests! / want.requests).toBeCloseTo(1, 1);
    }
    // Same model, different traffic: different splits, not one per model.
    expect(sampleOf('chat-assistant-prod').promptShare).not.toBeCloseTo(
      sampleOf('chat-assistant-staging').promptShare!,
      4,
    );
    // Six queries for the cluster's interval, whatever the endpoints.
    expect(result.prometheusRequests).toBe(6);
  });
});
