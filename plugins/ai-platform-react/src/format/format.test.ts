import {
  formatChangePercent,
  formatCurrency,
  formatGpuHours,
  formatScore,
  formatScoreDelta,
  formatShare,
  formatTokens,
} from './format';

describe('format', () => {
  it('formats money to the cent, keeping decimals for small prices', () => {
    expect(formatCurrency(12345.678, 'USD')).toBe('$12,345.68');
    expect(formatCurrency(4.1, 'USD')).toBe('$4.10');
    expect(formatCurrency(0.07342, 'USD')).toBe('$0.0734');
    expect(formatCurrency(0, 'EUR')).toBe('€0.00');
  });

  it('formats scores, deltas, shares and changes', () => {
    expect(formatScore(0.683412)).toBe('0.6834');
    expect(formatScore(412.456)).toBe('412.46');
    expect(formatScoreDelta(0.0123)).toBe('+0.0123');
    expect(formatScoreDelta(-0.5)).toBe('-0.5');
    expect(formatShare(0.424)).toBe('42%');
    expect(formatChangePercent(12.345)).toBe('+12.3%');
    expect(formatChangePercent(-4)).toBe('-4.0%');
  });

  it('formats GPU-hours and tokens', () => {
    expect(formatGpuHours(1234.56)).toBe('1,234.6 GPU-h');
    expect(formatTokens(34_500_000)).toBe('34.5M');
  });
});
