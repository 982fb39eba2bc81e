import { csvTable, type CsvCell } from '../lib/csv';
import {
  DEFAULT_FOCUS_VERSION,
  FOCUS_1_3_COLUMNS,
  FOCUS_TAG_PREFIX,
  GPU_HOURS_UNIT,
  type Focus13Column,
  type Focus13CustomColumn,
  type FocusVersion,
} from './focusColumns';
import { isoSeconds, monthBounds, monthOf } from './periods';
import type { UsageExportRow } from './types';

/**
 * The columns of the FOCUS 1.0 export (`focusVersion=1.0`), in order: FinOps
 * FOCUS 1.0 columns, then our own `x_` columns. Kept exactly as exported
 * before FOCUS 1.3 became the default.
 */
export const FOCUS_1_0_COLUMNS = [
  'BilledCost',
  'EffectiveCost',
  'BillingCurrency',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ConsumedQuantity',
  'ConsumedUnit',
  'PricingQuantity',
  'PricingUnit',
  'ResourceId',
  'ResourceName',
  'SubAccountName',
  'Tags',
  'BillingAccountId',
  'BillingAccountName',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ContractedCost',
  'ContractedUnitPrice',
  'ListCost',
  'ListUnitPrice',
  'InvoiceIssuerName',
  'ProviderName',
  'PublisherName',
  'PricingCategory',
  'ServiceCategory',
  'ServiceName',
  'SubAccountId',
  'ResourceType',
  'SkuId',
  'x_Model',
  'x_GpuPool',
  'x_Cluster',
  'x_IdleCost',
  'x_Tokens',
] as const;

export { FOCUS_1_3_COLUMNS };

/** The name part of an entity ref: `inferenceendpoint:default/chat` -> `chat`. */
export function entityName(ref: string): string {
  const slash = ref.lastIndexOf('/');
  if (slash >= 0) return ref.slice(slash + 1);
  const colon = ref.lastIndexOf(':');
  return colon >= 0 ? ref.slice(colon + 1) : ref;
}

/** The internal platform: provider, publisher, host and invoice issuer. */
const PLATFORM = 'AI platform';
const BILLING_ACCOUNT_ID = 'ai-platform';
const BILLING_ACCOUNT_NAME = 'AI platform GPU clusters';
const SERVICE_NAME = 'GPU inference';
const SERVICE_CATEGORY = 'AI and Machine Learning';
const RESOURCE_TYPE = 'InferenceEndpoint';

/**
 * A FOCUS 1.3 Decimal (FOCUS 1.3, Attributes > Numeric Format): the number
 * without float noise (12 significant digits, as the CSV writer does), always
 * in plain decimal notation, never JavaScript's exponent form (`1e-7`,
 * `1e+21`: a lower-case `e` and a `+` exponent sign are not Numeric Format).
 * Null for a missing or non-finite number.
 */
