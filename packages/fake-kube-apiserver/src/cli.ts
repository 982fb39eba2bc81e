/*
 * The demo's simulated GPU clusters, as a process of their own:
 *
 *   node --require @backstage/cli/config/nodeTransform.cjs \
 *     packages/fake-kube-apiserver/src/cli.ts \
 *     --config app-config.yaml --config app-config.simulated.yaml \
 *     [--examples examples] [--state-dir .data/clusters] [--rollout-delay-ms 2000]
 *
 * One fake API server per cluster named in aiPlatform.demo.simulatedClusters,
 * on the port and with the token of its kubernetes.clusterLocatorMethods
 * entry, with GPU nodes, namespaces and Kueue queues derived from the
 * example catalog. Without --state-dir nothing is kept. SIGINT or SIGTERM
 * writes the state files and stops.
 */
import { readSimulationConfig } from './demo/config';
import { readExampleEntities } from './demo/examples';
import { startSimulatedClusters } from './demo/startSimulatedClusters';

function parseArgs(argv: string[]) {
  const options = {
    configs: [] as string[],
    examples: 'examples',
    stateDir: undefined as string | undefined,
    rolloutDelayMs: undefined as number | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value`);
      return v;
    };
    switch (argv[i]) {
      case '--config':
        options.configs.push(value());
        break;
      case '--examples':
        options.examples = value();
        break;
      case '--state-dir':
        options.stateDir = value();
        break;
      case '--rollout-delay-ms':
        options.rolloutDelayMs = Number(value());
        break;
      default:
        throw new Error(
          `Unknown argument ${argv[i]}; usage: cli.ts --config <app-config.yaml>... [--examples <dir>] [--state-dir <dir>] [--rollout-delay-ms <ms>]`,
        );
    }
  }
  if (!options.configs.length) {
    throw new Error('Give the app-config files with --config');
  }
  return options;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const { clusters } = readSimulationConfig(options.configs);
  if (!clusters.length) {
    throw new Error(
      `No simulated clusters: aiPlatform.demo.simulatedClusters is empty in ${options.configs.join(
        ', ',
      )}`,
    );
  }
  const log = (message: string) =>
    process.stdout.write(`[simulated-clusters] ${message}\n`);
  const running = await startSimulatedClusters({
    clusters,
    entities: readExampleEntities(options.examples),
    stateDir: options.stateDir,
    rolloutDelayMs: options.rolloutDelayMs,
    log,
  });
  log('Ready');
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: saving state and stopping`);
    running.close().then(
      () => process.exit(0),
      error => {
        process.stderr.write(`[simulated-clusters] ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
}

main().catch(error => {
  process.stderr.write(
    `[simulated-clusters] ${
      error instanceof Error ? error.message : String(error)
    }\n`,
  );
  process.exit(1);
});
