import http, { type IncomingMessage, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { ClusterPodReader, type PodCluster } from './clusterPods';
import {
  Evaluator,
  type InstantSample,
  type Labels,
  type Value,
} from './promql/evaluate';
import { parseDuration, parsePromQL, PromQLError } from './promql/parse';
import { metricNames, SimulatedSeries, type ServingPod } from './simulation';

/** One Prometheus the fake plays: a URL path prefix and the clusters it scrapes. */
export type FakePrometheusRoute = {
  /** e.g. `/clusters/gpu-us-east`; '' for the root. */
  path: string;
  clusters: PodCluster[];
};

/** Options of {@link startFakePrometheus}. */
export type FakePrometheusOptions = {
  routes: FakePrometheusRoute[];
  /** Loopback port; default a free one. */
  port?: number;
  /** The clock for queries without `time` (unix seconds). Default: now. */
  now?: () => number;
  /** Where the serving pods come from. Default: the clusters' API servers. */
  pods?: (clusters: PodCluster[]) => Promise<ServingPod[]>;
  /** Told when a cluster's API server does not answer. */
  onClusterError?: (cluster: string, error: unknown) => void;
};

/** The running fake Prometheus. */
export type FakePrometheus = {
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
};

/** Points a range query may return, as Prometheus limits them. */
const MAX_POINTS = 11_000;

/** Prometheus' number format: NaN, +Inf, -Inf, else the shortest form. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** A time parameter: unix seconds or RFC 3339. */
function parseTime(text: string | null, name: string, fallback?: number) {
  if (text === null || text === '') {
    if (fallback !== undefined) return fallback;
    throw new PromQLError(`missing parameter ${name}`);
  }
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return seconds;
  const ms = Date.parse(text);
  if (Number.isFinite(ms)) return ms / 1000;
  throw new PromQLError(
    `invalid parameter "${name}": cannot parse "${text}" to a valid timestamp`,
  );
}

const labelKey = (labels: Labels) =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map(k => [k, labels[k]]),
  );

function send(res: ServerResponse, code: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  code: number,
  errorType: string,
  error: string,
) {
  send(res, code, { status: 'error', errorType, error });
}

function readParams(req: IncomingMessage, url: URL): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(url.search);
      if (
        req.method === 'POST' &&
        (req.headers['content-type'] ?? '').startsWith(
          'application/x-www-form-urlencoded',
        )
      ) {
        for (const [k, v] of new URLSearchParams(
          Buffer.concat(chunks).toString('utf8'),
        )) {
          params.append(k, v);
        }
      }
      resolve(params);
    });
    req.on('error', reject);
  });
}

/** An instant query's answer in the HTTP API's shape. */
function instantData(value: Value, time: number) {
  switch (value.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [time, formatValue(value.value)] };
    case 'string':
      return { resultType: 'string', result: [time, value.value] };
    case 'vector':
      return {
        resultType: 'vector',
        result: value.samples.map(s => ({
          metric: s.labels,
          value: [time, formatValue(s.value)],
        })),
      };
    default:
      return {
        resultType: 'matrix',
        result: value.series.map(s => ({
          metric: s.labels,
          values: s.points.map(([t, v]) => [t, formatValue(v)]),
        })),
      };
  }
}

/**
 * Starts a Prometheus HTTP API on 127.0.0.1 that answers PromQL (the subset
 * in `promql/`) over simulated vLLM and DCGM series of the pods that serve
 * with vLLM in the routes' clusters: `/api/v1/query`, `/api/v1/query_range`,
 * `/api/v1/label/__name__/values`, `/-/healthy` and `/-/ready`, under each
 * route's path.
 */
