import { InfoCard } from '@backstage/core-components';
import type { CostSummary } from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  formatCurrency,
  formatShare,
  formatTokens,
} from '@internal/plugin-ai-platform-react';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import { NumberCell } from '../common/NumberCell';
import type { Loaded } from '../common/Loaded';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFigure, seriesColor, useChartTheme } from '../charts';
import { useEntityTitles } from '../common/useEntityTitles';
import { GroupKey } from './SpendOverTime';
import { perMillionText, splitBasisText } from '../common/tokenSplit';

/**
 * Cost per 1M tokens of each model with token counts (vLLM's counters from
 * Prometheus), as a chart and a table with the token coverage behind it, and
 * per 1M prompt and generated tokens with what their split rests on.
 */
export function TokenCostByModel(props: { byModel: Loaded<CostSummary> }) {
  const chart = useChartTheme();
  const titleOf = useEntityTitles(
    props.byModel.value?.groups.map(g => g.key) ?? [],
  );
  return (
    <InfoCard title="Cost per 1M tokens by model">
      <AsyncContent
        {...props.byModel}
        isEmpty={s => !s.groups.some(g => g.costPerMillionTokens !== undefined)}
        emptyTitle="No token counts in this window"
        emptyDescription="Token counts come from vLLM's Prometheus counters (aiPlatform.cost.prometheus)."
      >
        {summary => {
          const rows = summary.groups.filter(
            g => g.costPerMillionTokens !== undefined,
          );
          const currency = rows[0].currency;
          return (
            <>
              <ChartFigure
                label={`Cost per 1M tokens by model in ${currency}`}
                height={Math.max(120, rows.length * 36)}
              >
                {size => (
                  <BarChart
                    {...size}
                    // No accessibilityLayer: recharts' keyboard navigation
                    // only works on horizontal charts, and would leave a tab
                    // stop that does nothing. The table below has the figures.
                    layout="vertical"
                    data={rows
                      .filter(r => r.currency === currency)
                      .map(r => ({
                        model: r.key,
                        value: r.costPerMillionTokens,
                      }))}
                    margin={{ top: 0, right: 16, bottom: 0, left: 8 }}
                  >
                    <CartesianGrid stroke={chart.grid} horizontal={false} />
                    <XAxis
                      type="number"
                      {...chart.axis}
                      tickFormatter={v => formatCurrency(v, currency)}
                    />
                    <YAxis
                      type="category"
                      dataKey="model"
                      width={160}
                      {...chart.axis}
                      tickFormatter={titleOf}
                    />
                    <Tooltip
                      {...chart.tooltip}
                      labelFormatter={titleOf}
                      formatter={(v: number) => formatCurrency(v, currency)}
                    />
                    <Bar
                      dataKey="value"
                      name="Cost per 1M tokens"
                      fill={seriesColor(3)}
                      isAnimationActive={false}
                    />
                  </BarChart>
                )}
              </ChartFigure>
              <Table size="small" aria-label="Cost per 1M tokens by model">
                <TableHead>
                  <TableRow>
                    <TableCell>Model</TableCell>
                    <TableCell align="right">Cost per 1M tokens</TableCell>
                    <TableCell align="right">Per 1M prompt</TableCell>
                    <TableCell align="right">Per 1M generated</TableCell>
                    <TableCell>Split by</TableCell>
                    <TableCell align="right">Cost per request</TableCell>
                    <TableCell align="right">Tokens</TableCell>
                    <TableCell align="right">Token coverage</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {rows.map(r => (
                    <TableRow key={`${r.key}|${r.currency}`}>
                      <TableCell>
                        <GroupKey value={r.key} />
                      </TableCell>
                      <NumberCell>
                        {formatCurrency(r.costPerMillionTokens!, r.currency)}
                      </NumberCell>
                      <NumberCell>
                        {perMillionText(r, r.costPerMillionPromptTokens)}
                      </NumberCell>
                      <NumberCell>
                        {perMillionText(r, r.costPerMillionGenerationTokens)}
                      </NumberCell>
                      <TableCell>
                        {splitBasisText(r.splitMeasuredShare)}
                      </TableCell>
                      <NumberCell>
                        {r.costPerRequest !== undefined
                          ? formatCurrency(r.costPerRequest, r.currency)
                          : 'not counted'}
                      </NumberCell>
                      <NumberCell>{formatTokens(r.tokens)}</NumberCell>
                      <NumberCell>{formatShare(r.tokenCoverage)}</NumberCell>
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
