import { durationMs } from './duration';
import { evaluate } from './expr';

describe('analysis conditions', () => {
  it.each([
    ['result[0] <= 0.05', { result: [0.01] }, true],
    ['result[0] <= 0.05', { result: [0.2] }, false],
    ['result < 1 && result >= 0', { result: 0.5 }, true],
    ['len(result) == 0 || result[0] < 0.1', { result: [] }, true],
    ['isNaN(result[0]) or result[0] > 2 * 3', { result: [7] }, true],
    ['not (result[0] > 1)', { result: [0.5] }, true],
    ['default(result[0], 0) - 1 < 0', { result: [0.5] }, true],
  ])('%s with %j is %s', (source, env, expected) => {
    expect(evaluate(source, env)).toBe(expected);
  });

  it('names what it cannot evaluate (the measurement is then an Error)', () => {
    expect(() => evaluate('result[0] < 1', { result: [] })).toThrow(
      'index out of range: 0 (array length is 0)',
    );
    expect(() => evaluate('foo > 1', { result: 1 })).toThrow(
      'unknown name foo',
    );
    expect(() => evaluate('result[0] <', { result: [1] })).toThrow(
      'unexpected end',
    );
  });

  it('reads Go durations, and plain numbers as seconds', () => {
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('250ms')).toBe(250);
    expect(durationMs(10)).toBe(10_000);
    expect(durationMs('10')).toBe(10_000);
    expect(durationMs('soon')).toBeUndefined();
  });
});
