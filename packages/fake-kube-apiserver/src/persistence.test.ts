import fs from 'fs';
import os from 'os';
import path from 'path';
import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from './FakeKubeApiServer';
import { readStateFile, STATE_FILE_FORMAT } from './persistence';
import {
  applyObject,
  loadClientNode,
  statusOf,
  waitUntil,
} from './__testUtils__/clients';
import type { KubeObject } from './types';

const deployment = (replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'chat', namespace: 'team-a', labels: { app: 'chat' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'chat' } },
    template: {
      metadata: { labels: { app: 'chat' } },
      spec: {
        containers: [
          {
            name: 'vllm',
            image: 'vllm/vllm-openai:v0.10.1',
            resources: { limits: { 'nvidia.com/gpu': '1' } },
          },
        ],
      },
    },
  },
});

const gpuNode = {
  name: 'gpu-1',
  labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' },
  allocatable: { 'nvidia.com/gpu': '4' },
};

const pods = (server: FakeKubeApiServer) =>
  server.listObjects({ apiVersion: 'v1', kind: 'Pod', namespace: 'team-a' });

const ready = (pod: KubeObject) =>
  (
    (pod.status as { conditions?: Array<{ type: string; status: string }> })
      ?.conditions ?? []
  ).some(c => c.type === 'Ready' && c.status === 'True');

beforeAll(() => {
  loadClientNode();
}, 60_000);

describe('the state file', () => {
  let dir: string;
  const servers: FakeKubeApiServer[] = [];
  const start = async (
    options: Parameters<typeof startFakeKubeApiServer>[0] = {},
  ) => {
    const server = await startFakeKubeApiServer({
      stateFile: path.join(dir, 'cluster.json'),
      stateSaveDelayMs: 10,
      rolloutDelayMs: 0,
      nodes: [gpuNode],
      ...options,
    });
    servers.push(server);
    return server;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-kube-state-'));
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map(s => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is written at start, so that an empty cluster has one too', async () => {
    const server = await start();
    const file = readStateFile(server.stateFile!)!;
    expect(file.objects.map(o => o.object.metadata.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'gpu-1']),
    );
    expect(JSON.parse(fs.readFileSync(server.stateFile!, 'utf8')).format).toBe(
      STATE_FILE_FORMAT,
    );
  });

  it('keeps objects, their uids, resourceVersions and field owners across a restart', async () => {
    const first = await start({
      seed: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: {
            name: 'team-a',
            annotations: { 'ai-platform.io/owners': 'group:default/team-a' },
          },
        },
      ],
    });
    await applyObject(first, deployment(2));
    await waitUntil(
      () => pods(first).length === 2 && pods(first).every(ready),
      5000,
    );
    const before = first.getObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'team-a',
      name: 'chat',
    })!;
    const podNames = pods(first).map(p => p.metadata.name);
    await first.close();

    const second = await start();
    const after = second.getObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'team-a',
      name: 'chat',
    })!;
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.metadata.resourceVersion).toBe(
      before.metadata.resourceVersion,
    );
    expect(after.metadata.managedFields).toEqual(before.metadata.managedFields);
    expect(after.status).toEqual(before.status);
    expect(pods(second).map(p => p.metadata.name)).toEqual(podNames);
    expect(pods(second).every(ready)).toBe(true);
    expect(
      second.getObject({ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' })
        ?.metadata.annotations,
    ).toEqual({ 'ai-platform.io/owners': 'group:default/team-a' });

    // Ownership survived: another manager's different value conflicts.
    const conflict = await applyObject(
      second,
      { ...deployment(3), metadata: { name: 'chat', namespace: 'team-a' } },
      { manager: 'kubectl' },
    ).catch(e => e);
    expect(statusOf(conflict)).toMatchObject({
      code: 409,
      message: expect.stringContaining('conflict with "ai-platform"'),
    });

    // New writes continue the resourceVersion counter.
    const scaled = await applyObject(second, deployment(3));
    expect(Number(scaled.metadata!.resourceVersion)).toBeGreaterThan(
      Number(before.metadata.resourceVersion),
    );
    await waitUntil(() => pods(second).length === 3, 5000);
  });

  it('starts the pods a stopped server had scheduled but not started', async () => {
    const first = await start({
      rolloutDelayMs: 60_000,
      namespaces: ['default', 'team-a'],
    });
    await applyObject(first, deployment(1));
    await waitUntil(
      () =>
        pods(first).length === 1 &&
        Boolean((pods(first)[0].spec as { nodeName?: string }).nodeName),
      5000,
    );
    expect(pods(first).every(ready)).toBe(false);
    await first.close();

    const second = await start({ rolloutDelayMs: 0 });
    await second.waitForObject(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'team-a',
        name: 'chat',
      },
      d => (d?.status as { readyReplicas?: number })?.readyReplicas === 1,
    );
    expect(pods(second)).toHaveLength(1);
  });

  it('writes changes after the debounce delay, not on every write', async () => {
    const server = await start({ stateSaveDelayMs: 100 });
    const mtime = () => fs.statSync(server.stateFile!).mtimeMs;
    const startedAt = mtime();
    server.seed([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } },
    ]);
    const names = () =>
      readStateFile(server.stateFile!)!.objects.map(
        o => o.object.metadata.name,
      );
    expect(names()).not.toContain('a');
    expect(mtime()).toBe(startedAt);
    await waitUntil(() => names().includes('b'), 2000);
    expect(names()).toContain('a');
  });

  it('drops events older than an hour, as a real cluster does', () => {
    const file = path.join(dir, 'events.json');
    const event = (name: string, at: string) => ({
      group: '',
      version: 'v1',
      resource: 'events',
      object: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: 'a', uid: name },
        lastTimestamp: at,
      },
      managers: [],
    });
    fs.writeFileSync(
      file,
      JSON.stringify({
        format: STATE_FILE_FORMAT,
        savedAt: '2026-01-01T12:00:00Z',
        resourceVersion: 7,
        objects: [
          event('old', '2026-01-01T10:00:00Z'),
          event('new', '2026-01-01T11:30:00Z'),
        ],
      }),
    );
    const state = readStateFile(file, Date.parse('2026-01-01T12:00:00Z'))!;
    expect(state.objects.map(o => o.object.metadata.name)).toEqual(['new']);
    expect(state.resourceVersion).toBe(7);
  });

  it('refuses a file that is not a state file, naming it', async () => {
    const file = path.join(dir, 'cluster.json');
    fs.writeFileSync(file, '{"objects": ');
    await expect(start()).rejects.toThrow(
      `The fake Kubernetes API server's state file ${file} is not JSON`,
    );
    fs.writeFileSync(file, '{"hello": "world"}');
    await expect(start()).rejects.toThrow(
      'is not a fake-kube-apiserver-state/v1 state file; delete it to start with an empty cluster',
    );
  });
});

describe('the port option', () => {
  it('listens on the port asked for', async () => {
    const probe = await startFakeKubeApiServer();
    const port = Number(new URL(probe.url).port);
    await probe.close();
    const server = await startFakeKubeApiServer({ port });
    try {
      expect(server.url).toBe(`http://127.0.0.1:${port}`);
      expect((await fetch(`${server.url}/version`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
