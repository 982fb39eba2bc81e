import type { KubernetesManifest } from '../render/types';

/** The field manager of every apply the portal makes. */
export const FIELD_MANAGER = 'backstage-ai-platform';

/** A live Kubernetes object, as far as the deploy service reads it. */
export type LiveObject = KubernetesManifest & {
  metadata: KubernetesManifest['metadata'] & {
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string | Date;
    managedFields?: Array<{
      manager?: string;
      operation?: string;
      time?: string | Date;
      subresource?: string;
    }>;
  };
  status?: Record<string, any>;
};

/** `Kind/name` of an object, as our records and messages name it. */
export function objectName(object: {
  kind: string;
  metadata: { name: string };
}) {
  return `${object.kind}/${object.metadata.name}`;
}

/** A pod of a workload as the deploy service reports it. */
export type PodSummary = {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  reason?: string;
  message?: string;
};
