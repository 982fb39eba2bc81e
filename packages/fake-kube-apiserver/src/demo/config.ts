import fs from 'fs';
import { parse } from 'yaml';
import type { OptionalGroup } from '../types';
import { isPlainObject } from '../util';

/** A cluster of `aiPlatform.demo.simulatedClusters`, with its entry in `kubernetes.clusterLocatorMethods`. */
export type SimulatedCluster = {
  name: string;
  title?: string;
  /** `http://127.0.0.1:<port>` as configured. */
  url: string;
  port: number;
  /** The entry's `serviceAccountToken`: the token the simulated API server checks. */
  token?: string;
  /**
   * Optional API groups this cluster serves beyond the demo's base set
   * (`aiPlatform.demo.simulatedClusterApis.<name>.groups`): `argo-rollouts`,
   * `gateway-api`.
   */
  groups?: OptionalGroup[];
  /** Gateways created at start (`aiPlatform.demo.simulatedClusterApis.<name>.gateways`). */
  gateways?: SimulatedGateway[];
};

/** A Gateway a simulated cluster has from the start (with its GatewayClass). */
export type SimulatedGateway = {
  namespace: string;
  name: string;
  /** Default `simulated`: created when missing. */
  className?: string;
};

/** The optional groups `simulatedClusterApis` may add. */
const EXTRA_GROUPS: OptionalGroup[] = ['argo-rollouts', 'gateway-api'];

/** Where the simulated Prometheus answers: one loopback port, a path per route. */
export type SimulatedMetrics = {
  port: number;
  /** URL path prefix (no trailing slash; '' for the root) and the clusters it serves. */
  routes: Array<{ path: string; clusters: string[] }>;
};

/** What the demo simulates, read from the app-config files. */
export type SimulationConfig = {
  clusters: SimulatedCluster[];
  /** Undefined when `aiPlatform.cost.prometheus` names no loopback URL for a simulated cluster. */
  metrics?: SimulatedMetrics;
};

type Json = Record<string, unknown>;

function merge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Json = { ...base };
    for (const [key, value] of Object.entries(over)) {
      out[key] = key in out ? merge(out[key], value) : value;
    }
    return out;
  }
  // Arrays and scalars replace, as Backstage merges config files.
  return over === undefined ? base : over;
}

/** The app-config files merged as Backstage merges them (later files win; arrays replace). */
export function readConfigFiles(files: string[]): Json {
  let config: unknown = {};
  for (const file of files) {
    const value = parse(fs.readFileSync(file, 'utf8')) ?? {};
    if (!isPlainObject(value)) {
      throw new Error(`${file} is not a YAML mapping`);
    }
    config = merge(config, value);
  }
  return config as Json;
}

function at(config: unknown, path: string): unknown {
  let value = config;
  for (const key of path.split('.')) {
    if (!isPlainObject(value)) return undefined;
    value = value[key];
  }
  return value;
}

/** A loopback `http:` URL's port and path, or an error naming the setting. */
function loopback(
  url: string,
  setting: string,
): { port: number; path: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${setting}: ${JSON.stringify(url)} is not a URL`);
  }
  if (
    parsed.protocol !== 'http:' ||
    !['127.0.0.1', 'localhost'].includes(parsed.hostname) ||
    !parsed.port
  ) {
    throw new Error(
      `${setting}: a simulated server listens on loopback over plain HTTP; expected http://127.0.0.1:<port>, got ${url}`,
    );
  }
  return {
    port: Number(parsed.port),
    path: parsed.pathname.replace(/\/+$/, ''),
  };
}

/**
 * The simulated clusters and metrics of a demo configuration:
 * `aiPlatform.demo.simulatedClusters` names clusters of
 * `kubernetes.clusterLocatorMethods` (type `config`), each on a loopback
 * `http:` URL with `skipTLSVerify: true` (client-node speaks plain HTTP only
 * so); `aiPlatform.cost.prometheus` (`url`, or `clusters.<name>.url`) on a
 * loopback port is where the simulated metrics answer.
 */
