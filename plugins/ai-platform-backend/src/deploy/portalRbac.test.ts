import { TestDatabases } from '@backstage/backend-test-utils';
import {
  type KubeObject,
  RbacRules,
  type RecordedRequest,
  requestAttributes,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  exampleNamespaceOwners,
  loadExampleEntities,
  ownedExampleNamespaces,
} from '../__testUtils__/exampleEntities';
import { ClusterObserver } from '../cost/ClusterObserver';
import { KueueReader } from '../quotas/KueueReader';
import { ClusterClients } from './ClusterClients';
import { KubernetesClusterClient } from './kube/KubernetesClusterClient';
import {
  alice,
  bob,
  createDeployHarness,
  L4_NODES,
} from './__testUtils__/deployHarness';
import {
  CANARY_GATEWAY,
  driveCanaryEngines,
} from './canary/argoRollouts/__testUtils__/driveCanaryEngines';

jest.setTimeout(120_000);

/**
 * The RBAC the portal ships for its own cluster credentials
 * (plugins/ai-platform-backend/kubernetes/portal-rbac.yaml) allows every
 * request the portal makes: each request the fake API server recorded while
 * the portal deployed, promoted, rolled back, dry-ran, adopted, read live
 * status, namespace owners and Kueue queues is checked against the shipped
 * rules, with the team Role copied into the example teams' namespaces. A
 * new kind of request that the rules do not allow fails this test; add the
 * request's rule to the YAML (and say why there).
 * Pool discovery's requests are checked the same way in the catalog module.
 */

const RBAC_YAML = path.resolve(__dirname, '../../kubernetes/portal-rbac.yaml');
const rbacObjects = parseAllDocuments(fs.readFileSync(RBAC_YAML, 'utf8')).map(
  d => d.toJS() as KubeObject,
);

/**
 * Kubernetes' default ClusterRole system:discovery, bound to every
 * authenticated identity ("Default roles and role bindings", Kubernetes RBAC
 * documentation): API discovery needs no rule of ours.
 */
const defaultDiscovery = [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:discovery' },
    rules: [
      {
        verbs: ['get'],
        nonResourceURLs: [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/healthz',
          '/livez',
          '/openapi',
          '/openapi/*',
          '/readyz',
          '/version',
          '/version/',
        ],
      },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:discovery' },
    roleRef: { kind: 'ClusterRole', name: 'system:discovery' },
    subjects: [{ kind: 'Group', name: 'system:authenticated' }],
  },
] as unknown as KubeObject[];

const teamNamespaces = Object.keys(exampleNamespaceOwners());
const portal = RbacRules.fromObjects(rbacObjects, {
  subject: {
    kind: 'ServiceAccount',
    name: 'ai-platform-portal',
    namespace: 'backstage',
  },
  roleNamespaces: teamNamespaces,
});
const authenticated = RbacRules.fromObjects(defaultDiscovery, {
  subject: { kind: 'Group', name: 'system:authenticated' },
});

