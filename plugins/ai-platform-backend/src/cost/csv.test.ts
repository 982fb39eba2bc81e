import { toCsv } from './csv';
import { exportRow } from './__testUtils__/exportRow';

describe('toCsv', () => {
  it('writes export rows with a header', () => {
    const csv = toCsv([
      exportRow(),
      exportRow({
        endpointRef: '=cmd|" /C calc"!A0',
        tokens: 0,
        promptTokens: 0,
        generationTokens: 0,
        costPerMillionTokens: undefined,
        promptTokenCost: undefined,
        generationTokenCost: undefined,
        costPerMillionPromptTokens: undefined,
        costPerMillionGenerationTokens: undefined,
        splitMeasuredGpuHours: undefined,
        requests: undefined,
        costPerRequest: undefined,
      }),
    ]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'day,period_start,period_end,endpoint_ref,team_ref,model_ref,pool_ref,cluster,currency,' +
        'gpu_hours,cost,utilization_known_gpu_hours,idle_gpu_hours,idle_cost,token_known_gpu_hours,' +
        'token_cost,prompt_tokens,generation_tokens,tokens,cost_per_million_tokens,sample_count,' +
        'prompt_token_cost,generation_token_cost,cost_per_million_prompt_tokens,' +
        'cost_per_million_generation_tokens,split_measured_gpu_hours,requests,cost_per_request',
    );
    expect(lines[1]).toBe(
      '2026-11-01,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,inferenceendpoint:default/chat,' +
        'group:default/team-a,model:default/llama,gpupool:default/h100,c1,USD,' +
        '48,196.8,24,6,24.6,48,196.8,1000000,200000,1200000,164,576,' +
        '49.2,147.6,49.2,738,36,4000,0.0492',
    );
    expect(lines[2]).toContain(',"\'=cmd|"" /C calc""!A0",');
    // No tokens, nothing split, no requests counted: empty cells.
    expect(lines[2]).toMatch(/,0,0,0,,576,,,,,,,$/);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
});
