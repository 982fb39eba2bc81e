import {
  entityName,
  FOCUS_1_0_COLUMNS,
  FOCUS_1_3_COLUMNS,
  focusDecimal,
  toFocusCsv,
} from './focus';
import { FOCUS_1_3_COLUMN_RULES } from './focusColumns';
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

/** The CSV as header and records (column -> cell; an empty cell is null). */
function records(csv: string) {
  const [header, ...rows] = parseCsv(csv);
  return {
    header,
    rows: rows.map(r =>
      Object.fromEntries(header.map((h, i) => [h, r[i]])),
    ) as Record<string, string>[],
  };
}

const titles = new Map([['inferenceendpoint:default/chat', 'Chat, "prod"']]);

/** Two endpoints' days, in USD and EUR; the second a partial day at month end. */
const sampleRows = () => [
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
];

describe('toFocusCsv, FOCUS 1.0 (focusVersion=1.0)', () => {
  it('writes FOCUS columns for one charge per endpoint per day', () => {
    const csv = toFocusCsv(sampleRows(), { titles, version: '1.0' });
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual([...FOCUS_1_0_COLUMNS]);
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

  it('is byte for byte the output from before FOCUS 1.3 (header, rows, quoting, zero-hour rows)', () => {
    // Written by the FOCUS 1.0 exporter as it was before the FOCUS 1.3
    // export (issue 21): the same bytes must come out of focusVersion=1.0.
    const before =
      'BilledCost,EffectiveCost,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ConsumedQuantity,ConsumedUnit,PricingQuantity,PricingUnit,ResourceId,ResourceName,SubAccountName,Tags,BillingAccountId,BillingAccountName,ChargeClass,ChargeDescription,ChargeFrequency,ContractedCost,ContractedUnitPrice,ListCost,ListUnitPrice,InvoiceIssuerName,ProviderName,PublisherName,PricingCategory,ServiceCategory,ServiceName,SubAccountId,ResourceType,SkuId,x_Model,x_GpuPool,x_Cluster,x_IdleCost,x_Tokens\r\n' +
      '196.8,196.8,USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,Usage,48,GPU-Hours,48,GPU-Hour,inferenceendpoint:default/chat,"Chat, ""prod""",group:default/team-a,"{""model"":""model:default/llama"",""pool"":""gpupool:default/h100"",""cluster"":""c1""}",ai-platform,AI platform GPU clusters,,GPU-hours of h100 for chat,Usage-Based,196.8,4.1,196.8,4.1,AI platform,AI platform,AI platform,Standard,AI and Machine Learning,GPU inference,group:default/team-a,InferenceEndpoint,gpupool:default/h100,model:default/llama,gpupool:default/h100,c1,24.6,1200000\r\n' +
      '3,3,EUR,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-30T00:00:00Z,2026-11-30T06:00:00Z,Usage,1,GPU-Hours,1,GPU-Hour,inferenceendpoint:default/embed,embed,group:default/team-a,"{""model"":""model:default/llama"",""pool"":""gpupool:default/h100"",""cluster"":""c1""}",ai-platform,AI platform GPU clusters,,GPU-hours of h100 for embed,Usage-Based,3,3,3,3,AI platform,AI platform,AI platform,Standard,AI and Machine Learning,GPU inference,group:default/team-a,InferenceEndpoint,gpupool:default/h100,model:default/llama,gpupool:default/h100,c1,0.3,150000\r\n' +
      '0,0,USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,Usage,0,GPU-Hours,0,GPU-Hour,inferenceendpoint:default/chat,"Chat, ""prod""",group:default/team-a,"{""model"":""model:default/llama"",""pool"":""gpupool:default/h100"",""cluster"":""c1""}",ai-platform,AI platform GPU clusters,,GPU-hours of h100 for chat,Usage-Based,0,,0,,AI platform,AI platform,AI platform,Standard,AI and Machine Learning,GPU inference,group:default/team-a,InferenceEndpoint,gpupool:default/h100,model:default/llama,gpupool:default/h100,c1,0,0\r\n';
    expect(
      toFocusCsv(
        [
          ...sampleRows(),
          exportRow({ gpuHours: 0, cost: 0, idleCost: 0, tokens: 0 }),
        ],
        { titles, version: '1.0' },
      ),
    ).toBe(before);
  });
});

/*
 * FOCUS 1.3 (ratified December 2025), "Cost and Usage" dataset, Columns:
 * the columns whose Content Constraints say "Feature level: Mandatory",
 * written out here from the specification (not from the exporter).
 * ProviderName and PublisherName are deprecated in 1.3 (replaced by
 * ServiceProviderName; HostProviderName is new) but their 1.3 sections still
 * say "MUST be present in a Cost and Usage FOCUS dataset", feature level
 * Mandatory, not nullable.
 */
const FOCUS_1_3_MANDATORY = [
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ContractedCost',
  'EffectiveCost',
  'HostProviderName',
  'InvoiceIssuerName',
  'ListCost',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
  'ServiceProviderName',
];

/*
 * FOCUS 1.3, Cost and Usage > Columns: the Conditional and Recommended
 * columns whose condition holds for the AI platform, with the condition from
 * each column's section.
 */
const FOCUS_1_3_APPLICABLE = {
  // Recommended: "is RECOMMENDED to be present in a Cost and Usage FOCUS dataset".
  ChargeFrequency: 'Recommended',
  ServiceSubcategory: 'Recommended',
  // "when the service provider supports the measurement of usage".
  ConsumedQuantity: 'Conditional',
  ConsumedUnit: 'Conditional',
  // "when the service provider publishes unit prices exclusive of discounts".
  ListUnitPrice: 'Conditional',
  // "when the service provider supports negotiated pricing concepts": no,
  // but present (as in 1.0) and conforming (= ListUnitPrice).
  ContractedUnitPrice: 'Conditional',
  // "when the service provider supports more than one pricing category": no,
  // but present (as in 1.0) and conforming ("Standard").
  PricingCategory: 'Conditional',
  // "when the service provider supports billing based on provisioned resources".
  ResourceId: 'Conditional',
  ResourceName: 'Conditional',
  // ... "and supports assigning types to resources".
  ResourceType: 'Conditional',
  // "when the service provider supports unit pricing concepts and publishes
  // price lists, publicly or as part of contracting".
  SkuId: 'Conditional',
  SkuMeter: 'Conditional',
  SkuPriceDetails: 'Conditional',
  SkuPriceId: 'Conditional',
  // "when the service provider supports a sub account construct".
  SubAccountId: 'Conditional',
  SubAccountName: 'Conditional',
  // "when the data generator supports setting user or provider-defined tags".
  Tags: 'Conditional',
} as const;

/*
 * FOCUS 1.3, Cost and Usage > Columns: "Allows nulls: False" in the Content
 * Constraints of the columns we write.
 */
const FOCUS_1_3_NOT_NULLABLE = [
  'BilledCost',
  'BillingAccountId',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
  'ServiceProviderName',
  'ServiceSubcategory',
];

/*
 * Columns that "MUST NOT be null when ChargeCategory is "Usage" [or
 * "Purchase"] and ChargeClass is not "Correction"" (FOCUS 1.3 sections of
 * ConsumedQuantity, ContractedUnitPrice, ListUnitPrice, PricingCategory,
 * PricingQuantity, SkuId, SkuPriceId), their units (ConsumedUnit,
 * PricingUnit: not null when the quantity is not null), and HostProviderName
 * ("MUST NOT be null in all other cases" than no infrastructure, Tax or
 * Adjustment).
 */
const FOCUS_1_3_NOT_NULL_FOR_USAGE = [
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedUnitPrice',
  'HostProviderName',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'SkuId',
  'SkuPriceId',
];

/* FOCUS 1.3 Decimal columns we write ("Data type: Decimal"). */
const FOCUS_1_3_DECIMAL = [
  'BilledCost',
  'ConsumedQuantity',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'ListCost',
  'ListUnitPrice',
  'PricingQuantity',
];

/* FOCUS 1.3 Date/Time columns ("Data type: Date/Time"). */
const FOCUS_1_3_DATE_TIME = [
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargePeriodEnd',
  'ChargePeriodStart',
];

/*
 * FOCUS 1.3, Attributes > Date/Time Format: a moment in time in the extended
 * ISO 8601 format with UTC designator, 'YYYY-MM-DDTHH:mm:ssZ'.
 */
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;

/*
 * FOCUS 1.3, Attributes > Numeric Format, for Data type Decimal written in
 * decimal notation: an optional negative sign, digits, at most one decimal
 * point; no positive sign, commas, units, currency symbols or exponent.
 */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/*
 * FOCUS 1.3, Attributes > Unit Format: a compound unit
 * `<singular-base-unit>-<plural-base-unit>` of a capitalized count-based
 * base unit and an allowed (plural) time-based unit, e.g. "GB-Hours".
 */
const COMPOUND_UNIT =
  /^[A-Z][A-Za-z]*-(Years|Months|Days|Hours|Minutes|Seconds|Milliseconds|Microseconds)$/;

/* Allowed values, FOCUS 1.3, Cost and Usage > Columns > (column). */
const ALLOWED: Record<string, string[]> = {
  ChargeCategory: ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'],
  ChargeClass: ['Correction'],
  ChargeFrequency: ['One-Time', 'Recurring', 'Usage-Based'],
  PricingCategory: ['Standard', 'Dynamic', 'Committed', 'Other'],
  ServiceCategory: [
    'AI and Machine Learning',
    'Analytics',
    'Business Applications',
    'Compute',
    'Databases',
    'Developer Tools',
    'Multicloud',
    'Identity',
    'Integration',
    'Internet of Things',
    'Management and Governance',
    'Media',
    'Migration',
    'Mobile',
    'Networking',
    'Security',
    'Storage',
    'Web',
    'Other',
  ],
};

/* FOCUS 1.3, Service Subcategory: allowed values by parent Service Category. */
const AI_AND_ML_SUBCATEGORIES = [
  'AI Platforms',
  'Bots',
  'Generative AI',
  'Machine Learning',
  'Natural Language Processing',
  'Other (AI and Machine Learning)',
];

/* ISO 4217 codes known to the runtime (FOCUS 1.3, Attributes > Currency Format). */
const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

/**
 * FOCUS 1.3, Attributes > Key-Value Format: a serialized JSON object with
 * unique keys and number, string, boolean or null values (no objects or
 * arrays). Returns the object.
 */
function expectKeyValue(text: string): Record<string, unknown> {
  const value = JSON.parse(text);
  expect(typeof value).toBe('object');
  expect(Array.isArray(value)).toBe(false);
  expect(value).not.toBeNull();
  for (const v of Object.values(value)) {
    expect(
      v === null || ['string', 'number', 'boolean'].includes(typeof v),
    ).toBe(true);
  }
  // JSON.parse keeps the last of duplicate keys: count the keys written.
  const written = text.match(/"(?:[^"\\]|\\.)*"\s*:/g) ?? [];
  expect(written).toHaveLength(Object.keys(value).length);
  return value;
}

const num = (cell: string) => Number(cell);

/** Equal to within 1e-9 of the larger magnitude (decimals carry 12 digits). */
function expectClose(actual: number, expected: number) {
  const scale = Math.max(1, Math.abs(actual), Math.abs(expected));
  expect(Math.abs(actual - expected) / scale).toBeLessThan(1e-9);
}

/** Checks every FOCUS 1.3 rule this test knows against every record. */
function expectFocus13Rules(rows: Record<string, string>[]) {
  for (const r of rows) {
    for (const column of FOCUS_1_3_NOT_NULLABLE) {
      expect({ column, value: r[column] }).not.toEqual({ column, value: '' });
    }
    // Null Handling: no placeholder strings for absent values.
    for (const [column, value] of Object.entries(r)) {
      expect({ column, value }).not.toEqual({
        column,
        value: 'Not Applicable',
      });
      expect(value).toBe(value.trim());
    }
    for (const column of FOCUS_1_3_DATE_TIME) {
      expect({ column, value: r[column] }).toEqual({
        column,
        value: expect.stringMatching(DATE_TIME),
      });
      expect(Number.isNaN(Date.parse(r[column]))).toBe(false);
    }
    for (const column of [...FOCUS_1_3_DECIMAL, 'x_IdleCost']) {
      if (r[column] !== '') {
        expect({ column, value: r[column] }).toEqual({
          column,
          value: expect.stringMatching(DECIMAL),
        });
      }
    }
    expect(r.x_Tokens).toMatch(/^\d+$/);
    for (const [column, allowed] of Object.entries(ALLOWED)) {
      if (r[column] !== '') expect(allowed).toContain(r[column]);
    }
    expect(r.BillingCurrency).toMatch(/^[A-Z]{3}$/);
    expect(ISO_4217.has(r.BillingCurrency)).toBe(true);

    // Charge Class: null unless the row corrects an invoiced period (none do).
    expect(r.ChargeClass).toBe('');
    const usage = r.ChargeCategory === 'Usage' && r.ChargeClass === '';
    if (usage) {
      for (const column of FOCUS_1_3_NOT_NULL_FOR_USAGE) {
        expect({ column, value: r[column] }).not.toEqual({ column, value: '' });
      }
    }
    if (r.ChargeCategory === 'Purchase') {
      expect(r.ChargeFrequency).not.toBe('Usage-Based');
    }

    // Service Subcategory: one of its parent Service Category's values.
    expect(r.ServiceCategory).toBe('AI and Machine Learning');
    expect(AI_AND_ML_SUBCATEGORIES).toContain(r.ServiceSubcategory);

    // Units: Unit Format; a unit is null exactly when its quantity is.
    for (const [quantity, unit] of [
      ['ConsumedQuantity', 'ConsumedUnit'],
      ['PricingQuantity', 'PricingUnit'],
    ]) {
      expect(r[unit] === '').toBe(r[quantity] === '');
      if (r[unit] !== '') expect(r[unit]).toMatch(COMPOUND_UNIT);
    }

    // Resource, sub account and SKU columns hang together.
    if (r.ResourceId !== '') {
      expect(r.ResourceType).not.toBe('');
      expect(r.ResourceName).not.toBe(r.ResourceId);
    } else {
      expect([r.ResourceName, r.ResourceType]).toEqual(['', '']);
    }
    expect(r.SubAccountName === '').toBe(r.SubAccountId === '');
    if (r.SkuId === '') expect(r.SkuMeter).toBe('');
    else expect(r.SkuMeter).not.toBe('');
    if (r.SkuPriceId === '') {
      for (const column of [
        'SkuPriceDetails',
        'ListUnitPrice',
        'ContractedUnitPrice',
        'PricingQuantity',
        'PricingCategory',
        'ConsumedQuantity',
      ]) {
        expect({ column, value: r[column] }).toEqual({ column, value: '' });
      }
    }
    if (r.SkuPriceDetails !== '') expectKeyValue(r.SkuPriceDetails);

    // Tags: Key-Value Format; provider-defined keys carry our prefix.
    if (r.Tags !== '') {
      for (const key of Object.keys(expectKeyValue(r.Tags))) {
        expect(key).toMatch(/^ai-platform\//);
      }
    }

    // Periods: charge period inside its billing period (a calendar month).
    const billingStart = Date.parse(r.BillingPeriodStart);
    const billingEnd = Date.parse(r.BillingPeriodEnd);
    const chargeStart = Date.parse(r.ChargePeriodStart);
    const chargeEnd = Date.parse(r.ChargePeriodEnd);
    expect(billingStart).toBeLessThan(billingEnd);
    expect(chargeStart).toBeLessThan(chargeEnd);
    expect(billingStart).toBeLessThanOrEqual(chargeStart);
    expect(chargeEnd).toBeLessThanOrEqual(billingEnd);
    expect(r.BillingPeriodStart).toMatch(/^\d{4}-\d{2}-01T00:00:00Z$/);
    expect(r.BillingPeriodEnd).toMatch(/^\d{4}-\d{2}-01T00:00:00Z$/);

    // Costs. EffectiveCost "MUST be 0 when ChargeCategory is Purchase and the
    // purchase is intended to cover future eligible charges"; for our Usage
    // charges, with no amortized purchases or discounts, it equals the billed
    // cost. ListCost and ContractedCost "MUST equal the product of" their
    // unit price and PricingQuantity; unit prices are non-negative.
    expect(num(r.EffectiveCost)).toBe(num(r.BilledCost));
    for (const [cost, unitPrice] of [
      ['ListCost', 'ListUnitPrice'],
      ['ContractedCost', 'ContractedUnitPrice'],
    ]) {
      expect(num(r[unitPrice])).toBeGreaterThanOrEqual(0);
      expectClose(num(r[cost]), num(r[unitPrice]) * num(r.PricingQuantity));
    }
    // The platform hosts its own services: HostProviderName "MUST equal
    // ServiceProviderName" when no other host is selected or exposed; the
    // deprecated ProviderName is what ServiceProviderName replaces.
    expect(r.HostProviderName).toBe(r.ServiceProviderName);
    expect(r.ProviderName).toBe(r.ServiceProviderName);
  }
}

describe('toFocusCsv, FOCUS 1.3 (the default)', () => {
  it('writes every mandatory FOCUS 1.3 Cost and Usage column, the applicable conditional ones, then x_ columns, each group sorted', () => {
    const { header } = records(toFocusCsv(sampleRows(), { titles }));
    expect(header).toEqual([...FOCUS_1_3_COLUMNS]);
    expect(new Set(header).size).toBe(header.length);
    for (const column of FOCUS_1_3_MANDATORY) expect(header).toContain(column);

    const focus = header.filter(h => !h.startsWith('x_'));
    const custom = header.filter(h => h.startsWith('x_'));
    expect(focus.sort()).toEqual(
      [...FOCUS_1_3_MANDATORY, ...Object.keys(FOCUS_1_3_APPLICABLE)].sort(),
    );
    expect(custom).toEqual([
      'x_Cluster',
      'x_CostPerMillionGenerationTokens',
      'x_CostPerMillionPromptTokens',
      'x_CostPerRequest',
      'x_Endpoint',
      'x_GenerationTokenCost',
      'x_GenerationTokens',
      'x_GpuPool',
      'x_IdleCost',
      'x_Model',
      'x_PromptTokenCost',
      'x_PromptTokens',
      'x_Requests',
      'x_SplitMeasuredGpuHours',
      'x_Team',
      'x_Tokens',
    ]);
    // Column Handling: FOCUS columns first and sorted by Column ID, then the
    // custom columns sorted; Column IDs in Pascal case, alphanumeric.
    expect(header).toEqual([...[...focus].sort(), ...[...custom].sort()]);
    for (const column of focus) expect(column).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    for (const column of custom)
      expect(column).toMatch(/^x_[A-Z][A-Za-z0-9]*$/);

    // The exporter's rules table agrees with the specification's levels.
    const levels = Object.fromEntries(
      Object.entries(FOCUS_1_3_COLUMN_RULES).map(([c, rule]) => [
        c,
        rule.featureLevel,
      ]),
    );
    expect(levels).toEqual({
      ...Object.fromEntries(FOCUS_1_3_MANDATORY.map(c => [c, 'Mandatory'])),
      ...FOCUS_1_3_APPLICABLE,
    });
    const notNullable = Object.entries(FOCUS_1_3_COLUMN_RULES)
      .filter(([, rule]) => !rule.allowsNulls)
      .map(([c]) => c);
    expect(notNullable.sort()).toEqual([...FOCUS_1_3_NOT_NULLABLE].sort());
    // New in 1.3 (ProviderName and PublisherName are deprecated, not gone).
    expect(header).toEqual(
      expect.arrayContaining(['ServiceProviderName', 'HostProviderName']),
    );
  });

  it('writes values by the FOCUS 1.3 rules for each column', () => {
    const rows = [
      ...sampleRows(),
      // A window that starts mid-day, at the last day of a month.
      exportRow({
        endpointRef: 'inferenceendpoint:ml/rerank',
        teamRef: 'group:ml/team-b',
        poolRef: 'gpupool:default/a100',
        cluster: 'c2',
        cost: 0.3333333333333333,
        gpuHours: 0.1,
        idleCost: 0,
        tokens: 0,
        periodStart: t('2026-12-31T12:30'),
        periodEnd: t('2027-01-01T00:00'),
      }),
      // Numbers JavaScript would write with an exponent.
      exportRow({ gpuHours: 1e-7, cost: 4.1e-7, idleCost: 1e-8 }),
      exportRow({ gpuHours: 1e21, cost: 4.1e21, idleCost: 2e21 }),
    ];
    const { rows: written } = records(toFocusCsv(rows, { titles }));
    expect(written).toHaveLength(rows.length);
    expectFocus13Rules(written);
    expectClose(
      written.reduce((sum, r) => sum + num(r.BilledCost), 0),
      rows.reduce((sum, r) => sum + r.cost, 0),
    );

    expect(written[0]).toEqual({
      BilledCost: '196.8',
      BillingAccountId: 'ai-platform',
      BillingAccountName: 'AI platform GPU clusters',
      BillingCurrency: 'USD',
      BillingPeriodEnd: '2026-12-01T00:00:00Z',
      BillingPeriodStart: '2026-11-01T00:00:00Z',
      ChargeCategory: 'Usage',
      ChargeClass: '',
      ChargeDescription: 'GPU-hours of h100 for chat',
      ChargeFrequency: 'Usage-Based',
      ChargePeriodEnd: '2026-11-02T00:00:00Z',
      ChargePeriodStart: '2026-11-01T00:00:00Z',
      ConsumedQuantity: '48',
      ConsumedUnit: 'GPU-Hours',
      ContractedCost: '196.8',
      ContractedUnitPrice: '4.1',
      EffectiveCost: '196.8',
      HostProviderName: 'AI platform',
      InvoiceIssuerName: 'AI platform',
      ListCost: '196.8',
      ListUnitPrice: '4.1',
      PricingCategory: 'Standard',
      PricingQuantity: '48',
      PricingUnit: 'GPU-Hours',
      ProviderName: 'AI platform',
      PublisherName: 'AI platform',
      ResourceId: 'inferenceendpoint:default/chat',
      ResourceName: 'Chat, "prod"',
      ResourceType: 'InferenceEndpoint',
      ServiceCategory: 'AI and Machine Learning',
      ServiceName: 'GPU inference',
      ServiceProviderName: 'AI platform',
      ServiceSubcategory: 'Machine Learning',
      SkuId: 'gpupool:default/h100',
      SkuMeter: 'GPU Usage',
      SkuPriceDetails: '',
      SkuPriceId: 'gpupool:default/h100',
      SubAccountId: 'group:default/team-a',
      SubAccountName: 'team-a',
      Tags: '{"ai-platform/model":"model:default/llama","ai-platform/pool":"gpupool:default/h100","ai-platform/cluster":"c1"}',
      x_Cluster: 'c1',
      x_CostPerMillionGenerationTokens: '738',
      x_CostPerMillionPromptTokens: '49.2',
      x_CostPerRequest: '0.0492',
      x_Endpoint: 'inferenceendpoint:default/chat',
      x_GenerationTokenCost: '147.6',
      x_GenerationTokens: '200000',
      x_GpuPool: 'gpupool:default/h100',
      x_IdleCost: '24.6',
      x_Model: 'model:default/llama',
      x_PromptTokenCost: '49.2',
      x_PromptTokens: '1000000',
      x_Requests: '4000',
      x_SplitMeasuredGpuHours: '36',
      x_Team: 'group:default/team-a',
      x_Tokens: '1200000',
    });
    expect(written[1]).toMatchObject({
      BilledCost: '3',
      BillingCurrency: 'EUR',
      ChargePeriodStart: '2026-11-30T00:00:00Z',
      ChargePeriodEnd: '2026-11-30T06:00:00Z',
      ResourceName: 'embed',
      ListUnitPrice: '3',
    });
    expect(written[2]).toMatchObject({
      BillingPeriodStart: '2026-12-01T00:00:00Z',
      BillingPeriodEnd: '2027-01-01T00:00:00Z',
      ChargePeriodStart: '2026-12-31T12:30:00Z',
      ChargePeriodEnd: '2027-01-01T00:00:00Z',
      BilledCost: '0.333333333333',
      ListUnitPrice: '3.33333333333',
      PricingQuantity: '0.1',
      SubAccountId: 'group:ml/team-b',
      SubAccountName: 'team-b',
    });
    expect(written[3]).toMatchObject({
      ConsumedQuantity: '0.0000001',
      PricingQuantity: '0.0000001',
      BilledCost: '0.00000041',
      ListUnitPrice: '4.1',
      x_IdleCost: '0.00000001',
    });
    expect(written[4]).toMatchObject({
      ConsumedQuantity: '1000000000000000000000',
      BilledCost: '4100000000000000000000',
      ListUnitPrice: '4.1',
      x_IdleCost: '2000000000000000000000',
    });
  });

  it('writes the token split as null where nothing of the day was split or counted', () => {
    const { rows: written } = records(
      toFocusCsv([
        exportRow({
          promptTokenCost: undefined,
          generationTokenCost: undefined,
          costPerMillionPromptTokens: undefined,
          costPerMillionGenerationTokens: undefined,
          splitMeasuredGpuHours: undefined,
          requests: undefined,
          costPerRequest: undefined,
        }),
      ]),
    );
    expect(written[0]).toMatchObject({
      x_CostPerMillionGenerationTokens: '',
      x_CostPerMillionPromptTokens: '',
      x_CostPerRequest: '',
      x_GenerationTokenCost: '',
      x_PromptTokenCost: '',
      x_Requests: '',
      x_SplitMeasuredGpuHours: '',
      x_PromptTokens: '1000000',
    });
    // Prompt and generation cost add up to the token cost of the charge.
    const [full] = records(toFocusCsv([exportRow()])).rows;
    expect(
      Number(full.x_PromptTokenCost) + Number(full.x_GenerationTokenCost),
    ).toBeCloseTo(196.8, 9);
    expectFocus13Rules(written);
  });

  it('leaves out rows that charge nothing (no GPU-hours, no cost), which have no unit price to state', () => {
    const { rows: written } = records(
      toFocusCsv([
        exportRow({ gpuHours: 0, cost: 0, idleCost: 0, tokens: 0 }),
        exportRow({ day: '2026-11-02' }),
      ]),
    );
    expect(written).toHaveLength(1);
    expect(written[0].ConsumedQuantity).toBe('48');
    expectFocus13Rules(written);
  });

  it('writes the header alone for no rows', () => {
    expect(toFocusCsv([])).toBe(`${FOCUS_1_3_COLUMNS.join(',')}\r\n`);
  });
});

describe('focusDecimal', () => {
  it('writes decimals without float noise or exponents', () => {
    expect(focusDecimal(0.1 + 0.2)).toBe(0.3);
    expect(focusDecimal(48)).toBe(48);
    expect(focusDecimal(1e-7)).toBe('0.0000001');
    expect(focusDecimal(1.2345e-9)).toBe('0.0000000012345');
    expect(focusDecimal(1e21)).toBe('1000000000000000000000');
    expect(focusDecimal(1.5e22)).toBe('15000000000000000000000');
    expect(focusDecimal(undefined)).toBeNull();
    expect(focusDecimal(Number.NaN)).toBeNull();
    expect(focusDecimal(Infinity)).toBeNull();
  });
});

describe('entityName', () => {
  it('names resources by the name part of their ref', () => {
    expect(entityName('inferenceendpoint:default/chat')).toBe('chat');
    expect(entityName('inferenceendpoint:chat')).toBe('chat');
    expect(entityName('chat')).toBe('chat');
  });
});
