import { entityName, FOCUS_COLUMNS, toFocusCsv } from './focus';
import { exportRow, t } from './__testUtils__/exportRow';

/** A small RFC 4180 reader, for checking what was written. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

describe('toFocusCsv', () => {
  it('writes FOCUS columns for one charge per endpoint per day', () => {
    const csv = toFocusCsv(
      [
        exportRow(),
        exportRow({
          endpointRef: 'inferenceendpoint:default/embed',
          currency: 'EUR',
          cost: 3,
          gpuHours: 1,
          idleCost: 0.3,
          tokens: 150_000,
          periodStart: t('2026-11-30T00:00'),
          periodEnd: t('2026-11-30T06:00'),
        }),
      ],
      {
        titles: new Map([['inferenceendpoint:default/chat', 'Chat, "prod"']]),
      },
    );
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual([...FOCUS_COLUMNS]);
    const record = (r: string[]) =>
      Object.fromEntries(header.map((h, i) => [h, r[i]]));
    expect(record(rows[0])).toEqual({
      BilledCost: '196.8',
      EffectiveCost: '196.8',
      BillingCurrency: 'USD',
      BillingPeriodStart: '2026-11-01T00:00:00Z',
      BillingPeriodEnd: '2026-12-01T00:00:00Z',
      ChargePeriodStart: '2026-11-01T00:00:00Z',
      ChargePeriodEnd: '2026-11-02T00:00:00Z',
      ChargeCategory: 'Usage',
      ConsumedQuantity: '48',
      ConsumedUnit: 'GPU-Hours',
      PricingQuantity: '48',
      PricingUnit: 'GPU-Hour',
      ResourceId: 'inferenceendpoint:default/chat',
      ResourceName: 'Chat, "prod"',
      SubAccountName: 'group:default/team-a',
      Tags: '{"model":"model:default/llama","pool":"gpupool:default/h100","cluster":"c1"}',
      BillingAccountId: 'ai-platform',
      BillingAccountName: 'AI platform GPU clusters',
      ChargeClass: '',
      ChargeDescription: 'GPU-hours of h100 for chat',
      ChargeFrequency: 'Usage-Based',
      ContractedCost: '196.8',
      ContractedUnitPrice: '4.1',
      ListCost: '196.8',
      ListUnitPrice: '4.1',
      InvoiceIssuerName: 'AI platform',
      ProviderName: 'AI platform',
      PublisherName: 'AI platform',
      PricingCategory: 'Standard',
      ServiceCategory: 'AI and Machine Learning',
      ServiceName: 'GPU inference',
      SubAccountId: 'group:default/team-a',
      ResourceType: 'InferenceEndpoint',
      SkuId: 'gpupool:default/h100',
      x_Model: 'model:default/llama',
      x_GpuPool: 'gpupool:default/h100',
      x_Cluster: 'c1',
      x_IdleCost: '24.6',
      x_Tokens: '1200000',
    });
    expect(JSON.parse(record(rows[0]).Tags)).toEqual({
      model: 'model:default/llama',
      pool: 'gpupool:default/h100',
      cluster: 'c1',
    });
    expect(record(rows[1])).toMatchObject({
      BilledCost: '3',
      BillingCurrency: 'EUR',
      ChargePeriodStart: '2026-11-30T00:00:00Z',
      ChargePeriodEnd: '2026-11-30T06:00:00Z',
      ResourceName: 'embed',
      x_IdleCost: '0.3',
      x_Tokens: '150000',
    });
  });

  it('names resources by the name part of their ref', () => {
    expect(entityName('inferenceendpoint:default/chat')).toBe('chat');
    expect(entityName('inferenceendpoint:chat')).toBe('chat');
    expect(entityName('chat')).toBe('chat');
  });
});
