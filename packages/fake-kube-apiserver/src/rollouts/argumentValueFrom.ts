/**
 * The value of a Rollout analysis argument given by `valueFrom`, as Argo
 * Rollouts resolves it when it creates an AnalysisRun (v1.8,
 * utils/analysis/helpers.go BuildArgumentsForRolloutAnalysisRun):
 * `podTemplateHashValue: Latest` is the pod template hash of the Rollout's
 * current (canary) ReplicaSet, `Stable` that of its stable one. Other
 * sources (`fieldRef`) are not simulated: undefined, so the run is not
 * created and the Rollout says which argument was not resolved.
 */
export function argumentValueFrom(
  valueFrom: { podTemplateHashValue?: string } | undefined,
  hashes: { latest: string; stable?: string },
): string | undefined {
  switch (valueFrom?.podTemplateHashValue) {
    case 'Latest':
      return hashes.latest;
    case 'Stable':
      return hashes.stable;
    default:
      return undefined;
  }
}
