import type {
  GpuPoolEntityV1alpha1,
  InferenceEndpointEntityV1alpha1,
  ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import { exampleEntity } from '../../../../__testUtils__/exampleEntities';
import { planDeployment } from '../../../planDeployment';
import type { DeployOptions } from '../../../types';
import type { CanaryRenderInput } from '../../types';

/** Deploy settings for the canary engines' tests (what they need of them). */
export function testDeployOptions(
  extra: Partial<DeployOptions> = {},
): DeployOptions {
  return {
    rolloutTimeoutMs: 60_000,
    progressIntervalMs: 1000,
    requestTimeoutMs: 10_000,
    forceConflicts: true,
    unreachableClusters: 'fail',
    autoscaling: { type: 'hpa', targetRequestsWaiting: 5 },
    namespaces: { mapping: {}, systemNamespaces: [], cacheTtlMs: 0 },
    ...extra,
  };
}

/**
 * A canary promote of an example endpoint (default chat-assistant-staging,
 * v2 running, promoting to v2-fp8): the plan of the new version and the
 * objects of the running one, as the workflow hands them to an engine.
 */
export function canaryRenderInput(
  options: {
    endpoint?: string;
    stableVersion?: string;
    newVersion?: string;
    resources?: InferenceEndpointEntityV1alpha1['spec']['resources'];
    url?: string;
    deploy?: Partial<DeployOptions>;
  } & Partial<Pick<CanaryRenderInput, 'steps' | 'settings' | 'analysis'>> = {},
): CanaryRenderInput {
  const base = exampleEntity<InferenceEndpointEntityV1alpha1>(
    `inferenceendpoint:default/${options.endpoint ?? 'chat-assistant-staging'}`,
  );
  const endpoint: InferenceEndpointEntityV1alpha1 = {
    ...base,
    spec: {
      ...base.spec,
      ...(options.resources ? { resources: options.resources } : {}),
      ...(options.url !== undefined ? { url: options.url } : {}),
    },
  };
  const model = exampleEntity<ModelEntityV1alpha1>(endpoint.spec.model);
  const pool = exampleEntity<GpuPoolEntityV1alpha1>(endpoint.spec.gpuPool!);
  const resolved = {
    endpoint,
    endpointRef: `inferenceendpoint:default/${endpoint.metadata.name}`,
    inCatalog: true,
    model,
    pool,
    team: endpoint.spec.owner,
  };
  const deploy = testDeployOptions(options.deploy);
  const stable = planDeployment({
    resolved,
    operation: 'deploy',
    modelVersion: options.stableVersion ?? 'v2',
    deploy,
  });
  const plan = planDeployment({
    resolved,
    operation: 'promote',
    modelVersion: options.newVersion ?? 'v2-fp8',
    deploy,
  });
  if (plan.renderError || stable.renderError) {
    throw new Error(plan.renderError ?? stable.renderError);
  }
  return {
    plan,
    stableManifests: stable.manifests,
    steps: options.steps ?? [
      { weight: 10, pause: { durationSeconds: 300 } },
      { weight: 50, pause: { approval: true } },
      { weight: 100 },
    ],
    settings: options.settings ?? { argoTrafficRouting: 'none' },
    ...(options.analysis ? { analysis: options.analysis } : {}),
  };
}