export async function startFakePrometheus(
  options: FakePrometheusOptions,
): Promise<FakePrometheus> {
  const reader = new ClusterPodReader({ onError: options.onClusterError });
  const podsOf = options.pods ?? (clusters => reader.pods(clusters));
  const now = options.now ?? (() => Date.now() / 1000);
  const routes = [...options.routes].sort(
    (a, b) => b.path.length - a.path.length,
  );

  const seriesOf = new WeakMap<ServingPod[], SimulatedSeries>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = routes.find(
      r => url.pathname === r.path || url.pathname.startsWith(`${r.path}/`),
    );
    const rest = route ? url.pathname.slice(route.path.length) : url.pathname;
    if (rest === '/-/healthy' || rest === '/-/ready') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('Prometheus Server is Ready.\n');
      return;
    }
    if (!route) {
      sendError(res, 404, 'not_found', `no Prometheus at ${url.pathname}`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      sendError(res, 405, 'bad_data', `method ${req.method} not allowed`);
      return;
    }
    const params = await readParams(req, url);
    try {
      if (rest === '/api/v1/label/__name__/values') {
        send(res, 200, { status: 'success', data: metricNames() });
        return;
      }
      if (rest === '/api/v1/status/buildinfo') {
        send(res, 200, {
          status: 'success',
          data: { version: '3.0.0-fake', revision: 'simulated' },
        });
        return;
      }
      if (rest !== '/api/v1/query' && rest !== '/api/v1/query_range') {
        sendError(res, 404, 'not_found', `unknown endpoint ${rest}`);
        return;
      }
      const query = params.get('query');
      if (!query) throw new PromQLError('missing parameter query');
      const expr = parsePromQL(query);
      const pods = await podsOf(route.clusters);
      // The same pods (the reader keeps them for a moment) keep their series.
      let source = seriesOf.get(pods);
      if (!source) {
        source = new SimulatedSeries(pods);
        seriesOf.set(pods, source);
      }
      const evaluator = new Evaluator(source);
      if (rest === '/api/v1/query') {
        const time = parseTime(params.get('time'), 'time', now());
        send(res, 200, {
          status: 'success',
          data: instantData(evaluator.evaluate(expr, time), time),
        });
        return;
      }
      const start = parseTime(params.get('start'), 'start');
      const end = parseTime(params.get('end'), 'end');
      const stepText = params.get('step') ?? '';
      const step = Number.isFinite(Number(stepText))
        ? Number(stepText)
        : parseDuration(stepText);
      if (!step || step <= 0) {
        throw new PromQLError(
          'invalid parameter "step": zero or negative query resolution step widths are not accepted',
        );
      }
      if (end < start) {
        throw new PromQLError(
          'invalid parameter "end": end timestamp must not be before start time',
        );
      }
      if ((end - start) / step > MAX_POINTS) {
        throw new PromQLError(
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
        );
      }
      const series = new Map<
        string,
        { metric: Labels; values: Array<[number, string]> }
      >();
      for (let t = start; t <= end + 1e-9; t += step) {
        const value = evaluator.evaluate(expr, t);
        let samples: InstantSample[];
        if (value.type === 'scalar') {
          samples = [{ labels: {}, value: value.value }];
        } else if (value.type === 'vector') {
          samples = value.samples;
        } else {
          throw new PromQLError(
            `invalid expression type "${
              value.type === 'matrix' ? 'range vector' : value.type
            }" for range query, must be Scalar or instant Vector`,
          );
        }
        for (const s of samples) {
          const key = labelKey(s.labels);
          const entry = series.get(key) ?? { metric: s.labels, values: [] };
          entry.values.push([t, formatValue(s.value)]);
          series.set(key, entry);
        }
      }
      send(res, 200, {
        status: 'success',
        data: { resultType: 'matrix', result: [...series.values()] },
      });
    } catch (error) {
      if (error instanceof PromQLError) {
        sendError(res, 400, 'bad_data', error.message);
      } else {
        sendError(res, 500, 'internal', String(error));
      }
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(error =>
      sendError(res, 500, 'internal', String(error)),
    );
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
