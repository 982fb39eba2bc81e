import { InputError } from '@backstage/errors';
import { hourWindow, partLabel, rowsRead, splitWindow } from './costWindows';
import { t } from './__testUtils__/exportRow';

describe('splitWindow', () => {
  it('reads whole days from the daily rollup and edge hours from the hourly one', () => {
    expect(splitWindow(t('2026-10-31T22:00'), t('2026-11-03T02:00'))).toEqual([
      {
        table: 'usage_hourly',
        from: t('2026-10-31T22:00'),
        to: t('2026-11-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2026-11-01T00:00'),
        to: t('2026-11-03T00:00'),
      },
      {
        table: 'usage_hourly',
        from: t('2026-11-03T00:00'),
        to: t('2026-11-03T02:00'),
      },
    ]);
    expect(splitWindow(t('2026-11-01T00:00'), t('2026-11-02T00:00'))).toEqual([
      {
        table: 'usage_daily',
        from: t('2026-11-01T00:00'),
        to: t('2026-11-02T00:00'),
      },
    ]);
    // Hourly parts never cross midnight.
    expect(splitWindow(t('2026-10-31T23:00'), t('2026-11-01T01:00'))).toEqual([
      {
        table: 'usage_hourly',
        from: t('2026-10-31T23:00'),
        to: t('2026-11-01T00:00'),
      },
      {
        table: 'usage_hourly',
        from: t('2026-11-01T00:00'),
        to: t('2026-11-01T01:00'),
      },
    ]);
    expect(splitWindow(t('2026-11-01T03:00'), t('2026-11-01T05:00'))).toEqual([
      {
        table: 'usage_hourly',
        from: t('2026-11-01T03:00'),
        to: t('2026-11-01T05:00'),
      },
    ]);
    expect(splitWindow(5, 5)).toEqual([]);
  });

  it('reads whole months from the monthly rollup, unless told not to', () => {
    const from = t('2026-10-15T05:00');
    const to = t('2027-01-03T00:00');
    // 15..31 October: 19 hours and 16 days, or October less 14 days and 5
    // hours: the latter reads fewer rows.
    expect(splitWindow(from, to)).toEqual([
      {
        table: 'usage_monthly',
        from: t('2026-10-01T00:00'),
        to: t('2026-11-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2026-10-01T00:00'),
        to: t('2026-10-15T00:00'),
        subtract: true,
      },
      {
        table: 'usage_hourly',
        from: t('2026-10-15T00:00'),
        to: from,
        subtract: true,
      },
      {
        table: 'usage_monthly',
        from: t('2026-11-01T00:00'),
        to: t('2027-01-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2027-01-01T00:00'),
        to,
      },
    ]);
    // A month to date: the month less the rest of it.
    expect(splitWindow(t('2026-11-01T00:00'), t('2026-11-23T00:00'))).toEqual([
      {
        table: 'usage_monthly',
        from: t('2026-11-01T00:00'),
        to: t('2026-12-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2026-11-23T00:00'),
        to: t('2026-12-01T00:00'),
        subtract: true,
      },
    ]);
    expect(splitWindow(from, to, { months: false })).toEqual([
      { table: 'usage_hourly', from, to: t('2026-10-16T00:00') },
      { table: 'usage_daily', from: t('2026-10-16T00:00'), to },
    ]);
    // Daily parts never cross a month boundary.
    expect(splitWindow(t('2026-10-30T00:00'), t('2026-11-02T00:00'))).toEqual([
      {
        table: 'usage_daily',
        from: t('2026-10-30T00:00'),
        to: t('2026-11-01T00:00'),
      },
      {
        table: 'usage_daily',
        from: t('2026-11-01T00:00'),
        to: t('2026-11-02T00:00'),
      },
    ]);
  });
});

describe('rowsRead', () => {
  it('counts an hour per hourly row, a day per daily row and one per month', () => {
    expect(
      rowsRead(splitWindow(t('2026-10-15T05:00'), t('2027-01-03T00:00'))),
    ).toBe(1 + 14 + 5 + 1 + 2);
  });
});

describe('hourWindow', () => {
  it('widens a window to whole hours', () => {
    expect(hourWindow(t('2026-11-01T00:30'), t('2026-11-01T01:20'))).toEqual({
      from: t('2026-11-01T00:00'),
      to: t('2026-11-01T02:00'),
    });
  });

  it.each([
    [10, 10],
    [20, 10],
    [Number.NaN, 10],
    [0, Number.POSITIVE_INFINITY],
  ])('refuses from %p to %p', (from, to) => {
    expect(() => hourWindow(from, to)).toThrow(
      new InputError('from must be before to (epoch seconds)'),
    );
  });
});

describe('partLabel', () => {
  const hourly = {
    table: 'usage_hourly' as const,
    from: t('2026-11-03T05:00'),
    to: t('2026-11-03T07:00'),
  };
  const daily = {
    table: 'usage_daily' as const,
    from: t('2026-11-03T00:00'),
    to: t('2026-11-05T00:00'),
  };
  const monthly = {
    table: 'usage_monthly' as const,
    from: t('2026-11-01T00:00'),
    to: t('2026-12-01T00:00'),
  };

  it('labels hours with their day, and days by their own rows, by day', () => {
    expect(partLabel(hourly, 'day')).toEqual({
      fixed: t('2026-11-03T00:00'),
      grouped: false,
    });
    expect(partLabel(daily, 'day')).toEqual({ grouped: true });
  });

  it('labels hours and days with their month, and months by their own rows, by month', () => {
    expect(partLabel(hourly, 'month')).toEqual({
      fixed: t('2026-11-01T00:00'),
      grouped: false,
    });
    expect(partLabel(daily, 'month')).toEqual({
      fixed: t('2026-11-01T00:00'),
      grouped: false,
    });
    expect(partLabel(monthly, 'month')).toEqual({ grouped: true });
  });

  it('labels nothing when not read by day or month', () => {
    expect(partLabel(daily, undefined)).toEqual({ grouped: false });
  });
});
