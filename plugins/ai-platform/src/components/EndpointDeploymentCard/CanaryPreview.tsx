import {
  Progress,
  ResponseErrorPanel,
  StatusError,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { ResponseError } from '@backstage/errors';
import type { DeploymentRecord } from '@internal/plugin-ai-platform-common';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { engineText, pauseText, splitBasisText } from '../common/canaryFormat';
import type { RolloutPreviewState } from './RolloutPreview';

/**
 * Why the backend refused the dry run outright (a 4xx before anything was
 * recorded: no engine on the cluster, nothing running yet, a KServe
 * target), in its own words; undefined for other errors.
 */
export function canaryRefusalOf(error: Error | undefined): string | undefined {
  if (!error || !ResponseError.is(error)) return undefined;
  const status = error.statusCode;
  if (status < 400 || status >= 500 || status === 401 || status === 403) {
    return undefined;
  }
  return error.body?.error?.message ?? error.message;
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
  const refused = canaryRefusalOf(state.error);
  if (refused) return <StatusError>{`Refused: ${refused}`}</StatusError>;
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
