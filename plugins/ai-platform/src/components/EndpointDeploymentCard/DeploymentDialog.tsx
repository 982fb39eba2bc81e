import { stringifyEntityRef } from '@backstage/catalog-model';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  type DeploymentRecord,
  gateOverridePermission,
  gpusNeeded,
  type InferenceEndpointEntityV1alpha1,
  type ModelEntityV1alpha1,
  type QuotaCheck,
} from '@internal/plugin-ai-platform-common';
import {
  aiPlatformApiRef,
  formatTime,
  GateResultsTable,
  gateSummaryText,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useElementId } from '../common/useElementId';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { StatusError, StatusOK } from '@backstage/core-components';
import { DeploymentProgress } from '../DeploymentProgress';
import { shortRef } from '../common/entityRefs';
import { MIN_REASON_LENGTH } from '../common/ReasonDialog';
import { SelectField } from '../common/SelectField';
import { RolloutPreview, surgeBlocks } from './RolloutPreview';
import { CanaryPreview, canaryRefusalOf } from './CanaryPreview';
import { CanaryStepsEditor } from './CanaryStepsEditor';
import {
  type PromoteStrategy,
  runsAsArgoRollout,
  StrategyChoice,
} from './StrategyChoice';
import {
  type CanaryStepDraft,
  canaryStepsProblem,
  draftsOf,
  validateCanarySteps,
} from './canarySteps';

/** Applied revisions: the ones that ran (newest first). */
export function appliedRevisions(history: DeploymentRecord[]) {
  return history.filter(
    r => !r.dryRun && (r.state === 'succeeded' || r.state === 'unchanged'),
  );
}

/**
 * The revision a rollback restores by default: the newest applied one whose
 * objects differ from the running one (the backend's own default).
 */
export function defaultRollbackTarget(history: DeploymentRecord[]) {
  const [running, ...earlier] = appliedRevisions(history);
  return running && earlier.find(r => r.specHash !== running.specHash);
}

function QuotaPreview(props: {
  check?: QuotaCheck;
  error?: Error;
  loading: boolean;
}) {
  if (props.loading) return <Progress />;
  if (props.error) return <ResponseErrorPanel error={props.error} />;
  const c = props.check;
  if (!c) return null;
  const numbers = `${c.gpus} GPUs for ${shortRef(c.team)} on ${shortRef(
    c.pool,
  )}: ${c.teamFree} of its quota of ${c.quota} free (${
    c.used
  } used by its other endpoints), ${c.poolFree} of the pool's ${
    c.poolCapacity
  } free`;
  return c.allowed ? (
    <StatusOK>{`Quota: fits. ${numbers}`}</StatusOK>
  ) : (
    <StatusError>{`Quota: does not fit. ${c.reasons.join(
      '; ',
    )}. ${numbers}`}</StatusError>
  );
}

/**
 * Promote an endpoint to another version of its model, or roll it back to
 * an earlier revision. Before confirming, it shows the checks the backend
 * will run — the target version's eval gates (and whether they are enforced),
 * the quota check with its numbers, and from a dry run of the same call
 * whether the rollout keeps serving (surge) or takes downtime, and why, or
 * for a canary (strategy and steps chosen here) the engine, the GPUs reserved
 * for it and the split the replicas really give —
 * and asks for a reason; after, it
 * follows the deployment until it is final.
 */
