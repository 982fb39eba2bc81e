import type { DeploymentFinishedListener } from '../DeploymentRunner';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type {
  AuditorService,
  BackstageCredentials,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  type FakeKubeApiServerOptions,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import {
  endpointDeployPermission,
  gateOverridePermission,
} from '@internal/plugin-ai-platform-common';
import {
  aiPlatformPermissionRules,
  type ClusterConfig,
} from '@internal/plugin-ai-platform-node';
import type { Knex } from 'knex';
import {
  exampleNamespaceOwners,
  loadExampleEntities,
  ownedExampleNamespaces,
} from '../../__testUtils__/exampleEntities';
import { AuditLog } from '../../audit/AuditLog';
import { DatabaseAuditStore } from '../../audit/DatabaseAuditStore';
import { migrateDatabase } from '../../database/migrateDatabase';
import { DatabaseEvalStore } from '../../evals/DatabaseEvalStore';
import { EvalService } from '../../evals/EvalService';
import { parseGenericResults } from '../../evals/genericFormat';
import { fleetFromEntities } from '../../fleet/FleetSource';
import { QuotaService } from '../../quotas/QuotaService';
import { DatabaseDeploymentStore } from '../DatabaseDeploymentStore';
import {
  DeploymentService,
  type DeploymentServiceOptions,
} from '../DeploymentService';
import { DatabaseCanaryStore } from '../canary/DatabaseCanaryStore';
import { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { DeployOptions } from '../types';

/** Group memberships of the test users. */
export const MEMBERS: Record<string, string[]> = {
  'user:default/alice': ['group:default/ml-platform'],
  'user:default/bob': ['group:default/applied-ml'],
  'user:default/carol': ['group:default/data-science'],
};

export const alice = mockCredentials.user('user:default/alice');
export const bob = mockCredentials.user('user:default/bob');
export const carol = mockCredentials.user('user:default/carol');

function claimsOf(credentials: BackstageCredentials): string[] {
  const user = (credentials.principal as { userEntityRef?: string })
    .userEntityRef;
  return user ? [user, ...(MEMBERS[user] ?? [])] : [];
}

/**
 * The example policy, small: ml-platform admins may do everything; others may
 * deploy the endpoints their groups own (a conditional decision) and may not
 * override gates.
 */
export function fakePermissions(
  entities: Entity[],
  options: {
    /** Non-admins may deploy only onto these pools (an allOf condition with IS_ON_POOL). */
    pools?: string[];
  } = {},
): PermissionsService {
  const entityOf = (ref: string) =>
    entities.find(
      e =>
        `${e.kind.toLocaleLowerCase('en-US')}:${
          e.metadata.namespace ?? 'default'
        }/${e.metadata.name}` === ref,
    );
  const ownerOf = (ref: string) =>
    entityOf(ref)?.spec?.owner as string | undefined;
  const onAllowedPool = (ref: string) =>
    !options.pools ||
    options.pools.includes(entityOf(ref)?.spec?.gpuPool as string);
  const isAdmin = (c: BackstageCredentials) =>
    claimsOf(c).includes('group:default/ml-platform');
  const decide = (
    permission: { name: string },
    credentials: BackstageCredentials,
    resourceRef?: string,
  ): PolicyDecision => {
    if (isAdmin(credentials)) return { result: AuthorizeResult.ALLOW };
    if (permission.name === gateOverridePermission.name) {
      return { result: AuthorizeResult.DENY };
    }
    if (permission.name === endpointDeployPermission.name && resourceRef) {
      const owner = ownerOf(resourceRef);
      return {
        result:
          owner &&
          claimsOf(credentials).includes(owner) &&
          onAllowedPool(resourceRef)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      };
    }
    return { result: AuthorizeResult.DENY };
  };
  return {
    authorize: async (requests: any[], { credentials }: any) =>
      requests.map(r => decide(r.permission, credentials, r.resourceRef)),
    authorizeConditional: async (requests: any[], { credentials }: any) =>
      requests.map(r => {
        if (isAdmin(credentials)) return { result: AuthorizeResult.ALLOW };
        if (r.permission.name !== endpointDeployPermission.name) {
          return { result: AuthorizeResult.DENY };
        }
        const isOwner = {
          rule: 'IS_OWNER',
          resourceType: 'ai-platform-endpoint',
          params: { claims: claimsOf(credentials) },
        };
        // As the demo policy: the owners of the endpoint, into a namespace
        // their team owns (and, when given, onto these pools only).
        const inOwnedNamespace = {
          rule: 'IS_IN_OWNED_NAMESPACE',
          resourceType: 'ai-platform-endpoint',
          params: { claims: claimsOf(credentials) },
        };
        return {
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'ai-platform',
          resourceType: 'ai-platform-endpoint',
          conditions: {
            allOf: [
              isOwner,
              inOwnedNamespace,
              ...(options.pools
                ? [
                    {
                      rule: 'IS_ON_POOL',
                      resourceType: 'ai-platform-endpoint',
                      params: { pools: options.pools },
                    },
                  ]
                : []),
            ],
          },
        };
      }),
  } as unknown as PermissionsService;
}

function fakeRegistry(): PermissionsRegistryService {
  const rules = Object.values(aiPlatformPermissionRules.endpoint);
  return {
    getPermissionRuleset: () => ({
      getRuleByName: (name: string) => {
        const rule = rules.find(r => r.name === name);
        if (!rule) throw new Error(`no rule ${name}`);
        return rule;
      },
    }),
  } as unknown as PermissionsRegistryService;
}

/** GPU nodes of the example l4-inference pool: 4 nodes of 4 L4s. */
export const L4_NODES = [1, 2, 3, 4].map(i => ({
  name: `l4-node-${i}`,
  labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
  allocatable: { 'nvidia.com/gpu': '4', cpu: '48', memory: '192Gi' },
  taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
}));

/** A logger that drops everything (no jest mocks: the deploy bench uses this harness too). */
const silentLogger: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};

const quietAuditor: AuditorService = {
  createEvent: async () => ({ success: async () => {}, fail: async () => {} }),
};

export type DeployHarness = Awaited<ReturnType<typeof createDeployHarness>>;

/**
 * The deployment service wired to real stores on `knex`, the example catalog,
 * the example policy and a fake API server standing in for cluster
 * gpu-eu-west (the l4 pools' cluster). gpu-us-east is not configured.
 */
export async function createDeployHarness(options: {
  knex: Knex;
  server?: FakeKubeApiServerOptions;
  deploy?: Partial<DeployOptions>;
  extraEntities?: Entity[];
  /** The token the portal presents, when it should differ from the server's. */
  clusterToken?: string;
  /** Non-admins may deploy only onto these pools (see fakePermissions). */
  deployPools?: string[];
  /** Told of each final record, as the plugin's notifications are. */
  onFinished?: DeploymentFinishedListener;
  /** The deployment service's clock (the interrupted-deployment sweep reads it). */
  now?: () => Date;
  /** Canary promotes: the engines (e.g. memoryCanaryEngine doubles) and the rest of DeploymentServiceOptions.canary. */
  canary?: Omit<NonNullable<DeploymentServiceOptions['canary']>, 'store'>;
}) {
  const { knex } = options;
  await migrateDatabase(knex);
  const entities = [
    ...loadExampleEntities([
      'org.yaml',
      'models.yaml',
      'gpu-pools.yaml',
      'endpoints.yaml',
    ]),
    ...(options.extraEntities ?? []),
  ];
  const server = await startFakeKubeApiServer({
    clusterName: 'gpu-eu-west',
    token: 'fake-token',
    rolloutDelayMs: 20,
    namespaces: ['default', 'kube-system'],
    nodes: L4_NODES,
    ...options.server,
    // The example teams' namespaces, with their owners.
    seed: [...ownedExampleNamespaces(), ...(options.server?.seed ?? [])],
  });
  const catalog = catalogServiceMock({ entities });
  const evalStore = DatabaseEvalStore.create({ knex });
  const evals = new EvalService({ store: evalStore, catalog });
  const quotas = new QuotaService({
    knex,
    fleet: { snapshot: async () => fleetFromEntities(entities) },
  });
  const auditStore = DatabaseAuditStore.create({ knex });
  const auditLog = new AuditLog({
    store: auditStore,
    auditor: quietAuditor,
    logger: silentLogger,
  });
  const store = DatabaseDeploymentStore.create({ knex });
  const fakeCluster = server.clusterConfig('gpu-eu-west') as ClusterConfig;
  const clusters: ClusterConfig[] = [
    options.clusterToken
      ? {
          ...fakeCluster,
          auth: { provider: 'serviceAccount', token: options.clusterToken },
        }
      : fakeCluster,
  ];
  const service = new DeploymentService({
    store,
    catalog,
    auth: mockServices.auth(),
    permissions: fakePermissions(entities, { pools: options.deployPools }),
    permissionsRegistry: fakeRegistry(),
    quotas,
    evals,
    evalStore,
    auditLog,
    logger: silentLogger,
    clusters,
    onFinished: options.onFinished,
    createClient: cluster =>
      new KubernetesClusterClient({
        cluster,
        requestTimeoutMs: options.deploy?.requestTimeoutMs ?? 2000,
      }),
    deploy: {
      rolloutTimeoutMs: 10_000,
      progressIntervalMs: 50,
      requestTimeoutMs: 2000,
      forceConflicts: false,
      unreachableClusters: 'fail',
      autoscaling: { type: 'hpa', targetRequestsWaiting: 5 },
      // gpu-us-east has no cluster in the tests: config says who owns its
      // namespaces (the example teams', as on gpu-eu-west's Namespaces).
      namespaces: {
        mapping: { 'gpu-us-east': exampleNamespaceOwners() },
        systemNamespaces: [],
        cacheTtlMs: 0,
      },
      ...options.deploy,
    },
    ...(options.now ? { now: options.now } : {}),
    ...(options.canary
      ? {
          canary: {
            ...options.canary,
            store: DatabaseCanaryStore.create({ knex }),
          },
        }
      : {}),
  });

  return {
    knex,
    server,
    service,
    store,
    quotas,
    evalStore,
    entities,
    auditLog,
    /** Audit records, oldest first. */
    async audit() {
      return (await auditStore.query({ limit: 500 })).items.reverse();
    },
    /** Records eval scores for a model version. */
    async postScores(
      modelRef: string,
      version: string,
      scores: Array<{ task: string; metric: string; value: number }>,
    ) {
      await evalStore.insertRun({
        modelRef,
        version,
        run: parseGenericResults({ harness: 'test', scores }),
        postedBy: 'user:default/alice',
      });
    },
    async close() {
      await server.close();
    },
  };
}
