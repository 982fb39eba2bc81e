/**
 * Demo and test only: a Prometheus HTTP API on 127.0.0.1 that answers the
 * PromQL the portal sends over simulated vLLM and DCGM series of the pods
 * that serve with vLLM in the simulated clusters, moving with simulated
 * traffic (deterministic from time).
 *
 * @packageDocumentation
 */
export {
  startFakePrometheus,
  type FakePrometheus,
  type FakePrometheusOptions,
  type FakePrometheusRoute,
} from './FakePrometheus';
export { ClusterPodReader, servingPods, type PodCluster } from './clusterPods';
export {
  BUCKETS,
  latencies,
  load,
  logNormalCdf,
  meanOf,
  metricNames,
  podSeries,
  requestsBetween,
  scrapeTimes,
  SCRAPE_INTERVAL_SECONDS,
  SimulatedSeries,
  trafficProfile,
  type ServingPod,
  type TrafficProfile,
} from './simulation';
export {
  bucketQuantile,
  Evaluator,
  extrapolatedRate,
  LOOKBACK_SECONDS,
  type InstantSample,
  type Labels,
  type Point,
  type RangeSeries,
  type SeriesSource,
  type Value,
} from './promql/evaluate';
export {
  parseDuration,
  parsePromQL,
  PromQLError,
  type Expr,
  type Matcher,
} from './promql/parse';
