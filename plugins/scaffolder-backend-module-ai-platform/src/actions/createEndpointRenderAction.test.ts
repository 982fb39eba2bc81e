import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type {
  AiPlatformClient,
  RenderResponse,
} from '@internal/plugin-ai-platform-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import yaml from 'yaml';
import { createEndpointRenderAction } from './createEndpointRenderAction';
import { examples } from './createEndpointRenderAction.examples';

function rendered(name: string, namespace: string): RenderResponse {
  const meta = {
    name,
    namespace,
    labels: { 'app.kubernetes.io/name': 'vllm' },
  };
  return {
    endpointRef: `inferenceendpoint:default/${name}`,
    cluster: 'gpu-eu-west',
    namespace,
    name,
    modelVersion: 'v2',
    tensorParallelSize: 1,
    gpus: 3,
    warnings: ['no spec.url: clients find the Service inside the cluster'],
    objects: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta,
        spec: { replicas: 1 },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta,
        spec: { ports: [{ port: 8000 }] },
      },
      {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: meta,
        spec: { maxUnavailable: 1 },
      },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: meta,
        spec: { minReplicas: 1, maxReplicas: 3 },
      },
    ],
  };
}

const workspaces: string[] = [];
afterEach(() => {
  for (const dir of workspaces.splice(0)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function setup() {
  const render = jest.fn(async (request: any) =>
    rendered(
      typeof request.endpoint === 'string'
        ? request.endpoint.split('/').pop()
        : request.endpoint.metadata.name,
      'chat',
    ),
  );
  const client = { render } as unknown as AiPlatformClient;
  const action = createEndpointRenderAction({
    client,
    auth: mockServices.auth(),
  });
  const workspacePath = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
  workspaces.push(workspacePath);
  const contextFor = (input: Record<string, unknown>) =>
    createMockActionContext({ input: input as any, workspacePath });
  return { render, action, workspacePath, contextFor };
}

describe('ai-platform:endpoint:render', () => {
  it('writes one file per object and a kustomization, and outputs the list', async () => {
    const { action, workspacePath, contextFor, render } = setup();
    const ctx = contextFor({ endpoint: 'inferenceendpoint:default/chat' });
    await action.handler(ctx);

    expect(render).toHaveBeenCalledWith(
      { endpoint: 'inferenceendpoint:default/chat' },
      { token: expect.stringContaining('ai-platform') },
    );
    const folder = path.join(workspacePath, 'deploy/kubernetes');
    expect(fs.readdirSync(folder).sort()).toEqual([
      'deployment.yaml',
      'horizontalpodautoscaler.yaml',
      'kustomization.yaml',
      'poddisruptionbudget.yaml',
      'service.yaml',
    ]);
    const deployment = fs.readFileSync(
      path.join(folder, 'deployment.yaml'),
      'utf8',
    );
    expect(deployment).toMatch(
      /^# Rendered by the AI platform portal from inferenceendpoint:default\/chat\n/,
    );
    expect(yaml.parse(deployment)).toMatchObject({
      kind: 'Deployment',
      metadata: { name: 'chat', namespace: 'chat' },
      spec: { replicas: 1 },
    });
    expect(
      yaml.parse(
        fs.readFileSync(path.join(folder, 'kustomization.yaml'), 'utf8'),
      ).resources,
    ).toEqual([
      'deployment.yaml',
      'service.yaml',
      'poddisruptionbudget.yaml',
      'horizontalpodautoscaler.yaml',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('objects', [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'chat',
        namespace: 'chat',
        path: 'deploy/kubernetes/deployment.yaml',
      },
      expect.objectContaining({ kind: 'Service' }),
      expect.objectContaining({ kind: 'PodDisruptionBudget' }),
      expect.objectContaining({ kind: 'HorizontalPodAutoscaler' }),
    ]);
    expect(ctx.output).toHaveBeenCalledWith('warnings', [
      'no spec.url: clients find the Service inside the cluster',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('gpus', 3);
    expect(ctx.output).toHaveBeenCalledWith('target', 'deployment');
  });

  it('says when the cluster renders the endpoint as a KServe LLMInferenceService', async () => {
    const { action, workspacePath, contextFor, render } = setup();
    const meta = { name: 'chat', namespace: 'chat' };
    render.mockImplementation(async () => ({
      ...rendered('chat', 'chat'),
      objects: [
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta },
        {
          apiVersion: 'serving.kserve.io/v1alpha2',
          kind: 'LLMInferenceService',
          metadata: meta,
          spec: { model: { uri: 'hf://org/model' } },
        },
      ],
    }));
    const ctx = contextFor({ endpoint: 'inferenceendpoint:default/chat' });
    await action.handler(ctx);
    expect(ctx.output).toHaveBeenCalledWith('target', 'llm-inference-service');
    const written = fs.readFileSync(
      path.join(workspacePath, 'deploy/kubernetes/llminferenceservice.yaml'),
      'utf8',
    );
    expect(written).toContain('# deploy target llm-inference-service).');
  });

  it('reads the InferenceEndpoint from a catalog-info.yaml in the workspace', async () => {
    const { action, workspacePath, contextFor, render } = setup();
    const endpoint = {
      apiVersion: 'ai-platform.io/v1alpha1',
      kind: 'InferenceEndpoint',
      metadata: { name: 'support-bot' },
      spec: { model: 'model:default/m' },
    };
    fs.writeFileSync(
      path.join(workspacePath, 'catalog-info.yaml'),
      [
        yaml.stringify(endpoint),
        yaml.stringify({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'support-bot' },
        }),
      ].join('---\n'),
    );
    const ctx = contextFor({
      catalogInfoPath: 'catalog-info.yaml',
      targetPath: 'k8s',
      singleFile: true,
    });
    await action.handler(ctx);
    expect(render).toHaveBeenCalledWith({ endpoint }, expect.anything());
    const text = fs.readFileSync(
      path.join(workspacePath, 'k8s/manifests.yaml'),
      'utf8',
    );
    expect(yaml.parseAllDocuments(text).map(d => d.toJS().kind)).toEqual([
      'Deployment',
      'Service',
      'PodDisruptionBudget',
      'HorizontalPodAutoscaler',
    ]);
    expect(ctx.output).toHaveBeenCalledWith('files', ['k8s/manifests.yaml']);
  });

  it('refuses bad input with the field', async () => {
    const { action, contextFor } = setup();
    await expect(action.handler(contextFor({}))).rejects.toThrow(
      'endpoint or catalogInfoPath is required',
    );
    await expect(
      action.handler(contextFor({ catalogInfoPath: 'missing.yaml' })),
    ).rejects.toThrow(/^catalogInfoPath: cannot read missing.yaml/);
    await expect(
      action.handler(contextFor({ endpoint: 'model:default/m' })),
    ).rejects.toThrow('names a model, not an InferenceEndpoint');
    await expect(
      action.handler(
        contextFor({ endpoint: 'chat', targetPath: '../outside' }),
      ),
    ).rejects.toThrow(/outside/);
  });

  it.each(examples.map(e => [e.description, e.example]))(
    'runs the example: %s',
    async (_description, example) => {
      const { action, contextFor, workspacePath } = setup();
      const step = yaml.parse(example).steps[0];
      expect(step.action).toBe(action.id);
      if (step.input.catalogInfoPath) {
        fs.writeFileSync(
          path.join(workspacePath, step.input.catalogInfoPath),
          yaml.stringify({
            apiVersion: 'ai-platform.io/v1alpha1',
            kind: 'InferenceEndpoint',
            metadata: { name: 'x' },
            spec: {},
          }),
        );
      }
      const ctx = contextFor(step.input);
      await action.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith(
        'files',
        expect.arrayContaining([expect.any(String)]),
      );
    },
  );
});
