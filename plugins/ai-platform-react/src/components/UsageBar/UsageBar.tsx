import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { formatNumber } from '../../format/format';

const useStyles = makeStyles(theme => ({
  bar: { height: 10, borderRadius: 5 },
  over: { backgroundColor: theme.palette.error.main },
  full: { backgroundColor: theme.palette.warning.main },
}));

/**
 * How much of a limit is used, as a labelled bar: `used of limit unit`, red
 * when over the limit, amber when exactly at it. Screen readers get the
 * label and the numbers.
 */
export function UsageBar(props: {
  /** What the bar measures, e.g. the team's name. */
  label: string;
  used: number;
  limit: number;
  unit?: string;
  /** A note after the numbers, e.g. `override by alice`. */
  note?: string;
}) {
  const classes = useStyles();
  const { label, used, limit, unit = 'GPUs' } = props;
  const percent = limit > 0 ? Math.min(100, (used / limit) * 100) : 100;
  const over = used > limit;
  let barClass: string | undefined;
  if (over) barClass = classes.over;
  else if (used === limit && used > 0) barClass = classes.full;
  const text = `${formatNumber(used)} of ${formatNumber(limit)} ${unit} used`;
  return (
    <Box mb={1.5}>
      <Box display="flex" justifyContent="space-between" mb={0.5}>
        <Typography variant="body2">{label}</Typography>
        <Typography variant="body2" color={over ? 'error' : 'textSecondary'}>
          {text}
          {over ? ' (over)' : ''}
          {props.note ? ` · ${props.note}` : ''}
        </Typography>
      </Box>
      <LinearProgress
        variant="determinate"
        value={used > 0 && limit === 0 ? 100 : percent}
        aria-label={`${label}: ${text}`}
        classes={{ root: classes.bar, bar: barClass }}
      />
    </Box>
  );
}
