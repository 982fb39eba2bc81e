import http from 'http';
import type { AddressInfo } from 'net';
import recorded from './__fixtures__/clusterqueue-h100-inference.json';
import { KueueReader, parseClusterQueue } from './KueueReader';

// client-node 1.x (which KueueReader loads on first use) is a large ESM
// package: its first load can take seconds on a cold Jest cache. Load it
// once here, with room for that, instead of inside one test's 5 s budget.
beforeAll(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@kubernetes/client-node');
}, 60_000);

describe('parseClusterQueue', () => {
  it('reads the GPU quota, usage and reservation of the pool flavor', () => {
    expect(
      parseClusterQueue('h100-inference', recorded, {
        resource: 'nvidia.com/gpu',
        flavor: 'h100-80gb',
      }),
    ).toEqual({
      clusterQueue: 'h100-inference',
      flavor: 'h100-80gb',
      resource: 'nvidia.com/gpu',
      nominalQuota: 32,
      borrowingLimit: 8,
      used: 14,
      reserved: 14,
      admittedWorkloads: 5,
      pendingWorkloads: 1,
      active: true,
    });
  });

  it('has no numbers for a resource the queue does not cover', () => {
    expect(
      parseClusterQueue('h100-inference', recorded, {
        resource: 'nvidia.com/mig-3g.20gb',
      }),
    ).toMatchObject({ nominalQuota: undefined, used: undefined });
  });
});

describe('KueueReader', () => {
  it('reads a ClusterQueue through @kubernetes/client-node with the service account token', async () => {
    const requests: Array<{ url?: string; authorization?: string }> = [];
    const server = http.createServer((req, res) => {
      requests.push({ url: req.url, authorization: req.headers.authorization });
      if (
        req.url === '/apis/kueue.x-k8s.io/v1beta1/clusterqueues/h100-inference'
      ) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(recorded));
      } else {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
          }),
        );
      }
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const cluster = {
      name: 'gpu-us-east',
      url: `http://127.0.0.1:${port}`,
      auth: { provider: 'serviceAccount', token: 'sa-token-123' },
      // client-node speaks plain HTTP (the loopback fake) only without TLS checks.
      skipTLSVerify: true,
    };
    try {
      const status = await new KueueReader().read({
        cluster,
        clusterQueue: 'h100-inference',
        resource: 'nvidia.com/gpu',
        flavor: 'h100-80gb',
      });
      expect(status).toMatchObject({ nominalQuota: 32, used: 14 });
      expect(requests).toEqual([
        {
          url: '/apis/kueue.x-k8s.io/v1beta1/clusterqueues/h100-inference',
          authorization: 'Bearer sa-token-123',
        },
      ]);
      await expect(
        new KueueReader().read({
          cluster,
          clusterQueue: 'missing',
          resource: 'nvidia.com/gpu',
        }),
      ).rejects.toThrow();
    } finally {
      server.close();
    }
  });
});
