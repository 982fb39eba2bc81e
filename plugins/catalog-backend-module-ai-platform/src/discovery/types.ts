import type { GpuPoolEntityV1alpha1 } from '@internal/plugin-ai-platform-common';

/** A node as discovery needs it. */
export type InventoryNode = {
  name: string;
  labels: Record<string, string>;
  capacity: Record<string, string>;
  allocatable: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
};

/** A non-terminated pod bound to a node, with what it requests. */
export type InventoryPod = {
  namespace: string;
  name: string;
  nodeName: string;
  /** Per resource: containers' requests, or limits where a resource has no request. */
  requests: Record<string, number>;
};

/**
 * The Kueue objects of a cluster, when Kueue is installed, the same whichever
 * Kueue API version the cluster serves.
 */
export type KueueInventory = {
  /** The version they were read in: kueue.x-k8s.io/v1beta2 or kueue.x-k8s.io/v1beta1. */
  apiVersion: string;
  resourceFlavors: Array<{ name: string; nodeLabels: Record<string, string> }>;
  clusterQueues: Array<{
    name: string;
    /** v1beta2 `spec.cohortName`, v1beta1 `spec.cohort`. */
    cohort?: string;
    flavors: Array<{
      flavor: string;
      resources: Array<{ name: string; nominalQuota?: string }>;
    }>;
  }>;
  localQueues: Array<{ namespace: string; name: string; clusterQueue: string }>;
};

/**
 * The deploy targets a cluster serves: `deployment` always,
 * `llm-inference-service` when its API discovery lists KServe's
 * serving.kserve.io group (with the versions found, preferred first).
 */
export type DeployTargetsInventory = {
  targets: Array<'deployment' | 'llm-inference-service'>;
  llmInferenceServiceVersions?: string[];
};

/** What discovery read from one cluster. */
export type ClusterInventory = {
  nodes: InventoryNode[];
  pods: InventoryPod[];
  /** Absent from inventories read before targets were discovered (tests' fixtures): only `deployment` is then known. */
  deployTargets?: DeployTargetsInventory;
  /** Undefined when the cluster serves neither kueue.x-k8s.io/v1beta2 nor v1beta1. */
  kueue?: KueueInventory;
};

/** The discovered GPU figures of a pool. */
export type DiscoveredFigures = {
  cluster: string;
  /** Sum of the nodes' capacity of the pool's resource. */
  capacity: number;
  /** Sum of the nodes' allocatable of the pool's resource. */
  allocatable: number;
  /** Sum of the requests of non-terminated pods on those nodes. */
  allocated: number;
  nodes: number;
  /** The deploy targets the cluster serves. */
  deployTargets?: DeployTargetsInventory;
  /** Set when the cluster failed the latest discovery (the figures are older). */
  error?: string;
};

/** One pool found in a cluster. */
export type DiscoveredPool = {
  entity: GpuPoolEntityV1alpha1;
  figures: DiscoveredFigures;
};
