import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import IconButton from '@material-ui/core/IconButton';
import MenuItem from '@material-ui/core/MenuItem';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import DeleteIcon from '@material-ui/icons/Delete';
import { formatSeconds } from '../common/canaryFormat';
import { useElementId } from '../common/useElementId';
import {
  type CanaryStepDraft,
  type CanaryStepsValidation,
  draftsOf,
  MAX_CANARY_STEPS,
  type StepPauseKind,
} from './canarySteps';

const PAUSE_LABELS: Record<StepPauseKind, string> = {
  timed: 'Timed pause',
  approval: 'Manual approval',
  none: 'No pause',
};

/**
 * The steps of a canary promote: per step the percent of traffic to the new
 * version and how it waits (a timed pause, a manual approval, or none), with
 * what is wrong shown under each field. Starts from DEFAULT_CANARY_STEPS.
 */
export function CanaryStepsEditor(props: {
  drafts: CanaryStepDraft[];
  validation: CanaryStepsValidation;
  onChange: (drafts: CanaryStepDraft[]) => void;
}) {
  const { drafts, validation } = props;
  const id = useElementId();
  const update = (i: number, change: Partial<CanaryStepDraft>) =>
    props.onChange(drafts.map((d, j) => (j === i ? { ...d, ...change } : d)));
  const add = () => {
    // A new step goes before the last (100 %) one, halfway up to it.
    const last = drafts[drafts.length - 1];
    const before = drafts[drafts.length - 2];
    const from = Number(before?.weight) || 0;
    const weight = String(Math.max(1, Math.round((from + 100) / 2)));
    const step: CanaryStepDraft = { weight, pause: 'timed', seconds: '300' };
    props.onChange(
      last
        ? [...drafts.slice(0, -1), step, last]
        : [{ ...step, weight: '100' }],
    );
  };
  return (
    <Box>
      <Table size="small" aria-label="Canary steps">
        <TableHead>
          <TableRow>
            <TableCell>Step</TableCell>
            <TableCell>Traffic to the new version</TableCell>
            <TableCell>Then</TableCell>
            <TableCell>Pause</TableCell>
            <TableCell />
          </TableRow>
        </TableHead>
        <TableBody>
          {drafts.map((d, i) => {
            const errors = validation.stepErrors[i] ?? {};
            const n = i + 1;
            const seconds = Number(d.seconds);
            const last = i === drafts.length - 1;
            return (
              <TableRow key={i}>
                <TableCell>{n}</TableCell>
                <TableCell>
                  <TextField
                    id={`${id}-weight-${i}`}
                    label={`Step ${n} weight (%)`}
                    value={d.weight}
                    onChange={e => update(i, { weight: e.target.value })}
                    error={Boolean(errors.weight)}
                    helperText={errors.weight}
                    inputProps={{ inputMode: 'numeric' }}
                    size="small"
                    variant="outlined"
                    style={{ width: 150 }}
                  />
                </TableCell>
                <TableCell colSpan={last ? 2 : 1}>
                  {last ? (
                    <Typography variant="body2" color="textSecondary">
                      ends the canary: all traffic on the new version
                    </Typography>
                  ) : (
                    <TextField
                      id={`${id}-pause-${i}`}
                      select
                      label={`Step ${n} then`}
                      value={d.pause}
                      onChange={e =>
                        update(i, { pause: e.target.value as StepPauseKind })
                      }
                      size="small"
                      variant="outlined"
                      style={{ minWidth: 170 }}
                    >
                      {(Object.keys(PAUSE_LABELS) as StepPauseKind[]).map(k => (
                        <MenuItem key={k} value={k}>
                          {PAUSE_LABELS[k]}
                        </MenuItem>
                      ))}
                    </TextField>
                  )}
                </TableCell>
                {!last && (
                  <TableCell>
                    {d.pause === 'timed' ? (
                      <TextField
                        id={`${id}-seconds-${i}`}
                        label={`Step ${n} pause (seconds)`}
                        value={d.seconds}
                        onChange={e => update(i, { seconds: e.target.value })}
                        error={Boolean(errors.seconds)}
                        helperText={
                          errors.seconds ??
                          (seconds > 0 ? formatSeconds(seconds) : undefined)
                        }
                        inputProps={{ inputMode: 'numeric' }}
                        size="small"
                        variant="outlined"
                        style={{ width: 170 }}
                      />
                    ) : (
                      <Typography variant="body2" color="textSecondary">
                        {d.pause === 'approval'
                          ? 'waits until someone approves'
                          : 'goes on at once'}
                      </Typography>
                    )}
                  </TableCell>
                )}
                <TableCell padding="none">
                  <IconButton
                    aria-label={`Remove step ${n}`}
                    size="small"
                    disabled={drafts.length <= 1}
                    onClick={() =>
                      props.onChange(drafts.filter((_, j) => j !== i))
                    }
                  >
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {validation.error && (
        <Typography variant="body2" color="error" role="alert">
          {validation.error}
        </Typography>
      )}
      <Box mt={1} display="flex" style={{ gap: 8 }}>
        <Button
          size="small"
          onClick={add}
          disabled={drafts.length >= MAX_CANARY_STEPS}
        >
          Add step
        </Button>
        <Button size="small" onClick={() => props.onChange(draftsOf())}>
          Default steps
        </Button>
      </Box>
    </Box>
  );
}
