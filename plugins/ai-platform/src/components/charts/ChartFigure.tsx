import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { useTheme } from '@material-ui/core/styles';
import type { ReactNode } from 'react';
import useMeasure from 'react-use/esm/useMeasure';

/**
 * Colours of chart series: the Tableau 10 palette, which reads on the light
 * and the dark theme alike.
 */
export const SERIES_COLORS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The colour of the n-th series. */
export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

/**
 * Axis, grid, tooltip and legend props from the current (light or dark)
 * theme, in place of recharts' defaults, which assume a white background
 * (grey `#ccc` cursor and grid, legend text in the series' colours).
 */
export function useChartTheme() {
  const theme = useTheme();
  const tooltip = {
    contentStyle: {
      backgroundColor: theme.palette.background.paper,
      borderColor: theme.palette.divider,
      color: theme.palette.text.primary,
    },
    itemStyle: { color: theme.palette.text.primary },
    labelStyle: { color: theme.palette.text.primary },
  };
  return {
    /** Spread on XAxis and YAxis. */
    axis: {
      stroke: theme.palette.text.secondary,
      tick: { fill: theme.palette.text.secondary, fontSize: 12 },
    },
    /** CartesianGrid's stroke. */
    grid: theme.palette.divider,
    /** Spread on the Tooltip of a bar chart (the cursor is a band). */
    tooltip: { ...tooltip, cursor: { fill: theme.palette.action.hover } },
    /** Spread on the Tooltip of a line chart (the cursor is a line). */
    lineTooltip: {
      ...tooltip,
      cursor: { stroke: theme.palette.text.secondary, strokeDasharray: '3 3' },
    },
    /**
     * Spread on Legend: names in the text colour (the swatch shows the
     * series' colour; recharts would write the name in it, unreadable for
     * some colours on the dark theme).
     */
    legend: {
      wrapperStyle: { color: theme.palette.text.primary },
      formatter: (value: ReactNode) => (
        <span style={{ color: theme.palette.text.primary }}>{value}</span>
      ),
    },
  };
}

/**
 * A chart in a `<figure>` named for screen readers, sized to its container's
 * width. Recharts' accessibility layer (set on each chart with a horizontal
 * layout; it does not support vertical ones) lets keyboard users focus the
 * chart and move through the points with the arrow keys, the tooltip showing
 * each point's figures.
 */
export function ChartFigure(props: {
  /** Accessible name and caption of the chart. */
  label: string;
  /** Show the label as a visible caption too. */
  caption?: boolean;
  height: number;
  /**
   * Draws the chart; spread the argument on the recharts chart: its size,
   * and its title (the SVG's accessible name, for keyboard users who focus
   * the chart).
   */
  children: (chart: {
    width: number;
    height: number;
    title: string;
  }) => ReactNode;
}) {
  const [ref, { width }] = useMeasure<HTMLDivElement>();
  return (
    <Box component="figure" m={0} aria-label={props.label}>
      {props.caption && (
        <Typography component="figcaption" variant="subtitle2" gutterBottom>
          {props.label}
        </Typography>
      )}
      <div ref={ref} style={{ width: '100%', height: props.height }}>
        {width > 0 &&
          props.children({ width, height: props.height, title: props.label })}
      </div>
    </Box>
  );
}
