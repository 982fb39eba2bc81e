import { csvCell, csvTable, formatNumber, toCsv } from './csv';
import { exportRow } from './__testUtils__/exportRow';

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

  it('neutralises text a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(
      '"\'=HYPERLINK(""http://x"",""y"")"',
    );
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tcmd')).toBe("'\tcmd");
    expect(csvCell('\uFF1D1+1')).toBe("'\uFF1D1+1");
    // Numbers are numbers, negative or not.
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes numbers without float noise', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(38 / 3)).toBe('12.6666666667');
    expect(formatNumber(12)).toBe('12');
    expect(formatNumber(1_099_511_627_776)).toBe('1099511627776');
    expect(formatNumber(Number.NaN)).toBe('');
  });

  it('ends lines with CRLF', () => {
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

  it('writes export rows with a header', () => {
    const csv = toCsv([
      exportRow(),
      exportRow({
        endpointRef: '=cmd|" /C calc"!A0',
        tokens: 0,
        promptTokens: 0,
        generationTokens: 0,
        costPerMillionTokens: undefined,
      }),
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'day,period_start,period_end,endpoint_ref,team_ref,model_ref,pool_ref,cluster,currency,' +
        'gpu_hours,cost,utilization_known_gpu_hours,idle_gpu_hours,idle_cost,token_known_gpu_hours,' +
        'token_cost,prompt_tokens,generation_tokens,tokens,cost_per_million_tokens,sample_count',
    );
    expect(lines[1]).toBe(
      '2026-11-01,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,inferenceendpoint:default/chat,' +
        'group:default/team-a,model:default/llama,gpupool:default/h100,c1,USD,' +
        '48,196.8,24,6,24.6,48,196.8,1000000,200000,1200000,164,576',
    );
    expect(lines[2]).toContain(',"\'=cmd|"" /C calc""!A0",');
    expect(lines[2]).toMatch(/,0,0,0,,576$/);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
});
