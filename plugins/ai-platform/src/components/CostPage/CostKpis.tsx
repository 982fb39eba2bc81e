import { InfoCard } from '@backstage/core-components';
import type {
  CostSummary,
  MonthForecast,
  MonthOverMonth,
} from '@internal/plugin-ai-platform-common';
import {
  AsyncContent,
  formatChangePercent,
  formatCurrency,
  formatGpuHours,
} from '@internal/plugin-ai-platform-react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import type { Loaded } from '../common/Loaded';
import { describeWindow, monthName } from './costWindow';

function Figure(props: { label: string; value: string; detail?: string }) {
  return (
    <div role="group" aria-label={props.label}>
      <Typography variant="h4" component="p">
        {props.value}
      </Typography>
      {props.detail && (
        <Typography variant="body2" color="textSecondary">
          {props.detail}
        </Typography>
      )}
    </div>
  );
}

/**
 * The three headline figures: total spend of the window, the last complete
 * month against the month before, and the current month's forecast. Every
 * number is the backend's, per currency, only rounded for display.
 */
export function CostKpis(props: {
  summary: Loaded<CostSummary>;
  monthOverMonth: Loaded<MonthOverMonth>;
  forecast: Loaded<MonthForecast>;
}) {
  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={4}>
        <InfoCard title="Total spend">
          <AsyncContent
            {...props.summary}
            isEmpty={s => s.totals.length === 0}
            emptyTitle="No spend in this window"
          >
            {s => (
              <>
                {s.totals.map(t => (
                  <Figure
                    key={t.currency}
                    label={`Total spend in ${t.currency}`}
                    value={formatCurrency(t.cost, t.currency)}
                    detail={formatGpuHours(t.gpuHours)}
                  />
                ))}
                <Typography variant="caption" color="textSecondary">
                  {describeWindow(s.from, s.to)}
                </Typography>
              </>
            )}
          </AsyncContent>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Month over month">
          <AsyncContent
            {...props.monthOverMonth}
            isEmpty={m => m.totals.length === 0}
            emptyTitle="No spend in the last two months"
          >
            {m =>
              m.totals.map(t => (
                <Figure
                  key={t.currency}
                  label={`${monthName(m.month)} against ${monthName(
                    m.previousMonth,
                  )} in ${t.currency}`}
                  value={formatCurrency(t.cost, t.currency)}
                  detail={`${monthName(m.month)}; ${
                    t.changePercent === undefined
                      ? 'no spend the month before'
                      : `${formatChangePercent(t.changePercent)} on ${monthName(
                          m.previousMonth,
                        )} (${formatCurrency(t.previousCost, t.currency)})`
                  }`}
                />
              ))
            }
          </AsyncContent>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="Forecast, this month">
          <AsyncContent
            {...props.forecast}
            isEmpty={f => f.totals.length === 0}
            emptyTitle="Nothing to forecast yet"
          >
            {f => (
              <>
                {f.totals.map(t => (
                  <Figure
                    key={t.currency}
                    label={`Forecast for ${monthName(f.month)} in ${
                      t.currency
                    }`}
                    value={formatCurrency(t.forecast, t.currency)}
                    detail={`${formatCurrency(
                      t.monthToDate,
                      t.currency,
                    )} so far in ${monthName(f.month)}`}
                  />
                ))}
                <Typography variant="caption" color="textSecondary">
                  {f.method}
                </Typography>
              </>
            )}
          </AsyncContent>
        </InfoCard>
      </Grid>
    </Grid>
  );
}
