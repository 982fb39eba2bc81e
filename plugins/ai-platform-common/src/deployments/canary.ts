/**
 * Canary promotes (issue 23): the shapes the API, the page and the backend
 * share. A canary sends a share of the traffic to the new model version step
 * by step, and goes on only while the evidence holds; it runs through a
 * rollout engine the cluster already has (see docs/canary.md):
 * - `argo-rollouts`: an Argo Rollouts `Rollout` (argoproj.io/v1alpha1), where
 *   the cluster serves it; its controller follows the steps;
 * - `gateway-api`: a stable and a canary Deployment behind an `HTTPRoute`
 *   (gateway.networking.k8s.io/v1) whose backend weights the portal sets.
 */

/** The rollout engine a canary runs through. */
export type CanaryEngineName = 'argo-rollouts' | 'gateway-api';

/**
 * One step: send `weight` percent of the traffic to the canary, then wait.
 * `pause` absent means go on at once (only sensible for the last step, 100).
 */
export type CanaryStep = {
  /** Percent of the traffic to the canary, 1 to 100; steps increase. */
  weight: number;
  /** How long to hold this step, or until someone approves. */
  pause?: { durationSeconds: number } | { approval: true };
};

/** The `canary` block of a promote request (`strategy: 'canary'`). */
export type CanaryRequest = {
  /** The steps; the last must have weight 100. Default: DEFAULT_CANARY_STEPS. */
  steps?: CanaryStep[];
};

/** 10 % for 5 minutes, 50 % until approved, then all. */
export const DEFAULT_CANARY_STEPS: readonly CanaryStep[] = [
  { weight: 10, pause: { durationSeconds: 300 } },
  { weight: 50, pause: { approval: true } },
  { weight: 100 },
];

/**
 * What a canary promote will do, as its checks decided it: on the record of
 * a promote with `strategy: 'canary'` (`DeploymentRecord.canary`), dry runs
 * included, so the Promote dialog can show it before anything is applied.
 * When the backend refuses the canary (no engine on the cluster, no room for
 * the canary's pods, bad steps), the record's `error` says why.
 */
export type CanaryPlan = {
  engine: CanaryEngineName;
  /** The steps the canary will follow (the request's, or DEFAULT_CANARY_STEPS). */
  steps: CanaryStep[];
  /** GPUs reserved for the canary's pods until it ends (checked against the team's quota and the pool). */
  reservedGpus: number;
  /** Per step, in the order of `steps`: the split the replicas and the routing really give. */
  splits: CanarySplit[];
  /** argo-rollouts: the running Deployment is taken over through `workloadRef` (both workloads count). */
  converting?: boolean;
  /** Things the caller should know, e.g. the endpoint's spec.url bypasses the gateway. */
  warnings?: string[];
};

/** Where a canary is. Final: succeeded, aborted, failed. */
export type CanaryPhase =
  /** Moving to the current step's weight (pods starting, weights changing). */
  | 'progressing'
  /** Holding the current step for its duration. */
  | 'paused'
  /** Holding the current step until someone approves. */
  | 'awaiting-approval'
  /** All traffic on the new version; the canary is the new stable. */
  | 'succeeded'
  /** Stopped by a person or by a failed analysis: all traffic back on stable. */
  | 'aborted'
  /** The engine could not carry on (for example the cluster refused a write). */
  | 'failed';

export const FINAL_CANARY_PHASES: readonly CanaryPhase[] = [
  'succeeded',
  'aborted',
  'failed',
];

/** What the traffic split actually is, and what it comes from. */
export type CanarySplit = {
  /** The step's weight, as asked. */
  desiredCanaryPercent: number;
  /** What the split really is, in percent to the canary. */
  actualCanaryPercent: number;
  /**
   * Where `actualCanaryPercent` comes from: `route-weights` (the HTTPRoute's
   * or the traffic router's weights, as the cluster stores them) or
   * `replica-count` (no traffic routing: the Service spreads requests over
   * all ready pods, so the split is canary pods / all pods).
   */
  basis: 'route-weights' | 'replica-count';
  stableReplicas: number;
  canaryReplicas: number;
  /** Set when the actual split differs from the asked one, in words (e.g. "with 2 replicas a 10 % step is 50 %"). */
  note?: string;
};

/** The evidence a step waits on. */
export type CanaryAnalysis = {
  /** `none` when Prometheus is not configured (the page says so). */
  status: 'none' | 'running' | 'passed' | 'failed';
  /** What was measured against which target, in words. */
  message: string;
  /** The canary's measured error rate and TTFT p95, when read. */
  errorRate?: number;
  ttftP95Seconds?: number;
  checkedAt?: string;
};

/** One recorded step change of a canary (also an audit record). */
export type CanaryEvent = {
  at: string;
  /** e.g. started, step, paused, approved, advanced, aborted, analysis-failed, succeeded, failed */
  type: string;
  stepIndex: number;
  /** The user, or `system` for the engine, a timer or an analysis. */
  actor: string;
  message: string;
};

/** `GET /endpoints/{namespace}/{name}/canary`: the endpoint's current or last canary. */
export type CanaryStatus = {
  endpointRef: string;
  /** The deployment record (promote) the canary belongs to. */
  deploymentId: string;
  revision: number;
  engine: CanaryEngineName;
  stableVersion: string;
  canaryVersion: string;
  steps: CanaryStep[];
  /** Index into `steps` of the current step. */
  stepIndex: number;
  phase: CanaryPhase;
  message: string;
  split?: CanarySplit;
  analysis: CanaryAnalysis;
  /** When the current pause ends (timed pauses). */
  pauseEndsAt?: string;
  /** GPUs held for the canary's pods until it ends. */
  reservedGpus: number;
  /** Warnings the page shows, e.g. the endpoint's spec.url bypasses the gateway. */
  warnings: string[];
  events: CanaryEvent[];
  startedAt: string;
  endedAt?: string;
};
