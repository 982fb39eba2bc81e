import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  EvalLeaderboardRow,
  ModelStage,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  formatScore,
  formatTime,
  StageChip,
} from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import useAsync from 'react-use/esm/useAsync';
import { SelectField } from '../common/SelectField';
import { useQueryState } from '../common/useQueryState';

const STAGES: ModelStage[] = [
  'production',
  'staging',
  'development',
  'deprecated',
  'archived',
];

const useStyles = makeStyles(theme => ({
  /** Scrolls a table sideways inside its card when it is wider than that. */
  scroll: { overflowX: 'auto' },
  table: {
    // Backstage's theme lets cells break anywhere in a word
    // (`word-break: break-word`), so that the browser squeezes columns into
    // "Ra nk" and "Sco re". Break only between words (and after hyphens).
    '& th, & td': { wordBreak: 'normal', overflowWrap: 'normal' },
    '& th': { whiteSpace: 'nowrap' },
  },
  /** Short values that read as one: version, score, time. */
  nowrap: { whiteSpace: 'nowrap' },
  /** Room for a model title on one or two lines. */
  model: { minWidth: theme.spacing(18) },
}));

const distinct = (values: string[]) => [...new Set(values)].sort();

/** Rows grouped by task and metric, in the backend's order (best first). */
function groupByTask(rows: EvalLeaderboardRow[]) {
  const groups = new Map<string, EvalLeaderboardRow[]>();
  for (const row of rows) {
    const key = `${row.task}|${row.metric}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()];
}

/**
 * The leaderboard: the newest score of every model version on every task,
 * best first per task and metric, filtered by model type, task and stage
 * (kept in the URL: `?type=llm&task=mmlu&stage=production`).
 */
export function Leaderboard() {
  const api = useApi(aiPlatformApiRef);
  const classes = useStyles();
  const query = useQueryState();
  const type = query.get('type');
  const task = query.get('task');
  const stage = query.get('stage') as ModelStage | undefined;
  // Unfiltered, for the filter options.
  const all = useAsync(() => api.getLeaderboard(), [api]);
  const filtered = useAsync(
    () => api.getLeaderboard({ type, task, stage }),
    [api, type, task, stage],
  );
  const options = all.value?.items ?? [];
  const filtering = Boolean(type || task || stage);

  return (
    <InfoCard title="Leaderboard">
      <Box display="flex" flexWrap="wrap" mb={2} style={{ gap: 16 }}>
        <SelectField
          label="Model type"
          anyLabel="Any type"
          value={type}
          options={distinct(options.map(r => r.type)).map(v => ({
            value: v,
            label: v,
          }))}
          onChange={v => query.set({ type: v })}
        />
        <SelectField
          label="Task"
          anyLabel="Any task"
          value={task}
          options={distinct(options.map(r => r.task)).map(v => ({
            value: v,
            label: v,
          }))}
          onChange={v => query.set({ task: v })}
        />
        <SelectField
          label="Stage"
          anyLabel="Any stage"
          value={stage}
          options={STAGES.map(v => ({ value: v, label: v }))}
          onChange={v => query.set({ stage: v })}
        />
      </Box>
      <AsyncContent
        {...filtered}
        isEmpty={v => v.items.length === 0}
        emptyTitle={
          filtering ? 'No scores match these filters' : 'No eval results yet'
        }
        emptyDescription={
          filtering
            ? 'Clear a filter to see more.'
            : 'CI posts eval results for model versions to POST /api/ai-platform/evals/runs.'
        }
      >
        {({ items }) => (
          <Grid container spacing={3}>
            {groupByTask(items).map(rows => {
              const { task: t, metric } = rows[0];
              const lowerIsBetter = rows[0].higherIsBetter === false;
              return (
                <Grid item xs={12} xl={6} key={`${t}|${metric}`}>
                  <Typography variant="h6" component="h3">
                    {`${t} · ${metric}`}
                  </Typography>
                  <Typography variant="caption" color="textSecondary">
                    {lowerIsBetter ? 'Lower is better' : 'Higher is better'}
                  </Typography>
                  <div className={classes.scroll}>
                    <Table
                      size="small"
                      className={classes.table}
                      aria-label={`Leaderboard for ${t} ${metric}`}
                    >
                      <TableHead>
                        <TableRow>
                          <TableCell>Rank</TableCell>
                          <TableCell>Model</TableCell>
                          <TableCell>Version</TableCell>
                          <TableCell>Stage</TableCell>
                          <TableCell align="right">Score</TableCell>
                          <TableCell>Posted</TableCell>
                        </TableRow>
                      </TableHead>
                      <TableBody>
                        {rows.map((row, i) => (
                          <TableRow key={`${row.model}|${row.version}`}>
                            <TableCell>{i + 1}</TableCell>
                            <TableCell className={classes.model}>
                              <EntityRefLink entityRef={row.model}>
                                {row.title}
                              </EntityRefLink>
                            </TableCell>
                            <TableCell className={classes.nowrap}>
                              {row.version}
                            </TableCell>
                            <TableCell>
                              <StageChip stage={row.stage} />
                            </TableCell>
                            <TableCell align="right" className={classes.nowrap}>
                              {formatScore(row.value)}
                              {row.stderr !== undefined &&
                                ` ± ${formatScore(row.stderr)}`}
                            </TableCell>
                            <TableCell className={classes.nowrap}>
                              {formatTime(row.postedAt)}
                            </TableCell>
                          </TableRow>
                        ))}
                      </TableBody>
                    </Table>
                  </div>
                </Grid>
              );
            })}
          </Grid>
        )}
      </AsyncContent>
    </InfoCard>
  );
}
