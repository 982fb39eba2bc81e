import type {
  EndpointRunStateName,
  GpuHoursBasis,
  RunBasis,
} from '@internal/plugin-ai-platform-common';

/** How a page names an endpoint's run state. */
export function runStateLabel(state: EndpointRunStateName): string {
  switch (state) {
    case 'running':
      return 'running';
    case 'pending':
      return 'pending: no pod bound, nothing held';
    case 'declared-not-running':
      return 'declared, not running';
    default:
      return 'unknown: cluster not read';
  }
}

const time = (iso?: string) =>
  iso ? new Date(iso).toISOString().slice(0, 16).replace('T', ' ') : '';

/** What a running number rests on, in words: "cluster state at …", "last known state at … (cluster unreachable)". */
export function runBasisLabel(basis: RunBasis, observedAt?: string): string {
  switch (basis) {
    case 'cluster-state':
      return `cluster state at ${time(observedAt)} UTC`;
    case 'last-known-state':
      return `last known state at ${time(
        observedAt,
      )} UTC (cluster unreachable)`;
    default:
      return 'no cluster state (not read)';
  }
}

/** The shares of GPU-hours by basis, in words, largest first, e.g. "98% cluster state, 2% last known state". */
export function gpuHoursBasisLabel(basis?: GpuHoursBasis): string | undefined {
  if (!basis) return undefined;
  const parts: Array<[string, number]> = [
    ['cluster state', basis.clusterState],
    ['last known state', basis.lastKnownState],
    ['demo data (generated history)', basis.demo],
    ['catalog replicas (before the collector read clusters)', basis.catalog],
  ];
  const shown = parts
    .filter(([, share]) => share > 0.0005)
    .sort((a, b) => b[1] - a[1])
    .map(([name, share]) => `${Math.round(share * 1000) / 10}% ${name}`);
  return shown.length ? shown.join(', ') : undefined;
}