export function focusDecimal(n: number | null | undefined): CsvCell {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  const value = Number(n.toPrecision(12));
  if (!/e/i.test(String(value))) return value;
  // Expand the exponent. Only non-negative amounts reach the export (usage
  // charges); a negative text would be neutralised by the CSV writer as a
  // formula, so a negative value stays a number.
  if (value < 0) return value;
  const [mantissa, exponent] = value.toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(exponent);
  if (e < 0) return `0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = e + 1;
  return digits.length <= whole
    ? digits + '0'.repeat(whole - digits.length)
    : `${digits.slice(0, whole)}.${digits.slice(whole)}`;
}

/** The FOCUS 1.0 export (`focusVersion=1.0`): today's output, unchanged. */
function focus10Rows(
  rows: UsageExportRow[],
  titles: Map<string, string> | undefined,
): CsvCell[][] {
  return rows.map(r => {
    const billing = monthBounds(monthOf(r.periodStart));
    return [
      r.cost,
      r.cost,
      r.currency,
      isoSeconds(billing.start),
      isoSeconds(billing.end),
      isoSeconds(r.periodStart),
      isoSeconds(r.periodEnd),
      'Usage',
      r.gpuHours,
      'GPU-Hours',
      r.gpuHours,
      'GPU-Hour',
      r.endpointRef,
      titles?.get(r.endpointRef) ?? entityName(r.endpointRef),
      r.teamRef,
      JSON.stringify({
        model: r.modelRef,
        pool: r.poolRef,
        cluster: r.cluster,
      }),
      // The internal platform is the provider, publisher and invoice
      // issuer; list, contracted and billed cost are the same (no discounts).
      BILLING_ACCOUNT_ID,
      BILLING_ACCOUNT_NAME,
      '',
      `GPU-hours of ${entityName(r.poolRef)} for ${entityName(r.endpointRef)}`,
      'Usage-Based',
      r.cost,
      r.gpuHours > 0 ? r.cost / r.gpuHours : undefined,
      r.cost,
      r.gpuHours > 0 ? r.cost / r.gpuHours : undefined,
      PLATFORM,
      PLATFORM,
      PLATFORM,
      'Standard',
      SERVICE_CATEGORY,
      SERVICE_NAME,
      r.teamRef,
      RESOURCE_TYPE,
      r.poolRef,
      r.modelRef,
      r.poolRef,
      r.cluster,
      r.idleCost,
      r.tokens,
    ];
  });
}

/** The key of a GPU pool's price: pool and currency. */
const priceKey = (r: UsageExportRow) => `${r.poolRef}\u0000${r.currency}`;

/**
 * The FOCUS 1.3 export: one Usage charge per endpoint, pool and currency per
 * UTC day (or the window's part of it). The rules each value follows are
 * those of FOCUS 1.3's Cost and Usage columns (see `focusColumns.ts`):
 *
 * - Costs: no discounts, credits or commitments apply, so BilledCost =
 *   EffectiveCost = ListCost = ContractedCost, all in BillingCurrency (the
 *   pool's ISO 4217 currency).
 * - Quantities: consumed and priced in GPU-Hours; ListUnitPrice =
 *   ContractedUnitPrice = cost / GPU-hours, so that ListCost = ListUnitPrice x
 *   PricingQuantity. Over a day in which the pool's price changed, it is that
 *   day's mean price.
 * - A row with no GPU-hours and no cost is no charge (nothing was consumed or
 *   billed, and it has no unit price to state, which a Usage charge must), so
 *   it is left out.
 * - Nulls (empty cells): ChargeClass (no row is a correction to an invoiced
 *   period) and SkuPriceDetails.
 */
function focus13Rows(
  rows: UsageExportRow[],
  titles: Map<string, string> | undefined,
): CsvCell[][] {
  // A pool's unit price, for a row with no GPU-hours but a cost (which the
  // rollups never produce: cost is GPU-hours x price).
  const prices = new Map<string, number>();
  for (const r of rows) {
    if (r.gpuHours > 0) prices.set(priceKey(r), r.cost / r.gpuHours);
  }
  return rows
    .filter(r => r.gpuHours > 0 || r.cost !== 0)
    .map(r => {
      const billing = monthBounds(monthOf(r.periodStart));
      const unitPrice =
        r.gpuHours > 0 ? r.cost / r.gpuHours : prices.get(priceKey(r));
      const record: Record<Focus13Column | Focus13CustomColumn, CsvCell> = {
        BilledCost: focusDecimal(r.cost),
        BillingAccountId: BILLING_ACCOUNT_ID,
        BillingAccountName: BILLING_ACCOUNT_NAME,
        BillingCurrency: r.currency,
        BillingPeriodEnd: isoSeconds(billing.end),
        BillingPeriodStart: isoSeconds(billing.start),
        ChargeCategory: 'Usage',
        ChargeClass: null,
        ChargeDescription: `GPU-hours of ${entityName(
          r.poolRef,
        )} for ${entityName(r.endpointRef)}`,
        ChargeFrequency: 'Usage-Based',
        ChargePeriodEnd: isoSeconds(r.periodEnd),
        ChargePeriodStart: isoSeconds(r.periodStart),
        ConsumedQuantity: focusDecimal(r.gpuHours),
        ConsumedUnit: GPU_HOURS_UNIT,
        ContractedCost: focusDecimal(r.cost),
        ContractedUnitPrice: focusDecimal(unitPrice),
        EffectiveCost: focusDecimal(r.cost),
        // The platform runs its own GPU clusters: it is the host as well
        // as the service provider.
        HostProviderName: PLATFORM,
        InvoiceIssuerName: PLATFORM,
        ListCost: focusDecimal(r.cost),
        ListUnitPrice: focusDecimal(unitPrice),
        PricingCategory: 'Standard',
        PricingQuantity: focusDecimal(r.gpuHours),
        PricingUnit: GPU_HOURS_UNIT,
        ProviderName: PLATFORM,
        PublisherName: PLATFORM,
        ResourceId: r.endpointRef,
        ResourceName: titles?.get(r.endpointRef) ?? entityName(r.endpointRef),
        ResourceType: RESOURCE_TYPE,
        ServiceCategory: SERVICE_CATEGORY,
        ServiceName: SERVICE_NAME,
        ServiceProviderName: PLATFORM,
        ServiceSubcategory: 'Machine Learning',
        SkuId: r.poolRef,
        SkuMeter: 'GPU Usage',
        SkuPriceDetails: null,
        // The SKU's price varies by currency and over time only, which a
        // SKU Price ID leaves out: it may equal the SkuId.
        SkuPriceId: r.poolRef,
        SubAccountId: r.teamRef,
        SubAccountName: entityName(r.teamRef),
        Tags: JSON.stringify({
          [`${FOCUS_TAG_PREFIX}model`]: r.modelRef,
          [`${FOCUS_TAG_PREFIX}pool`]: r.poolRef,
          [`${FOCUS_TAG_PREFIX}cluster`]: r.cluster,
        }),
        x_Cluster: r.cluster,
        x_CostPerMillionGenerationTokens: focusDecimal(
          r.costPerMillionGenerationTokens,
        ),
        x_CostPerMillionPromptTokens: focusDecimal(
          r.costPerMillionPromptTokens,
        ),
        x_CostPerRequest: focusDecimal(r.costPerRequest),
        x_Endpoint: r.endpointRef,
        x_GenerationTokenCost: focusDecimal(r.generationTokenCost),
        x_GenerationTokens: r.generationTokens,
        x_GpuPool: r.poolRef,
        x_IdleCost: focusDecimal(r.idleCost),
        x_Model: r.modelRef,
        x_PromptTokenCost: focusDecimal(r.promptTokenCost),
        x_PromptTokens: r.promptTokens,
        x_Requests: r.requests ?? null,
        x_SplitMeasuredGpuHours: focusDecimal(r.splitMeasuredGpuHours),
        x_Team: r.teamRef,
        x_Tokens: r.tokens,
      };
      return FOCUS_1_3_COLUMNS.map(column => record[column]);
    });
}

/**
 * Usage export rows as a FinOps FOCUS CSV: FOCUS 1.3 by default, or the
 * FOCUS 1.0 columns exported before (`version: '1.0'`). One charge per
 * endpoint per UTC day, billed and effective cost equal (no discounts or
 * credits apply), consumed and priced in GPU-hours, in the pool's currency.
 */
export function toFocusCsv(
  rows: UsageExportRow[],
  options: { titles?: Map<string, string>; version?: FocusVersion } = {},
): string {
  const version = options.version ?? DEFAULT_FOCUS_VERSION;
  return version === '1.0'
    ? csvTable([...FOCUS_1_0_COLUMNS], focus10Rows(rows, options.titles))
    : csvTable([...FOCUS_1_3_COLUMNS], focus13Rows(rows, options.titles));
}
