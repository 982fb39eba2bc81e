import { TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import type { KubeObject } from '@internal/fake-kube-apiserver';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import { KubernetesClusterClient } from './kube/KubernetesClusterClient';
import {
  alice,
  bob,
  carol,
  createDeployHarness,
  type DeployHarness,
} from './__testUtils__/deployHarness';

jest.setTimeout(60_000);

/**
 * Tenancy of the deploy path (a team deploys only into namespaces it owns,
 * never over another team's workload): the scenarios reported against the
 * first version, and the cases around them. Every refusal leaves an audit
 * record, writes nothing to the cluster and reserves no GPUs.
 */

const LLAMA = 'model:default/llama-3-1-8b-instruct';

/** An endpoint not in the catalog, on the L4 pool of the fake cluster. */
function posted(
  name: string,
  options: {
    catalogNamespace?: string;
    namespace?: string;
    owner?: string;
    kubernetesId?: string;
  } = {},
): Entity {
  return {
    apiVersion: 'ai-platform.io/v1alpha1',
    kind: 'InferenceEndpoint',
    metadata: {
      name,
      namespace: options.catalogNamespace ?? 'default',
      ...(options.kubernetesId
        ? {
            annotations: { 'backstage.io/kubernetes-id': options.kubernetesId },
          }
        : {}),
    },
    spec: {
      type: 'vllm',
      owner: options.owner ?? 'group:default/applied-ml',
      lifecycle: 'experimental',
      model: LLAMA,
      modelVersion: 'v2',
      gpuPool: 'gpupool:default/l4-inference',
      namespace: options.namespace ?? 'chat-staging',
      runtime: { image: 'vllm/vllm-openai:v0.10.1', maxModelLen: 8192 },
      resources: { gpusPerReplica: 1, replicas: 1 },
    },
  };
}

/** Data Science's running support-assistant, as the portal applied it. */
const SUPPORT_DEPLOYMENT: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'support-assistant',
    namespace: 'support',
    annotations: {
      'ai-platform.io/endpoint': 'inferenceendpoint:default/support-assistant',
      'ai-platform.io/owner': 'group:default/data-science',
    },
  },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'support' } },
    template: {
      metadata: { labels: { app: 'support' } },
      spec: {
        containers: [{ name: 'vllm', image: 'support-assistant-8b' }],
      },
    },
  },
};

const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });

describe.each(databases.eachSupportedId())(
  'DeploymentService tenancy on %p',
  id => {
    let h: DeployHarness;

    beforeEach(async () => {
      h = await createDeployHarness({
        knex: await databases.init(id),
        server: {
          seed: [
            SUPPORT_DEPLOYMENT,
            // A namespace nobody has claimed yet.
            { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } },
            // A namespace two teams share.
            {
              apiVersion: 'v1',
              kind: 'Namespace',
              metadata: {
                name: 'shared',
                annotations: {
                  'ai-platform.io/owners':
                    'group:default/applied-ml,group:default/data-science',
                },
              },
            },
            // A workload someone applied by hand in Applied ML's namespace.
            {
              ...SUPPORT_DEPLOYMENT,
              metadata: { name: 'hand-made', namespace: 'chat-staging' },
            },
          ],
        },
      });
      h.server.clearRequests();
    });

    afterEach(async () => {
      await h.close();
    });

    const writes = () => h.server.requests.filter(r => r.method !== 'GET');
    const lastAudit = async () => (await h.audit()).at(-1);

    /** A refused call: the error, one failure record, no write, no reservation. */
    async function expectRefused(
      call: Promise<unknown>,
      error: new (...args: any[]) => Error,
      message: string | RegExp,
      endpointRef: string,
    ) {
      const before = (await h.audit()).length;
      await expect(call).rejects.toThrow(error);
      await expect(call).rejects.toThrow(message);
      const records = await h.audit();
      expect(records).toHaveLength(before + 1);
      expect(records.at(-1)).toMatchObject({
        action: 'endpoint.deploy',
        outcome: 'failure',
        target: endpointRef,
      });
      expect(records.at(-1)?.message).toMatch(message);
      expect(writes()).toEqual([]);
      expect(await h.quotas.allocation(endpointRef)).toBeUndefined();
    }

    it('refuses an endpoint into kube-system: a member by the permission, an admin by the system namespace', async () => {
      await expectRefused(
        h.service.deploy({
          credentials: bob,
          endpoint: posted('sneaky', { namespace: 'kube-system' }),
          wait: true,
        }),
        NotAllowedError,
        'into namespace kube-system on cluster gpu-eu-west (no verifiable owner)',
        'inferenceendpoint:default/sneaky',
      );
      await expectRefused(
        h.service.deploy({
          credentials: alice,
          endpoint: posted('sneaky', { namespace: 'kube-system' }),
          wait: true,
        }),
        NotAllowedError,
        'namespace kube-system is a system namespace',
        'inferenceendpoint:default/sneaky',
      );
    });

    it("refuses the takeover of Data Science's support-assistant from another catalog namespace", async () => {
      const takeover = posted('support-assistant', {
        catalogNamespace: 'takeover-x',
        namespace: 'support',
      });
      await expectRefused(
        h.service.deploy({ credentials: bob, endpoint: takeover, wait: true }),
        NotAllowedError,
        'into namespace support on cluster gpu-eu-west (owned by group:default/data-science)',
        'inferenceendpoint:takeover-x/support-assistant',
      );
      // The running workload is untouched.
      expect(
        h.server.getObject({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'support',
          name: 'support-assistant',
        })?.metadata.annotations?.['ai-platform.io/endpoint'],
      ).toBe('inferenceendpoint:default/support-assistant');
      // Even a member of Data Science cannot apply over it from another entity.
      await expectRefused(
        h.service.deploy({
          credentials: carol,
          endpoint: {
            ...takeover,
            spec: { ...takeover.spec, owner: 'group:default/data-science' },
          },
          wait: true,
        }),
        ConflictError,
        'Deployment/support-assistant in namespace support belongs to inferenceendpoint:default/support-assistant (owner group:default/data-science)',
        'inferenceendpoint:takeover-x/support-assistant',
      );
    });

    it("refuses a namespace owned by another team, and one nobody owns; an admin gets 'cannot verify'", async () => {
      await expectRefused(
        h.service.deploy({
          credentials: bob,
          endpoint: posted('in-ds', { namespace: 'ds-sandbox' }),
          wait: true,
        }),
        NotAllowedError,
        'owned by group:default/data-science',
        'inferenceendpoint:default/in-ds',
      );
      await expectRefused(
        h.service.deploy({
          credentials: bob,
          endpoint: posted('in-lab', { namespace: 'lab' }),
          wait: true,
        }),
        NotAllowedError,
        'into namespace lab on cluster gpu-eu-west (no verifiable owner)',
        'inferenceendpoint:default/in-lab',
      );
      await expectRefused(
        h.service.deploy({
          credentials: alice,
          endpoint: posted('in-lab', { namespace: 'lab' }),
          wait: true,
        }),
        NotAllowedError,
        'cannot verify who owns namespace lab on cluster gpu-eu-west: the Namespace has no ai-platform.io/owners annotation',
        'inferenceendpoint:default/in-lab',
      );
    });

    it('refuses when the cluster cannot say who owns the namespace and config does not either', async () => {
      h.server.injectFault({
        method: 'GET',
        path: /^\/api\/v1\/namespaces\/chat-staging($|\?)/,
        kind: 'status',
        code: 503,
        times: Infinity,
      });
      await expectRefused(
        h.service.deploy({
          credentials: alice,
          endpoint: posted('while-down'),
          wait: true,
        }),
        NotAllowedError,
        /cannot verify who owns namespace chat-staging on cluster gpu-eu-west: the cluster could not be asked \(.*503/,
        'inferenceendpoint:default/while-down',
      );
    });

    it('lets config decide when the cluster cannot say', async () => {
      await h.close();
      h = await createDeployHarness({
        knex: await databases.init(id),
        deploy: {
          namespaces: {
            mapping: {
              'gpu-eu-west': { 'chat-staging': ['group:default/applied-ml'] },
            },
            systemNamespaces: [],
            cacheTtlMs: 0,
          },
        },
      });
      h.server.injectFault({
        method: 'GET',
        path: /^\/api\/v1\/namespaces\/chat-staging($|\?)/,
        kind: 'status',
        code: 503,
        times: Infinity,
      });
      const { record } = await h.service.deploy({
        credentials: bob,
        endpoint: posted('config-decides'),
        wait: true,
      });
      expect(record.state).toBe('succeeded');
      expect(record.checks.find(c => c.name === 'namespace')?.message).toMatch(
        /owned by group:default\/applied-ml\), from config \(the cluster could not be asked: .*503/,
      );
    });

    it("refuses an endpoint whose Kubernetes names are another catalog endpoint's", async () => {
      await expectRefused(
        h.service.deploy({
          credentials: bob,
          endpoint: posted('copy', {
            catalogNamespace: 'team-x',
            kubernetesId: 'chat-assistant-staging',
          }),
          wait: true,
        }),
        ConflictError,
        'inferenceendpoint:team-x/copy would deploy as chat-staging/chat-assistant-staging on cluster gpu-eu-west, the Kubernetes name of inferenceendpoint:default/chat-assistant-staging (owner group:default/applied-ml) in the catalog',
        'inferenceendpoint:team-x/copy',
      );
    });

    it('refuses to apply over a workload the portal did not create; an admin adopts it, audited', async () => {
      const endpoint = posted('hand-made');
      await expectRefused(
        h.service.deploy({ credentials: bob, endpoint, wait: true }),
        ConflictError,
        'Deployment/hand-made in namespace chat-staging exists and was not created by the portal for this endpoint',
        'inferenceendpoint:default/hand-made',
      );
      await expectRefused(
        h.service.deploy({
          credentials: bob,
          endpoint,
          adopt: true,
          reason: 'we take this one over',
          wait: true,
        }),
        NotAllowedError,
        'user:default/bob may not adopt objects (permission ai-platform.endpoint.adopt)',
        'inferenceendpoint:default/hand-made',
      );
      const { record } = await h.service.deploy({
        credentials: alice,
        endpoint,
        adopt: true,
        reason: 'migrating the hand-made workload to the portal',
        wait: true,
      });
      expect(record.state).toBe('succeeded');
      expect(record.checks.find(c => c.name === 'ownership')).toMatchObject({
        status: 'overridden',
        message: expect.stringContaining(
          'adopted by user:default/alice (migrating the hand-made workload to the portal): Deployment/hand-made',
        ),
      });
      expect(await lastAudit()).toMatchObject({
        action: 'endpoint.deploy',
        outcome: 'success',
        actor: 'user:default/alice',
        request: expect.objectContaining({
          adopt: true,
          reason: 'migrating the hand-made workload to the portal',
        }),
      });
      // Now the endpoint's own, annotated.
      expect(
        h.server.getObject({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'chat-staging',
          name: 'hand-made',
        })?.metadata.annotations,
      ).toMatchObject({
        'ai-platform.io/endpoint': 'inferenceendpoint:default/hand-made',
        'ai-platform.io/owner': 'group:default/applied-ml',
      });
    });

    it('redeploys objects applied before they carried an owner, and annotates them', async () => {
      const staging = 'inferenceendpoint:default/chat-assistant-staging';
      const first = await h.service.deploy({
        credentials: bob,
        endpoint: staging,
        wait: true,
      });
      expect(first.record.state).toBe('succeeded');
      // As the first version left them: applied by the portal's field
      // manager, without the owner annotations.
      const client = new KubernetesClusterClient({
        cluster: h.server.clusterConfig('gpu-eu-west') as ClusterConfig,
        requestTimeoutMs: 2000,
      });
      const { manifests } = await h.store.get(first.record.id);
      expect(manifests).toHaveLength(4);
      for (const m of manifests) {
        await client.apply(
          { ...m, metadata: { ...m.metadata, annotations: {} } },
          { dryRun: false, force: true },
        );
        expect(
          (await client.read(m))?.metadata.annotations?.[
            'ai-platform.io/endpoint'
          ],
        ).toBeUndefined();
      }
      const again = await h.service.promote({
        credentials: bob,
        endpointRef: staging,
        modelVersion: 'v2-fp8',
        wait: true,
      });
      expect(again.record.state).toBe('succeeded');
      expect(
        again.record.checks.find(c => c.name === 'ownership')?.message,
      ).toContain(
        'applied before objects carried an owner: this apply annotates them',
      );
      expect(
        h.server.getObject({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace: 'chat-staging',
          name: 'chat-assistant-staging',
        })?.metadata.annotations?.['ai-platform.io/endpoint'],
      ).toBe(staging);
    });

    it("deploys into a namespace the team shares, but never over the other team's endpoint there", async () => {
      const theirs = await h.service.deploy({
        credentials: carol,
        endpoint: posted('ds-app', {
          namespace: 'shared',
          owner: 'group:default/data-science',
        }),
        wait: true,
      });
      expect(theirs.record.state).toBe('succeeded');
      h.server.clearRequests();
      await expectRefused(
        h.service.deploy({
          credentials: bob,
          endpoint: posted('mine', {
            namespace: 'shared',
            kubernetesId: 'ds-app',
          }),
          wait: true,
        }),
        ConflictError,
        'belongs to inferenceendpoint:default/ds-app (owner group:default/data-science)',
        'inferenceendpoint:default/mine',
      );
    });

    it('says in the record when the cluster is one the demo simulates', async () => {
      await h.close();
      h = await createDeployHarness({
        knex: await databases.init(id),
        deploy: { simulatedClusters: ['gpu-eu-west'] },
      });
      const { record } = await h.service.deploy({
        credentials: bob,
        endpoint: 'inferenceendpoint:default/chat-assistant-staging',
        wait: true,
      });
      expect(record.events[0].message).toBe(
        "Cluster gpu-eu-west is SIMULATED (aiPlatform.demo.simulatedClusters): the demo's fake Kubernetes API server with simulated GPU nodes; nothing runs on a real GPU",
      );
    });

    it('refuses a deprecated version to a member, deploys it on an audited admin override', async () => {
      const endpoint = posted('old-chat');
      (endpoint.spec as any).modelVersion = 'v2';
      const model = h.entities.find(
        e => e.metadata.name === 'llama-3-1-8b-instruct',
      )!;
      const v2 = (model.spec as any).versions.find((v: any) => v.name === 'v2');
      v2.stage = 'deprecated';

      const refused = await h.service.deploy({
        credentials: bob,
        endpoint,
        wait: true,
      });
      expect(refused.record.state).toBe('failed');
      expect(refused.record.error).toMatchObject({
        check: 'lifecycle',
        message: expect.stringContaining(
          'model:default/llama-3-1-8b-instruct version v2 is deprecated',
        ),
      });
      expect(writes()).toEqual([]);
      expect(
        await h.quotas.allocation('inferenceendpoint:default/old-chat'),
      ).toBeUndefined();

      const overridden = await h.service.deploy({
        credentials: alice,
        endpoint,
        allowDeprecated: true,
        reason: 'a customer pinned v2 until March',
        wait: true,
      });
      expect(overridden.record.state).toBe('succeeded');
      expect(
        overridden.record.checks.find(c => c.name === 'lifecycle')?.status,
      ).toBe('overridden');
      expect(
        (await h.audit()).filter(a => a.action === 'lifecycle.override'),
      ).toEqual([
        expect.objectContaining({
          actor: 'user:default/alice',
          target: LLAMA,
          outcome: 'success',
          request: expect.objectContaining({
            version: 'v2',
            stage: 'deprecated',
            reason: 'a customer pinned v2 until March',
          }),
        }),
      ]);
    });

    it('never rolls back to a revision whose version has since been archived', async () => {
      const staging = 'inferenceendpoint:default/chat-assistant-staging';
      await h.service.deploy({
        credentials: bob,
        endpoint: staging,
        wait: true,
      });
      await h.service.promote({
        credentials: bob,
        endpointRef: staging,
        modelVersion: 'v2-fp8',
        wait: true,
      });
      const model = h.entities.find(
        e => e.metadata.name === 'llama-3-1-8b-instruct',
      )!;
      (model.spec as any).versions.find((v: any) => v.name === 'v2').stage =
        'archived';
      h.server.clearRequests();
      const { record } = await h.service.rollback({
        credentials: alice,
        endpointRef: staging,
        allowDeprecated: true,
        reason: 'even an admin cannot bring it back',
        wait: true,
      });
      expect(record.state).toBe('failed');
      expect(record.error).toMatchObject({
        check: 'lifecycle',
        message: expect.stringContaining(
          'version v2 is archived (retired): it never deploys, not even by a rollback to revision 1',
        ),
      });
      expect(writes()).toEqual([]);
    });
  },
);
