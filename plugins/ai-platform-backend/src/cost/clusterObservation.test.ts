import type { LiveObject } from '../deploy/kube/KubernetesClusterClient';
import { heldSeconds, observePod, observeWorkload } from './clusterObservation';

const t = (iso: string) => Date.parse(iso) / 1000;

describe('clusterObservation', () => {
  it('keeps of a pod its GPU requests (limits when no request), node, when it was bound and its Deployment', () => {
    const pod = observePod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'chat-7d9f8c6b5-abcde',
        namespace: 'chat',
        creationTimestamp: '2026-12-07T09:59:00Z',
        labels: {
          'backstage.io/kubernetes-id': 'chat',
          'pod-template-hash': '7d9f8c6b5',
        },
        ownerReferences: [{ kind: 'ReplicaSet', name: 'chat-7d9f8c6b5' }],
      },
      spec: {
        nodeName: 'gpu-1',
        containers: [
          { resources: { limits: { 'nvidia.com/gpu': '2', cpu: '4' } } },
          {
            resources: {
              requests: { 'nvidia.com/gpu': '1', 'hugepages-2Mi': '1Gi' },
            },
          },
        ],
      },
      status: {
        phase: 'Running',
        startTime: new Date('2026-12-07T10:00:30Z'),
        conditions: [
          {
            type: 'PodScheduled',
            status: 'True',
            lastTransitionTime: new Date('2026-12-07T10:00:00Z'),
          },
        ],
      },
    } as unknown as LiveObject);
    expect(pod).toEqual({
      namespace: 'chat',
      name: 'chat-7d9f8c6b5-abcde',
      kubernetesId: 'chat',
      workload: 'chat',
      nodeName: 'gpu-1',
      phase: 'Running',
      requests: { 'nvidia.com/gpu': 3 },
      since: t('2026-12-07T10:00:00Z'),
    });
    expect(
      heldSeconds(pod, t('2026-12-07T09:55:00Z'), t('2026-12-07T10:05:00Z')),
    ).toBe(300);
  });

  it('ends a terminated pod when its containers finished, and holds nothing unbound', () => {
    const done = observePod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'p',
        namespace: 'ns',
        deletionTimestamp: '2026-12-07T10:03:00Z',
      },
      spec: { nodeName: 'n' },
      status: {
        phase: 'Failed',
        startTime: '2026-12-07T10:00:00Z',
        containerStatuses: [
          { state: { terminated: { finishedAt: '2026-12-07T10:02:00Z' } } },
        ],
      },
    } as unknown as LiveObject);
    expect(done).toMatchObject({
      until: t('2026-12-07T10:02:00Z'),
      deleting: true,
    });
    expect(
      heldSeconds(done, t('2026-12-07T10:00:00Z'), t('2026-12-07T10:05:00Z')),
    ).toBe(120);
    const pending = observePod({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'q',
        namespace: 'ns',
        creationTimestamp: '2026-12-07T10:00:00Z',
      },
      spec: {},
      status: { phase: 'Pending' },
    } as unknown as LiveObject);
    expect(heldSeconds(pending, 0, 2e9)).toBe(0);
    // Seen last at 10:01: held until then, not after.
    expect(
      heldSeconds(
        { ...done, until: undefined },
        t('2026-12-07T10:00:00Z'),
        t('2026-12-07T10:05:00Z'),
        t('2026-12-07T10:01:00Z'),
      ),
    ).toBe(60);
  });

  it("keeps of a Deployment the portal's annotations", () => {
    expect(
      observeWorkload({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'chat',
          namespace: 'chat',
          labels: { 'backstage.io/kubernetes-id': 'chat' },
          annotations: {
            'ai-platform.io/endpoint': 'inferenceendpoint:default/chat',
            'ai-platform.io/owner': 'group:default/a',
          },
        },
      }),
    ).toEqual({
      namespace: 'chat',
      name: 'chat',
      kubernetesId: 'chat',
      endpoint: 'inferenceendpoint:default/chat',
      owner: 'group:default/a',
    });
  });
});
