import type { PodTemplate } from '../workload/pods';

/*
 * The parts of argoproj.io/v1alpha1 Rollout the simulated controller reads
 * and writes, with the field names of Argo Rollouts v1.8
 * (pkg/apis/rollouts/v1alpha1/types.go).
 */

export type RolloutAnalysis = {
  templates?: Array<{ templateName?: string; clusterScope?: boolean }>;
  args?: Array<{
    name: string;
    value?: string;
    valueFrom?: { podTemplateHashValue?: string; fieldRef?: unknown };
  }>;
  /** Background analysis only: the step it starts at. */
  startingStep?: number;
};

export type CanaryStep = {
  setWeight?: number;
  pause?: { duration?: number | string };
  analysis?: RolloutAnalysis;
  setCanaryScale?: {
    replicas?: number;
    weight?: number;
    matchTrafficWeight?: boolean;
  };
  [other: string]: unknown;
};

export type CanaryStrategy = {
  steps?: CanaryStep[];
  canaryService?: string;
  stableService?: string;
  trafficRouting?: {
    plugins?: Record<
      string,
      {
        httpRoute?: string;
        httpRoutes?: Array<{ name: string }>;
        namespace?: string;
      }
    >;
    [provider: string]: unknown;
  };
  analysis?: RolloutAnalysis;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  scaleDownDelaySeconds?: number;
  abortScaleDownDelaySeconds?: number;
};

export type RolloutSpec = {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string> };
  template?: PodTemplate;
  workloadRef?: {
    apiVersion?: string;
    kind?: string;
    name?: string;
    scaleDown?: 'never' | 'onsuccess' | 'progressively';
  };
  strategy?: { canary?: CanaryStrategy; blueGreen?: unknown };
  paused?: boolean;
  progressDeadlineSeconds?: number;
  progressDeadlineAbort?: boolean;
};

export type PauseCondition = { reason: string; startTime: string };

export type AnalysisRunStatusRef = {
  name: string;
  status: string;
  message?: string;
};

export type RolloutStatus = {
  abort?: boolean;
  abortedAt?: string;
  pauseConditions?: PauseCondition[];
  controllerPause?: boolean;
  currentPodHash?: string;
  currentStepHash?: string;
  currentStepIndex?: number;
  promoteFull?: boolean;
  stableRS?: string;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  HPAReplicas?: number;
  selector?: string;
  observedGeneration?: string;
  workloadObservedGeneration?: string;
  phase?: string;
  message?: string;
  conditions?: Array<{
    type: string;
    status: string;
    reason?: string;
    message?: string;
    lastUpdateTime?: string;
    lastTransitionTime?: string;
  }>;
  canary?: {
    weights?: {
      canary: {
        weight: number;
        podTemplateHash?: string;
        serviceName?: string;
      };
      stable: {
        weight: number;
        podTemplateHash?: string;
        serviceName?: string;
      };
    };
    currentStepAnalysisRunStatus?: AnalysisRunStatusRef;
    currentBackgroundAnalysisRunStatus?: AnalysisRunStatusRef;
  };
  blueGreen?: Record<string, unknown>;
};
