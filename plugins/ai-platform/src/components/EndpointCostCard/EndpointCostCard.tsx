import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { sameEntityRef } from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  aiPlatformApiRef,
  formatCurrency,
  formatGpuHours,
  formatShare,
  formatTokens,
} from '@internal/plugin-ai-platform-react';
import useAsync from 'react-use/esm/useAsync';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartFigure, seriesColor, useChartTheme } from '../charts';
import { EndpointRunStateLine } from '../common/EndpointRunStateLine';
import { MetadataTable } from '../common/MetadataTable';
import {
  perMillionText,
  perRequestText,
  splitBasisText,
} from '../common/tokenSplit';
import { usePageLink } from '../common/usePageLink';
import { costRouteRef } from '../../routes';

/**
 * Cost of one endpoint over the last 30 days (the backend's default window):
 * total, GPU-hours, cost per 1M tokens (and per 1M prompt and generated
 * tokens, with what their split rests on), cost per request and idle cost
 * where known, and the cost per day. The figures are the backend's, for the endpoint's own group.
 */
export function EndpointCostCard() {
  const { entity } = useEntity();
  const api = useApi(aiPlatformApiRef);
  const ref = stringifyEntityRef(entity);
  const costLink = usePageLink(costRouteRef);
  const chart = useChartTheme();
  const state = useAsync(async () => {
    const summary = await api.getCostSummary({
      groupBy: 'endpoint',
      granularity: 'day',
    });
    const rows = summary.groups.filter(g => sameEntityRef(g.key, ref));
    const series = (summary.series ?? []).filter(p =>
      sameEntityRef(p.key, ref),
    );
    return { rows, series };
  }, [api, ref]);

  return (
    <InfoCard
      title="Cost, last 30 days"
      deepLink={costLink ? { title: 'All cost', link: costLink } : undefined}
    >
      <EndpointRunStateLine endpointRef={ref} />
      <AsyncContent
        {...state}
        isEmpty={v => v.rows.length === 0}
        emptyTitle="No usage recorded in the last 30 days"
        emptyDescription="The collector records GPU usage of deployed endpoints every few minutes."
      >
        {({ rows, series }) => (
          <>
            {rows.map(row => (
              <MetadataTable
                key={row.currency}
                label={`Cost in ${row.currency}`}
                rows={[
                  ['Cost', formatCurrency(row.cost, row.currency)],
                  ['GPU-hours', formatGpuHours(row.gpuHours)],
                  [
                    'Cost per 1M tokens',
                    row.costPerMillionTokens !== undefined
                      ? formatCurrency(row.costPerMillionTokens, row.currency)
                      : 'no token counts (needs Prometheus with vLLM metrics)',
                  ],
                  row.tokens > 0 && ['Tokens', formatTokens(row.tokens)],
                  row.costPerMillionTokens !== undefined && [
                    'Cost per 1M prompt tokens',
                    perMillionText(row, row.costPerMillionPromptTokens),
                  ],
                  row.costPerMillionTokens !== undefined && [
                    'Cost per 1M generated tokens',
                    perMillionText(row, row.costPerMillionGenerationTokens),
                  ],
                  row.costPerMillionTokens !== undefined && [
                    'Prompt/generation split by',
                    splitBasisText(row.splitMeasuredShare),
                  ],
                  ['Cost per request', perRequestText(row)],
                  [
                    'Idle cost',
                    row.utilizationCoverage > 0
                      ? `${formatCurrency(
                          row.idleCost,
                          row.currency,
                        )} (utilisation known for ${formatShare(
                          row.utilizationCoverage,
                        )} of GPU-hours)`
                      : 'unknown (needs DCGM utilisation)',
                  ],
                ]}
              />
            ))}
            {series.length > 0 && (
              <ChartFigure label="Cost per day" caption height={160}>
                {size => (
                  <BarChart
                    {...size}
                    data={series.filter(p => p.currency === rows[0].currency)}
                    accessibilityLayer
                    margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
                  >
                    <CartesianGrid stroke={chart.grid} vertical={false} />
                    <XAxis dataKey="bucket" {...chart.axis} minTickGap={24} />
                    <YAxis
                      {...chart.axis}
                      width={64}
                      tickFormatter={v => formatCurrency(v, rows[0].currency)}
                    />
                    <Tooltip
                      {...chart.tooltip}
                      formatter={(v: number) =>
                        formatCurrency(v, rows[0].currency)
                      }
                    />
                    <Bar
                      dataKey="cost"
                      name="Cost"
                      fill={seriesColor(0)}
                      isAnimationActive={false}
                    />
                  </BarChart>
                )}
              </ChartFigure>
            )}
          </>
        )}
      </AsyncContent>
    </InfoCard>
  );
}
