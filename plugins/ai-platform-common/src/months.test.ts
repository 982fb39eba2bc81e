import { isMonth, monthOf, monthRange, previousMonth } from './months';

describe('months', () => {
  it('names the UTC month of a time', () => {
    expect(monthOf(new Date('2026-10-31T23:59:59.999Z'))).toBe('2026-10');
    expect(monthOf(new Date('2026-11-01T00:00:00Z'))).toBe('2026-11');
    // An epoch second, as the backend counts time.
    expect(monthOf(new Date(Date.parse('2027-01-01T00:00:00Z')))).toBe(
      '2027-01',
    );
  });

  it('reads only YYYY-MM as a month', () => {
    expect(isMonth('2026-11')).toBe(true);
    expect(
      ['2026-13', '2026-00', '2026-1', '26-11', '2026-11-01', ''].filter(
        isMonth,
      ),
    ).toEqual([]);
  });

  it('gives the bounds of a month, across the year end and in a leap year', () => {
    expect(monthRange('2026-12')).toEqual({
      start: new Date('2026-12-01T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
    });
    const feb = monthRange('2028-02');
    expect((feb.end.getTime() - feb.start.getTime()) / 86_400_000).toBe(29);
    expect(() => monthRange('2026-13')).toThrow(
      "Invalid month '2026-13', expected YYYY-MM",
    );
  });

  it('steps back one month, across the year end', () => {
    expect(previousMonth('2027-01')).toBe('2026-12');
    expect(previousMonth('2026-03')).toBe('2026-02');
    expect(previousMonth('2026-11')).toBe('2026-10');
    expect(() => previousMonth('2026-1')).toThrow(/expected YYYY-MM/);
  });
});
