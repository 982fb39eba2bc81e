import Ajv, { type ValidateFunction } from 'ajv';
import { InvalidManifestError } from '../validateManifest';
import type { KubernetesManifest } from '../types';
import schema from './llmInferenceService.v1alpha2.schema.json';

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // The CRD's schema is OpenAPI v3 with Kubernetes' extensions
    // (x-kubernetes-*, format int32); strict mode would refuse those.
    const ajv = new Ajv({ allErrors: false, strict: false });
    // The integer formats of Kubernetes' OpenAPI, as the API server checks them.
    ajv.addFormat('int32', {
      type: 'number',
      validate: n => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
    });
    ajv.addFormat('int64', {
      type: 'number',
      validate: n => Number.isSafeInteger(n),
    });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

function fieldOf(instancePath: string): string {
  return (
    instancePath
      .split('/')
      .filter(Boolean)
      .map(part => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join('')
      .replace(/^\./, '') || '(root)'
  );
}

/**
 * Validates a rendered LLMInferenceService against the JSON schema written
 * from KServe v0.20.0's published CRD (serving.kserve.io, version
 * v1alpha2; see the schema's $comment), and the CRD's CEL rules for the
 * fields the portal writes, which a JSON schema cannot state. Throws
 * {@link InvalidManifestError} naming the field.
 */
export function validateLLMInferenceService(manifest: KubernetesManifest) {
  const object = `${manifest.kind}/${manifest.metadata.name}`;
  const validate = validator();
  if (!validate(manifest)) {
    const first = validate.errors![0];
    const extra =
      first.keyword === 'additionalProperties'
        ? ` (${
            (first.params as { additionalProperty: string }).additionalProperty
          })`
        : '';
    throw new InvalidManifestError({
      object,
      field: fieldOf(first.instancePath),
      reason: `${first.message ?? 'does not match the CRD schema'}${extra}`,
    });
  }
  const spec = (manifest.spec ?? {}) as {
    replicas?: number;
    scaling?: { minReplicas?: number; maxReplicas: number; wva?: object };
  };
  // x-kubernetes-validations of the CRD's WorkloadSpec and ScalingSpec.
  if (spec.replicas !== undefined && spec.scaling !== undefined) {
    throw new InvalidManifestError({
      object,
      field: 'spec',
      reason:
        'sets both replicas and scaling: replicas and scaling are mutually exclusive; use scaling for autoscaled deployments or replicas for static deployments',
    });
  }
  if (spec.scaling) {
    if (!spec.scaling.wva) {
      throw new InvalidManifestError({
        object,
        field: 'spec.scaling.wva',
        reason:
          'is required when scaling is configured; it provides the autoscaling mechanism',
      });
    }
    if (
      spec.scaling.minReplicas !== undefined &&
      spec.scaling.minReplicas > spec.scaling.maxReplicas
    ) {
      throw new InvalidManifestError({
        object,
        field: 'spec.scaling.minReplicas',
        reason: 'cannot exceed maxReplicas',
      });
    }
  }
}