export function DeploymentDialog(props: {
  mode: 'promote' | 'rollback';
  open: boolean;
  onClose: () => void;
  onFinished: () => void;
  endpoint: InferenceEndpointEntityV1alpha1;
  model?: ModelEntityV1alpha1;
  runningVersion: string;
  history: DeploymentRecord[];
}) {
  const { mode, endpoint, model } = props;
  const api = useApi(aiPlatformApiRef);
  const id = useElementId();
  const endpointRef = stringifyEntityRef(endpoint);
  const poolRef = endpoint.spec.gpuPool;
  const canOverride = usePermission({ permission: gateOverridePermission });

  const versions = (model?.spec.versions ?? []).filter(
    v => v.name !== props.runningVersion,
  );
  const applied = appliedRevisions(props.history);
  const rollbackChoices = applied.slice(1);
  const [version, setVersion] = useState<string>();
  const [revision, setRevision] = useState<number>();
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState(false);
  const [acceptDowntime, setAcceptDowntime] = useState(false);
  const runsAsRollout = runsAsArgoRollout(props.history);
  const defaultStrategy = runsAsRollout ? 'canary' : 'rolling';
  const [strategy, setStrategy] = useState<PromoteStrategy>(defaultStrategy);
  const [drafts, setDrafts] = useState<CanaryStepDraft[]>(() => draftsOf());
  const [started, setStarted] = useState<DeploymentRecord>();
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<Error>();

  useEffect(() => {
    if (!props.open) return;
    setVersion(
      versions.find(v => v.stage === 'staging')?.name ??
        versions.find(v => v.stage === 'production')?.name ??
        versions[0]?.name,
    );
    setRevision(defaultRollbackTarget(props.history)?.revision);
    setReason('');
    setOverride(false);
    setAcceptDowntime(false);
    setStrategy(defaultStrategy);
    setDrafts(draftsOf());
    setStarted(undefined);
    setSubmitError(undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.open]);

  const target =
    mode === 'rollback'
      ? rollbackChoices.find(r => r.revision === revision)
      : undefined;
  const targetVersion = mode === 'promote' ? version : target?.modelVersion;
  const stage = model?.spec.versions.find(v => v.name === targetVersion)?.stage;
  const enforced =
    endpoint.spec.lifecycle === 'production' || stage === 'production';

  const gates = useAsync(
    async () =>
      props.open && mode === 'promote' && model && targetVersion
        ? api.getGateStatus({
            model: stringifyEntityRef(model),
            version: targetVersion,
          })
        : undefined,
    [api, props.open, mode, model, targetVersion],
  );
  const gpus =
    mode === 'rollback'
      ? target?.gpus
      : endpoint.spec.resources && gpusNeeded(endpoint.spec.resources);
  const quota = useAsync(
    async () =>
      props.open && poolRef && gpus !== undefined
        ? api.checkQuota({
            team: endpoint.spec.owner,
            pool: poolRef,
            gpus,
            endpoint: endpointRef,
          })
        : undefined,
    [api, props.open, poolRef, gpus, endpointRef, endpoint.spec.owner],
  );

  const canary = mode === 'promote' && strategy === 'canary';
  const stepsCheck = useMemo(() => validateCanarySteps(drafts), [drafts]);
  const stepsProblem = canary ? canaryStepsProblem(stepsCheck) : undefined;
  const canaryBody = canary
    ? { strategy: 'canary' as const, canary: { steps: stepsCheck.steps } }
    : {};
  const canaryKey = canary ? JSON.stringify(stepsCheck.steps ?? null) : '';

  // A dry run of the same call: the backend's checks say how it rolls out.
  const name = {
    namespace: endpoint.metadata.namespace ?? 'default',
    name: endpoint.metadata.name,
  };
  const preview = useAsync(async () => {
    if (!props.open) return undefined;
    const dry = {
      ...name,
      dryRun: true,
      wait: true,
      ...(acceptDowntime && !canary ? { allowDowntime: true } : {}),
    };
    if (mode === 'promote' && targetVersion) {
      if (canary && !stepsCheck.steps) return undefined;
      return api.promoteEndpoint({
        ...dry,
        modelVersion: targetVersion,
        ...canaryBody,
      });
    }
    if (mode === 'rollback' && target) {
      return api.rollbackEndpoint({ ...dry, toRevision: target.revision });
    }
    return undefined;
  }, [
    api,
    props.open,
    mode,
    targetVersion,
    target?.revision,
    acceptDowntime,
    endpointRef,
    canaryKey,
  ]);

  const gatesBlock =
    mode === 'promote' && gates.value && !gates.value.passed && enforced;
  let blockedBy: string | undefined;
  if (mode === 'promote' && !targetVersion) {
    blockedBy = 'The model has no other version to promote to.';
  } else if (mode === 'rollback' && !target) {
    blockedBy = 'There is no earlier applied revision to roll back to.';
  } else if (quota.value && !quota.value.allowed) {
    blockedBy = `The quota check fails: ${quota.value.reasons.join('; ')}`;
  } else if (stepsProblem) {
    blockedBy = `Fix the canary steps. ${stepsProblem}`;
  } else if (canary && canaryRefusalOf(preview.error)) {
    blockedBy = `The backend refuses the canary: ${canaryRefusalOf(
      preview.error,
    )}`;
  } else if (
    canary &&
    preview.value?.error &&
    preview.value.error.check !== 'gates'
  ) {
    blockedBy = `The backend refuses the canary: ${preview.value.error.message}`;
  } else if (!canary && surgeBlocks(preview.value, acceptDowntime)) {
    blockedBy =
      'There is no room for the surge: wait until GPUs are free, or accept downtime.';
  } else if (gatesBlock && !override) {
    blockedBy = canOverride.allowed
      ? 'The eval gates fail; record results, or override them with a reason.'
      : 'The eval gates fail; record results first (overriding needs ai-platform.gate.override).';
  } else if (reason.trim().length < MIN_REASON_LENGTH) {
    blockedBy = `Give a reason of at least ${MIN_REASON_LENGTH} characters.`;
  }
  const checking = gates.loading || quota.loading || preview.loading;

  const confirm = async () => {
    setSubmitting(true);
    setSubmitError(undefined);
    const downtime = acceptDowntime && !canary ? { allowDowntime: true } : {};
    try {
      const record =
        mode === 'promote'
          ? await api.promoteEndpoint({
              ...name,
              modelVersion: targetVersion!,
              reason: reason.trim(),
              ...(override ? { overrideGates: true } : {}),
              ...downtime,
              ...canaryBody,
            })
          : await api.rollbackEndpoint({
              ...name,
              toRevision: target!.revision,
              reason: reason.trim(),
              ...downtime,
            });
      setStarted(record);
    } catch (e) {
      setSubmitError(e as Error);
    } finally {
      setSubmitting(false);
    }
  };

  const title =
    mode === 'promote'
      ? `Promote ${endpoint.metadata.title ?? endpoint.metadata.name}`
      : `Roll back ${endpoint.metadata.title ?? endpoint.metadata.name}`;

  return (
    <Dialog
      open={props.open}
      onClose={submitting ? undefined : props.onClose}
      aria-labelledby={id && `${id}-title`}
      fullWidth
      maxWidth="md"
    >
      <DialogTitle id={id && `${id}-title`}>{title}</DialogTitle>
      <DialogContent>
        {started ? (
          <DeploymentProgress record={started} onFinal={props.onFinished} />
        ) : (
          <>
            <Typography variant="body2" paragraph>
              {`Runs now: ${props.runningVersion}. `}
              {mode === 'promote'
                ? 'The backend checks permission, sizing, the eval gates and the quota again before it applies anything.'
                : 'A rollback re-applies the objects of an earlier revision; the quota is checked again, the gates are not (that revision ran before).'}
            </Typography>
            {mode === 'promote' ? (
              <SelectField
                label="Version"
                value={version}
                minWidth={240}
                options={versions.map(v => ({
                  value: v.name,
                  label: `${v.name} (${v.stage})`,
                }))}
                onChange={setVersion}
              />
            ) : (
              <SelectField
                label="Revision to restore"
                value={revision === undefined ? undefined : String(revision)}
                minWidth={320}
                options={rollbackChoices.map(r => ({
                  value: String(r.revision),
                  label: `revision ${r.revision}: ${r.modelVersion}, ${
                    r.operation
                  } by ${shortRef(r.requestedBy)}, ${formatTime(r.createdAt)}`,
                }))}
                onChange={v => setRevision(v ? Number(v) : undefined)}
              />
            )}
            <Box mt={2} component="section" aria-label="Eval gates check">
              <Typography variant="subtitle2">Eval gates</Typography>
              {mode === 'rollback' && (
                <Typography variant="body2">
                  {target
                    ? `Not re-checked: revision ${target.revision} (${target.modelVersion}) ran before.`
                    : '—'}
                </Typography>
              )}
              {mode === 'promote' && gates.loading && <Progress />}
              {mode === 'promote' && gates.error && (
                <ResponseErrorPanel error={gates.error} />
              )}
              {mode === 'promote' && gates.value && (
                <>
                  <Typography variant="body2" gutterBottom>
                    {`${targetVersion}: ${
                      gates.value.passed ? 'passes' : 'does not pass'
                    } its gates (${gateSummaryText(gates.value)}). ${
                      enforced
                        ? 'Enforced: a failing or missing gate blocks a production endpoint or version.'
                        : `Not enforced for a ${endpoint.spec.lifecycle} endpoint serving a ${stage} version.`
                    }`}
                  </Typography>
                  <GateResultsTable
                    status={gates.value}
                    label={`Gates of ${targetVersion}`}
                  />
                  {gatesBlock && canOverride.allowed && (
                    <FormControlLabel
                      control={
                        <Checkbox
                          checked={override}
                          onChange={e => setOverride(e.target.checked)}
                          color="primary"
                        />
                      }
                      label="Override the failing gates for this version (audited with the reason)"
                    />
                  )}
                </>
              )}
            </Box>
            <Box mt={2} component="section" aria-label="Quota check">
              <Typography variant="subtitle2">Quota</Typography>
              {poolRef ? (
                <QuotaPreview
                  check={quota.value}
                  error={quota.error}
                  loading={quota.loading}
                />
              ) : (
                <Typography variant="body2">
                  The endpoint names no pool.
                </Typography>
              )}
            </Box>
            {mode === 'promote' && (
              <Box mt={2} component="section" aria-label="Strategy">
                <Typography variant="subtitle2">Strategy</Typography>
                <StrategyChoice
                  value={strategy}
                  onChange={setStrategy}
                  canaryOnly={runsAsRollout}
                />
                {canary && (
                  <CanaryStepsEditor
                    drafts={drafts}
                    validation={stepsCheck}
                    onChange={setDrafts}
                  />
                )}
              </Box>
            )}
            <Box mt={2} component="section" aria-label="Rollout">
              <Typography variant="subtitle2">Rollout</Typography>
              {canary ? (
                <CanaryPreview
                  state={preview}
                  stepsValid={Boolean(stepsCheck.steps)}
                />
              ) : (
                <RolloutPreview
                  state={preview}
                  acceptDowntime={acceptDowntime}
                  onAcceptDowntime={setAcceptDowntime}
                />
              )}
            </Box>
            <TextField
              id={id && `${id}-reason`}
              label="Reason"
              value={reason}
              onChange={e => setReason(e.target.value)}
              multiline
              minRows={2}
              fullWidth
              required
              margin="normal"
              variant="outlined"
              helperText={`At least ${MIN_REASON_LENGTH} characters; kept in the deployment record and the audit log.`}
            />
            {blockedBy && !checking && (
              <Alert severity="warning" role="status">
                {blockedBy}
              </Alert>
            )}
            {submitError && <ResponseErrorPanel error={submitError} />}
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={submitting}>
          {started ? 'Close' : 'Cancel'}
        </Button>
        {!started && (
          <Button
            color="primary"
            variant="contained"
            onClick={confirm}
            disabled={Boolean(blockedBy) || checking || submitting}
          >
            {mode === 'promote'
              ? `Promote to ${targetVersion ?? '…'}${
                  canary ? ' as a canary' : ''
                }`
              : `Roll back to revision ${target?.revision ?? '…'}`}
          </Button>
        )}
      </DialogActions>
    </Dialog>
  );
}
