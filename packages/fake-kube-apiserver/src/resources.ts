import { PROGRESSIVE_DELIVERY_TYPES } from './progressiveResources';
import type { OptionalGroup } from './types';

/** A resource type the fake serves. */
export type ResourceType = {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  /** Plural, lower case: the path segment. */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served, e.g. ['status']. */
  subresources: string[];
  /** The optional group that brings it; always served when absent. */
  optionalGroup?: OptionalGroup;
  /** Whether it is a CRD (list items carry kind and apiVersion). */
  crd?: boolean;
  /** Field selector labels the real server supports beyond metadata.name/namespace. */
  fieldLabels?: string[];
};

const verbs = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

/** Every resource type the fake knows, served or not. */
export const RESOURCE_TYPES: ResourceType[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    singular: 'namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status'],
    fieldLabels: ['status.phase'],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    singular: 'secret',
    namespaced: true,
    subresources: [],
    fieldLabels: ['type'],
  },
  {
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    singular: 'configmap',
    namespaced: true,
    shortNames: ['cm'],
    subresources: [],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Service',
    plural: 'services',
    singular: 'service',
    namespaced: true,
    shortNames: ['svc'],
    subresources: ['status'],
  },
  {
    group: '',
    version: 'v1',
    kind: 'ServiceAccount',
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    namespaced: true,
    shortNames: ['sa'],
    subresources: [],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    plural: 'pods',
    singular: 'pod',
    namespaced: true,
    shortNames: ['po'],
    subresources: ['status'],
    fieldLabels: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Event',
    plural: 'events',
    singular: 'event',
    namespaced: true,
    shortNames: ['ev'],
    subresources: [],
    fieldLabels: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  },
  {
    group: '',
    version: 'v1',
    kind: 'Node',
    plural: 'nodes',
    singular: 'node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    fieldLabels: ['spec.unschedulable'],
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    singular: 'deployment',
    namespaced: true,
    shortNames: ['deploy'],
    subresources: ['status'],
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    singular: 'replicaset',
    namespaced: true,
    shortNames: ['rs'],
    subresources: ['status'],
    fieldLabels: ['status.replicas'],
  },
  {
    group: 'autoscaling',
    version: 'v2',
    kind: 'HorizontalPodAutoscaler',
    plural: 'horizontalpodautoscalers',
    singular: 'horizontalpodautoscaler',
    namespaced: true,
    shortNames: ['hpa'],
    subresources: ['status'],
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kind: 'NetworkPolicy',
    plural: 'networkpolicies',
    singular: 'networkpolicy',
    namespaced: true,
    shortNames: ['netpol'],
    subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'Role',
    plural: 'roles',
    singular: 'role',
    namespaced: true,
    subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'RoleBinding',
    plural: 'rolebindings',
    singular: 'rolebinding',
    namespaced: true,
    subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRole',
    plural: 'clusterroles',
    singular: 'clusterrole',
    namespaced: false,
    subresources: [],
  },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kind: 'ClusterRoleBinding',
    plural: 'clusterrolebindings',
    singular: 'clusterrolebinding',
    namespaced: false,
    subresources: [],
  },
  {
    group: 'policy',
    version: 'v1',
    kind: 'PodDisruptionBudget',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
  },
  // Kueue (see kueue.ts): v1beta2 for current installs (the only version
  // Kueue v0.20 serves), v1beta1 for older ones ('kueue-v1beta1'). Both
  // versions share their objects, as a CRD's versions do, but the fake does
  // not convert between them: seed each version in its own field names.
  ...(['v1beta2', 'v1beta1'] as const).flatMap((version): ResourceType[] => {
    const optionalGroup: OptionalGroup =
      version === 'v1beta2' ? 'kueue' : 'kueue-v1beta1';
    return [
      {
        group: 'kueue.x-k8s.io',
        version,
        kind: 'ClusterQueue',
        plural: 'clusterqueues',
        singular: 'clusterqueue',
        namespaced: false,
        shortNames: ['cq'],
        subresources: ['status'],
        optionalGroup,
        crd: true,
      },
      {
        group: 'kueue.x-k8s.io',
        version,
        kind: 'LocalQueue',
        plural: 'localqueues',
        singular: 'localqueue',
        namespaced: true,
        shortNames: ['lq', 'queue', 'queues'],
        subresources: ['status'],
        optionalGroup,
        crd: true,
      },
      {
        group: 'kueue.x-k8s.io',
        version,
        kind: 'ResourceFlavor',
        plural: 'resourceflavors',
        singular: 'resourceflavor',
        namespaced: false,
        shortNames: ['flavor', 'flavors', 'rf'],
        subresources: [],
        optionalGroup,
        crd: true,
      },
    ];
  }),
  {
    group: 'keda.sh',
    version: 'v1alpha1',
    kind: 'ScaledObject',
    plural: 'scaledobjects',
    singular: 'scaledobject',
    namespaced: true,
    shortNames: ['so'],
    subresources: ['status'],
    optionalGroup: 'keda',
    crd: true,
  },
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kind: 'ServiceMonitor',
    plural: 'servicemonitors',
    singular: 'servicemonitor',
    namespaced: true,
    shortNames: ['smon'],
    subresources: [],
    optionalGroup: 'prometheus-operator',
    crd: true,
  },
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kind: 'PrometheusRule',
    plural: 'prometheusrules',
    singular: 'prometheusrule',
    namespaced: true,
    shortNames: ['promrule'],
    subresources: [],
    optionalGroup: 'prometheus-operator',
    crd: true,
  },
  // KServe's LLMInferenceService (see LLMInferenceServiceController.ts):
  // v1alpha2, the version KServe v0.20 stores, and v1alpha1. Both versions
  // share their objects, as a CRD's versions do; the fake does not convert.
  ...(['v1alpha2', 'v1alpha1'] as const).map(
    (version): ResourceType => ({
      group: 'serving.kserve.io',
      version,
      kind: 'LLMInferenceService',
      plural: 'llminferenceservices',
      singular: 'llminferenceservice',
      namespaced: true,
      shortNames: ['llmisvc'],
      subresources: ['status'],
      optionalGroup: version === 'v1alpha2' ? 'kserve' : 'kserve-v1alpha1',
      crd: true,
    }),
  ),
  ...PROGRESSIVE_DELIVERY_TYPES,
];