export function simulationFromConfig(config: Json): SimulationConfig {
  const names = at(config, 'aiPlatform.demo.simulatedClusters') ?? [];
  if (!Array.isArray(names) || names.some(n => typeof n !== 'string')) {
    throw new Error(
      'aiPlatform.demo.simulatedClusters must be a list of cluster names',
    );
  }
  const methods = at(config, 'kubernetes.clusterLocatorMethods');
  const entries = (Array.isArray(methods) ? methods : [])
    .filter(m => isPlainObject(m) && m.type === 'config')
    .flatMap(m => (Array.isArray(m.clusters) ? m.clusters : []))
    .filter(isPlainObject);
  const clusters = (names as string[]).map((name): SimulatedCluster => {
    const entry = entries.find(e => e.name === name);
    if (!entry) {
      throw new Error(
        `aiPlatform.demo.simulatedClusters names ${name}, which kubernetes.clusterLocatorMethods (type config) does not configure`,
      );
    }
    const setting = `kubernetes.clusterLocatorMethods[].clusters[${name}].url`;
    const url = String(entry.url ?? '');
    const { port } = loopback(url, setting);
    if (entry.skipTLSVerify !== true) {
      throw new Error(
        `Cluster ${name} is simulated over plain HTTP: its kubernetes.clusterLocatorMethods entry needs skipTLSVerify: true (the Kubernetes client refuses http:// otherwise)`,
      );
    }
    return {
      name,
      ...(typeof entry.title === 'string' ? { title: entry.title } : {}),
      url,
      port,
      ...(typeof entry.serviceAccountToken === 'string'
        ? { token: entry.serviceAccountToken }
        : {}),
      ...clusterApis(config, name),
    };
  });
  // Entries of clusters that are not simulated here are left alone: a
  // configuration layered on top (app-config.e2e.yaml) may simulate fewer.
  const ports = new Set<number>();
  for (const c of clusters) {
    if (ports.has(c.port)) {
      throw new Error(
        `Two simulated clusters use port ${c.port}; give each its own`,
      );
    }
    ports.add(c.port);
  }

  const prometheus = at(config, 'aiPlatform.cost.prometheus');
  const routes = new Map<string, string[]>();
  let metricsPort: number | undefined;
  const route = (url: unknown, setting: string, cluster: string) => {
    if (typeof url !== 'string') return;
    // A Prometheus elsewhere is a real one: not simulated.
    if (!/^http:\/\/(127\.0\.0\.1|localhost):\d+/.test(url)) return;
    const target = loopback(url, setting);
    if (metricsPort !== undefined && metricsPort !== target.port) {
      throw new Error(
        `${setting}: the simulated Prometheus answers on one port (${metricsPort}); got ${url}`,
      );
    }
    metricsPort = target.port;
    routes.set(target.path, [...(routes.get(target.path) ?? []), cluster]);
  };
  if (isPlainObject(prometheus)) {
    for (const c of clusters) {
      const own = at(prometheus, `clusters.${c.name}.url`);
      if (own !== undefined) {
        route(own, `aiPlatform.cost.prometheus.clusters.${c.name}.url`, c.name);
      } else {
        route(prometheus.url, 'aiPlatform.cost.prometheus.url', c.name);
      }
    }
  }
  return {
    clusters,
    ...(metricsPort !== undefined
      ? {
          metrics: {
            port: metricsPort,
            routes: [...routes].map(([path, names_]) => ({
              path,
              clusters: names_,
            })),
          },
        }
      : {}),
  };
}

/**
 * `aiPlatform.demo.simulatedClusterApis.<cluster>`: the extra API groups
 * (`groups`) and the Gateways created at start (`gateways`, each
 * `namespace`, `name`, optional `className`), or an error naming the
 * setting.
 */
function clusterApis(
  config: Json,
  cluster: string,
): Pick<SimulatedCluster, 'groups' | 'gateways'> {
  const setting = `aiPlatform.demo.simulatedClusterApis.${cluster}`;
  const value = at(config, 'aiPlatform.demo.simulatedClusterApis');
  const entry = isPlainObject(value) ? value[cluster] : undefined;
  if (entry === undefined) return {};
  if (!isPlainObject(entry)) throw new Error(`${setting} must be a mapping`);
  const groups = entry.groups ?? [];
  if (
    !Array.isArray(groups) ||
    groups.some(g => !EXTRA_GROUPS.includes(g as OptionalGroup))
  ) {
    throw new Error(
      `${setting}.groups must list API groups out of ${EXTRA_GROUPS.join(
        ', ',
      )}; got ${JSON.stringify(groups)}`,
    );
  }
  const gateways = entry.gateways ?? [];
  if (
    !Array.isArray(gateways) ||
    gateways.some(
      g =>
        !isPlainObject(g) ||
        typeof g.namespace !== 'string' ||
        typeof g.name !== 'string' ||
        (g.className !== undefined && typeof g.className !== 'string'),
    )
  ) {
    throw new Error(
      `${setting}.gateways must be a list of { namespace, name, className? }`,
    );
  }
  if (gateways.length && !groups.includes('gateway-api')) {
    throw new Error(
      `${setting}.gateways: the cluster must serve gateway-api (in ${setting}.groups) to have Gateways`,
    );
  }
  return {
    ...(groups.length ? { groups: groups as OptionalGroup[] } : {}),
    ...(gateways.length ? { gateways: gateways as SimulatedGateway[] } : {}),
  };
}

/** {@link simulationFromConfig} of the merged files. */
export function readSimulationConfig(files: string[]): SimulationConfig {
  return simulationFromConfig(readConfigFiles(files));
}
