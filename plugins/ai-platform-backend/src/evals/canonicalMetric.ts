/**
 * A metric as the eval store names it: lm-evaluation-harness's `,none`
 * filter is dropped (`acc,none` is `acc`), other filters are kept
 * (`exact_match,strict-match`). Gates, posts and queries may use either form.
 */
export function canonicalMetric(metric: string): string {
  return metric.endsWith(',none') ? metric.slice(0, -',none'.length) : metric;
}
