import {
  type KubeObject,
  kueueClusterQueue,
  kueueLocalQueue,
  kueueResourceFlavor,
  RbacRules,
  startFakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { readClusterInventory } from './readClusterInventory';
import { h100Node } from './__testUtils__/gfdNodes';

jest.setTimeout(30_000);

/**
 * GPU-pool discovery runs with the portal's cluster credentials: every
 * request it makes must be allowed by the RBAC the portal ships
 * (plugins/ai-platform-backend/kubernetes/portal-rbac.yaml; the deploy
 * path's requests are checked in that plugin's portalRbac.test.ts). API
 * discovery (/api, /apis) is allowed to every authenticated identity by
 * Kubernetes' default system:discovery role.
 */
const rbac = parseAllDocuments(
  fs.readFileSync(
    path.resolve(
      __dirname,
      '../../../ai-platform-backend/kubernetes/portal-rbac.yaml',
    ),
    'utf8',
  ),
).map(d => d.toJS() as KubeObject);

const portal = RbacRules.fromObjects(rbac, {
  subject: {
    kind: 'ServiceAccount',
    name: 'ai-platform-portal',
    namespace: 'backstage',
  },
});

const isDiscovery = (p: string) =>
  p === '/api' || p === '/apis' || /^\/(api\/v1|apis\/[^/]+\/[^/]+)$/.test(p);

describe("pool discovery and the portal's RBAC", () => {
  it('reads nodes, pods and Kueue objects only as the shipped ClusterRole allows', async () => {
    const server = await startFakeKubeApiServer({
      token: 't',
      groups: ['kueue'],
      nodes: [h100Node('h100-a'), h100Node('h100-b')],
      seed: [
        kueueResourceFlavor('v1beta2', { name: 'h100', nodeLabels: {} }),
        kueueClusterQueue('v1beta2', {
          name: 'h100-inference',
          resourceGroups: [],
        }),
        kueueLocalQueue('v1beta2', {
          namespace: 'team-a',
          name: 'gpu',
          clusterQueue: 'h100-inference',
        }),
      ],
    });
    try {
      await readClusterInventory(server.clusterConfig('gpu-us-east'), {
        timeoutMs: 5000,
      });
      const requests = server.requests.filter(r => !isDiscovery(r.path));
      expect(requests.length).toBeGreaterThan(2);
      expect(
        requests
          .filter(r => !portal.check(r).allowed)
          .map(r => `${r.method} ${r.path}`),
      ).toEqual([]);
      // Nothing is written.
      expect(server.requests.filter(r => r.method !== 'GET')).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
