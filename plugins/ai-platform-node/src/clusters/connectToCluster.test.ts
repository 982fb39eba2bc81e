import http from 'http';
import type { AddressInfo } from 'net';
import { connectToCluster } from './connectToCluster';

describe('connectToCluster', () => {
  let server: http.Server;
  let url: string;
  const seen: { path?: string; authorization?: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ path: req.url, authorization: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'NamespaceList',
          metadata: {},
          items: [{ metadata: { name: 'team-a' } }],
        }),
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  it('builds the KubeConfig of the cluster', () => {
    const { kc } = connectToCluster({
      name: 'gpu-us-east',
      url: 'https://k8s.example.com',
      auth: { provider: 'serviceAccount', token: 't0k' },
      caData: 'Q0E=',
      skipTLSVerify: false,
    });
    expect(kc.getCurrentCluster()).toMatchObject({
      name: 'gpu-us-east',
      server: 'https://k8s.example.com',
      caData: 'Q0E=',
      skipTLSVerify: false,
    });
    expect(kc.getCurrentUser()?.token).toBe('t0k');
  });

  it('reaches the cluster with its service account token', async () => {
    const { k8s, kc } = connectToCluster({
      name: 'local',
      url,
      auth: { provider: 'serviceAccount', token: 'local-token' },
      skipTLSVerify: true,
    });
    const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
    expect(list.items.map(n => n.metadata?.name)).toEqual(['team-a']);
    expect(seen).toEqual([
      { path: '/api/v1/namespaces', authorization: 'Bearer local-token' },
    ]);
  });
});
