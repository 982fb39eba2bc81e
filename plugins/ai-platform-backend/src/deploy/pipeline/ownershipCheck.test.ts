import { mockCredentials } from '@backstage/backend-test-utils';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  type FakeKubeApiServer,
  type KubeObject,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import type { ClusterConfig } from '@internal/plugin-ai-platform-node';
import {
  allPermissions,
  examplePlan,
  fakeRun,
  STAGING,
} from '../__testUtils__/fakeRun';
import type { StoredDeployment } from '../DatabaseDeploymentStore';
import { KubernetesClusterClient } from '../kube/KubernetesClusterClient';
import type { DeploymentPlan } from '../planDeployment';
import { ownershipCheck } from './ownershipCheck';

jest.setTimeout(30_000);

const alice = mockCredentials.user('user:default/alice');

describe('ownershipCheck', () => {
  let server: FakeKubeApiServer;
  let cluster: ClusterConfig;
  let client: KubernetesClusterClient;
  let plan: DeploymentPlan;

  beforeEach(async () => {
    server = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      token: 'fake-token',
      rolloutDelayMs: 0,
      namespaces: ['chat-staging'],
    });
    cluster = server.clusterConfig('gpu-eu-west') as ClusterConfig;
    client = new KubernetesClusterClient({ cluster, requestTimeoutMs: 2000 });
    plan = await examplePlan();
  });

  afterEach(async () => {
    await server.close();
  });

  /** A run on the fake cluster; `recorded` plays this endpoint's earlier records. */
  function runOf(
    options: {
      recorded?: Array<{ kind: string; name: string }>;
      call?: Parameters<typeof fakeRun>[0]['call'];
      permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    } = {},
  ) {
    return fakeRun({
      plan,
      call: options.call,
      target: { cluster },
      deps: {
        clients: { client: () => client },
        permissions: allPermissions(options.permission ?? AuthorizeResult.DENY),
        store: {
          applied: async () => [],
          recent: async () => [
            {
              id: 'earlier',
              dryRun: false,
              objects: (options.recorded ?? []).map(o => ({
                apiVersion: 'v1',
                ...o,
                namespace: 'chat-staging',
                action: 'created',
              })),
            } as unknown as StoredDeployment,
          ],
        },
      },
    });
  }

  /** The plan's Deployment, as the cluster would hold it with other annotations. */
  function deploymentWith(annotations: Record<string, string>): KubeObject {
    const manifest = plan.manifests.find(m => m.kind === 'Deployment')!;
    return {
      ...manifest,
      metadata: { ...manifest.metadata, annotations },
    } as unknown as KubeObject;
  }

  it('passes when no object exists yet, reading each object before anything is applied', async () => {
    const outcome = await ownershipCheck.run(runOf());
    expect(outcome).toEqual({
      status: 'passed',
      message: `0 of ${plan.manifests.length} objects exist and are this endpoint's`,
    });
    expect(server.requests.map(r => r.method)).toEqual(
      expect.arrayContaining(['GET']),
    );
    expect(server.requests.filter(r => r.method !== 'GET')).toEqual([]);
  });

  it("passes objects annotated as this endpoint's", async () => {
    for (const m of plan.manifests) {
      await client.apply(m, { dryRun: false, force: false });
    }
    const outcome = await ownershipCheck.run(runOf());
    expect(outcome.status).toBe('passed');
    expect(outcome.message).toBe(
      `${plan.manifests.length} of ${plan.manifests.length} objects exist and are this endpoint's`,
    );
  });

  it('refuses (409) an object annotated for another endpoint, naming it and its owner', async () => {
    server.seed([
      deploymentWith({
        'ai-platform.io/endpoint':
          'inferenceendpoint:default/support-assistant',
        'ai-platform.io/owner': 'group:default/data-science',
      }),
    ]);
    const outcome = await ownershipCheck.run(runOf());
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toBe(
      `${STAGING} cannot be applied over objects that are not its own: Deployment/chat-assistant-staging in namespace chat-staging belongs to inferenceendpoint:default/support-assistant (owner group:default/data-science). Choose another backstage.io/kubernetes-id or namespace, or ask a platform admin to adopt them (adopt, with a reason).`,
    );
    expect(outcome.refusal).toBeInstanceOf(ConflictError);
  });

  it('refuses an object the portal never created, naming its field managers', async () => {
    server.seed([deploymentWith({})]);
    const outcome = await ownershipCheck.run(runOf());
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toContain(
      'Deployment/chat-assistant-staging in namespace chat-staging exists and was not created by the portal for this endpoint (its field managers: fake-seed, kube-controller-manager)',
    );
  });

  it("takes an object without an owner annotation as this endpoint's when its records list it and the portal's field manager owns it", async () => {
    const deployment = plan.manifests.find(m => m.kind === 'Deployment')!;
    await client.apply(
      {
        ...deployment,
        metadata: { ...deployment.metadata, annotations: {} },
      },
      { dryRun: false, force: false },
    );
    const listed = await ownershipCheck.run(
      runOf({
        recorded: [{ kind: 'Deployment', name: 'chat-assistant-staging' }],
      }),
    );
    expect(listed.status).toBe('passed');
    expect(listed.message).toContain(
      '(Deployment/chat-assistant-staging applied before objects carried an owner: this apply annotates them)',
    );
    // The same object, but no record of this endpoint lists it.
    const unlisted = await ownershipCheck.run(runOf());
    expect(unlisted.status).toBe('failed');
    expect(unlisted.message).toContain(
      'exists and was not created by the portal for this endpoint (its field managers: backstage-ai-platform, kube-controller-manager)',
    );
  });

  it('lets only an admin adopt, with a reason, and marks the run to take the fields over', async () => {
    server.seed([deploymentWith({})]);
    const member = await ownershipCheck.run(
      runOf({ call: { adopt: true, reason: 'we migrate this workload' } }),
    );
    expect(member.status).toBe('failed');
    expect(member.message).toContain(
      'user:default/bob may not adopt objects (permission ai-platform.endpoint.adopt)',
    );
    expect(member.refusal).toBeInstanceOf(NotAllowedError);

    const noReason = await ownershipCheck.run(
      runOf({
        call: { credentials: alice, adopt: true },
        permission: AuthorizeResult.ALLOW,
      }),
    );
    expect(noReason.message).toBe(
      'adopt needs a reason: it is kept in the audit record',
    );

    const run = runOf({
      call: {
        credentials: alice,
        adopt: true,
        reason: 'we migrate this workload',
      },
      permission: AuthorizeResult.ALLOW,
    });
    const adopted = await ownershipCheck.run(run);
    expect(adopted).toMatchObject({
      status: 'overridden',
      message:
        'adopted by user:default/alice (we migrate this workload): Deployment/chat-assistant-staging in namespace chat-staging exists and was not created by the portal for this endpoint (its field managers: fake-seed, kube-controller-manager)',
      details: { adopted: ['Deployment/chat-assistant-staging'] },
    });
    expect(run.adopting).toBe(true);
  });

  it('skips when the cluster is not configured, and fails naming the object when it refuses the read', async () => {
    const notConfigured = fakeRun({
      plan,
      target: { notConfigured: 'cluster gpu-eu-west is not configured' },
    });
    expect(await ownershipCheck.run(notConfigured)).toEqual({
      status: 'skipped',
      message:
        'the objects cannot be read: cluster gpu-eu-west is not configured',
    });
    server.injectFault({
      method: 'GET',
      path: /serviceaccounts/,
      kind: 'status',
      code: 403,
      message: 'serviceaccounts is forbidden',
    });
    const refused = await ownershipCheck.run(runOf());
    expect(refused.status).toBe('failed');
    expect(refused.error?.cause).toMatch(/^HTTP 403/);
    expect(refused.error?.object).toBe(
      `${plan.manifests[0].kind}/${plan.manifests[0].metadata.name}`,
    );
  });
});
