import type {
  CanaryAnalysis,
  CanaryEngineName,
  CanaryPhase,
  CanarySplit,
  CanaryStep,
} from '@internal/plugin-ai-platform-common';
import type { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { DeploymentPlan } from '../planDeployment';
import type { KubernetesManifest } from '../render/types';

/**
 * The contract between the canary workflow (CanaryService, its store, the
 * routes and the scheduled driver) and the two rollout engines
 * (argoRollouts/, gatewayApi/). The workflow owns state, reservations,
 * audit, timers and notifications; an engine only renders objects and talks
 * to the cluster.
 */

/** What an engine needs to render a canary promote. */
export type CanaryRenderInput = {
  /** The promote's plan: the endpoint's objects rendered for the NEW version. */
  plan: DeploymentPlan;
  /** The objects of the revision that runs now (the stable version), when one does. */
  stableManifests?: KubernetesManifest[];
  steps: CanaryStep[];
  /** The SLO targets the analysis holds the canary to, when Prometheus is configured. */
  analysis?: CanaryAnalysisTargets;
  /** The cluster's canary settings (`aiPlatform.deploy.clusters.<name>.canary`). */
  settings: CanaryClusterSettings;
};

/** The evidence targets: from the endpoint's spec.slo (or defaults, documented). */
export type CanaryAnalysisTargets = {
  /** Prometheus the analysis queries (Argo: AnalysisTemplate provider address). */
  prometheusAddress: string;
  /** Highest error rate allowed, 0..1 (e.g. 0.01). */
  maxErrorRate: number;
  /** Highest time-to-first-token p95 allowed, in seconds. */
  maxTtftP95Seconds: number;
};

/** `aiPlatform.deploy.clusters.<name>.canary`. */
export type CanaryClusterSettings = {
  /** For gateway-api (required) and for argo-rollouts with trafficRouting gateway-api: the Gateway routes attach to. */
  gateway?: { name: string; namespace?: string; sectionName?: string };
  /** Argo Rollouts traffic routing: none (split by replica count) or the Gateway API plugin. */
  argoTrafficRouting: 'none' | 'gateway-api';
};

/** What an engine reads back from the cluster. */
export type CanaryObservation = {
  /** The engine's view of the step it is on (Argo: status.currentStepIndex). */
  stepIndex: number;
  phase: CanaryPhase;
  message: string;
  split: CanarySplit;
  /** Argo: the AnalysisRun's verdict; gateway-api leaves this to the workflow. */
  analysis?: CanaryAnalysis;
};

/** Where the canary's objects are. */
export type CanaryTarget = {
  client: KubernetesClusterClient;
  cluster: string;
  namespace: string;
  /** The endpoint's Kubernetes name (metadata.name of its objects). */
  name: string;
};

/** One rollout engine. Every method is idempotent: the driver may retry it after a restart. */
export interface CanaryEngine {
  readonly name: CanaryEngineName;
  /**
   * The objects a canary promote applies instead of the plan's (validated
   * against the real schemas), and the GPUs its extra pods hold at most
   * (the reservation). `converting`: the endpoint already runs as a plain
   * Deployment (argo: Rollout with workloadRef; both workloads count).
   * `canaryGpus` counts the canary's own pods only: while converting, the
   * workflow adds the endpoint's GPUs (planCanary.ts), since the Rollout's
   * pods start beside the Deployment's.
   */
  render(input: CanaryRenderInput): {
    manifests: KubernetesManifest[];
    canaryGpus: number;
    converting: boolean;
  };
  /**
   * Reads where the canary is. It may also finish a move that was waiting
   * on the cluster (a conversion's second move, weights once canary pods
   * are ready), unless `readOnly` (used after the canary ended, to follow
   * the traffic back to stable): then it only reads.
   */
  observe(
    target: CanaryTarget,
    steps: CanaryStep[],
    options?: { readOnly?: boolean },
  ): Promise<CanaryObservation>;
  /** Moves to step `toIndex` (argo: promote past the pause; gateway: set the weights). */
  advance(
    target: CanaryTarget,
    steps: CanaryStep[],
    toIndex: number,
  ): Promise<void>;
  /** All traffic back to stable, canary pods gone (argo: status.abort). */
  abort(target: CanaryTarget): Promise<void>;
  /**
   * The name of the workload whose pods are the canary's alone (gateway-api:
   * the canary Deployment), so the portal's analysis reads their metrics.
   * Optional (added with the workflow): `<name>-canary` when absent.
   */
  canaryWorkloadName?(endpointName: string): string;
  /**
   * The objects the promote's revision records once its canary succeeded
   * (what runs then), from the objects it recorded at the start (the
   * canary render). Optional (added after the engines): absent when what
   * was recorded is what runs (Argo's Rollout). Pure: no cluster call.
   */
  succeededManifests?(recorded: KubernetesManifest[]): KubernetesManifest[];
  /** After the last step: the canary becomes the stable (gateway: stable Deployment takes the new template, route 100 % stable, canary scaled to 0). Argo does this itself; its promote is a no-op. */
  complete(target: CanaryTarget): Promise<void>;
}
