import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  budgetManagePermission,
  type CostGroupBy,
  monthOf,
  previousMonth,
} from '@internal/plugin-ai-platform-common';
import { aiPlatformApiRef } from '@internal/plugin-ai-platform-react';
import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import ToggleButton from '@material-ui/lab/ToggleButton';
import ToggleButtonGroup from '@material-ui/lab/ToggleButtonGroup';
import { makeStyles } from '@material-ui/core/styles';
import { useMemo } from 'react';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { DownloadButton } from '../common/DownloadButton';
import { PageFrame } from '../common/PageFrame';
import { SelectField } from '../common/SelectField';
import { SimulatedClustersNote } from '../common/SimulatedCluster';
import { useQueryState } from '../common/useQueryState';
import { BudgetsCard } from './BudgetsCard';
import { CostKpis } from './CostKpis';
import {
  COST_GROUPINGS,
  type CostWindowKind,
  customWindowProblem,
  granularityOf,
  windowOf,
} from './costWindow';
import { IdleCostByPool } from './IdleCostByPool';
import { SpendOverTime } from './SpendOverTime';
import { TokenCostByModel } from './TokenCostByModel';
import { TopSpenders } from './TopSpenders';
import { WhatRunsCard } from './WhatRunsCard';

const useStyles = makeStyles(theme => ({
  // Material UI greys out the windows not chosen (38% opacity) and writes
  // the chosen one in 54%, on a darker background: both below a readable
  // contrast. Secondary text, and primary text for the chosen one.
  window: {
    color: theme.palette.text.secondary,
    '&.Mui-selected': { color: theme.palette.text.primary },
  },
}));

const WINDOWS: Array<{ value: CostWindowKind; label: string }> = [
  { value: '30d', label: 'Last 30 days' },
  { value: 'quarter', label: 'This quarter' },
  { value: 'year', label: 'This year' },
  { value: 'custom', label: 'Custom' },
];

/**
 * The cost page, the leadership view: total spend of the chosen window with
 * the month-over-month change and the current month's forecast; spend over
 * time stacked by team, model, pool or cluster; top endpoints and models;
 * cost per 1M tokens by model; idle cost by pool; budget against actual per
 * team; CSV and FinOps FOCUS exports of the same window. Every figure is the
 * backend's. The window and grouping are in the URL
 * (`?window=quarter&groupBy=model`, `?window=custom&from=2026-06-01&to=2026-06-30`).
 */