/** `group/version`, or `version` for the core group. */
export function groupVersionOf(type: { group: string; version: string }) {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `deployments.apps`, or `pods` for the core group: how the real server names a resource in messages. */
export function qualifiedName(type: ResourceType) {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** Splits `apps/v1` into group and version (`v1` is the core group). */
export function parseApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : {
        group: apiVersion.slice(0, slash),
        version: apiVersion.slice(slash + 1),
      };
}

/** The resource types currently served, given the installed optional groups. */
export class ResourceRegistry {
  private readonly installed = new Set<OptionalGroup>();

  install(group: OptionalGroup) {
    this.installed.add(group);
  }

  uninstall(group: OptionalGroup) {
    this.installed.delete(group);
  }

  served(): ResourceType[] {
    return RESOURCE_TYPES.filter(
      t => !t.optionalGroup || this.installed.has(t.optionalGroup),
    );
  }

  byPlural(group: string, version: string, plural: string) {
    return this.served().find(
      t => t.group === group && t.version === version && t.plural === plural,
    );
  }

  byKind(apiVersion: string, kind: string) {
    const { group, version } = parseApiVersion(apiVersion);
    return this.served().find(
      t => t.group === group && t.version === version && t.kind === kind,
    );
  }

  /** Groups (other than core) with their served versions. */
  groups(): Array<{ name: string; versions: string[] }> {
    const groups = new Map<string, Set<string>>();
    for (const t of this.served()) {
      if (!t.group) continue;
      const versions = groups.get(t.group) ?? new Set<string>();
      versions.add(t.version);
      groups.set(t.group, versions);
    }
    return [...groups].map(([name, versions]) => ({
      name,
      versions: [...versions],
    }));
  }

  hasGroupVersion(group: string, version: string) {
    return this.served().some(t => t.group === group && t.version === version);
  }

  /** The APIResourceList discovery document of one group version. */
  resourceList(group: string, version: string) {
    const resources = this.served()
      .filter(t => t.group === group && t.version === version)
      .flatMap(t => [
        {
          name: t.plural,
          singularName: t.singular,
          namespaced: t.namespaced,
          kind: t.kind,
          verbs,
          ...(t.shortNames ? { shortNames: t.shortNames } : {}),
        },
        ...t.subresources.map(sub => ({
          name: `${t.plural}/${sub}`,
          singularName: '',
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: ['get', 'patch', 'update'],
        })),
      ]);
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: groupVersionOf({ group, version }),
      resources,
    };
  }
}
