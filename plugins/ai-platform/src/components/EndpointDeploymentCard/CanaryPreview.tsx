import {
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import type {
  CanaryEngineName,
  CanarySplit,
  DeploymentRecord,
} from '@internal/plugin-ai-platform-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { pauseText } from './canarySteps';
import type { RolloutPreviewState } from './RolloutPreview';

/** The engine in words, with the objects it works through. */
export function engineText(engine: CanaryEngineName): string {
  return engine === 'argo-rollouts'
    ? 'Argo Rollouts: a Rollout (argoproj.io/v1alpha1) whose controller follows the steps'
    : 'Gateway API: a stable and a canary Deployment behind an HTTPRoute whose weights the portal sets';
}

/** Where a split's actual percent comes from, in words. */
export function splitBasisText(split: CanarySplit): string {
  return split.basis === 'route-weights'
    ? 'route weights, as the cluster stores them'
    : `replica count: ${split.canaryReplicas} canary of ${
        split.canaryReplicas + split.stableReplicas
      } pods`;
}

/**
 * Before a canary promote is confirmed: what a dry run of the same call says
 * it does — the engine the cluster offers, the steps, the GPUs reserved for
 * the canary's pods, and per step the split the replicas and routing really
 * give (with one or two replicas a 10 % step is not 10 %) — or why the
 * backend refuses it.
 */
export function CanaryPreview(props: {
  state: RolloutPreviewState;
  /** False while the steps editor has errors: nothing was dry-run. */
  stepsValid: boolean;
}) {
  const { state } = props;
  if (!props.stepsValid) {
    return (
      <Typography variant="body2">Checked once the steps are valid.</Typography>
    );
  }
  if (state.loading) return <Progress />;
  if (state.error) return <ResponseErrorPanel error={state.error} />;
  const record: DeploymentRecord | undefined = state.value;
  if (!record) return null;
  const plan = record.canary;
  const refusal = record.error && (
    <StatusError>{`Refused at ${record.error.check}: ${record.error.message}${
      record.error.cause ? ` (${record.error.cause})` : ''
    }`}</StatusError>
  );
  if (!plan) {
    return (
      refusal ?? (
        <Typography variant="body2">
          The dry run did not say how the canary would run.
        </Typography>
      )
    );
  }
  return (
    <>
      {refusal}
      {!record.error && (
        <StatusOK>{`Runs as a canary through ${engineText(
          plan.engine,
        )}.`}</StatusOK>
      )}
      {record.error && (
        <Typography variant="body2">{`Engine: ${engineText(
          plan.engine,
        )}.`}</Typography>
      )}
      <Typography variant="body2">
        {`${plan.reservedGpus} GPU${
          plan.reservedGpus === 1 ? '' : 's'
        } reserved for the canary's pods until the canary ends (checked against the team's quota and the pool).`}
        {plan.converting &&
          ' The running Deployment is taken over by the Rollout (workloadRef): nothing is recreated, and both workloads count while it converts.'}
      </Typography>
      <Table size="small" aria-label="Canary plan">
        <TableHead>
          <TableRow>
            <TableCell>Step</TableCell>
            <TableCell align="right">Asked</TableCell>
            <TableCell align="right">Really</TableCell>
            <TableCell>Basis</TableCell>
            <TableCell>Then</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {plan.steps.map((step, i) => {
            const split = plan.splits[i];
            return (
              <TableRow key={i}>
                <TableCell>{i + 1}</TableCell>
                <TableCell align="right">{`${step.weight} %`}</TableCell>
                <TableCell align="right">
                  {split ? `${split.actualCanaryPercent} %` : '—'}
                </TableCell>
                <TableCell>
                  {split ? splitBasisText(split) : 'not known'}
                  {split?.note && (
                    <Typography
                      variant="caption"
                      component="div"
                      color="textSecondary"
                    >
                      {split.note}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>{pauseText(step)}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {(plan.warnings ?? []).map(w => (
        <div key={w}>
          <StatusWarning>{w}</StatusWarning>
        </div>
      ))}
    </>
  );
}