/** The requests the shipped RBAC does not allow, described. */
function refused(requests: RecordedRequest[]): string[] {
  return requests
    .filter(r => !portal.check(r).allowed && !authenticated.check(r).allowed)
    .map(r => {
      const a = requestAttributes(r);
      const what = a.resourceRequest
        ? `${a.apiGroup || 'core'}/${a.resource}${
            a.subresource ? `/${a.subresource}` : ''
          }${a.namespace ? ` in ${a.namespace}` : ''}`
        : a.path;
      return `${r.method} ${r.path} needs ${portal
        .check(r)
        .missing.join(' and ')} on ${what}`;
    });
}

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('the RBAC shipped for the portal', () => {
  it('is a ServiceAccount, a ClusterRole of reads and a team Role, each bound', () => {
    expect(rbacObjects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/ai-platform-portal',
      'ClusterRole/ai-platform-portal-read',
      'ClusterRoleBinding/ai-platform-portal-read',
      'Role/ai-platform-portal-deploy',
      'RoleBinding/ai-platform-portal-deploy',
    ]);
    // The cluster-wide role only reads.
    const clusterRole = rbacObjects[1] as unknown as {
      rules: Array<{ verbs: string[] }>;
    };
    expect(
      clusterRole.rules
        .flatMap(r => r.verbs)
        .filter(v => !['get', 'list', 'watch'].includes(v)),
    ).toEqual([]);
  });

  it('allows every request of deploys, promotes, rollbacks, dry runs, adoptions and live status', async () => {
    const h = await createDeployHarness({
      knex: await databases.init('SQLITE_3'),
      deploy: { serviceMonitor: { interval: '30s' }, prometheusRules: true },
      server: {
        groups: ['prometheus-operator'],
        seed: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'hand-made', namespace: 'chat-staging' },
            spec: { ports: [{ port: 80 }] },
          },
        ],
      },
    });
    try {
      const staging = 'inferenceendpoint:default/chat-assistant-staging';
      const prod = 'inferenceendpoint:default/chat-assistant-prod';
      for (const call of [
        () =>
          h.service.deploy({ credentials: bob, endpoint: staging, wait: true }),
        () =>
          h.service.deploy({ credentials: bob, endpoint: staging, wait: true }),
        () =>
          h.service.deploy({
            credentials: bob,
            endpoint: staging,
            dryRun: true,
            wait: true,
          }),
        () =>
          h.service.promote({
            credentials: bob,
            endpointRef: staging,
            modelVersion: 'v2-fp8',
            wait: true,
          }),
        () =>
          h.service.rollback({
            credentials: bob,
            endpointRef: staging,
            wait: true,
          }),
        () =>
          h.service.deploy({
            credentials: alice,
            endpoint: prod,
            overrideGates: true,
            reason: 'no eval results in this test',
            wait: true,
          }),
      ]) {
        const { record } = await call();
        expect([record.state, record.error?.message]).not.toContain('failed');
      }
      // An admin adopts an object the portal did not create.
      const adopted = await h.service.deploy({
        credentials: alice,
        endpoint: {
          ...h.entities.find(
            e => e.metadata.name === 'chat-assistant-staging',
          )!,
          metadata: { name: 'hand-made', namespace: 'default' },
        },
        adopt: true,
        reason: 'migrating the hand-made service',
        wait: true,
      });
      expect(adopted.record.state).toBe('succeeded');
      for (const endpointRef of [staging, prod]) {
        await h.service.status({ credentials: bob, endpointRef });
      }
      expect(h.server.requests.length).toBeGreaterThan(50);
      expect(refused(h.server.requests)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('allows every request of deploys, promotes, rollbacks and live status as LLMInferenceServices', async () => {
    const h = await createDeployHarness({
      knex: await databases.init('SQLITE_3'),
      deploy: {
        clusterTargets: {
          'gpu-eu-west': {
            target: 'llm-inference-service',
            router: { scheduler: true },
          },
        },
      },
      server: { groups: ['kserve'] },
    });
    try {
      const staging = 'inferenceendpoint:default/chat-assistant-staging';
      for (const call of [
        () =>
          h.service.deploy({ credentials: bob, endpoint: staging, wait: true }),
        () =>
          h.service.deploy({
            credentials: bob,
            endpoint: staging,
            dryRun: true,
            wait: true,
          }),
        () =>
          h.service.promote({
            credentials: bob,
            endpointRef: staging,
            modelVersion: 'v2-fp8',
            wait: true,
          }),
        () =>
          h.service.rollback({
            credentials: bob,
            endpointRef: staging,
            wait: true,
          }),
      ]) {
        const { record } = await call();
        expect([record.state, record.error?.message]).not.toContain('failed');
      }
      await h.service.status({ credentials: bob, endpointRef: staging });
      const paths = h.server.requests.map(r => r.path);
      expect(paths).toContain('/apis');
      expect(paths.some(p => p.includes('/serving.kserve.io/v1alpha2/'))).toBe(
        true,
      );
      expect(refused(h.server.requests)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('allows the Kueue reads of a pool', async () => {
    const queue = JSON.parse(
      fs.readFileSync(
        path.join(
          __dirname,
          '../quotas/__fixtures__/clusterqueue-h100-inference.v1beta2.json',
        ),
        'utf8',
      ),
    );
    const server = await startFakeKubeApiServer({
      groups: ['kueue'],
      seed: [queue],
    });
    try {
      await new KueueReader().read({
        cluster: server.clusterConfig('gpu-us-east'),
        clusterQueue: queue.metadata.name,
        resource: 'nvidia.com/gpu',
      });
      expect(server.requests.length).toBeGreaterThan(0);
      expect(refused(server.requests)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it("allows the usage collector's cluster-wide LISTs of Deployments and Pods, page by page", async () => {
    const server = await startFakeKubeApiServer({
      controllers: false,
      namespaces: ['default', ...teamNamespaces],
      seed: Array.from({ length: 3 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `chat-assistant-prod-abc12-${i}`,
          namespace: 'chat',
          labels: { 'backstage.io/kubernetes-id': 'chat-assistant-prod' },
        },
        spec: { containers: [{ name: 'vllm', image: 'vllm/vllm-openai' }] },
      })),
    });
    try {
      const observer = new ClusterObserver({
        pageSize: 2,
        clusters: new ClusterClients({
          clusters: [server.clusterConfig('gpu-eu-west')],
          createClient: cluster => new KubernetesClusterClient({ cluster }),
        }),
      });
      const observed = await observer.observe('gpu-eu-west', 0);
      expect(observed.pods).toHaveLength(3);
      // Deployments: one page; Pods: two pages of 2.
      expect(observed.requests).toBe(3);
      expect(server.requests.map(r => `${r.method} ${r.path}`).sort()).toEqual([
        'GET /api/v1/pods',
        'GET /api/v1/pods',
        'GET /apis/apps/v1/deployments',
      ]);
      expect(refused(server.requests)).toEqual([]);
      // Without the new rule the Deployments LIST would be refused.
      const withoutRule = RbacRules.fromObjects(
        rbacObjects.map(o =>
          o.kind === 'ClusterRole'
            ? ({
                ...o,
                rules: (
                  o as unknown as { rules: Array<{ apiGroups: string[] }> }
                ).rules.filter(r => !r.apiGroups.includes('apps')),
              } as unknown as KubeObject)
            : o,
        ),
        {
          subject: {
            kind: 'ServiceAccount',
            name: 'ai-platform-portal',
            namespace: 'backstage',
          },
          roleNamespaces: teamNamespaces,
        },
      );
      expect(
        server.requests
          .filter(r => !withoutRule.check(r).allowed)
          .map(r => r.path),
      ).toEqual(['/apis/apps/v1/deployments']);
    } finally {
      await server.close();
    }
  });

  it('allows every request of both canary engines (issue 23): apply, observe, promote, approve, abort, complete, the Gateway read', async () => {
    const server = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      groups: ['argo-rollouts', 'gateway-api'],
      rolloutDelayMs: 20,
      nodes: L4_NODES,
      seed: [...ownedExampleNamespaces(), CANARY_GATEWAY],
    });
    try {
      const client = new KubernetesClusterClient({
        cluster: server.clusterConfig('gpu-eu-west'),
      });
      const canaryRequests = await driveCanaryEngines(server, client);
      // The new kinds of request are there, so the check below covers them.
      for (const request of [
        'PATCH /apis/argoproj.io/v1alpha1/namespaces/chat/rollouts/chat-assistant-prod/status',
        'PATCH /apis/argoproj.io/v1alpha1/namespaces/chat/rollouts/chat-assistant-prod',
        'PATCH /apis/argoproj.io/v1alpha1/namespaces/chat/analysistemplates/',
        'GET /apis/argoproj.io/v1alpha1/namespaces/chat/analysisruns',
        'PATCH /apis/gateway.networking.k8s.io/v1/namespaces/chat-staging/httproutes/chat-assistant-staging',
        'GET /apis/gateway.networking.k8s.io/v1/namespaces/gateway-system/gateways/inference',
        'PATCH /apis/apps/v1/namespaces/chat-staging/deployments/chat-assistant-staging-canary',
      ]) {
        expect(canaryRequests.filter(r => r.startsWith(request))).not.toEqual(
          [],
        );
      }
      expect(refused(server.requests)).toEqual([]);
      // Without the canary rules these requests would be refused.
      const withoutCanaryRules = RbacRules.fromObjects(
        rbacObjects.map(o =>
          o.kind === 'Role' || o.kind === 'ClusterRole'
            ? ({
                ...o,
                rules: (
                  o as unknown as { rules: Array<{ apiGroups: string[] }> }
                ).rules.filter(
                  r =>
                    !r.apiGroups.includes('argoproj.io') &&
                    !r.apiGroups.includes('gateway.networking.k8s.io'),
                ),
              } as unknown as KubeObject)
            : o,
        ),
        {
          subject: {
            kind: 'ServiceAccount',
            name: 'ai-platform-portal',
            namespace: 'backstage',
          },
          roleNamespaces: teamNamespaces,
        },
      );
      expect(
        server.requests.filter(
          r =>
            !withoutCanaryRules.check(r).allowed &&
            !authenticated.check(r).allowed,
        ).length,
      ).toBeGreaterThan(5);
    } finally {
      await server.close();
    }
  });

  it('refuses what the portal must never do, so that the check can fail', () => {
    const request = (method: string, p: string): RecordedRequest => ({
      method,
      path: p,
      query: {},
    });
    expect(
      refused([
        request('PATCH', '/apis/apps/v1/namespaces/kube-system/deployments/x'),
        request('DELETE', '/api/v1/namespaces/chat/secrets/hf-token'),
        request('GET', '/api/v1/namespaces/chat/secrets/hf-token'),
        request('PATCH', '/api/v1/nodes/gpu-1'),
        request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles'),
      ]),
    ).toHaveLength(5);
    expect(loadExampleEntities(['endpoints.yaml']).length).toBeGreaterThan(0);
  });
});
