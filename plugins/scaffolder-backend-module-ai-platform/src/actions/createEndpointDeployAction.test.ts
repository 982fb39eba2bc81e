import { mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type {
  DeploymentRecord,
  DeploymentState,
} from '@internal/plugin-ai-platform-common';
import { AiPlatformClient } from '@internal/plugin-ai-platform-node';
import fs from 'fs';
import os from 'os';
import path from 'path';
import yaml from 'yaml';
import {
  createEndpointDeployAction,
  summarizeDeployment,
} from './createEndpointDeployAction';
import { examples } from './createEndpointDeployAction.examples';

const base = 'http://127.0.0.1:7007/api/ai-platform';

function record(
  state: DeploymentState,
  events: string[],
  extra: Partial<DeploymentRecord> = {},
): DeploymentRecord {
  return {
    id: 'dep-1',
    endpointRef: 'inferenceendpoint:default/chat',
    revision: 4,
    operation: 'deploy',
    state,
    dryRun: false,
    modelRef: 'model:default/llama-3-1-8b-instruct',
    modelVersion: 'v2',
    poolRef: 'gpupool:default/l4-inference',
    cluster: 'gpu-eu-west',
    namespace: 'chat',
    gpus: 1,
    requestedBy: 'user:default/mock',
    specHash: 'h',
    checks: [],
    events: events.map((message, i) => ({
      at: `2026-01-01T00:00:0${i}.000Z`,
      level: message.startsWith('!') ? 'warning' : 'info',
      message: message.replace(/^!/, ''),
    })),
    objects: [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat' },
      { apiVersion: 'v1', kind: 'Service', name: 'chat' },
    ],
    team: 'group:default/applied-ml',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}

/**
 * The deployment API over a fake fetch: POST /deployments answers the first
 * snapshot (202), each GET /deployments/dep-1 the next one.
 */
function fakeApi(snapshots: DeploymentRecord[]) {
  const posted: unknown[] = [];
  let index = 0;
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  const fetchImpl = async (url: any, init?: RequestInit) => {
    const target = String(url).slice(base.length);
    if (init?.method === 'POST' && target === '/deployments') {
      posted.push(JSON.parse(String(init.body)));
      return json(202, snapshots[0]);
    }
    if (target === '/deployments/dep-1') {
      const answer = snapshots[Math.min(index, snapshots.length - 1)];
      index += 1;
      return json(200, answer);
    }
    return json(404, {
      error: { name: 'NotFoundError', message: `no route ${target}` },
      response: { statusCode: 404 },
    });
  };
  const client = new AiPlatformClient({
    discovery: {
      getBaseUrl: async () => base,
      getExternalBaseUrl: async () => base,
    },
    fetch: fetchImpl as typeof fetch,
  });
  return { client, posted };
}

function setup(snapshots: DeploymentRecord[]) {
  const api = fakeApi(snapshots);
  const action = createEndpointDeployAction({
    client: api.client,
    auth: mockServices.auth(),
    pollIntervalMs: 1,
  });
  const logger = mockServices.logger.mock();
  const contextFor = (input: Record<string, unknown>) =>
    createMockActionContext({ input: input as any, logger });
  return { ...api, action, logger, contextFor };
}

describe('ai-platform:endpoint:deploy', () => {
  it('deploys, logs each event once while the rollout runs, and outputs the result', async () => {
    const { action, posted, logger, contextFor } = setup([
      record('checking', ['permission: granted']),
      record('applying', ['permission: granted', 'sizing: fits']),
      record('rolling-out', [
        'permission: granted',
        'sizing: fits',
        '!FailedScheduling: 0/4 nodes are available',
      ]),
      record('succeeded', [
        'permission: granted',
        'sizing: fits',
        '!FailedScheduling: 0/4 nodes are available',
        '1 of 1 replicas ready',
      ]),
    ]);
    const ctx = contextFor({
      endpoint: 'inferenceendpoint:default/chat',
      reason: 'first rollout',
    });
    await action.handler(ctx);

    expect(posted).toEqual([
      {
        endpoint: 'inferenceendpoint:default/chat',
        // The task and step: a resumed task sends the same key again.
        idempotencyKey: 'scaffolder:mock-task-id:mock-step-id',
        reason: 'first rollout',
      },
    ]);
    const infos = logger.info.mock.calls.map(c => c[0]);
    expect(infos.filter(l => l === 'sizing: fits')).toHaveLength(1);
    expect(infos).toEqual(
      expect.arrayContaining(['permission: granted', '1 of 1 replicas ready']),
    );
    expect(logger.warn).toHaveBeenCalledWith(
      'FailedScheduling: 0/4 nodes are available',
    );
    expect(ctx.output).toHaveBeenCalledWith('deploymentId', 'dep-1');
    expect(ctx.output).toHaveBeenCalledWith('revision', 4);
    expect(ctx.output).toHaveBeenCalledWith('state', 'succeeded');
    expect(ctx.output).toHaveBeenCalledWith('applied', true);
    expect(ctx.output).not.toHaveBeenCalledWith('manifests', expect.anything());
    expect(ctx.output).toHaveBeenCalledWith(
      'message',
      expect.stringMatching(
        /^Deployed inferenceendpoint:default\/chat revision 4 .*Deployment\/chat, Service\/chat applied and the rollout finished\.$/,
      ),
    );
  });

  it('says so when the cluster is one the demo simulates', () => {
    const done = record('succeeded', []);
    expect(
      summarizeDeployment(done, { simulatedClusters: ['gpu-eu-west'] }),
    ).toMatch(
      /applied and the rollout finished\. Cluster gpu-eu-west is SIMULATED \(the demo's fake Kubernetes API server with simulated GPU nodes\): nothing runs on a real GPU\.$/,
    );
    expect(
      summarizeDeployment(done, { simulatedClusters: ['gpu-us-east'] }),
    ).not.toMatch(/SIMULATED/);
  });

  it('does not fail for check-only, and says plainly that nothing was applied and which config is missing', async () => {
    const missing =
      'Nothing was applied: gpupool:default/l4-inference runs on cluster "gpu-eu-west", which is not configured: add it under kubernetes.clusterLocatorMethods (type: config) as clusters[].name: gpu-eu-west with its url and authProvider (no clusters are configured). The checks ran and the objects were rendered; add the cluster to kubernetes.clusterLocatorMethods to deploy.';
    const rendered = [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'chat', namespace: 'chat' },
        spec: { replicas: 1 },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'chat', namespace: 'chat' },
      },
    ];
    const { action, contextFor, logger } = setup([
      record('check-only', ['apply: skipped'], {
        checks: [
          { name: 'permission', status: 'passed', message: 'granted' },
          { name: 'apply', status: 'skipped', message: missing },
        ],
        manifests: rendered,
      }),
    ]);
    const ctx = contextFor({ endpoint: 'chat' });
    await action.handler(ctx);
    // The rendered objects are in the task log and the output.
    const manifests = (ctx.output as jest.Mock).mock.calls.find(
      c => c[0] === 'manifests',
    )![1];
    expect(yaml.parseAllDocuments(manifests).map(d => d.toJS())).toEqual(
      rendered,
    );
    expect(logger.info).toHaveBeenCalledWith(
      `The rendered objects (not applied):\n${manifests}`,
    );
    expect(ctx.output).toHaveBeenCalledWith('state', 'check-only');
    expect(ctx.output).toHaveBeenCalledWith('applied', false);
    const message = (ctx.output as jest.Mock).mock.calls.find(
      c => c[0] === 'message',
    )![1];
    expect(message).toMatch(
      /^Check-only: NOTHING WAS APPLIED to cluster gpu-eu-west\./,
    );
    expect(message).toContain(
      'cluster "gpu-eu-west", which is not configured: add it under kubernetes.clusterLocatorMethods',
    );
    expect(logger.warn).toHaveBeenCalledWith(message);
  });

  it("fails the task with the record's error", async () => {
    const { action, contextFor } = setup([
      record('checking', []),
      record('failed', ['quota: failed'], {
        error: {
          check: 'quota',
          message:
            'group:default/applied-ml would use 14 of its 12 GPUs on l4-inference',
        },
      }),
    ]);
    await expect(
      action.handler(contextFor({ endpoint: 'chat' })),
    ).rejects.toThrow(
      /failed at the quota check: group:default\/applied-ml would use 14 of its 12 GPUs on l4-inference$/,
    );
  });

  it('does not deploy twice when a retried task runs the step again', async () => {
    const { action, posted, contextFor } = setup([record('succeeded', [])]);
    const checkpoints = new Map<string, unknown>();
    const checkpoint = async ({ key, fn }: { key: string; fn: () => any }) => {
      if (!checkpoints.has(key)) checkpoints.set(key, await fn());
      return checkpoints.get(key) as any;
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      const ctx = { ...contextFor({ endpoint: 'default/Chat' }), checkpoint };
      await action.handler(ctx);
      expect(ctx.output).toHaveBeenCalledWith('deploymentId', 'dep-1');
    }
    expect(posted).toHaveLength(1);
    expect([...checkpoints.entries()]).toEqual([
      ['ai-platform.deploy.inferenceendpoint:default/chat', 'dep-1'],
    ]);
  });

  it('starts one deployment when a task resumes after a crash between the deploy and its checkpoint', async () => {
    // The API as the backend keeps it: one deployment per idempotency key.
    const deployments = new Map<string, DeploymentRecord>();
    const fetchImpl = async (url: any, init?: RequestInit) => {
      const target = String(url).slice(base.length);
      const json = (status: number, body: unknown) =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'Content-Type': 'application/json' },
        });
      if (init?.method === 'POST' && target === '/deployments') {
        const { idempotencyKey } = JSON.parse(String(init.body));
        const key = idempotencyKey ?? `no-key-${deployments.size}`;
        if (!deployments.has(key)) {
          deployments.set(
            key,
            record('succeeded', [], { id: `dep-${deployments.size + 1}` }),
          );
        }
        return json(202, deployments.get(key));
      }
      const found = [...deployments.values()].find(
        d => target === `/deployments/${d.id}`,
      );
      return found
        ? json(200, found)
        : json(404, { error: { name: 'NotFoundError', message: target } });
    };
    const action = createEndpointDeployAction({
      client: new AiPlatformClient({
        discovery: {
          getBaseUrl: async () => base,
          getExternalBaseUrl: async () => base,
        },
        fetch: fetchImpl as typeof fetch,
      }),
      auth: mockServices.auth(),
      pollIntervalMs: 1,
    });
    // The checkpoint store survives the restart; the first run dies after
    // the deploy was accepted and before its checkpoint was saved.
    const saved = new Map<string, unknown>();
    let crash = true;
    const checkpoint = async ({ key, fn }: { key: string; fn: () => any }) => {
      if (saved.has(key)) return saved.get(key) as any;
      const value = await fn();
      if (crash) {
        crash = false;
        throw new Error('the backend restarted');
      }
      saved.set(key, value);
      return value;
    };
    const context = () => ({
      ...createMockActionContext({
        input: { endpoint: 'default/Chat' } as any,
        task: { id: 'task-42' },
      } as any),
      checkpoint,
    });
    await expect(action.handler(context())).rejects.toThrow(
      'the backend restarted',
    );
    const resumed = context();
    await action.handler(resumed);
    expect(resumed.output).toHaveBeenCalledWith('deploymentId', 'dep-1');
    expect([...deployments.keys()]).toEqual([
      'scaffolder:task-42:mock-step-id',
    ]);
  });

  it("refuses bad input and reports the API's refusal with its message", async () => {
    const { action, contextFor } = setup([]);
    await expect(
      action.handler(contextFor({ endpoint: 'chat', overrideGates: true })),
    ).rejects.toThrow('reason: overrideGates needs a reason');
    await expect(
      action.handler(
        contextFor({ endpoint: 'chat', catalogInfoPath: 'catalog-info.yaml' }),
      ),
    ).rejects.toThrow('Give either endpoint or catalogInfoPath, not both');

    const denied = createEndpointDeployAction({
      client: new AiPlatformClient({
        discovery: {
          getBaseUrl: async () => base,
          getExternalBaseUrl: async () => base,
        },
        fetch: async () =>
          new Response(
            JSON.stringify({
              error: {
                name: 'NotAllowedError',
                message:
                  'user:default/mock may not deploy inferenceendpoint:default/chat (permission ai-platform.endpoint.deploy)',
              },
              response: { statusCode: 403 },
            }),
            { status: 403, headers: { 'Content-Type': 'application/json' } },
          ),
      }),
      auth: mockServices.auth(),
    });
    await expect(
      denied.handler(contextFor({ endpoint: 'chat' })),
    ).rejects.toThrow(
      'Cannot deploy inferenceendpoint:default/chat: user:default/mock may not deploy inferenceendpoint:default/chat (permission ai-platform.endpoint.deploy) (HTTP 403)',
    );
  });

  it.each(examples.map(e => [e.description, e.example]))(
    'runs the example: %s',
    async (_description, example) => {
      const step = yaml.parse(example).steps[0];
      const { action, posted } = setup([
        record(step.input.dryRun ? 'dry-run' : 'succeeded', []),
      ]);
      expect(step.action).toBe(action.id);
      const workspacePath = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-'));
      try {
        fs.writeFileSync(
          path.join(workspacePath, 'catalog-info.yaml'),
          yaml.stringify({
            apiVersion: 'ai-platform.io/v1alpha1',
            kind: 'InferenceEndpoint',
            metadata: { name: 'chat' },
            spec: {},
          }),
        );
        const ctx = createMockActionContext({
          input: step.input,
          workspacePath,
        });
        await action.handler(ctx);
        expect(posted).toHaveLength(1);
        expect(ctx.output).toHaveBeenCalledWith('deploymentId', 'dep-1');
      } finally {
        fs.rmSync(workspacePath, { recursive: true, force: true });
      }
    },
  );
});
