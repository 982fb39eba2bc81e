import { InputError } from '@backstage/errors';
import type { KubernetesManifest } from '../../render/types';
import {
  InvalidManifestError,
  validateManifest,
} from '../../render/validateManifest';

/**
 * Validates the objects a canary engine renders, each against the schema of
 * its kind (validateManifest: kubernetes-models, the Argo Rollouts v1.5.0
 * CRDs of @kubernetes-models/argo-rollouts 0.3.2, the Gateway API v1.0.0
 * CRDs of @kubernetes-models/gateway-api 0.5.1), plus what those schemas
 * leave out:
 * - a Rollout's pod template is checked as a Deployment's (the CRD keeps
 *   the pod spec open), and its canary steps as Argo Rollouts' validation
 *   (pkg/apis/rollouts/validation/validation.go, v1.8.x/v1.9.x) checks
 *   them: setWeight within 0..100, pause durations as Go durations or
 *   seconds;
 * - `workloadRef.scaleDown`, added in Argo Rollouts v1.6 after the CRD the
 *   models were generated from: never, onsuccess or progressively.
 * The first invalid object is an InputError naming the object and field.
 */
export function validateCanaryObjects(manifests: KubernetesManifest[]): void {
  for (const manifest of manifests) {
    try {
      validateManifest(manifest);
      if (
        manifest.apiVersion === 'argoproj.io/v1alpha1' &&
        manifest.kind === 'Rollout'
      ) {
        validateRolloutExtras(manifest);
      }
    } catch (error) {
      if (error instanceof InvalidManifestError) {
        throw new InputError(error.message);
      }
      throw error;
    }
  }
}

const SCALE_DOWN = ['never', 'onsuccess', 'progressively'];
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

function validateRolloutExtras(rollout: KubernetesManifest) {
  const object = `Rollout/${rollout.metadata.name}`;
  const spec = (rollout.spec ?? {}) as {
    selector?: unknown;
    template?: unknown;
    workloadRef?: { scaleDown?: string; kind?: string; apiVersion?: string };
    strategy?: {
      canary?: {
        steps?: Array<{
          setWeight?: number;
          pause?: { duration?: string | number };
        }>;
      };
    };
  };
  const fail = (field: string, reason: string) => {
    throw new InvalidManifestError({ object, field, reason });
  };
  if (spec.template && spec.workloadRef) {
    fail('spec', 'sets both template and workloadRef');
  }
  if (!spec.template && !spec.workloadRef) {
    fail('spec', 'needs template or workloadRef');
  }
  if (spec.workloadRef) {
    const ref = spec.workloadRef;
    if (ref.apiVersion !== 'apps/v1' || ref.kind !== 'Deployment') {
      fail(
        'spec.workloadRef',
        'must reference an apps/v1 Deployment (the only workload the portal converts)',
      );
    }
    if (ref.scaleDown !== undefined && !SCALE_DOWN.includes(ref.scaleDown)) {
      fail(
        'spec.workloadRef.scaleDown',
        `must be one of ${SCALE_DOWN.join(', ')}`,
      );
    }
  }
  if (spec.template) {
    try {
      validateManifest({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: rollout.metadata,
        spec: { selector: spec.selector, template: spec.template },
      });
    } catch (error) {
      if (error instanceof InvalidManifestError) {
        fail(error.field, error.message.replace(/^.*? is invalid: \S+ /, ''));
      }
      throw error;
    }
  }
  (spec.strategy?.canary?.steps ?? []).forEach((step, i) => {
    const at = `spec.strategy.canary.steps[${i}]`;
    if (
      step.setWeight !== undefined &&
      (!Number.isInteger(step.setWeight) ||
        step.setWeight < 0 ||
        step.setWeight > 100)
    ) {
      fail(`${at}.setWeight`, 'must be an integer from 0 to 100');
    }
    const duration = step.pause?.duration;
    if (
      duration !== undefined &&
      !(typeof duration === 'number'
        ? Number.isInteger(duration) && duration >= 0
        : GO_DURATION.test(duration))
    ) {
      fail(
        `${at}.pause.duration`,
        'must be seconds or a duration such as 300s or 5m',
      );
    }
  });
}
