import type { KubernetesManifest } from '../../render/types';
import {
  TEMPLATE_HASH_ANNOTATION,
  templateHash,
} from '../argoRollouts/renderArgoCanary';
import { validateCanaryObjects } from '../argoRollouts/validateCanaryObjects';
import { canaryName } from './httpRoute';
import {
  ANNOTATION_CANARY_STABLE_MANIFEST,
  ANNOTATION_CANARY_STATE,
  LABEL_CANARY,
} from './renderGatewayCanary';

/**
 * What runs once a Gateway API canary has succeeded, from the objects its
 * promote recorded (the canary render: the stable Deployment on the OLD
 * template, the canary Deployment, the HTTPRoute at 0 %). complete() gave
 * the stable Deployment the new version and moved the route back, so the
 * revision must record that, or a later rollback to it, an automatic
 * rollback choosing it, and the pod-template comparison of the next
 * deploy (pipeline/decideRollout.ts) would see the canary render:
 *
 * - the stable Deployment: the endpoint rendered for the new version (the
 *   canary Deployment's ANNOTATION_CANARY_STABLE_MANIFEST), stamped with
 *   its template hash as complete() applied it;
 * - the canary Deployment as it is now: 0 replicas (so re-applying the
 *   revision never starts canary pods);
 * - the HTTPRoute as it is now: 100 % to stable, 0 % to the canary,
 *   state `completed`;
 * - everything else (Services, PDB, the canary's copies) as recorded.
 *
 * Objects that were not made by the portal's gateway canary come back
 * unchanged (there is nothing to rewrite).
 */
export function succeededGatewayManifests(
  recorded: KubernetesManifest[],
): KubernetesManifest[] {
  const canary = recorded.find(
    m =>
      m.apiVersion === 'apps/v1' &&
      m.kind === 'Deployment' &&
      m.metadata.labels?.[LABEL_CANARY] === 'true',
  );
  const json =
    canary?.metadata.annotations?.[ANNOTATION_CANARY_STABLE_MANIFEST];
  if (!canary || !json) return recorded;
  const next = JSON.parse(json) as KubernetesManifest;
  const stableName = next.metadata.name;
  const manifests = recorded.map(m => {
    if (m === canary) {
      return { ...m, spec: { ...m.spec, replicas: 0 } };
    }
    if (
      m.apiVersion === 'apps/v1' &&
      m.kind === 'Deployment' &&
      m.metadata.name === stableName
    ) {
      return {
        ...next,
        metadata: {
          ...next.metadata,
          annotations: {
            ...next.metadata.annotations,
            [TEMPLATE_HASH_ANNOTATION]: templateHash(next.spec?.template),
          },
        },
      };
    }
    if (
      m.apiVersion === 'gateway.networking.k8s.io/v1' &&
      m.kind === 'HTTPRoute' &&
      m.metadata.name === stableName
    ) {
      const spec = (m.spec ?? {}) as {
        rules?: Array<{ backendRefs?: Array<{ name?: string }> }>;
      };
      return {
        ...m,
        metadata: {
          ...m.metadata,
          annotations: {
            ...m.metadata.annotations,
            [ANNOTATION_CANARY_STATE]: 'completed',
          },
        },
        spec: {
          ...spec,
          rules: (spec.rules ?? []).map(rule => ({
            ...rule,
            backendRefs: (rule.backendRefs ?? []).map(ref => ({
              ...ref,
              ...(ref.name === stableName ? { weight: 100 } : {}),
              ...(ref.name === canaryName(stableName) ? { weight: 0 } : {}),
            })),
          })),
        },
      };
    }
    return m;
  });
  validateCanaryObjects(manifests);
  return manifests;
}
