/**
 * What an endpoint runs per the deployment records: its newest applied
 * (succeeded or unchanged) revision. `GET /deployments/running` answers one
 * per endpoint the portal deployed.
 */
export type RunningDeployment = {
  /** The InferenceEndpoint's entity ref. */
  endpointRef: string;
  revision: number;
  modelVersion: string;
  /** When that revision finished applying. */
  finishedAt?: string;
};
