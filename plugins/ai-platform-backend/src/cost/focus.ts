import { csvTable } from '../lib/csv';
import { isoSeconds, monthBounds, monthOf } from './periods';
import type { UsageExportRow } from './types';

/**
 * The columns of the FOCUS export, in order: FinOps FOCUS 1.x columns, then
 * our own `x_` columns.
 */
export const FOCUS_COLUMNS = [
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

/** The name part of an entity ref: `inferenceendpoint:default/chat` -> `chat`. */
export function entityName(ref: string): string {
  const slash = ref.lastIndexOf('/');
  if (slash >= 0) return ref.slice(slash + 1);
  const colon = ref.lastIndexOf(':');
  return colon >= 0 ? ref.slice(colon + 1) : ref;
}

/**
 * Usage export rows as a FinOps FOCUS 1.x CSV: one charge per endpoint per
 * UTC day, billed and effective cost equal (no discounts or credits apply),
 * consumed and priced in GPU-hours, in the pool's currency.
 */
export function toFocusCsv(
  rows: UsageExportRow[],
  options: { titles?: Map<string, string> } = {},
): string {
  return csvTable(
    [...FOCUS_COLUMNS],
    rows.map(r => {
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
        options.titles?.get(r.endpointRef) ?? entityName(r.endpointRef),
        r.teamRef,
        JSON.stringify({
          model: r.modelRef,
          pool: r.poolRef,
          cluster: r.cluster,
        }),
        // The internal platform is the provider, publisher and invoice
        // issuer; list, contracted and billed cost are the same (no discounts).
        'ai-platform',
        'AI platform GPU clusters',
        '',
        `GPU-hours of ${entityName(r.poolRef)} for ${entityName(
          r.endpointRef,
        )}`,
        'Usage-Based',
        r.cost,
        r.gpuHours > 0 ? r.cost / r.gpuHours : undefined,
        r.cost,
        r.gpuHours > 0 ? r.cost / r.gpuHours : undefined,
        'AI platform',
        'AI platform',
        'AI platform',
        'Standard',
        'AI and Machine Learning',
        'GPU inference',
        r.teamRef,
        'InferenceEndpoint',
        r.poolRef,
        r.modelRef,
        r.poolRef,
        r.cluster,
        r.idleCost,
        r.tokens,
      ];
    }),
  );
}
