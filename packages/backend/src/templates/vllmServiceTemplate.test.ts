/*
 * The golden path end to end: the real vllm-service template from templates/,
 * run by the real scaffolder backend (template runner, fetch:template, task
 * credentials) with the ai-platform scaffolder module's actions and the demo's
 * local publishing (../modules/localPublish), against the real ai-platform
 * backend (sizing, render, deployment service) and the real catalog backend
 * with our catalog module, reading the example catalog. The pool's cluster is
 * the fake Kubernetes API server on 127.0.0.1. Form values go in; published
 * files, catalog entities, a deployment record and objects on the fake
 * cluster come out.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  type FakeKubeApiServer,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import aiPlatformPlugin from '@internal/plugin-ai-platform-backend';
import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import catalogModuleAiPlatform from '@internal/plugin-catalog-backend-module-ai-platform';
import scaffolderModuleAiPlatform from '@internal/plugin-scaffolder-backend-module-ai-platform';
import fs from 'fs';
import os from 'os';
import path from 'path';
import yaml from 'yaml';
import scaffolderModuleLocalPublish from '../modules/localPublish';

jest.setTimeout(180_000);

const repoRoot = path.resolve(__dirname, '../../../..');
const examples = path.join(repoRoot, 'examples');
const user = 'user:default/guest';
const auth = { Authorization: mockCredentials.user.header(user) };

/** GPU nodes of the example l4-inference pool: 4 nodes of 4 L4s. */
const L4_NODES = [1, 2, 3, 4].map(i => ({
  name: `l4-node-${i}`,
  labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
  allocatable: { 'nvidia.com/gpu': '4', cpu: '48', memory: '192Gi' },
  taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' as const }],
}));

/** Fails with the task's log, so that a failing step says why. */
function expectCompleted(run: { status: string; log: string[] }) {
  if (run.status !== 'completed') {
    throw new Error(`The task ${run.status}:\n${run.log.join('\n')}`);
  }
}

type Backend = Awaited<ReturnType<typeof startTestBackend>>;

