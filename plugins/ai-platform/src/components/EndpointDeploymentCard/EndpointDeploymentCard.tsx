import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef, useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  endpointDeployPermission,
  type EndpointLiveStatus,
  isFinalDeploymentState,
  isInferenceEndpointEntity,
  isModelEntity,
  autoRollbackEnabled,
  type InferenceEndpointEntityV1alpha1,
} from '@internal/plugin-ai-platform-common';
import {
  formatTime,
  aiPlatformApiRef,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DeploymentProgress, DeploymentState } from '../DeploymentProgress';
import { shortRef } from '../common/entityRefs';
import { MetadataTable } from '../common/MetadataTable';
import { SimulatedClusterBadge } from '../common/SimulatedCluster';
import { DeploymentDialog, defaultRollbackTarget } from './DeploymentDialog';
import {
  deployTargetLabel,
  LLMInferenceServiceStatus,
} from './LLMInferenceServiceStatus';

type LiveDeployment = NonNullable<EndpointLiveStatus['deployment']>;

/**
 * The replicas the Deployment wants now: the autoscaler's desired count when
 * one manages it (the rendered Deployment leaves `spec.replicas` to the
 * HorizontalPodAutoscaler), else `spec.replicas`; undefined when neither is
 * known.
 */
function desiredReplicasOf(d: LiveDeployment): number | undefined {
  return d.desiredReplicas ?? d.autoscaler?.desiredReplicas ?? d.replicas;
}

const replicaCount = (n: number) => `${n} replica${n === 1 ? '' : 's'}`;

/** Ready replicas against the desired count, or what is known without it. */
function ReplicasStatus(props: { deployment: LiveDeployment }) {
  const d = props.deployment;
  const desired = desiredReplicasOf(d);
  const rollout = `${d.updatedReplicas} updated, ${d.availableReplicas} available`;
  if (desired === undefined) {
    const text = `${replicaCount(
      d.readyReplicas,
    )} ready (${rollout}); the desired number of replicas is not known`;
    return d.readyReplicas > 0 ? (
      <StatusOK>{text}</StatusOK>
    ) : (
      <StatusWarning>{text}</StatusWarning>
    );
  }
  if (desired === 0) {
    return (
      <StatusWarning>{`Scaled to 0 replicas (${d.readyReplicas} ready)`}</StatusWarning>
    );
  }
  return d.readyReplicas >= desired ? (
    <StatusOK>{`${d.readyReplicas} of ${desired} replicas ready`}</StatusOK>
  ) : (
    <StatusWarning>{`${d.readyReplicas} of ${desired} replicas ready (${rollout})`}</StatusWarning>
  );
}

/** Who sets the replica count: the autoscaler and its range, when one does. */
function Scaling(props: { deployment: LiveDeployment }) {
  const a = props.deployment.autoscaler;
  if (!a) return null;
  const range =
    a.minReplicas !== undefined
      ? `${a.minReplicas}–${a.maxReplicas}`
      : `up to ${a.maxReplicas}`;
  return (
    <Typography variant="body2">
      {`Autoscaled ${range} replicas by HorizontalPodAutoscaler ${a.name}`}
    </Typography>
  );
}

