import {
  Progress,
  ResponseErrorPanel,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import type {
  DeploymentRecord,
  RolloutPlan,
} from '@internal/plugin-ai-platform-common';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Typography from '@material-ui/core/Typography';

/** What a dry run of the call said about its rollout (the quota check's `details.rollout`). */
export type RolloutPreviewState = {
  loading: boolean;
  error?: Error;
  /** The dry run's record. */
  value?: DeploymentRecord;
};

/** The rollout plan of a dry run, when its quota check decided one. */
export function rolloutOf(
  record: DeploymentRecord | undefined,
): (RolloutPlan & { surgeRefused?: boolean }) | undefined {
  const quota = record?.checks.find(c => c.name === 'quota');
  return quota?.details?.rollout as
    | (RolloutPlan & { surgeRefused?: boolean })
    | undefined;
}

/** True when the surge has no room and the caller has not accepted downtime. */
export function surgeBlocks(
  record: DeploymentRecord | undefined,
  acceptDowntime: boolean,
): boolean {
  return Boolean(rolloutOf(record)?.surgeRefused) && !acceptDowntime;
}

/**
 * Before a promote or rollback is confirmed: whether its rollout keeps
 * serving (a surge replica starts before an old one goes, its GPUs held
 * until the rollout ends) or takes downtime, and why, as a dry run of the
 * same call decided it in the backend's quota check. When the surge has no
 * room, the user may accept downtime (`allowDowntime`, audited).
 */
export function RolloutPreview(props: {
  state: RolloutPreviewState;
  acceptDowntime: boolean;
  onAcceptDowntime: (accept: boolean) => void;
}) {
  const { state } = props;
  if (state.loading) return <Progress />;
  if (state.error) return <ResponseErrorPanel error={state.error} />;
  const record = state.value;
  if (!record) return null;
  const quota = record.checks.find(c => c.name === 'quota');
  const rollout = rolloutOf(record);
  if (!quota || !rollout) {
    return (
      <Typography variant="body2">
        {`Not known yet: the backend decides it in the quota check, which the dry run did not reach${
          record.error
            ? ` (${record.error.check}: ${record.error.message})`
            : ''
        }.`}
      </Typography>
    );
  }
  if (rollout.surgeRefused) {
    return (
      <>
        <StatusWarning>{`No room for the surge: ${quota.message}`}</StatusWarning>
        <FormControlLabel
          control={
            <Checkbox
              checked={props.acceptDowntime}
              onChange={e => props.onAcceptDowntime(e.target.checked)}
              color="primary"
            />
          }
          label="Accept downtime (allowDowntime): old pods go before new ones are ready; audited with the call"
        />
      </>
    );
  }
  if (rollout.strategy === 'surge') {
    return <StatusOK>{`Keeps serving: ${rollout.reason}.`}</StatusOK>;
  }
  if (rollout.strategy === 'downtime') {
    return (
      <StatusWarning>{`Takes downtime: ${rollout.reason}.`}</StatusWarning>
    );
  }
  return (
    <Typography variant="body2">{`No rollout: ${rollout.reason}.`}</Typography>
  );
}