export function CostPage(props: { withHeader?: boolean; now?: () => Date }) {
  const classes = useStyles();
  const api = useApi(aiPlatformApiRef);
  const query = useQueryState();
  const kind = (WINDOWS.find(w => w.value === query.get('window'))?.value ??
    '30d') as CostWindowKind;
  const groupBy = (COST_GROUPINGS.find(g => g === query.get('groupBy')) ??
    'team') as CostGroupBy;
  const customFrom = query.get('from');
  const customTo = query.get('to');
  const nowFn = props.now;
  const now = useMemo(() => (nowFn ? nowFn() : new Date()), [nowFn]);
  const problem =
    kind === 'custom'
      ? customWindowProblem({ from: customFrom, to: customTo })
      : undefined;
  const window = useMemo(
    () => windowOf(kind, now, { from: customFrom, to: customTo }),
    [kind, now, customFrom, customTo],
  );
  const granularity = granularityOf(window, now);
  const month = monthOf(now);
  const lastMonth = previousMonth(month);
  const ready = !problem;
  const windowKey = `${window.from}|${window.to}|${ready}`;

  const summary = useAsync(
    async () =>
      ready
        ? api.getCostSummary({ ...window, groupBy, granularity })
        : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, windowKey, groupBy, granularity],
  );
  const byModel = useAsync(
    async () =>
      ready ? api.getCostSummary({ ...window, groupBy: 'model' }) : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, windowKey],
  );
  const byPool = useAsync(
    async () =>
      ready ? api.getCostSummary({ ...window, groupBy: 'pool' }) : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, windowKey],
  );
  const topEndpoints = useAsync(
    async () =>
      ready
        ? api.getTopSpenders({ ...window, groupBy: 'endpoint', limit: 10 })
        : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, windowKey],
  );
  const topModels = useAsync(
    async () =>
      ready
        ? api.getTopSpenders({ ...window, groupBy: 'model', limit: 10 })
        : undefined,
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, windowKey],
  );
  const monthOverMonth = useAsync(
    () => api.getMonthOverMonth({ month: lastMonth }),
    [api, lastMonth],
  );
  const forecast = useAsync(() => api.getCostForecast(), [api]);
  const budgets = useAsyncRetry(() => api.getBudgets({ month }), [api, month]);
  const canManageBudgets = usePermission({
    permission: budgetManagePermission,
  });

  return (
    <PageFrame title="Cost" withHeader={props.withHeader}>
      <Box
        display="flex"
        flexWrap="wrap"
        alignItems="center"
        mb={3}
        style={{ gap: 16 }}
        role="group"
        aria-label="Cost window and grouping"
      >
        <ToggleButtonGroup
          value={kind}
          exclusive
          size="small"
          aria-label="Window"
          onChange={(_, value: CostWindowKind | null) => {
            if (value)
              query.set({ window: value === '30d' ? undefined : value });
          }}
        >
          {WINDOWS.map(w => (
            <ToggleButton
              key={w.value}
              value={w.value}
              aria-label={w.label}
              classes={{ root: classes.window }}
            >
              {w.label}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        {kind === 'custom' && (
          <>
            <TextField
              id="ai-platform-cost-from"
              label="First day"
              type="date"
              size="small"
              variant="outlined"
              InputLabelProps={{ shrink: true }}
              value={customFrom ?? ''}
              onChange={e => query.set({ from: e.target.value })}
            />
            <TextField
              id="ai-platform-cost-to"
              label="Last day"
              type="date"
              size="small"
              variant="outlined"
              InputLabelProps={{ shrink: true }}
              value={customTo ?? ''}
              onChange={e => query.set({ to: e.target.value })}
            />
          </>
        )}
        <SelectField
          label="Group by"
          value={groupBy}
          options={COST_GROUPINGS.map(g => ({ value: g, label: g }))}
          onChange={v => query.set({ groupBy: v === 'team' ? undefined : v })}
          minWidth={140}
        />
        <Box flexGrow={1} />
        <DownloadButton
          label="Export CSV"
          fetchFile={() => api.exportCost({ ...window, format: 'csv' })}
        />
        <DownloadButton
          label="Export FOCUS"
          fetchFile={() => api.exportCost({ ...window, format: 'focus' })}
        />
      </Box>
      {problem && (
        <Typography color="error" role="alert" paragraph>
          {problem}
        </Typography>
      )}
      <SimulatedClustersNote />
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <CostKpis
            summary={summary}
            monthOverMonth={monthOverMonth}
            forecast={forecast}
          />
        </Grid>
        <Grid item xs={12}>
          <SpendOverTime groupBy={groupBy} summary={summary} />
        </Grid>
        <Grid item xs={12}>
          <WhatRunsCard gpuHoursBasis={summary.value?.basis.gpuHours} />
        </Grid>
        <Grid item xs={12} md={6}>
          <TopSpenders title="Top endpoints" top={topEndpoints} />
        </Grid>
        <Grid item xs={12} md={6}>
          <TopSpenders title="Top models" top={topModels} />
        </Grid>
        <Grid item xs={12} md={6}>
          <TokenCostByModel byModel={byModel} />
        </Grid>
        <Grid item xs={12} md={6}>
          <IdleCostByPool byPool={byPool} />
        </Grid>
        <Grid item xs={12}>
          <BudgetsCard
            budgets={budgets}
            month={month}
            canManage={canManageBudgets.allowed}
            onChanged={budgets.retry}
          />
        </Grid>
      </Grid>
    </PageFrame>
  );
}

/** The cost page with Backstage's page header, for legacy apps. */
export function LegacyCostPage() {
  return <CostPage withHeader />;
}
