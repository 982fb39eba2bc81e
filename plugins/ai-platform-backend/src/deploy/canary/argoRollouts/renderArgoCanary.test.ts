import { InputError } from '@backstage/errors';
import type { KubernetesManifest } from '../../render/types';
import { validateManifest } from '../../render/validateManifest';
import { canaryRenderInput } from './__testUtils__/canaryPlans';
import {
  argoRenderMode,
  PENDING_WORKLOAD_ANNOTATION,
  renderArgoCanary,
  TEMPLATE_HASH_ANNOTATION,
  templateHash,
} from './renderArgoCanary';

const kinds = (manifests: KubernetesManifest[]) =>
  manifests.map(m => `${m.kind}/${m.metadata.name}`);
const find = (manifests: KubernetesManifest[], kind: string) =>
  manifests.find(m => m.kind === kind)!;

const analysis = {
  prometheusAddress: 'http://prometheus.monitoring:9090',
  maxErrorRate: 0.001,
  maxTtftP95Seconds: 0.4,
};

describe('renderArgoCanary', () => {
  it('converts a running Deployment through workloadRef, without touching it, and points the HPA at the Rollout', () => {
    const input = canaryRenderInput({
      resources: { gpusPerReplica: 2, replicas: 2, maxReplicas: 4 },
    });
    const rendered = renderArgoCanary(input);
    expect(rendered.converting).toBe(true);
    // No Deployment is applied: the running one stays as it is until the
    // Rollout has taken over its pods.
    expect(kinds(rendered.manifests)).toEqual([
      'ServiceAccount/chat-assistant-staging',
      'Service/chat-assistant-staging',
      'PodDisruptionBudget/chat-assistant-staging',
      'HorizontalPodAutoscaler/chat-assistant-staging',
      'Rollout/chat-assistant-staging',
    ]);
    const rollout = find(rendered.manifests, 'Rollout');
    expect(rollout.spec).toMatchObject({
      workloadRef: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'chat-assistant-staging',
        scaleDown: 'progressively',
      },
      selector: {
        matchLabels: {
          'app.kubernetes.io/name': 'vllm',
          'app.kubernetes.io/instance': 'chat-assistant-staging',
        },
      },
      strategy: {
        canary: {
          maxSurge: 1,
          maxUnavailable: 0,
          steps: [
            { setWeight: 10 },
            { pause: { duration: '300s' } },
            { setWeight: 50 },
            { pause: {} },
            { setWeight: 100 },
          ],
        },
      },
    });
    expect(rollout.spec).not.toHaveProperty('template');
    // Autoscaled: the replica count is the HPA's, which targets the Rollout.
    expect(rollout.spec).not.toHaveProperty('replicas');
    expect(
      find(rendered.manifests, 'HorizontalPodAutoscaler').spec,
    ).toMatchObject({
      scaleTargetRef: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'chat-assistant-staging',
      },
    });
    // The new version's Deployment waits in an annotation for the second move.
    const pending = JSON.parse(
      rollout.metadata.annotations![PENDING_WORKLOAD_ANNOTATION],
    ) as KubernetesManifest;
    const template = pending.spec!.template as {
      metadata: { labels: Record<string, string> };
    };
    expect(template.metadata.labels['ai-platform.io/model-version']).toBe(
      'v2-fp8',
    );
    expect(pending.spec).not.toHaveProperty('replicas');
    expect(pending.metadata.annotations![TEMPLATE_HASH_ANNOTATION]).toBe(
      templateHash(pending.spec!.template),
    );
    expect(() => validateManifest(pending)).not.toThrow();
    // Basic canary: at most maxSurge (1) extra pod of 2 GPUs.
    expect(rendered.canaryGpus).toBe(2);
  });

  it('renders the new pod template into a Rollout where the endpoint already runs as one', () => {
    const first = renderArgoCanary(
      canaryRenderInput({ stableVersion: 'v1', newVersion: 'v2' }),
    );
    const stableRollout = {
      ...find(first.manifests, 'Rollout'),
      spec: {
        ...find(first.manifests, 'Rollout').spec,
        workloadRef: undefined,
        template: {},
      },
    };
    const input = {
      ...canaryRenderInput(),
      stableManifests: [stableRollout],
    };
    expect(argoRenderMode(input.stableManifests)).toBe('template');
    const rendered = renderArgoCanary(input);
    expect(rendered.converting).toBe(false);
    const rollout = find(rendered.manifests, 'Rollout');
    expect(rollout.spec).not.toHaveProperty('workloadRef');
    expect(rollout.spec).toMatchObject({
      replicas: 1,
      template: {
        metadata: { labels: { 'ai-platform.io/model-version': 'v2-fp8' } },
      },
    });
    expect(rollout.metadata.annotations).not.toHaveProperty(
      PENDING_WORKLOAD_ANNOTATION,
    );
  });

  it('after a conversion, rolls out a new version by changing the referenced Deployment, without its replicas', () => {
    const converted = renderArgoCanary(canaryRenderInput());
    const input = {
      ...canaryRenderInput({ stableVersion: 'v2-fp8', newVersion: 'v1' }),
      stableManifests: converted.manifests,
    };
    expect(argoRenderMode(input.stableManifests)).toBe('workload-ref');
    const rendered = renderArgoCanary(input);
    expect(rendered.converting).toBe(false);
    const deployment = find(rendered.manifests, 'Deployment');
    expect(deployment.spec).not.toHaveProperty('replicas');
    expect(
      (deployment.spec!.template as any).metadata.labels[
        'ai-platform.io/model-version'
      ],
    ).toBe('v1');
    expect(find(rendered.manifests, 'Rollout').spec).toHaveProperty(
      'workloadRef.name',
      'chat-assistant-staging',
    );
    // The Rollout's new steps first, then the template they roll out (the
    // Deployment exists already: the Rollout references it).
    expect(kinds(rendered.manifests).slice(-2)).toEqual([
      'Rollout/chat-assistant-staging',
      'Deployment/chat-assistant-staging',
    ]);
  });

  it('adds an AnalysisTemplate on the canary pods, run as background analysis', () => {
    const rendered = renderArgoCanary(canaryRenderInput({ analysis }));
    const template = find(rendered.manifests, 'AnalysisTemplate');
    expect(template.metadata.name).toBe('chat-assistant-staging-canary-slo');
    expect(template.spec).toMatchSnapshot();
    expect(find(rendered.manifests, 'Rollout').spec).toMatchObject({
      strategy: {
        canary: {
          analysis: {
            templates: [{ templateName: 'chat-assistant-staging-canary-slo' }],
            args: [
              {
                name: 'canary-hash',
                valueFrom: { podTemplateHashValue: 'Latest' },
              },
            ],
          },
        },
      },
    });
  });

  it('routes through the Gateway API plugin with an HTTPRoute over a stable and a canary Service', () => {
    const rendered = renderArgoCanary(
      canaryRenderInput({
        endpoint: 'chat-assistant-prod',
        stableVersion: 'v1',
        newVersion: 'v2',
        settings: {
          argoTrafficRouting: 'gateway-api',
          gateway: { name: 'inference', namespace: 'gateway-system' },
        },
      }),
    );
    expect(kinds(rendered.manifests)).toEqual(
      expect.arrayContaining([
        'Service/chat-assistant-prod',
        'Service/chat-assistant-prod-canary',
        'HTTPRoute/chat-assistant-prod',
        'Rollout/chat-assistant-prod',
      ]),
    );
    expect(find(rendered.manifests, 'Rollout').spec).toMatchObject({
      strategy: {
        canary: {
          stableService: 'chat-assistant-prod',
          canaryService: 'chat-assistant-prod-canary',
          trafficRouting: {
            plugins: {
              'argoproj-labs/gatewayAPI': {
                httpRoute: 'chat-assistant-prod',
                namespace: 'chat',
              },
            },
          },
        },
      },
    });
    expect(find(rendered.manifests, 'HTTPRoute')).toMatchSnapshot();
    // The stable stays fully scaled; at the 100 % step the canary is a
    // whole second copy: 6 (maxReplicas) x 1 GPU.
    expect(rendered.canaryGpus).toBe(6);
  });

  it('points a KEDA ScaledObject at the Rollout', () => {
    const rendered = renderArgoCanary(
      canaryRenderInput({
        resources: { gpusPerReplica: 1, replicas: 1, maxReplicas: 3 },
        deploy: {
          autoscaling: {
            type: 'keda',
            targetRequestsWaiting: 5,
            prometheusServerAddress: 'http://prometheus.monitoring:9090',
          },
        },
      }),
    );
    expect(find(rendered.manifests, 'ScaledObject').spec).toMatchObject({
      scaleTargetRef: {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'chat-assistant-staging',
      },
    });
  });

  it('validates every object against the schemas, naming the field', () => {
    const input = canaryRenderInput();
    expect(() =>
      renderArgoCanary({ ...input, steps: [{ weight: 150 }] }),
    ).toThrow(
      new InputError(
        'Rendered Rollout/chat-assistant-staging is invalid: spec.strategy.canary.steps[0].setWeight must be an integer from 0 to 100',
      ),
    );
    expect(() =>
      renderArgoCanary({
        ...input,
        analysis: { ...analysis, maxErrorRate: Number.NaN },
      }),
    ).toThrow(
      new InputError(
        'analysis maxErrorRate must be a number from 0 to 1, not NaN',
      ),
    );
    // The CRD schema itself: a Rollout's replicas must be an integer.
    const plan = {
      ...input.plan,
      manifests: input.plan.manifests.map(m =>
        m.kind === 'Deployment'
          ? { ...m, spec: { ...m.spec, replicas: '2' } }
          : m,
      ),
    };
    expect(() =>
      renderArgoCanary({ ...input, plan, stableManifests: undefined }),
    ).toThrow(
      /Rollout\/chat-assistant-staging is invalid: spec.replicas must be integer/,
    );
    expect(() =>
      renderArgoCanary({
        ...input,
        settings: { argoTrafficRouting: 'gateway-api' },
      }),
    ).toThrow(/needs canary.gateway/);
  });
});
