import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  DEPLOYMENT_CHECK_ORDER,
  type DeploymentCheck,
  type DeploymentRecord,
  isFinalDeploymentState,
} from '@internal/plugin-ai-platform-common';
import {
  aiPlatformApiRef,
  formatTime,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { useEffect, useRef, useState } from 'react';

/** How often a running deployment is polled. */
export const POLL_INTERVAL_MS = 1500;

/** A deployment's outcome in one sentence. */
export function outcomeText(record: DeploymentRecord): string {
  switch (record.state) {
    case 'succeeded':
      return `Done: ${record.modelVersion} runs as revision ${record.revision}.`;
    case 'unchanged':
      return `Nothing to change: the cluster already runs this (revision ${record.revision}).`;
    case 'check-only':
      return 'Checked only: the checks passed and the objects were rendered, but nothing was applied (the pool’s cluster is not configured or not reachable).';
    case 'dry-run':
      return 'Dry run: checked and validated by the cluster; nothing was applied.';
    case 'failed':
      return `Failed at ${record.error?.check ?? 'a check'}: ${
        record.error?.message ?? 'see the checks'
      }${record.error?.cause ? ` (${record.error.cause})` : ''}`;
    case 'canary':
      return `The canary of ${record.modelVersion} runs step by step: follow it, and advance, approve or abort it, on the endpoint's Canary card.`;
    default:
      return `In progress: ${record.state}…`;
  }
}

/** The state of a record as a status with a word. */
export function DeploymentState(props: { record: DeploymentRecord }) {
  const { state } = props.record;
  if (state === 'succeeded' || state === 'unchanged') {
    return <StatusOK>{state}</StatusOK>;
  }
  if (state === 'failed') return <StatusError>failed</StatusError>;
  if (state === 'check-only' || state === 'dry-run') {
    return <StatusWarning>{state}</StatusWarning>;
  }
  if (state === 'pending') return <StatusPending>pending</StatusPending>;
  return <StatusRunning>{state}</StatusRunning>;
}

function CheckStatus(props: { check?: DeploymentCheck }) {
  const status = props.check?.status;
  if (!status) return <StatusPending>not yet</StatusPending>;
  if (status === 'passed') return <StatusOK>passed</StatusOK>;
  if (status === 'failed') return <StatusError>failed</StatusError>;
  if (status === 'overridden') return <StatusWarning>overridden</StatusWarning>;
  return <StatusAborted>skipped</StatusAborted>;
}

/** A record's checks in the order they run, and its progress lines. */
export function DeploymentDetails(props: { record: DeploymentRecord }) {
  const { record } = props;
  return (
    <>
      <List dense aria-label={`Checks of revision ${record.revision}`}>
        {DEPLOYMENT_CHECK_ORDER.map(name => {
          const check = record.checks.find(c => c.name === name);
          return (
            <ListItem key={name} disableGutters>
              <ListItemText
                primary={
                  <Box display="flex" style={{ gap: 8 }}>
                    <strong>{name}</strong>
                    <CheckStatus check={check} />
                  </Box>
                }
                secondary={check?.message}
              />
            </ListItem>
          );
        })}
      </List>
      {record.events.length > 0 && (
        <>
          <Typography variant="subtitle2">Progress</Typography>
          <List dense aria-label={`Progress of revision ${record.revision}`}>
            {record.events.slice(-12).map((e, i) => (
              <ListItem key={`${e.at}-${i}`} disableGutters>
                <ListItemText
                  primary={e.message}
                  secondary={`${formatTime(e.at)}${
                    e.object ? ` · ${e.object}` : ''
                  }${e.level === 'info' ? '' : ` · ${e.level}`}`}
                />
              </ListItem>
            ))}
          </List>
        </>
      )}
    </>
  );
}

/**
 * A deployment as it runs: polls its record until the state is final (or
 * `canary`: the canary runs on for minutes or hours, and the Canary card
 * follows it), showing the checks, the progress lines and, at the end, the
 * outcome.
 */
export function DeploymentProgress(props: {
  record: DeploymentRecord;
  onFinal?: (record: DeploymentRecord) => void;
}) {
  const api = useApi(aiPlatformApiRef);
  const [record, setRecord] = useState(props.record);
  const [pollError, setPollError] = useState<Error>();
  const final =
    isFinalDeploymentState(record.state) || record.state === 'canary';
  const onFinal = useRef(props.onFinal);
  onFinal.current = props.onFinal;
  const reported = useRef(false);

  useEffect(() => {
    if (final) {
      if (!reported.current) {
        reported.current = true;
        onFinal.current?.(record);
      }
      return undefined;
    }
    const timer = setTimeout(async () => {
      try {
        setRecord(await api.getDeployment({ id: record.id }));
        setPollError(undefined);
      } catch (e) {
        setPollError(e as Error);
        // Try again on the next tick: a poll can fail while the rollout runs on.
        setRecord(r => ({ ...r }));
      }
    }, POLL_INTERVAL_MS);
    return () => clearTimeout(timer);
  }, [api, record, final]);

  return (
    <Box role="region" aria-label={`Deployment revision ${record.revision}`}>
      <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
        <Typography variant="subtitle1">
          {`Revision ${record.revision}: ${record.operation} to ${record.modelVersion}`}
        </Typography>
        <DeploymentState record={record} />
      </Box>
      {!final && <LinearProgress aria-label="Deployment in progress" />}
      <Typography
        variant="body2"
        role="status"
        color={record.state === 'failed' ? 'error' : 'textPrimary'}
        paragraph
      >
        {outcomeText(record)}
      </Typography>
      {pollError && (
        <Typography variant="caption" color="error" component="p">
          {`Could not read the progress (retrying): ${pollError.message}`}
        </Typography>
      )}
      <DeploymentDetails record={record} />
    </Box>
  );
}
