/*
 * The other side of the collector benchmark, in processes of their own as
 * real clusters and Prometheus are (one per cluster, or the clusters given
 * as the third argument): fake Kubernetes API servers
 * (controllers off, the fleet seeded as it would run) and a fake Prometheus
 * serving the simulated series of those pods, on loopback. Tells its parent
 * (IPC, messages tagged `bench`: Backstage's transform sends its own) the clusters' configs and Prometheus' URL, answers `counts` with
 * the requests each saw, and stops on `stop`.
 */
import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from '@internal/fake-kube-apiserver';
import {
  startFakePrometheus,
  type ServingPod,
} from '@internal/fake-prometheus';
import {
  CLUSTERS,
  NAMESPACES_PER_CLUSTER,
  endpointsIn,
  objectsOf,
} from './collectorFleet';

async function main() {
  const endpoints = Number(process.argv[2]);
  const since = process.argv[3];
  // The clusters this process serves (indexes into CLUSTERS); default all.
  const mine = process.argv[4]
    ? process.argv[4].split(',').map(Number)
    : CLUSTERS.map((_, i) => i);
  const servers: FakeKubeApiServer[] = [];
  const serving = new Map<string, ServingPod[]>();
  for (const c of mine) {
    const cluster = CLUSTERS[c];
    const objects = Array.from({ length: endpointsIn(endpoints, c) }, (_, i) =>
      objectsOf(cluster, i, since),
    );
    const server = await startFakeKubeApiServer({
      controllers: false,
      clusterName: cluster,
      namespaces: [
        'default',
        ...Array.from(
          { length: NAMESPACES_PER_CLUSTER },
          (_, i) => `team-${i}`,
        ),
      ],
    });
    server.seed(objects.flatMap(o => [o.deployment, o.pod]));
    servers.push(server);
    serving.set(
      cluster,
      objects.map(o => o.serving),
    );
  }
  let prometheusRequests = 0;
  const prometheus = await startFakePrometheus({
    routes: mine
      .map(c => CLUSTERS[c])
      .map(cluster => ({
        path: `/clusters/${cluster}`,
        clusters: [{ name: cluster, url: 'http://127.0.0.1:1' }],
      })),
    // Each route serves one cluster: its pods, the same array every time.
    pods: async clusters => {
      prometheusRequests++;
      return serving.get(clusters[0].name) ?? [];
    },
  });
  process.on('message', async (message: string) => {
    if (message === 'reset') {
      for (const s of servers) s.clearRequests();
      prometheusRequests = 0;
      process.send!({ bench: 'reset' });
    } else if (message === 'counts') {
      process.send!({
        bench: 'counts',
        clusterRequests: servers.reduce((n, s) => n + s.requests.length, 0),
        prometheusRequests,
      });
    } else if (message === 'stop') {
      await prometheus.close();
      for (const s of servers) await s.close();
      process.exit(0);
    }
  });
  process.send!({
    bench: 'ready',
    clusters: servers.map(s => s.clusterConfig()),
    prometheusUrl: prometheus.url,
  });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
