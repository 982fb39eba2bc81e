export {
  ChartFigure,
  SERIES_COLORS,
  seriesColor,
  useChartTheme,
} from './ChartFigure';
