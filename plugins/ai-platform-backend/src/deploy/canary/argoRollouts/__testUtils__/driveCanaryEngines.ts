import type { FakeKubeApiServer } from '@internal/fake-kube-apiserver';
import type { CanaryPhase } from '@internal/plugin-ai-platform-common';
import type { KubernetesClusterClient } from '../../../kube/KubernetesClusterClient';
import type { KubernetesManifest } from '../../../render/types';
import { gatewayWarnings } from '../../gatewayWarnings';
import { createGatewayApiEngine } from '../../gatewayApi/createGatewayApiEngine';
import type {
  CanaryEngine,
  CanaryRenderInput,
  CanaryTarget,
} from '../../types';
import { createArgoRolloutsEngine } from '../createArgoRolloutsEngine';
import { canaryRenderInput } from './canaryPlans';

/** The Gateway canaries attach to in these tests, as a platform team would run it. */
export const CANARY_GATEWAY = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'inference', namespace: 'gateway-system' },
  spec: {
    gatewayClassName: 'example',
    listeners: [
      {
        name: 'http',
        port: 80,
        protocol: 'HTTP',
        hostname: '*.inference.example.com',
      },
    ],
  },
};

const gateway = { name: 'inference', namespace: 'gateway-system' };

async function until(
  engine: CanaryEngine,
  target: CanaryTarget,
  input: CanaryRenderInput,
  phases: CanaryPhase[],
) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen = await engine.observe(target, input.steps);
    if (phases.includes(seen.phase)) return seen;
    if (Date.now() > deadline) {
      throw new Error(`timed out: ${JSON.stringify(seen)}`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

/**
 * Runs both canary engines through every call against `server` (which
 * serves argo-rollouts and gateway-api and holds CANARY_GATEWAY): the
 * Gateway API engine on chat-assistant-staging (render applied, observe,
 * advance, approve, complete, and the Gateway read of the url check), the
 * Argo Rollouts engine with the Gateway API plugin and analysis on
 * chat-assistant-prod (conversion, observe, promote, abort). Returns the
 * requests made, as `METHOD path`.
 */
export async function driveCanaryEngines(
  server: FakeKubeApiServer,
  client: KubernetesClusterClient,
): Promise<string[]> {
  const apply = async (manifests: KubernetesManifest[]) => {
    for (const m of manifests) {
      await client.apply(m, { dryRun: false, force: true });
    }
  };
  const runStable = async (input: CanaryRenderInput) => {
    await apply(input.stableManifests!);
    const deployment = input.stableManifests!.find(
      m => m.kind === 'Deployment',
    )!;
    await server.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: deployment.metadata.namespace!,
        name: deployment.metadata.name,
      },
      d => (d?.status as any)?.readyReplicas === 2,
    );
  };
  const resources = { gpusPerReplica: 1, replicas: 2 };

  const gw = createGatewayApiEngine({ completeTimeoutMs: 15_000 });
  const gwInput = canaryRenderInput({
    resources,
    url: 'https://chat-staging.inference.example.com/v1',
    settings: { argoTrafficRouting: 'none', gateway },
  });
  const gwTarget: CanaryTarget = {
    client,
    cluster: 'gpu-eu-west',
    namespace: 'chat-staging',
    name: 'chat-assistant-staging',
  };
  await runStable(gwInput);
  const warnings = await gatewayWarnings({
    client,
    gateway,
    namespace: gwTarget.namespace,
    url: gwInput.plan.endpoint.spec.url,
  });
  if (warnings.length) throw new Error(warnings.join('; '));
  await apply(gw.render(gwInput).manifests);
  await until(gw, gwTarget, gwInput, ['paused']);
  await gw.advance(gwTarget, gwInput.steps, 1);
  await until(gw, gwTarget, gwInput, ['awaiting-approval']);
  await gw.advance(gwTarget, gwInput.steps, 2);
  await gw.complete(gwTarget);

  const argo = createArgoRolloutsEngine({
    analysis: { interval: '1s', failureLimit: 3 },
  });
  const argoInput = canaryRenderInput({
    endpoint: 'chat-assistant-prod',
    stableVersion: 'v1',
    newVersion: 'v2',
    resources,
    settings: { argoTrafficRouting: 'gateway-api', gateway },
    analysis: {
      prometheusAddress: 'http://127.0.0.1:9/unreachable',
      maxErrorRate: 0.01,
      maxTtftP95Seconds: 2,
    },
  });
  const argoTarget: CanaryTarget = {
    client,
    cluster: 'gpu-eu-west',
    namespace: 'chat',
    name: 'chat-assistant-prod',
  };
  await runStable(argoInput);
  await apply(argo.render(argoInput).manifests);
  const seen = await until(argo, argoTarget, argoInput, [
    'paused',
    'aborted',
    'failed',
  ]);
  if (seen.phase === 'paused') {
    await argo.advance(argoTarget, argoInput.steps, 1);
  }
  await argo.abort(argoTarget);
  await argo.observe(argoTarget, argoInput.steps);
  return server.requests.map(r => `${r.method} ${r.path}`);
}
