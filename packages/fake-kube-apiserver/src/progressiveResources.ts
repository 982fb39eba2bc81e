import type { ResourceType } from './resources';

/*
 * Progressive delivery kinds, each brought by an optional group:
 *
 * - `argo-rollouts`: argoproj.io/v1alpha1 Rollout (status and scale
 *   subresources, as the CRD of Argo Rollouts v1.8 declares them:
 *   manifests/crds/rollout-crd.yaml, `scale.specReplicasPath: .spec.replicas`,
 *   `statusReplicasPath: .status.HPAReplicas`, `labelSelectorPath:
 *   .status.selector`), AnalysisTemplate, ClusterAnalysisTemplate and
 *   AnalysisRun (see rollouts/).
 * - `gateway-api`: gateway.networking.k8s.io/v1 GatewayClass, Gateway and
 *   HTTPRoute, with status subresources (Gateway API v1.2 standard
 *   channel; see gatewayApi/).
 */
export const PROGRESSIVE_DELIVERY_TYPES: ResourceType[] = [
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'Rollout',
    plural: 'rollouts',
    singular: 'rollout',
    namespaced: true,
    shortNames: ['ro'],
    subresources: ['status', 'scale'],
    optionalGroup: 'argo-rollouts',
    crd: true,
  },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'AnalysisTemplate',
    plural: 'analysistemplates',
    singular: 'analysistemplate',
    namespaced: true,
    shortNames: ['at'],
    subresources: [],
    optionalGroup: 'argo-rollouts',
    crd: true,
  },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'ClusterAnalysisTemplate',
    plural: 'clusteranalysistemplates',
    singular: 'clusteranalysistemplate',
    namespaced: false,
    shortNames: ['cat'],
    subresources: [],
    optionalGroup: 'argo-rollouts',
    crd: true,
  },
  {
    group: 'argoproj.io',
    version: 'v1alpha1',
    kind: 'AnalysisRun',
    plural: 'analysisruns',
    singular: 'analysisrun',
    namespaced: true,
    shortNames: ['ar'],
    subresources: [],
    optionalGroup: 'argo-rollouts',
    crd: true,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'GatewayClass',
    plural: 'gatewayclasses',
    singular: 'gatewayclass',
    namespaced: false,
    shortNames: ['gc'],
    subresources: ['status'],
    optionalGroup: 'gateway-api',
    crd: true,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'Gateway',
    plural: 'gateways',
    singular: 'gateway',
    namespaced: true,
    shortNames: ['gtw'],
    subresources: ['status'],
    optionalGroup: 'gateway-api',
    crd: true,
  },
  {
    group: 'gateway.networking.k8s.io',
    version: 'v1',
    kind: 'HTTPRoute',
    plural: 'httproutes',
    singular: 'httproute',
    namespaced: true,
    subresources: ['status'],
    optionalGroup: 'gateway-api',
    crd: true,
  },
];
