/**
 * A Go duration string (`30s`, `1m30s`, `500ms`, `2h`) in milliseconds, as
 * Argo Rollouts reads `interval`, `initialDelay` and `timeout`; a plain
 * number (or a numeric string, as `pause.duration` allows) is seconds.
 * Undefined when it cannot be read.
 */
export function durationMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const units: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  let total = 0;
  let rest = value;
  while (rest.length) {
    const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return total;
}
