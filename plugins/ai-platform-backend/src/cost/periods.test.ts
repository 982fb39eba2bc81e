import { InputError } from '@backstage/errors';
import {
  ceilTo,
  dayOf,
  floorTo,
  isMonth,
  isoSeconds,
  monthBounds,
  monthOf,
  previousMonth,
} from './periods';

const t = (iso: string) => Date.parse(`${iso}Z`) / 1000;

describe('periods', () => {
  it('rounds epoch seconds to hours and days', () => {
    expect(floorTo(t('2026-11-01T10:59:59'), 3600)).toBe(t('2026-11-01T10:00'));
    expect(ceilTo(t('2026-11-01T10:00:01'), 3600)).toBe(t('2026-11-01T11:00'));
    expect(ceilTo(t('2026-11-01T10:00'), 3600)).toBe(t('2026-11-01T10:00'));
    expect(floorTo(t('2026-11-01T23:59'), 86_400)).toBe(t('2026-11-01T00:00'));
  });

  it('names days and months in UTC', () => {
    expect(dayOf(t('2026-10-31T23:59:59'))).toBe('2026-10-31');
    expect(monthOf(t('2026-10-31T23:59:59'))).toBe('2026-10');
    expect(monthOf(t('2026-11-01T00:00'))).toBe('2026-11');
    expect(isoSeconds(t('2026-11-01T00:00'))).toBe('2026-11-01T00:00:00Z');
  });

  it('bounds months, leap years and year ends included', () => {
    expect(monthBounds('2026-11')).toEqual({
      start: t('2026-11-01T00:00'),
      end: t('2026-12-01T00:00'),
      days: 30,
    });
    expect(monthBounds('2028-02').days).toBe(29);
    expect(monthBounds('2026-02').days).toBe(28);
    expect(monthBounds('2026-12').end).toBe(t('2027-01-01T00:00'));
    expect(previousMonth('2027-01')).toBe('2026-12');
    expect(previousMonth('2026-03')).toBe('2026-02');
  });

  it('accepts YYYY-MM only', () => {
    expect(isMonth('2026-11')).toBe(true);
    for (const bad of [
      '2026-13',
      '2026-00',
      '2026-1',
      '26-11',
      '2026-11-01',
      '',
    ]) {
      expect(isMonth(bad)).toBe(false);
      expect(() => monthBounds(bad)).toThrow(InputError);
    }
  });
});
