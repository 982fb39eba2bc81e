import { AnalysisTemplate } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { HTTPRoute } from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { KubernetesManifest } from './types';

type Validatable = { validate(): void };

const MODELS: Record<string, new (data: any) => Validatable> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
  // Canary objects (issue 23): the CRDs of Argo Rollouts v1.5.0 and Gateway
  // API v1.0.0, as @kubernetes-models/argo-rollouts 0.3.2 and
  // @kubernetes-models/gateway-api 0.5.1 generate them; the engines add the
  // checks of later fields (canary/argoRollouts/validateRolloutObjects.ts).
  'argoproj.io/v1alpha1/Rollout': Rollout,
  'argoproj.io/v1alpha1/AnalysisTemplate': AnalysisTemplate,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute,
};

/** Thrown when a rendered object does not match the Kubernetes schema. */
export class InvalidManifestError extends Error {
  readonly object: string;
  readonly field: string;

  constructor(options: { object: string; field: string; reason: string }) {
    super(
      `Rendered ${options.object} is invalid: ${options.field} ${options.reason}`,
    );
    this.name = 'InvalidManifestError';
    this.object = options.object;
    this.field = options.field;
  }
}

// RFC 1123 label (Service, namespace names) and subdomain (most other names).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function checkLabels(
  object: string,
  at: string,
  labels: Record<string, string> | undefined,
) {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const [prefix, name] = key.includes('/')
      ? [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)]
      : [undefined, key];
    if (
      (prefix !== undefined &&
        (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) ||
      name.length > 63 ||
      !LABEL_NAME.test(name)
    ) {
      throw new InvalidManifestError({
        object,
        field: `${at}["${key}"]`,
        reason: 'is not a valid label key',
      });
    }
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      throw new InvalidManifestError({
        object,
        field: `${at}["${key}"]`,
        reason: `has the value "${value}", which is not a valid label value (63 characters at most, alphanumerics with - _ . inside)`,
      });
    }
  }
}

/**
 * Validates one rendered object against the Kubernetes OpenAPI schema of its
 * kind (through kubernetes-models), plus the name and label rules the
 * schemas leave to the API server. Throws {@link InvalidManifestError} naming
 * the object and the field.
 */
export function validateManifest(manifest: KubernetesManifest): void {
  const object = `${manifest.kind}/${manifest.metadata.name}`;
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) {
    throw new InvalidManifestError({
      object,
      field: 'apiVersion/kind',
      reason: `${manifest.apiVersion} ${manifest.kind} has no schema to validate against`,
    });
  }
  const nameRule = manifest.kind === 'Service' ? DNS_LABEL : DNS_SUBDOMAIN;
  const maxName = manifest.kind === 'Service' ? 63 : 253;
  if (
    manifest.metadata.name.length > maxName ||
    !nameRule.test(manifest.metadata.name)
  ) {
    throw new InvalidManifestError({
      object,
      field: 'metadata.name',
      reason: `must be a lowercase RFC 1123 ${
        manifest.kind === 'Service' ? 'label' : 'subdomain'
      } of at most ${maxName} characters`,
    });
  }
  if (
    manifest.metadata.namespace &&
    !DNS_LABEL.test(manifest.metadata.namespace)
  ) {
    throw new InvalidManifestError({
      object,
      field: 'metadata.namespace',
      reason: 'must be a lowercase RFC 1123 label',
    });
  }
  checkLabels(object, 'metadata.labels', manifest.metadata.labels);
  const template = (manifest.spec as any)?.template;
  if (template) {
    checkLabels(
      object,
      'spec.template.metadata.labels',
      template.metadata?.labels,
    );
  }
  try {
    new Model(manifest).validate();
  } catch (error) {
    const first = (
      error as { errors?: Array<{ instancePath?: string; message?: string }> }
    ).errors?.[0];
    if (!first) {
      throw error;
    }
    const field = (first.instancePath ?? '')
      .split('/')
      .filter(Boolean)
      .map(part => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join('')
      .replace(/^\./, '');
    throw new InvalidManifestError({
      object,
      field: field || '(root)',
      reason: first.message ?? 'does not match the schema',
    });
  }
}
