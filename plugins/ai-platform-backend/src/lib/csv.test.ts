import { csvCell, csvLine, csvTable, formatNumber } from './csv';

describe('csv', () => {
  it('quotes cells with separators, quotes, line breaks or edge spaces', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\r')).toBe('"cr\r"');
    expect(csvCell(' padded')).toBe('" padded"');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell('')).toBe('');
  });

  it.each([
    ['=', '=1+1', "'=1+1"],
    ['+', '+1', "'+1"],
    ['-', '-2+3', "'-2+3"],
    ['@', '@SUM(A1)', "'@SUM(A1)"],
    ['tab', '\tcmd', "'\tcmd"],
    ['carriage return', '\rcmd', `"'\rcmd"`],
    ['full-width =', '\uFF1D1+1', "'\uFF1D1+1"],
    ['full-width +', '\uFF0B1', "'\uFF0B1"],
    ['full-width -', '\uFF0D1', "'\uFF0D1"],
    ['full-width @', '\uFF20SUM(A1)', "'\uFF20SUM(A1)"],
  ])('neutralises a cell that starts with %s', (_name, cell, written) => {
    expect(csvCell(cell)).toBe(written);
  });

  it('leaves numbers and text with such characters inside alone', () => {
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('x-1@y')).toBe('x-1@y');
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(
      '"\'=HYPERLINK(""http://x"",""y"")"',
    );
  });

  it('writes numbers without float noise', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(38 / 3)).toBe('12.6666666667');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(1_099_511_627_776)).toBe('1099511627776');
    expect(formatNumber(Number.NaN)).toBe('');
  });

  it('ends lines with CRLF, one line at a time or as a table', () => {
    expect(csvLine(['a', 1, undefined])).toBe('a,1,\r\n');
    expect(
      csvTable(
        ['a', 'b'],
        [
          [1, 'x'],
          [undefined, 'y,z'],
        ],
      ),
    ).toBe('a,b\r\n1,x\r\n,"y,z"\r\n');
  });
});
