import { InfoCard } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  CostGroupBy,
  CostSummary,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  formatCurrency,
  formatGpuHours,
  formatShare,
} from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { NumberCell } from '../common/NumberCell';
import type { Loaded } from '../common/Loaded';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartFigure, seriesColor, useChartTheme } from '../charts';
import { useEntityTitles } from '../common/useEntityTitles';

/** How many groups the chart stacks before folding the rest into "other". */
const MAX_STACKED = 8;
const OTHER = 'other';

/** A group key as a link (entity refs) or as text (cluster names). */
export function GroupKey(props: { value: string }) {
  return props.value.includes(':') ? (
    <EntityRefLink entityRef={props.value} />
  ) : (
    <>{props.value}</>
  );
}

/**
 * The chart's rows: one per bucket, one column per group (the biggest
 * {@link MAX_STACKED} groups of the window; the rest summed as "other"), in
 * the window's main currency.
 */
export function stackedRows(summary: CostSummary, currency: string) {
  const keys = summary.groups
    .filter(g => g.currency === currency)
    .map(g => g.key);
  const stacked = keys.slice(0, MAX_STACKED);
  const folded = keys.length > MAX_STACKED;
  const rows = new Map<string, Record<string, number | string>>();
  for (const point of summary.series ?? []) {
    if (point.currency !== currency) continue;
    const row = rows.get(point.bucket) ?? { bucket: point.bucket };
    const column = stacked.includes(point.key) ? point.key : OTHER;
    row[column] = ((row[column] as number | undefined) ?? 0) + point.cost;
    rows.set(point.bucket, row);
  }
  return {
    keys: folded ? [...stacked, OTHER] : stacked,
    rows: [...rows.values()].sort((a, b) =>
      String(a.bucket).localeCompare(String(b.bucket)),
    ),
  };
}

/**
 * Spend over the window stacked by the chosen grouping, and the backend's
 * figures for each group in a table (cost, share, GPU-hours, idle cost,
 * cost per 1M tokens).
 */
export function SpendOverTime(props: {
  groupBy: CostGroupBy;
  summary: Loaded<CostSummary>;
}) {
  const chart = useChartTheme();
  const titleOf = useEntityTitles(
    props.summary.value?.groups.map(g => g.key) ?? [],
  );
  return (
    <InfoCard title={`Spend by ${props.groupBy} over time`}>
      <AsyncContent
        {...props.summary}
        isEmpty={s => s.groups.length === 0}
        emptyTitle="No spend in this window"
        emptyDescription="The collector records GPU usage every few minutes; the demo seeds a year of history on first start."
      >
        {summary => {
          const currency = summary.totals[0]?.currency ?? 'USD';
          const total = summary.totals[0]?.cost ?? 0;
          const { keys, rows } = stackedRows(summary, currency);
          return (
            <>
              <ChartFigure
                label={`Spend by ${props.groupBy} per ${
                  summary.granularity ?? 'day'
                } in ${currency}`}
                height={320}
              >
                {size => (
                  <BarChart
                    {...size}
                    data={rows}
                    accessibilityLayer
                    margin={{ top: 8, right: 16, bottom: 0, left: 8 }}
                  >
                    <CartesianGrid stroke={chart.grid} vertical={false} />
                    <XAxis dataKey="bucket" {...chart.axis} minTickGap={16} />
                    <YAxis
                      width={80}
                      {...chart.axis}
                      tickFormatter={v => formatCurrency(v, currency)}
                    />
                    <Tooltip
                      {...chart.tooltip}
                      formatter={(v: number, name: string) => [
                        formatCurrency(v, currency),
                        name,
                      ]}
                    />
                    <Legend {...chart.legend} />
                    {keys.map((key, i) => (
                      <Bar
                        key={key}
                        dataKey={key}
                        name={key === OTHER ? 'other' : titleOf(key)}
                        stackId="cost"
                        fill={seriesColor(i)}
                        isAnimationActive={false}
                      />
                    ))}
                  </BarChart>
                )}
              </ChartFigure>
              <Table size="small" aria-label={`Spend by ${props.groupBy}`}>
                <TableHead>
                  <TableRow>
                    <TableCell>{props.groupBy}</TableCell>
                    <TableCell align="right">Cost</TableCell>
                    <TableCell align="right">Share</TableCell>
                    <TableCell align="right">GPU-hours</TableCell>
                    <TableCell align="right">Idle cost</TableCell>
                    <TableCell align="right">Cost per 1M tokens</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {summary.groups.map(g => (
                    <TableRow key={`${g.key}|${g.currency}`}>
                      <TableCell>
                        <GroupKey value={g.key} />
                      </TableCell>
                      <NumberCell>
                        {formatCurrency(g.cost, g.currency)}
                      </NumberCell>
                      <NumberCell>
                        {g.currency === currency && total > 0
                          ? formatShare(g.cost / total)
                          : '—'}
                      </NumberCell>
                      <NumberCell>{formatGpuHours(g.gpuHours)}</NumberCell>
                      <NumberCell>
                        {g.utilizationCoverage > 0
                          ? formatCurrency(g.idleCost, g.currency)
                          : 'unknown'}
                      </NumberCell>
                      <NumberCell>
                        {g.costPerMillionTokens !== undefined
                          ? formatCurrency(g.costPerMillionTokens, g.currency)
                          : '—'}
                      </NumberCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </>
          );
        }}
      </AsyncContent>
    </InfoCard>
  );
}
