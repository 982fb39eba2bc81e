import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import type {
  GateResult,
  ModelGateStatus,
} from '@internal/plugin-ai-platform-common';
import { formatScore } from '../../format/format';
import { GateOutcome } from './GateOutcome';

/** The rule of a gate in words, e.g. `>= 0.66; drop <= 0.02 vs v1`. */
export function gateRule(gate: GateResult): string {
  const parts: string[] = [];
  if (gate.min !== undefined) parts.push(`≥ ${formatScore(gate.min)}`);
  if (gate.max !== undefined) parts.push(`≤ ${formatScore(gate.max)}`);
  if (gate.maxRegression !== undefined) {
    parts.push(
      `drop ≤ ${formatScore(gate.maxRegression)}${
        gate.baselineVersion ? ` vs ${gate.baselineVersion}` : ''
      }`,
    );
  }
  return parts.join('; ');
}

/** One line summing up a version's gates, e.g. `2 pass, 1 fail, 0 missing`. */
export function gateSummaryText(status: ModelGateStatus): string {
  const { pass, fail, missing, overridden } = status.summary;
  return `${pass} pass, ${fail} fail, ${missing} missing${
    overridden ? `, ${overridden} overridden` : ''
  }`;
}

/**
 * The gates of one model version with their numbers: the rule, the
 * version's latest value, the production baseline, and the outcome with the
 * backend's reasons.
 */
export function GateResultsTable(props: {
  status: ModelGateStatus;
  /** Accessible name of the table; defaults to `Gates of <version>`. */
  label?: string;
}) {
  const { status } = props;
  if (status.gates.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        This model defines no eval gates (spec.evaluation.gates).
      </Typography>
    );
  }
  return (
    <Table
      size="small"
      aria-label={props.label ?? `Gates of ${status.version}`}
    >
      <TableHead>
        <TableRow>
          <TableCell>Task</TableCell>
          <TableCell>Metric</TableCell>
          <TableCell>Rule</TableCell>
          <TableCell align="right">Value</TableCell>
          <TableCell align="right">Baseline</TableCell>
          <TableCell>Status</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {status.gates.map(gate => (
          <TableRow key={`${gate.task}|${gate.metric}`}>
            <TableCell>{gate.task}</TableCell>
            <TableCell>{gate.metric}</TableCell>
            <TableCell>{gateRule(gate)}</TableCell>
            <TableCell align="right">
              {gate.value === undefined ? '—' : formatScore(gate.value)}
            </TableCell>
            <TableCell align="right">
              {gate.baselineValue === undefined
                ? '—'
                : `${formatScore(gate.baselineValue)}${
                    gate.baselineVersion ? ` (${gate.baselineVersion})` : ''
                  }`}
            </TableCell>
            <TableCell>
              <GateOutcome gate={gate} />
              {gate.reasons.map(reason => (
                <Typography
                  key={reason}
                  variant="caption"
                  color="textSecondary"
                  component="div"
                >
                  {reason}
                </Typography>
              ))}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