describe('the vllm-service template, end to end', () => {
  let cluster: FakeKubeApiServer;
  let backend: Backend;
  let publishDir: string;
  let baseUrl: string;

  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}/api${route}`, {
      method,
      headers: {
        ...auth,
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: await res.json().catch(() => ({})) };
  };

  const waitFor = async <T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs = 60_000,
  ): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${what}`);
      await new Promise(r => setTimeout(r, 250));
    }
  };

  /** Runs the template with these form values; the task's status, output and log. */
  const runTemplate = async (values: Record<string, unknown>) => {
    const created = await api('POST', '/scaffolder/v2/tasks', {
      templateRef: 'template:default/vllm-service',
      values,
    });
    expect(created.status).toBe(201);
    const taskId = created.body.id as string;
    const task = await waitFor(
      `task ${taskId}`,
      async () => {
        const { body } = await api('GET', `/scaffolder/v2/tasks/${taskId}`);
        return ['completed', 'failed', 'cancelled'].includes(body.status)
          ? body
          : undefined;
      },
      150_000,
    );
    const { body: events } = await api(
      'GET',
      `/scaffolder/v2/tasks/${taskId}/events`,
    );
    const log = (events as Array<{ type: string; body: any }>)
      .filter(e => e.type === 'log')
      .map(e => `${e.body.stepId ?? ''}: ${e.body.message}`);
    const completion = (events as Array<{ type: string; body: any }>).find(
      e => e.type === 'completion',
    );
    return {
      status: task.status as string,
      output: completion?.body.output ?? {},
      log,
    };
  };

  beforeAll(async () => {
    cluster = await startFakeKubeApiServer({
      clusterName: 'gpu-eu-west',
      token: 'fake-token',
      rolloutDelayMs: 20,
      nodes: L4_NODES,
      // Applied ML's namespace, with its owners as the platform team set them.
      seed: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'support-bots',
            annotations: {
              'ai-platform.io/owners': 'group:default/applied-ml',
            },
          },
        },
        // A namespace nobody has claimed.
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } },
      ],
    });
    publishDir = fs.mkdtempSync(path.join(os.tmpdir(), 'published-'));
    const file = (target: string) => ({ type: 'file', target });
    backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleAiPlatform,
        catalogModuleTemplateKind,
        scaffolderPlugin,
        scaffolderModuleAiPlatform,
        scaffolderModuleLocalPublish,
        aiPlatformPlugin,
        mockServices.rootConfig.factory({
          data: {
            backend: { baseUrl: 'http://localhost:7007' },
            catalog: {
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'API',
                    'Resource',
                    'Location',
                    'Group',
                    'User',
                    'Template',
                    'Model',
                    'InferenceEndpoint',
                    'GpuPool',
                  ],
                },
              ],
              locations: [
                ...[
                  'org.yaml',
                  'models.yaml',
                  'gpu-pools.yaml',
                  'endpoints.yaml',
                  'components.yaml',
                ].map(f => file(path.join(examples, f))),
                file(path.join(repoRoot, 'templates/*/template.yaml')),
                file(path.join(publishDir, '*/catalog-info.yaml')),
              ],
            },
            ...cluster.backstageConfig('gpu-eu-west'),
            aiPlatform: {
              deploy: {
                progressIntervalSeconds: 0.1,
                rolloutTimeoutSeconds: 60,
                // gpu-us-east is not configured: config says who owns its
                // namespaces.
                namespaces: {
                  'gpu-us-east': {
                    'support-bots': ['group:default/applied-ml'],
                  },
                },
              },
              scaffolder: { localPublishDirectory: publishDir },
            },
          },
        }),
      ],
    });
    baseUrl = `http://localhost:${backend.server.port()}`;
    // The catalog has read the examples and the template.
    for (const ref of [
      'template/default/vllm-service',
      'gpupool/default/l4-inference',
      'gpupool/default/h100-inference',
      'model/default/llama-3-1-8b-instruct',
      'group/default/applied-ml',
      'user/default/guest',
    ]) {
      await waitFor(ref, async () => {
        const { status } = await api('GET', `/catalog/entities/by-name/${ref}`);
        return status === 200 ? true : undefined;
      });
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await cluster?.close();
    fs.rmSync(publishDir, { recursive: true, force: true });
  });

  const form = {
    description: 'Answers support tickets',
    owner: 'group:default/applied-ml',
    lifecycle: 'experimental',
    model: 'model:default/llama-3-1-8b-instruct',
    modelVersion: 'v2',
    maxModelLen: 8192,
    namespace: 'support-bots',
    replicas: 1,
    hfTokenSecret: 'hf-token',
    image: 'vllm/vllm-openai:v0.10.1',
    publishTo: 'local',
    dryRun: false,
  };

  it('sizes, publishes, deploys to the cluster and registers the entities', async () => {
    const run = await runTemplate({
      ...form,
      name: 'ticket-summarizer',
      gpuPool: 'gpupool:default/l4-inference',
      minReplicas: 1,
      maxReplicas: 2,
    });
    expectCompleted(run);

    // Published files.
    const folder = path.join(publishDir, 'ticket-summarizer');
    const docs = yaml
      .parseAllDocuments(
        fs.readFileSync(path.join(folder, 'catalog-info.yaml'), 'utf8'),
      )
      .map(d => d.toJS());
    expect(docs).toEqual([
      expect.objectContaining({
        kind: 'InferenceEndpoint',
        metadata: expect.objectContaining({
          name: 'ticket-summarizer',
          description: 'Answers support tickets',
        }),
        spec: expect.objectContaining({
          model: 'model:default/llama-3-1-8b-instruct',
          modelVersion: 'v2',
          gpuPool: 'gpupool:default/l4-inference',
          namespace: 'support-bots',
          runtime: {
            image: 'vllm/vllm-openai:v0.10.1',
            maxModelLen: 8192,
            tensorParallelSize: 1,
            hfTokenSecret: 'hf-token',
          },
          resources: {
            gpusPerReplica: 1,
            replicas: 1,
            minReplicas: 1,
            maxReplicas: 2,
          },
        }),
      }),
      expect.objectContaining({
        kind: 'Component',
        spec: expect.objectContaining({
          dependsOn: ['inferenceendpoint:default/ticket-summarizer'],
        }),
      }),
    ]);
    expect(
      fs.readdirSync(path.join(folder, 'deploy/kubernetes')).sort(),
    ).toEqual([
      'deployment.yaml',
      'horizontalpodautoscaler.yaml',
      'kustomization.yaml',
      'poddisruptionbudget.yaml',
      'service.yaml',
      'serviceaccount.yaml',
    ]);
    const workflow = fs.readFileSync(
      path.join(folder, '.github/workflows/eval-gate.yaml'),
      'utf8',
    );
    expect(workflow).toContain('${{ vars.PORTAL_URL }}');
    expect(yaml.parse(workflow).jobs.eval.steps.length).toBeGreaterThan(3);
    expect(fs.readFileSync(path.join(folder, 'README.md'), 'utf8')).toContain(
      'With tensor parallelism 1',
    );

    // Applied for real: the output does not list objects as not applied.
    expect(
      run.output.text.map((t: { title: string }) => t.title),
    ).not.toContain('Rendered objects (nothing was applied)');

    // Deployed through the ai-platform API as the user, onto the fake cluster.
    const { body: history } = await api(
      'GET',
      '/ai-platform/deployments?endpoint=inferenceendpoint:default/ticket-summarizer',
    );
    const [record] = history.items as DeploymentRecord[];
    expect(record).toMatchObject({
      state: 'succeeded',
      requestedBy: user,
      cluster: 'gpu-eu-west',
      reason: 'Created with the vllm-service template',
    });
    expect(
      cluster.getObject({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'support-bots',
        name: 'ticket-summarizer',
      })?.metadata.labels,
    ).toMatchObject({ 'ai-platform.io/model-version': 'v2' });
    expect(run.log.join('\n')).toMatch(
      /deploy: .*Deployment\/ticket-summarizer/,
    );

    // Registered: the catalog shows both entities and the dependency.
    const { body: component } = await api(
      'GET',
      '/catalog/entities/by-name/component/default/ticket-summarizer',
    );
    expect(component.relations).toEqual(
      expect.arrayContaining([
        {
          type: 'dependsOn',
          targetRef: 'inferenceendpoint:default/ticket-summarizer',
        },
      ]),
    );
    expect(
      (
        await api(
          'GET',
          '/catalog/entities/by-name/inferenceendpoint/default/ticket-summarizer',
        )
      ).status,
    ).toBe(200);

    expect(run.output.links).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          title: 'Open in catalog',
          entityRef: 'component:default/ticket-summarizer',
        }),
      ]),
    );
    expect(run.output.text).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          title: 'Deployment',
          content: expect.stringMatching(
            /^Deployed inferenceendpoint:default\/ticket-summarizer revision 2 /,
          ),
        }),
        expect.objectContaining({
          title: 'Deploy target',
          content: expect.stringMatching(/^deployment on cluster gpu-eu-west /),
        }),
      ]),
    );
  });

  // (This backend allows every permission: the browser tests show the demo
  // policy refusing another team's namespace the same way.)
  it('refuses a namespace nobody owns in the check before publishing: nothing is published, registered or applied', async () => {
    cluster.clearRequests();
    const run = await runTemplate({
      ...form,
      name: 'lab-intruder',
      gpuPool: 'gpupool:default/l4-inference',
      namespace: 'lab',
    });
    expect(run.status).toBe('failed');
    expect(run.log.join('\n')).toMatch(
      /check: .*Cannot deploy inferenceendpoint:default\/lab-intruder: .*cannot verify who owns namespace lab on cluster gpu-eu-west: the Namespace has no ai-platform.io\/owners annotation/,
    );
    expect(fs.existsSync(path.join(publishDir, 'lab-intruder'))).toBe(false);
    expect(
      (
        await api(
          'GET',
          '/catalog/entities/by-name/inferenceendpoint/default/lab-intruder',
        )
      ).status,
    ).toBe(404);
    expect(cluster.requests.filter(r => r.method !== 'GET')).toEqual([]);
  });

  it('runs check-only on a pool whose cluster is not configured, and says so plainly', async () => {
    const run = await runTemplate({
      ...form,
      name: 'summarizer-east',
      gpuPool: 'gpupool:default/h100-inference',
    });
    expectCompleted(run);
    const deployment = run.output.text.find(
      (t: { title: string }) => t.title === 'Deployment',
    );
    expect(deployment.content).toMatch(
      /^Check-only: NOTHING WAS APPLIED to cluster gpu-us-east\./,
    );
    expect(deployment.content).toContain(
      'runs on cluster "gpu-us-east", which is not configured: add it under kubernetes.clusterLocatorMethods',
    );
    // The task output shows what would have been applied.
    const rendered = run.output.text.find(
      (t: { title: string }) =>
        t.title === 'Rendered objects (nothing was applied)',
    );
    const objects = yaml
      .parseAllDocuments(
        rendered.content.replace(/^```yaml\n/, '').replace(/```\s*$/, ''),
      )
      .map(d => d.toJS());
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ServiceAccount/summarizer-east',
      'Deployment/summarizer-east',
      'Service/summarizer-east',
      'PodDisruptionBudget/summarizer-east',
    ]);
    expect(run.output.text.map((t: { title: string }) => t.title)).toContain(
      'Rendered objects (nothing was applied)',
    );
    expect(
      fs.existsSync(
        path.join(
          publishDir,
          'summarizer-east/deploy/kubernetes/deployment.yaml',
        ),
      ),
    ).toBe(true);
    expect(
      cluster
        .listObjects({ apiVersion: 'apps/v1', kind: 'Deployment' })
        .map(d => d.metadata.name),
    ).toEqual(['ticket-summarizer']);
  });

  it('fails the size step with the explanation when the model does not fit, before anything is published', async () => {
    const run = await runTemplate({
      ...form,
      name: 'too-big',
      model: 'model:default/llama-3-1-70b-instruct',
      modelVersion: 'v1',
      gpuPool: 'gpupool:default/l4-inference',
    });
    expect(run.status).toBe('failed');
    expect(run.log.join('\n')).toMatch(
      /does not fit on gpupool:default\/l4-inference\. .*It does not fit: even 4 GPUs of one node give 86\.4 GiB/,
    );
    expect(fs.existsSync(path.join(publishDir, 'too-big'))).toBe(false);
  });
});
