import type { StoredEvalScore } from '@internal/plugin-ai-platform-common';
import { formatScore } from '@internal/plugin-ai-platform-react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartFigure, seriesColor, useChartTheme } from '../charts';

const shortDate = (t: number) =>
  new Date(t).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });

/**
 * Every score of one task and metric over time, one line per model version,
 * with the gate's bounds as reference lines.
 */
export function EvalTrendChart(props: {
  task: string;
  metric: string;
  history: StoredEvalScore[];
  versions: string[];
  min?: number;
  max?: number;
}) {
  const chart = useChartTheme();
  const byVersion = props.versions
    .map(version => ({
      version,
      points: props.history
        .filter(s => s.version === version)
        .map(s => ({ t: Date.parse(s.postedAt), value: s.value })),
    }))
    .filter(v => v.points.length > 0);
  return (
    <ChartFigure
      label={`Trend of ${props.task} ${props.metric}`}
      caption
      height={220}
    >
      {size => (
        <LineChart
          {...size}
          accessibilityLayer
          margin={{ top: 8, right: 16, bottom: 8, left: 0 }}
        >
          <CartesianGrid stroke={chart.grid} strokeDasharray="3 3" />
          <XAxis
            dataKey="t"
            type="number"
            scale="time"
            domain={['dataMin', 'dataMax']}
            tickFormatter={shortDate}
            allowDuplicatedCategory={false}
            {...chart.axis}
          />
          <YAxis
            domain={['auto', 'auto']}
            tickFormatter={formatScore}
            width={56}
            {...chart.axis}
          />
          <Tooltip
            {...chart.lineTooltip}
            labelFormatter={t => new Date(Number(t)).toLocaleString('en-US')}
            formatter={(value: number) => formatScore(value)}
          />
          <Legend {...chart.legend} />
          {props.min !== undefined && (
            <ReferenceLine
              y={props.min}
              ifOverflow="extendDomain"
              stroke={chart.axis.stroke}
              strokeDasharray="4 4"
              label={{
                value: `min ${formatScore(props.min)}`,
                fill: chart.axis.stroke,
                fontSize: 11,
              }}
            />
          )}
          {props.max !== undefined && (
            <ReferenceLine
              y={props.max}
              ifOverflow="extendDomain"
              stroke={chart.axis.stroke}
              strokeDasharray="4 4"
              label={{
                value: `max ${formatScore(props.max)}`,
                fill: chart.axis.stroke,
                fontSize: 11,
              }}
            />
          )}
          {byVersion.map(v => (
            <Line
              key={v.version}
              data={v.points}
              dataKey="value"
              name={v.version}
              stroke={seriesColor(props.versions.indexOf(v.version))}
              strokeWidth={2}
              dot={{ r: 3 }}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      )}
    </ChartFigure>
  );
}
