import type { Entity } from '@backstage/catalog-model';
import path from 'path';
import {
  startFakeKubeApiServer,
  type FakeKubeApiServer,
} from '../FakeKubeApiServer';
import type { KubeObject } from '../types';
import type { SimulatedCluster } from './config';
import { LABEL_SIMULATED_NODE, simulatedClusterSpec } from './examples';

/**
 * The GatewayClasses and Gateways a cluster has from the start: each
 * Gateway with one HTTP listener on port 80 admitting routes from every
 * namespace (the endpoints' HTTPRoutes live in their own namespaces).
 */
export function gatewayObjects(cluster: SimulatedCluster): KubeObject[] {
  const gateways = cluster.gateways ?? [];
  const classes = [...new Set(gateways.map(g => g.className ?? 'simulated'))];
  return [
    ...classes.map(name => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name },
      spec: { controllerName: 'ai-platform.io/simulated-gateway-controller' },
    })),
    ...gateways.map(g => ({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { namespace: g.namespace, name: g.name },
      spec: {
        gatewayClassName: g.className ?? 'simulated',
        listeners: [
          {
            name: 'http',
            port: 80,
            protocol: 'HTTP',
            allowedRoutes: { namespaces: { from: 'All' } },
          },
        ],
      },
    })),
  ];
}

/** The running simulated clusters. */
export type SimulatedClusters = {
  servers: Array<{ cluster: SimulatedCluster; server: FakeKubeApiServer }>;
  /** Writes every state file and stops every server. */
  close(): Promise<void>;
};

/**
 * Starts one fake API server per simulated cluster on its configured port,
 * with the token of its cluster entry, the nodes, namespaces and Kueue
 * queues derived from the example catalog (see `simulatedClusterSpec`), and
 * its state in `<stateDir>/<cluster>.json` when a state folder is given. A
 * restarted cluster keeps what was deployed; nodes of pools that left the
 * examples are removed.
 */
export async function startSimulatedClusters(options: {
  clusters: SimulatedCluster[];
  entities: Entity[];
  stateDir?: string;
  /** Time from a pod being scheduled to it running. Default 2000 ms. */
  rolloutDelayMs?: number;
  log?: (message: string) => void;
}): Promise<SimulatedClusters> {
  const log = options.log ?? (() => {});
  const started: SimulatedClusters['servers'] = [];
  const close = async () => {
    await Promise.all(started.map(s => s.server.close()));
  };
  try {
    for (const cluster of options.clusters) {
      const spec = simulatedClusterSpec(cluster.name, options.entities);
      const stateFile = options.stateDir
        ? path.join(options.stateDir, `${cluster.name}.json`)
        : undefined;
      let server: FakeKubeApiServer;
      try {
        server = await startFakeKubeApiServer({
          port: cluster.port,
          token: cluster.token,
          clusterName: cluster.name,
          groups: [...spec.groups, ...(cluster.groups ?? [])],
          nodes: spec.nodes,
          seed: [...spec.namespaces, ...spec.kueue],
          rolloutDelayMs: options.rolloutDelayMs ?? 2000,
          stateFile,
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(
            `Simulated cluster ${cluster.name}: port ${cluster.port} is in use (is another demo running?)`,
          );
        }
        throw error;
      }
      started.push({ cluster, server });
      if (cluster.gateways?.length) server.seed(gatewayObjects(cluster));
      const wanted = new Set(spec.nodes.map(n => n.name));
      for (const node of server.listObjects({
        apiVersion: 'v1',
        kind: 'Node',
        labelSelector: LABEL_SIMULATED_NODE,
      })) {
        if (!wanted.has(node.metadata.name!)) {
          server.removeNode(node.metadata.name!);
        }
      }
      const gpus = spec.nodes.reduce(
        (sum, n) =>
          sum +
          Object.entries(n.allocatable ?? {})
            .filter(([r]) => r.startsWith('nvidia.com/'))
            .reduce((s, [, q]) => s + Number(q), 0),
        0,
      );
      log(
        `Simulated cluster ${cluster.name} on ${server.url}: ${
          spec.nodes.length
        } GPU nodes (${gpus} GPUs) for pools ${
          spec.pools.join(', ') || '(none: pods schedule anywhere)'
        }; namespaces ${spec.namespaces.map(n => n.metadata.name).join(', ')}${
          stateFile ? `; state in ${stateFile}` : ''
        }${
          cluster.groups?.length
            ? `; also serves ${cluster.groups.join(', ')}`
            : ''
        }${
          cluster.gateways?.length
            ? `; Gateways ${cluster.gateways
                .map(g => `${g.namespace}/${g.name}`)
                .join(', ')}`
            : ''
        }`,
      );
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { servers: started, close };
}
