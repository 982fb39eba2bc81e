import {
  createTheme,
  type Theme,
  ThemeProvider,
} from '@material-ui/core/styles';
import { render, renderHook, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { useChartTheme } from './ChartFigure';

const lightTheme = createTheme({ palette: { type: 'light' } });
const darkTheme = createTheme({ palette: { type: 'dark' } });

const withTheme =
  (theme: Theme) =>
  ({ children }: { children: ReactNode }) =>
    <ThemeProvider theme={theme}>{children}</ThemeProvider>;

describe('useChartTheme', () => {
  it.each([
    ['light', lightTheme],
    ['dark', darkTheme],
  ])(
    'takes every colour from the %s theme, none of recharts defaults',
    (_, theme) => {
      const { result } = renderHook(() => useChartTheme(), {
        wrapper: withTheme(theme),
      });
      const chart = result.current;
      const { text, divider, background, action } = theme.palette;
      expect(chart.axis.tick.fill).toBe(text.secondary);
      expect(chart.axis.stroke).toBe(text.secondary);
      expect(chart.grid).toBe(divider);
      expect(chart.tooltip.contentStyle.backgroundColor).toBe(background.paper);
      expect(chart.tooltip.itemStyle.color).toBe(text.primary);
      expect(chart.tooltip.cursor.fill).toBe(action.hover);
      expect(chart.lineTooltip.cursor.stroke).toBe(text.secondary);

      // Legend names in the text colour, not in the series' colour.
      render(<>{chart.legend.formatter('Applied ML')}</>);
      expect(screen.getByText('Applied ML')).toHaveStyle({
        color: text.primary,
      });
    },
  );
});
