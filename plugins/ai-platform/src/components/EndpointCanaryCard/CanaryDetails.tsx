import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import type {
  CanaryAnalysis,
  CanaryPhase,
  CanaryStatus,
} from '@internal/plugin-ai-platform-common';
import { formatNumber, formatTime } from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useEffect, useState } from 'react';
import { shortRef } from '../common/entityRefs';
import { MetadataTable } from '../common/MetadataTable';
import {
  engineText,
  formatSeconds,
  pauseText,
  splitBasisText,
} from '../common/canaryFormat';

/** What the page says when the analysis has no Prometheus to read. */
export const NO_ANALYSIS_TEXT =
  'No Prometheus configured: steps advance without evidence';

const PHASE_TEXT: Record<CanaryPhase, string> = {
  progressing: 'progressing',
  paused: 'paused',
  'awaiting-approval': 'awaiting approval',
  succeeded: 'succeeded',
  aborted: 'aborted',
  failed: 'failed',
};

/** The phase as a status with a word. */
export function CanaryPhaseStatus(props: { phase: CanaryPhase }) {
  const text = PHASE_TEXT[props.phase];
  switch (props.phase) {
    case 'succeeded':
      return <StatusOK>{text}</StatusOK>;
    case 'failed':
      return <StatusError>{text}</StatusError>;
    case 'aborted':
      return <StatusAborted>{text}</StatusAborted>;
    case 'awaiting-approval':
      return <StatusPending>{text}</StatusPending>;
    case 'paused':
      return <StatusWarning>{text}</StatusWarning>;
    default:
      return <StatusRunning>{text}</StatusRunning>;
  }
}

function AnalysisStatus(props: { analysis: CanaryAnalysis }) {
  const a = props.analysis;
  if (a.status === 'none') {
    return <StatusWarning>{NO_ANALYSIS_TEXT}</StatusWarning>;
  }
  const figures = [
    a.errorRate !== undefined &&
      `error rate ${formatNumber(a.errorRate * 100, 2)} %`,
    a.ttftP95Seconds !== undefined &&
      `TTFT p95 ${formatNumber(a.ttftP95Seconds * 1000, 0)} ms`,
    a.checkedAt && `checked ${formatTime(a.checkedAt)}`,
  ].filter(Boolean);
  const text = `${a.status}: ${a.message}${
    figures.length ? ` (${figures.join(', ')})` : ''
  }`;
  if (a.status === 'passed') return <StatusOK>{text}</StatusOK>;
  if (a.status === 'failed') return <StatusError>{text}</StatusError>;
  return <StatusRunning>{text}</StatusRunning>;
}

/** Seconds from now to an instant, ticking every second while mounted. */
function useSecondsUntil(iso: string | undefined): number | undefined {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!iso) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [iso]);
  return iso ? (Date.parse(iso) - now) / 1000 : undefined;
}

function PauseCountdown(props: { endsAt: string }) {
  const left = useSecondsUntil(props.endsAt);
  if (left === undefined) return null;
  return (
    <span role="timer" aria-label="Pause ends">
      {left > 0
        ? `ends in ${formatSeconds(left)} (${formatTime(props.endsAt)})`
        : `ended ${formatTime(
            props.endsAt,
          )}; the next step starts at the driver's next tick`}
    </span>
  );
}

/**
 * A canary as the backend reports it: engine, versions, the steps as a
 * stepper with the current one, phase, desired and actual split with its
 * basis, analysis, pause countdown, warnings and the recorded events.
 */
export function CanaryDetails(props: { status: CanaryStatus }) {
  const { status } = props;
  const split = status.split;
  const final = ['succeeded', 'aborted', 'failed'].includes(status.phase);
  const step = status.steps[status.stepIndex];
  return (
    <>
      {status.warnings.map(w => (
        <Alert key={w} severity="warning">
          {w}
        </Alert>
      ))}
      <Box component="section" aria-label="Canary steps">
        <Stepper
          activeStep={status.phase === 'succeeded' ? -1 : status.stepIndex}
          alternativeLabel
        >
          {status.steps.map((s, i) => (
            <Step
              key={i}
              completed={
                status.phase === 'succeeded' ||
                (i < status.stepIndex && status.phase !== 'aborted')
              }
            >
              <StepLabel
                error={
                  i === status.stepIndex &&
                  (status.phase === 'aborted' || status.phase === 'failed')
                }
                optional={
                  <Typography variant="caption">
                    {i === status.stepIndex && !final
                      ? `current, ${pauseText(s)}`
                      : pauseText(s)}
                  </Typography>
                }
              >
                {`${s.weight} %`}
              </StepLabel>
            </Step>
          ))}
        </Stepper>
      </Box>
      <MetadataTable
        label="Canary"
        rows={[
          [
            'Phase',
            <>
              <CanaryPhaseStatus phase={status.phase} />
              <Typography variant="body2" component="span">
                {` step ${status.stepIndex + 1} of ${status.steps.length}${
                  step ? ` (${step.weight} %)` : ''
                }: ${status.message}`}
              </Typography>
            </>,
          ],
          [
            'Versions',
            `stable ${status.stableVersion} → canary ${status.canaryVersion} (revision ${status.revision})`,
          ],
          ['Engine', engineText(status.engine)],
          [
            'Traffic to the canary',
            split ? (
              <>
                {`desired ${split.desiredCanaryPercent} %, actual ${
                  split.actualCanaryPercent
                } % (${splitBasisText(split)}; ${
                  split.stableReplicas
                } stable pod${split.stableReplicas === 1 ? '' : 's'})`}
                {split.note && (
                  <Typography
                    variant="caption"
                    component="div"
                    color="textSecondary"
                  >
                    {split.note}
                  </Typography>
                )}
              </>
            ) : (
              'not read from the cluster yet'
            ),
          ],
          ['Analysis', <AnalysisStatus analysis={status.analysis} />],
          !final &&
            status.phase === 'paused' &&
            status.pauseEndsAt !== undefined && [
              'Pause',
              <PauseCountdown endsAt={status.pauseEndsAt} />,
            ],
          [
            'GPUs reserved',
            final
              ? `${status.reservedGpus} (released when the canary ended)`
              : `${status.reservedGpus} for the canary's pods until it ends`,
          ],
          [
            'Started',
            `${formatTime(status.startedAt)}${
              status.endedAt ? `, ended ${formatTime(status.endedAt)}` : ''
            }`,
          ],
        ]}
      />
      <Box mt={2}>
        <Typography variant="subtitle2">Events</Typography>
        {status.events.length === 0 ? (
          <Typography variant="body2" color="textSecondary">
            None recorded yet.
          </Typography>
        ) : (
          <Table size="small" aria-label="Canary events">
            <TableHead>
              <TableRow>
                <TableCell>At</TableCell>
                <TableCell>Event</TableCell>
                <TableCell align="right">Step</TableCell>
                <TableCell>By</TableCell>
                <TableCell>Message</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {[...status.events].reverse().map((e, i) => (
                <TableRow key={`${e.at}-${e.type}-${i}`}>
                  <TableCell>{formatTime(e.at)}</TableCell>
                  <TableCell>{e.type}</TableCell>
                  <TableCell align="right">{e.stepIndex + 1}</TableCell>
                  <TableCell>
                    {e.actor === 'system' ? 'system' : shortRef(e.actor)}
                  </TableCell>
                  <TableCell>{e.message}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Box>
    </>
  );
}
