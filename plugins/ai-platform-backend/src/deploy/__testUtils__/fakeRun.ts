import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  DeploymentEvent,
  DeploymentObject,
  DeploymentOperation,
  DeploymentState,
} from '@internal/plugin-ai-platform-common';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import { loadExampleEntities } from '../../__testUtils__/exampleEntities';
import type { TargetCluster } from '../ClusterClients';
import type { DeploymentCall } from '../DeploymentCall';
import type {
  DeploymentDependencies,
  DeploymentProgress,
  DeploymentRun,
} from '../pipeline/types';
import { type DeploymentPlan, planDeployment } from '../planDeployment';
import { resolveEndpoint } from '../resolveEndpoint';
import type { DeployOptions } from '../types';

/** The example catalog the pipeline tests plan against. */
export const EXAMPLE_ENTITIES = loadExampleEntities([
  'org.yaml',
  'models.yaml',
  'gpu-pools.yaml',
  'endpoints.yaml',
]);

export const STAGING = 'inferenceendpoint:default/chat-assistant-staging';

/** The deploy settings the tests use unless they say otherwise. */
export const TEST_DEPLOY_OPTIONS: DeployOptions = {
  rolloutTimeoutMs: 10_000,
  progressIntervalMs: 50,
  requestTimeoutMs: 2000,
  forceConflicts: false,
  unreachableClusters: 'fail',
  autoscaling: { type: 'hpa', targetRequestsWaiting: 5 },
  namespaces: { mapping: {}, systemNamespaces: [], cacheTtlMs: 0 },
};

/** The pool cluster of the example L4 pools, as a test configures it. */
export const TEST_CLUSTER: ClusterConfig = {
  name: 'gpu-eu-west',
  url: 'http://127.0.0.1:1',
  auth: { provider: 'serviceAccount', token: 'fake-token' },
  skipTLSVerify: true,
};

/** Plans a call against the example catalog, as the service does. */
export async function examplePlan(
  options: {
    endpoint?: string | Entity;
    operation?: DeploymentOperation;
    modelVersion?: string;
    deploy?: DeployOptions;
    allowDowntime?: boolean;
  } = {},
): Promise<DeploymentPlan> {
  const resolved = await resolveEndpoint({
    catalog: catalogServiceMock({ entities: EXAMPLE_ENTITIES }),
    endpoint: (options.endpoint ?? STAGING) as string | Record<string, unknown>,
    credentials: mockCredentials.user('user:default/bob'),
  });
  return planDeployment({
    resolved,
    operation: options.operation ?? 'deploy',
    modelVersion: options.modelVersion ?? resolved.endpoint.spec.modelVersion,
    deploy: options.deploy ?? TEST_DEPLOY_OPTIONS,
    allowDowntime: options.allowDowntime,
  });
}

/** What the steps reported through `run.progress`. */
export type RecordedProgress = DeploymentProgress & {
  states: DeploymentState[];
  events: Array<Omit<DeploymentEvent, 'at'>>;
  objects: DeploymentObject[][];
  announced: number;
};

/** A progress sink that keeps what it is told. */
export function recordedProgress(): RecordedProgress {
  const progress: RecordedProgress = {
    id: 'this-deployment',
    states: [],
    events: [],
    objects: [],
    announced: 0,
    async event(level, message, object) {
      progress.events.push({ level, message, ...(object ? { object } : {}) });
    },
    async setState(state) {
      progress.states.push(state);
    },
    async setObjects(objects) {
      progress.objects.push([...objects]);
    },
    async announce() {
      progress.announced += 1;
    },
  };
  return progress;
}

function unexpected(name: string) {
  return async () => {
    throw new Error(`${name} was not expected in this test`);
  };
}

/**
 * A run of `plan` with dependencies that fail the test when called, except
 * those given: each test passes only what its step should use.
 */
export function fakeRun(options: {
  plan: DeploymentPlan;
  call?: Partial<DeploymentCall>;
  deps?: Partial<DeploymentDependencies>;
  target?: TargetCluster;
}): DeploymentRun & { progress: RecordedProgress } {
  const call: DeploymentCall = {
    credentials: mockCredentials.user('user:default/bob'),
    ...options.call,
  };
  const deps: DeploymentDependencies = {
    permissions: {
      authorize: unexpected('permissions.authorize'),
      authorizeConditional: unexpected('permissions.authorizeConditional'),
    },
    permissionsRegistry: {
      getPermissionRuleset: () => {
        throw new Error('getPermissionRuleset was not expected in this test');
      },
    },
    quotas: {
      allocation: unexpected('quotas.allocation'),
      reserve: unexpected('quotas.reserve'),
      check: unexpected('quotas.check'),
      restoreAllocation: unexpected('quotas.restoreAllocation'),
      releaseSurge: unexpected('quotas.releaseSurge'),
    },
    evals: { gateStatus: unexpected('evals.gateStatus') },
    evalStore: { upsertOverride: unexpected('evalStore.upsertOverride') },
    auditLog: { track: unexpected('auditLog.track') },
    store: { recent: async () => [], applied: async () => [] },
    clients: {
      client: () => {
        throw new Error('clients.client was not expected in this test');
      },
    },
    namespaceOwners: { ownership: unexpected('namespaceOwners.ownership') },
    identities: { endpointsNamed: unexpected('identities.endpointsNamed') },
    deploy: TEST_DEPLOY_OPTIONS,
    ...options.deps,
  };
  return {
    plan: options.plan,
    call,
    dryRun: Boolean(call.dryRun),
    deps,
    progress: recordedProgress(),
    target: options.target ?? { cluster: TEST_CLUSTER },
    restoreReservation: async () => {},
    releaseSurge: async () => {},
  };
}

/** A permissions service that answers every request with `result`. */
export function allPermissions(
  result: AuthorizeResult.ALLOW | AuthorizeResult.DENY,
): DeploymentDependencies['permissions'] {
  return {
    authorize: async requests => requests.map(() => ({ result })),
    authorizeConditional: async requests => requests.map(() => ({ result })),
  };
}
