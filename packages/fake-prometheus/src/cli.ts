/*
 * The demo's simulated serving metrics, as a process of their own:
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs \
 *     packages/fake-prometheus/src/cli.ts \
 *     --config app-config.yaml --config app-config.simulated.yaml
 *
 * Answers as the Prometheus of each cluster in
 * aiPlatform.demo.simulatedClusters, on the loopback port and path of its
 * aiPlatform.cost.prometheus URL, with series of the pods that serve in that
 * cluster (read from its simulated API server). SIGINT or SIGTERM stops it.
 */
import { readSimulationConfig } from '@internal/fake-kube-apiserver';
import { startFakePrometheus } from './FakePrometheus';

async function main() {
  const configs: string[] = [];
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config' && argv[i + 1]) configs.push(argv[++i]);
    else {
      throw new Error(
        `Unknown argument ${argv[i]}; usage: cli.ts --config <app-config.yaml>...`,
      );
    }
  }
  if (!configs.length)
    throw new Error('Give the app-config files with --config');
  const { clusters, metrics } = readSimulationConfig(configs);
  if (!metrics) {
    throw new Error(
      'No simulated metrics: aiPlatform.cost.prometheus names no loopback URL (http://127.0.0.1:<port>/...) for a simulated cluster',
    );
  }
  const log = (message: string) =>
    process.stdout.write(`[simulated-metrics] ${message}\n`);
  const reported = new Set<string>();
  const prometheus = await startFakePrometheus({
    port: metrics.port,
    routes: metrics.routes.map(r => ({
      path: r.path,
      clusters: clusters
        .filter(c => r.clusters.includes(c.name))
        .map(c => ({ name: c.name, url: c.url, token: c.token })),
    })),
    onClusterError: (cluster, error) => {
      // Once per cluster until it answers again would need state; once is enough.
      if (reported.has(cluster)) return;
      reported.add(cluster);
      log(
        `cluster ${cluster} did not answer (${String(
          error,
        )}); no series for it until it does`,
      );
    },
  }).catch(error => {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(
        `port ${metrics.port} is in use (is another demo running?)`,
      );
    }
    throw error;
  });
  for (const r of metrics.routes) {
    log(`Prometheus of ${r.clusters.join(', ')} on ${prometheus.url}${r.path}`);
  }
  log('Ready');
  const stop = () => {
    prometheus.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
}

main().catch(error => {
  process.stderr.write(
    `[simulated-metrics] ${
      error instanceof Error ? error.message : String(error)
    }\n`,
  );
  process.exit(1);
});
