import { applyForecast, planForecast } from './forecast';

const t = (iso: string) => Date.parse(`${iso}Z`) / 1000;

describe('planForecast', () => {
  it('uses the last 7 complete days once a week of the month is complete', () => {
    const plan = planForecast(t('2026-11-10T15:30'));
    expect(plan).toMatchObject({
      month: '2026-11',
      monthStart: t('2026-11-01T00:00'),
      monthEnd: t('2026-12-01T00:00'),
      todayStart: t('2026-11-10T00:00'),
      daysInMonth: 30,
      completeDays: 9,
      remainingDays: 21,
      meanWindow: {
        from: t('2026-11-03T00:00'),
        to: t('2026-11-10T00:00'),
        days: 7,
        firstDay: '2026-11-03',
        lastDay: '2026-11-09',
      },
    });
    // 180 + 168 / 7 x 21 = 180 + 24 x 21 = 684
    expect(
      applyForecast(plan, { completeDaysCost: 180, meanWindowCost: 168 }),
    ).toEqual({ meanDailyCost: 24, forecast: 684 });
  });

  it('uses the complete days so far when fewer than 7', () => {
    const plan = planForecast(t('2026-02-03T00:00'));
    expect(plan).toMatchObject({
      daysInMonth: 28,
      completeDays: 2,
      remainingDays: 26,
      meanWindow: { days: 2, firstDay: '2026-02-01', lastDay: '2026-02-02' },
    });
    expect(plan.method).toBe(
      'forecast = actual cost of the 2 complete days of 2026-02 (2026-02-01..2026-02-02)' +
        ' + mean daily cost of the 2 complete days of 2026-02 so far (2026-02-01..2026-02-02; fewer than 7)' +
        ' x 26 remaining days (28 days in 2026-02 - 2 complete; today, 2026-02-03, counts as not complete)' +
        '; never less than the month-to-date cost',
    );
    // 10 + 10 / 2 x 26 = 140
    expect(
      applyForecast(plan, { completeDaysCost: 10, meanWindowCost: 10 }),
    ).toEqual({ meanDailyCost: 5, forecast: 140 });
  });

  it('never forecasts less than the month has already cost', () => {
    // A new portal on the first of the month: nothing before it, but today
    // has cost 4.11 so far.
    const plan = planForecast(t('2027-01-01T15:00'));
    expect(
      applyForecast(plan, {
        completeDaysCost: 0,
        meanWindowCost: 0,
        monthToDate: 4.11,
      }).forecast,
    ).toBe(4.11);
    // Below the formula, the month-to-date changes nothing.
    expect(
      applyForecast(plan, {
        completeDaysCost: 0,
        meanWindowCost: 70,
        monthToDate: 4.11,
      }).forecast,
    ).toBe(310);
  });

  it('falls back to the 7 days before the month on its first day', () => {
    const plan = planForecast(t('2027-01-01T23:59'));
    expect(plan).toMatchObject({
      month: '2027-01',
      completeDays: 0,
      remainingDays: 31,
      meanWindow: { days: 7, firstDay: '2026-12-25', lastDay: '2026-12-31' },
    });
    expect(plan.method).toBe(
      'forecast = 0 (no day of 2027-01 is complete yet)' +
        ' + mean daily cost of the last 7 complete days (2026-12-25..2026-12-31, before 2027-01)' +
        ' x 31 remaining days (31 days in 2027-01 - 0 complete; today, 2027-01-01, counts as not complete)' +
        '; never less than the month-to-date cost',
    );
    expect(
      applyForecast(plan, { completeDaysCost: 0, meanWindowCost: 70 }).forecast,
    ).toBe(310);
  });

  it('counts the last day of a month as remaining', () => {
    const plan = planForecast(t('2026-11-30T23:00'));
    expect(plan).toMatchObject({ completeDays: 29, remainingDays: 1 });
  });
});
