import {
  addDays,
  customWindowProblem,
  granularityOf,
  monthName,
  windowOf,
} from './costWindow';

const NOW = new Date('2026-11-23T17:30:00Z');

describe('costWindow', () => {
  it('leaves the last 30 days to the backend default', () => {
    expect(windowOf('30d', NOW)).toEqual({});
    expect(granularityOf({}, NOW)).toBe('day');
  });

  it('starts the quarter and the year on their first UTC day', () => {
    expect(windowOf('quarter', NOW)).toEqual({ from: '2026-10-01' });
    expect(windowOf('quarter', new Date('2026-03-31T23:00:00Z'))).toEqual({
      from: '2026-01-01',
    });
    expect(windowOf('year', NOW)).toEqual({ from: '2026-01-01' });
    expect(granularityOf(windowOf('quarter', NOW), NOW)).toBe('day');
    expect(granularityOf(windowOf('year', NOW), NOW)).toBe('month');
  });

  it('makes the last day of a custom window inclusive', () => {
    expect(
      windowOf('custom', NOW, { from: '2026-06-01', to: '2026-06-30' }),
    ).toEqual({ from: '2026-06-01', to: '2026-07-01' });
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(customWindowProblem({ from: '2026-06-02', to: '2026-06-01' })).toBe(
      'The first day must not be after the last.',
    );
    expect(customWindowProblem({ from: '2026-06-01' })).toBe(
      'Pick the first and last day.',
    );
  });

  it('names months', () => {
    expect(monthName('2026-10')).toBe('October 2026');
  });
});
