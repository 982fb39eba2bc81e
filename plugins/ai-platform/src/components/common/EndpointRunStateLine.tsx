import { useApi } from '@backstage/core-plugin-api';
import { aiPlatformApiRef } from '@internal/plugin-ai-platform-react';
import Typography from '@material-ui/core/Typography';
import useAsync from 'react-use/esm/useAsync';
import { runBasisLabel, runStateLabel } from './runState';

/**
 * One line on the endpoint page: what runs of the endpoint now, from its
 * cluster (running with GPUs held, or declared, not running), and what that
 * rests on.
 */
export function EndpointRunStateLine(props: { endpointRef: string }) {
  const api = useApi(aiPlatformApiRef);
  const state = useAsync(
    () => api.getRunningFleet({ endpoint: props.endpointRef }),
    [api, props.endpointRef],
  );
  if (state.loading) {
    return (
      <Typography variant="body2" color="textSecondary">
        Reading what runs…
      </Typography>
    );
  }
  if (state.error) {
    return (
      <Typography variant="body2" color="error">
        What runs is not known: {state.error.message}
      </Typography>
    );
  }
  const run = state.value?.endpoints[0];
  if (!run) return null;
  return (
    <Typography variant="body2" aria-label="What runs">
      <strong>{runStateLabel(run.state)}</strong>
      {run.state === 'running'
        ? ` · ${run.gpus} GPUs held by ${run.runningPods} pod${
            run.runningPods === 1 ? '' : 's'
          }`
        : ''}
      {run.state === 'declared-not-running' ? ' · costs nothing' : ''}
      {run.origin === 'outside-portal' ? ' · deployed outside the portal' : ''}
      {` · basis: ${runBasisLabel(run.basis, run.observedAt)}`}
      {run.reason ? ` · ${run.reason}` : ''}
    </Typography>
  );
}