function LiveStatus(props: { status: EndpointLiveStatus }) {
  const { status } = props;
  if (status.error) {
    return (
      <StatusWarning>{`Live status unavailable: ${status.error}`}</StatusWarning>
    );
  }
  const d = status.deployment;
  const llm = status.llmInferenceService;
  if (!d && !llm) {
    return (
      <Typography variant="body2">
        {`No Deployment found in ${status.cluster}/${status.namespace}.`}
      </Typography>
    );
  }
  return (
    <>
      {llm && <LLMInferenceServiceStatus service={llm} />}
      {d && <ReplicasStatus deployment={d} />}
      {d && <Scaling deployment={d} />}
      {status.pods.length > 0 && (
        <Table size="small" aria-label="Pods">
          <TableHead>
            <TableRow>
              <TableCell>Pod</TableCell>
              <TableCell>Phase</TableCell>
              <TableCell>Ready</TableCell>
              <TableCell align="right">Restarts</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {status.pods.map(p => (
              <TableRow key={p.name}>
                <TableCell>{p.name}</TableCell>
                <TableCell>
                  {p.reason ? `${p.phase} (${p.reason})` : p.phase}
                </TableCell>
                <TableCell>{p.ready ? 'yes' : 'no'}</TableCell>
                <TableCell align="right">{p.restarts}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {status.events.length > 0 && (
        <Table size="small" aria-label="Recent pod events">
          <TableHead>
            <TableRow>
              <TableCell>Type</TableCell>
              <TableCell>Reason</TableCell>
              <TableCell>Object</TableCell>
              <TableCell>Message</TableCell>
              <TableCell>Last seen</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {status.events.slice(0, 10).map((e, i) => (
              <TableRow key={`${e.object}-${e.reason}-${i}`}>
                <TableCell>{e.type}</TableCell>
                <TableCell>
                  {e.count > 1 ? `${e.reason} (×${e.count})` : e.reason}
                </TableCell>
                <TableCell>{e.object}</TableCell>
                <TableCell>{e.message}</TableCell>
                <TableCell>
                  {e.lastSeen ? formatTime(e.lastSeen) : '—'}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}

/**
 * What an endpoint runs and how it is doing: the running version and
 * revision (the deployment records are the truth; a difference from the
 * YAML is shown), the live replicas, pods and recent events where the pool's
 * cluster is configured, the last deployment (followed while it runs), and
 * the promote and rollback buttons for holders of ai-platform.endpoint.deploy.
 */
/** Whether a failed rollout of the endpoint is rolled back on its own, and on what that rests. */
function autoRollbackText(endpoint: InferenceEndpointEntityV1alpha1): string {
  const on = autoRollbackEnabled(endpoint);
  const set = endpoint.spec.rollout?.autoRollback;
  return `${on ? 'on' : 'off'} (${
    set === undefined
      ? `the default for lifecycle ${endpoint.spec.lifecycle}`
      : 'spec.rollout.autoRollback'
  }): a failed rollout ${
    on
      ? 're-applies the last revision that succeeded'
      : 'stays as it failed until someone acts'
  }`;
}

export function EndpointDeploymentCard() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const catalogApi = useApi(catalogApiRef);
  const endpoint = isInferenceEndpointEntity(entity) ? entity : undefined;
  const endpointRef = stringifyEntityRef(entity);
  const name = {
    namespace: entity.metadata.namespace ?? 'default',
    name: entity.metadata.name,
  };
  const status = useAsyncRetry(
    () => api.getEndpointStatus(name),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, endpointRef],
  );
  const history = useAsyncRetry(
    async () =>
      (await api.listDeployments({ endpoint: endpointRef, limit: 50 })).items,
    [api, endpointRef],
  );
  const modelRef = endpoint?.spec.model;
  const model = useAsync(async () => {
    if (!modelRef) return undefined;
    const found = await catalogApi.getEntityByRef(modelRef);
    return found && isModelEntity(found) ? found : undefined;
  }, [catalogApi, modelRef]);
  const deploy = usePermission({
    permission: endpointDeployPermission,
    resourceRef: endpointRef,
  });
  const [dialog, setDialog] = useState<'promote' | 'rollback'>();

  if (!endpoint) {
    return (
      <InfoCard title="Deployment">
        <Typography>
          This card shows InferenceEndpoint entities only.
        </Typography>
      </InfoCard>
    );
  }
  const refresh = () => {
    status.retry();
    history.retry();
  };
  const latest = history.value?.[0];
  const running =
    status.value?.runningModelVersion ?? endpoint.spec.modelVersion;
  const canRollBack = Boolean(
    history.value && defaultRollbackTarget(history.value),
  );
  const noPermission = !deploy.loading && !deploy.allowed;

  return (
    <InfoCard
      title="Deployment"
      actions={
        <Box display="flex" alignItems="center" style={{ gap: 8 }} px={1}>
          <Button
            variant="contained"
            color="primary"
            disabled={!deploy.allowed || !model.value}
            onClick={() => setDialog('promote')}
          >
            Promote…
          </Button>
          <Button
            variant="outlined"
            disabled={!deploy.allowed || !canRollBack}
            onClick={() => setDialog('rollback')}
          >
            Roll back…
          </Button>
          {noPermission && (
            <Typography variant="caption" color="textSecondary">
              Promoting and rolling back need ai-platform.endpoint.deploy (the
              endpoint’s owners and platform admins).
            </Typography>
          )}
          {deploy.allowed && history.value && !canRollBack && (
            <Typography variant="caption" color="textSecondary">
              No earlier revision to roll back to.
            </Typography>
          )}
        </Box>
      }
    >
      {status.loading && !status.value && <Progress />}
      {status.error && <ResponseErrorPanel error={status.error} />}
      {status.value && (
        <>
          <MetadataTable
            label="Running"
            rows={[
              [
                'Runs',
                status.value.runningRevision !== undefined
                  ? `${status.value.runningModelVersion} (revision ${status.value.runningRevision})`
                  : `not deployed through the portal yet; the catalog names ${status.value.catalogModelVersion}`,
              ],
              status.value.runningModelVersion !== undefined &&
                status.value.runningModelVersion !==
                  status.value.catalogModelVersion && [
                  'Catalog YAML',
                  <StatusWarning>
                    {`says ${status.value.catalogModelVersion}; ${status.value.runningModelVersion} runs since a promote or rollback`}
                  </StatusWarning>,
                ],
              endpoint && ['Automatic rollback', autoRollbackText(endpoint)],
              status.value.clusterConfigured && [
                'Deploy target',
                deployTargetLabel(status.value.target),
              ],
              [
                'Cluster',
                <>
                  {`${status.value.cluster} / ${status.value.namespace}`}
                  <SimulatedClusterBadge cluster={status.value.cluster} />
                </>,
              ],
            ]}
          />
          <Box mt={2} component="section" aria-label="Live status">
            <LiveStatus status={status.value} />
          </Box>
        </>
      )}
      <Box mt={2} component="section" aria-label="Last deployment">
        <Typography variant="subtitle2">Last deployment</Typography>
        {history.error && <ResponseErrorPanel error={history.error} />}
        {history.value && !latest && (
          <Typography variant="body2" color="textSecondary">
            None recorded yet.
          </Typography>
        )}
        {latest && !isFinalDeploymentState(latest.state) && (
          <DeploymentProgress
            key={latest.id}
            record={latest}
            onFinal={refresh}
          />
        )}
        {latest && isFinalDeploymentState(latest.state) && (
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <Typography variant="body2">
              {`Revision ${latest.revision}: ${latest.operation} to ${
                latest.modelVersion
              } by ${shortRef(latest.requestedBy)}, ${formatTime(
                latest.createdAt,
              )}`}
            </Typography>
            <DeploymentState record={latest} />
          </Box>
        )}
        {latest?.operation === 'auto-rollback' && latest.reason && (
          <Typography variant="caption" color="textSecondary" component="div">
            {`Rolled back on its own: ${latest.reason}`}
          </Typography>
        )}
      </Box>
      {dialog && (
        <DeploymentDialog
          mode={dialog}
          open
          onClose={() => {
            setDialog(undefined);
            refresh();
          }}
          onFinished={refresh}
          endpoint={endpoint}
          model={model.value}
          runningVersion={running}
          history={history.value ?? []}
        />
      )}
    </InfoCard>
  );
}
