import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  type CanaryStatus,
  type DeploymentRecord,
  endpointDeployPermission,
  FINAL_CANARY_PHASES,
  isInferenceEndpointEntity,
} from '@internal/plugin-ai-platform-common';
import { aiPlatformApiRef } from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { ReasonDialog } from '../common/ReasonDialog';
import { CanaryDetails } from './CanaryDetails';

/** How often the card reads a running canary again. */
export const CANARY_POLL_MS = 5000;
/** How often it looks for a new canary when none runs (one may start from the Promote dialog). */
export const CANARY_IDLE_POLL_MS = 30000;

/** How many of the endpoint's newest revisions the card looks through for a canary. */
export const CANARY_HISTORY = 50;

/**
 * Whether a deployment record started a canary: a canary promote (not a dry
 * run) whose rollout step started it. The card asks for the canary only
 * then, so that an endpoint that never had one costs no 404 (which the
 * browser would log as an error).
 */
export function startedCanary(record: DeploymentRecord): boolean {
  return (
    !record.dryRun &&
    Boolean(record.canary) &&
    (record.state === 'canary' ||
      record.checks.some(c => c.name === 'rollout' && c.status === 'passed'))
  );
}

const isNotFound = (e: unknown) =>
  e instanceof ResponseError
    ? e.statusCode === 404
    : (e as { statusCode?: number } | undefined)?.statusCode === 404;

/**
 * An endpoint's current or last canary (docs/canary.md): engine, stable and
 * canary version, the steps with the current one, phase, desired and actual
 * split, analysis, pause countdown, warnings and events, read again every
 * few seconds while it runs. Holders of ai-platform.endpoint.deploy on the
 * endpoint (the promote's permission) may advance a timed pause, approve a
 * manual step or abort (with a reason), each where the phase allows it.
 */
export function EndpointCanaryCard() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const endpointRef = stringifyEntityRef(entity);
  const name = {
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  const deploy = usePermission({
    permission: endpointDeployPermission,
    resourceRef: endpointRef,
  });
  const canary = useAsyncRetry(
    async (): Promise<CanaryStatus | undefined> => {
      const { items } = await api.listDeployments({
        endpoint: endpointRef,
        limit: CANARY_HISTORY,
      });
      if (!items.some(startedCanary)) return undefined;
      try {
        return await api.getCanary(name);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, endpointRef],
  );
  // What an action answered, shown until the next read.
  const [answered, setAnswered] = useState<CanaryStatus>();
  const [busy, setBusy] = useState<'advance' | 'approve'>();
  const [actionError, setActionError] = useState<Error>();
  const [aborting, setAborting] = useState(false);

  // A fresh read replaces what an action answered.
  useEffect(() => setAnswered(undefined), [canary.value]);
  const status = answered ?? canary.value;
  const running = Boolean(
    status && !FINAL_CANARY_PHASES.includes(status.phase),
  );

  const { retry, loading } = canary;
  useEffect(() => {
    if (loading) return undefined;
    const timer = setTimeout(
      retry,
      running ? CANARY_POLL_MS : CANARY_IDLE_POLL_MS,
    );
    return () => clearTimeout(timer);
  }, [retry, loading, running, canary.value, canary.error]);

  if (!isInferenceEndpointEntity(entity)) {
    return (
      <InfoCard title="Canary">
        <Typography>
          This card shows InferenceEndpoint entities only.
        </Typography>
      </InfoCard>
    );
  }

  const act = async (action: 'advance' | 'approve') => {
    setBusy(action);
    setActionError(undefined);
    try {
      setAnswered(
        await (action === 'advance'
          ? api.advanceCanary(name)
          : api.approveCanary(name)),
      );
    } catch (e) {
      setActionError(e as Error);
    } finally {
      setBusy(undefined);
      retry();
    }
  };

  const phase = status?.phase;
  const may = deploy.allowed && running;
  const actions = status && (
    <Box display="flex" alignItems="center" style={{ gap: 8 }} px={1}>
      {may && phase === 'paused' && (
        <Button
          variant="contained"
          color="primary"
          disabled={Boolean(busy)}
          onClick={() => act('advance')}
        >
          Advance
        </Button>
      )}
      {may && phase === 'awaiting-approval' && (
        <Button
          variant="contained"
          color="primary"
          disabled={Boolean(busy) || status.analysis.status === 'failed'}
          onClick={() => act('approve')}
        >
          Approve
        </Button>
      )}
      {may && (
        <Button
          variant="outlined"
          disabled={Boolean(busy)}
          onClick={() => setAborting(true)}
        >
          Abort…
        </Button>
      )}
      {running && !deploy.loading && !deploy.allowed && (
        <Typography variant="caption" color="textSecondary">
          Advancing, approving and aborting need ai-platform.endpoint.deploy
          (the endpoint’s owners and platform admins).
        </Typography>
      )}
    </Box>
  );

  return (
    <InfoCard title="Canary" actions={actions || undefined}>
      {canary.loading && !status && <Progress />}
      {canary.error && <ResponseErrorPanel error={canary.error} />}
      {!canary.loading && !canary.error && !status && (
        <EmptyState
          missing="data"
          title="No canary yet"
          description={`None in the last ${CANARY_HISTORY} revisions. Promote with the canary strategy to send a share of the traffic to the new version step by step (docs/canary.md).`}
        />
      )}
      {actionError && (
        <Alert severity="error" role="alert">
          {actionError.message}
        </Alert>
      )}
      {status && <CanaryDetails status={status} />}
      <ReasonDialog
        open={aborting}
        title={`Abort the canary of ${status?.canaryVersion ?? ''}`}
        confirmLabel="Abort canary"
        onClose={() => setAborting(false)}
        onConfirm={async reason => {
          setActionError(undefined);
          setAnswered(await api.abortCanary({ ...name, reason }));
          retry();
        }}
      >
        <Typography variant="body2">
          {`All traffic goes back to the stable version ${
            status?.stableVersion ?? ''
          } and the canary's pods go; its reserved GPUs are released.`}
        </Typography>
      </ReasonDialog>
    </InfoCard>
  );
}
