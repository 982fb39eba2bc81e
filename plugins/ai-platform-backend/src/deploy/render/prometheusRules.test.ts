import type {
  GpuPoolEntityV1alpha1,
  InferenceEndpointEntityV1alpha1,
  ModelEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import {
  Evaluator,
  parsePromQL,
  type ServingPod,
  SimulatedSeries,
} from '@internal/fake-prometheus';
import { exampleEntity } from '../../__testUtils__/exampleEntities';
import { objectiveReport } from '../../slo/sloMath';
import { endpointPrometheusRule } from './prometheusRules';
import { renderEndpointManifests } from './renderEndpointManifests';
import { validateManifest } from './validateManifest';

function render(prometheusRules: boolean, slo?: object) {
  const endpoint = structuredClone(
    exampleEntity<InferenceEndpointEntityV1alpha1>(
      'inferenceendpoint:default/chat-assistant-prod',
    ),
  );
  if (slo) endpoint.spec.slo = slo;
  return renderEndpointManifests({
    endpoint,
    model: exampleEntity<ModelEntityV1alpha1>(endpoint.spec.model),
    pool: exampleEntity<GpuPoolEntityV1alpha1>(endpoint.spec.gpuPool!),
    prometheusRules,
  });
}

const ruleOf = (objects: Array<{ kind: string }>) =>
  objects.find(o => o.kind === 'PrometheusRule') as any;

describe('the SLO PrometheusRule', () => {
  it('is rendered, validated and listed only when aiPlatform.deploy.prometheusRules is on', () => {
    expect(ruleOf(render(false).objects)).toBeUndefined();
    const rendered = render(true);
    const rule = ruleOf(rendered.objects);
    expect(rule.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(rule.metadata).toMatchObject({
      name: 'chat-assistant-prod-slo',
      namespace: 'chat',
      annotations: {
        'ai-platform.io/endpoint':
          'inferenceendpoint:default/chat-assistant-prod',
      },
    });
    expect(() => validateManifest(rule)).not.toThrow();
    // chat-assistant-prod sets availability 99.9, ttftP95Ms 400, latencyP95Ms 4000.
    expect(
      rule.spec.groups[0].rules.map((r: any) => [
        r.alert,
        r.labels.burn_window,
      ]),
    ).toEqual([
      ['InferenceEndpointAvailabilityFastBurn', '1h'],
      ['InferenceEndpointAvailabilitySlowBurn', '6h'],
      ['InferenceEndpointTimeToFirstTokenFastBurn', '1h'],
      ['InferenceEndpointTimeToFirstTokenSlowBurn', '6h'],
      ['InferenceEndpointRequestLatencyFastBurn', '1h'],
      ['InferenceEndpointRequestLatencySlowBurn', '6h'],
    ]);
  });

  it('alerts at 14.4x over 1 h and 5 m, and 6x over 6 h and 30 m', () => {
    const [fast, slow, ttftFast] = ruleOf(render(true).objects).spec.groups[0]
      .rules;
    // 99.9 %: 0.1 % may fail; 14.4 x 0.1 % = 1.44 %, 6 x 0.1 % = 0.6 %.
    expect(fast.expr).toContain('[1h]))) > 0.0144\nand\n');
    expect(fast.expr).toContain('[5m]))) > 0.0144');
    expect(slow.expr).toContain('[6h]))) > 0.006\nand\n');
    expect(slow.expr).toContain('[30m]))) > 0.006');
    expect(fast.expr).toContain(
      'namespace="chat",pod=~"chat-assistant-prod-[a-z0-9]{5,10}-[a-z0-9]{5}"',
    );
    expect(fast.expr).not.toContain('model_name');
    // A p95 of 400 ms counts requests under the 250 ms bucket; 5 % may be
    // slower: 14.4 x 5 % = 72 %.
    expect(ttftFast.expr).toContain('le=~"0\\\\.25(\\\\.0)?"');
    expect(ttftFast.expr).toContain('> 0.72');
    expect(ttftFast.annotations.description).toContain('within 250 ms');
  });

  it('has no rule without targets, and skips a latency target below every bucket', () => {
    expect(ruleOf(render(true, {}).objects)).toBeUndefined();
    const rule = ruleOf(
      render(true, { latencyP95Ms: 100, itlP95Ms: 60 }).objects,
    );
    expect(rule.spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'InferenceEndpointInterTokenLatencyFastBurn',
      'InferenceEndpointInterTokenLatencySlowBurn',
    ]);
    expect(rule.spec.groups[0].rules[0].expr).toContain(
      'vllm:time_per_output_token_seconds_bucket',
    );
  });

  it('measures on the simulated metrics the same bad share as the SLO figures', () => {
    const NOW = 1_800_000_000;
    const pods: ServingPod[] = ['abcde', 'fghij'].map(suffix => ({
      cluster: 'c',
      namespace: 'chat',
      name: `chat-assistant-prod-7d9f8b6c5d-${suffix}`,
      startedAt: NOW - 86_400,
      instance: 'chat-assistant-prod',
      servedModelName: 'm',
      gpus: 1,
    }));
    const evaluator = new Evaluator(new SimulatedSeries(pods));
    const rule = endpointPrometheusRule({
      metadata: { name: 'x' },
      endpointRef: 'inferenceendpoint:default/chat-assistant-prod',
      namespace: 'chat',
      workload: 'chat-assistant-prod',
      slo: { availability: 99.9 },
    })!;
    const expr = (rule.spec as any).groups[0].rules[0].expr as string;
    // The fake has no `and`: evaluate the 1 h side's ratio alone.
    const oneHour = expr.slice(1, expr.indexOf(') > '));
    const value = evaluator.evaluate(parsePromQL(oneHour), NOW) as any;
    const ratio = value.samples[0].value;
    const fromCounts = evaluator.evaluate(
      parsePromQL(
        'sum by (status) (increase(http_requests_total{namespace="chat",handler="/v1/chat/completions"}[1h]))',
      ),
      NOW,
    ) as any;
    const total = fromCounts.samples.reduce(
      (a: number, s: any) => a + s.value,
      0,
    );
    const bad = fromCounts.samples.find(
      (s: any) => s.labels.status === '5xx',
    ).value;
    const report = objectiveReport({
      kind: 'availability',
      target: 99.9,
      metric: 'http_requests_total',
      lastHour: { total, bad },
    });
    expect(ratio).toBeCloseTo(report.burnRate1h! * 0.001, 6);
  });
});
