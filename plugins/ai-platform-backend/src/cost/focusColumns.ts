/**
 * The FinOps FOCUS column rules the FOCUS export is written to.
 *
 * Source: FinOps Open Cost and Usage Specification (FOCUS) 1.3, ratified
 * December 2025 (https://focus.finops.org/focus-specification/v1-3/), the
 * "Cost and Usage" dataset's columns and the Attributes section. Each column
 * below cites its 1.3 column section ("FOCUS 1.3, Cost and Usage > Columns >
 * <Display Name>") and copies its content constraints (feature level,
 * nullability, data type, value format, allowed values).
 *
 * FOCUS 1.0 (June 2024) is kept as it was exported before (`focusVersion=1.0`),
 * see `FOCUS_1_0_COLUMNS` in `focus.ts`.
 */

/** The FOCUS versions the export writes. */
export const FOCUS_VERSIONS = ['1.3', '1.0'] as const;
export type FocusVersion = (typeof FOCUS_VERSIONS)[number];

/** The version written when none is asked for: the current one. */
export const DEFAULT_FOCUS_VERSION: FocusVersion = '1.3';

/**
 * Feature levels of FOCUS 1.3 columns: Mandatory (always present),
 * Conditional (present when the service provider supports what the column
 * describes), Recommended (should be present).
 */
export type FocusFeatureLevel = 'Mandatory' | 'Conditional' | 'Recommended';

/** FOCUS 1.3 data types of the columns we write. */
export type FocusDataType = 'String' | 'Decimal' | 'Date/Time' | 'JSON';

/** FOCUS 1.3 value formats (Attributes section) of the columns we write. */
export type FocusValueFormat =
  | 'Allowed Values'
  | 'Currency Format'
  | 'Date/Time Format'
  | 'Key-Value Format'
  | 'Numeric Format'
  | 'Unit Format';

/** One FOCUS 1.3 column: its content constraints, and why we write it. */
export type FocusColumnRule = {
  readonly featureLevel: FocusFeatureLevel;
  readonly allowsNulls: boolean;
  readonly dataType: FocusDataType;
  readonly valueFormat?: FocusValueFormat;
  readonly allowedValues?: readonly string[];
  /** Deprecated in 1.3, still present and non-nullable there. */
  readonly deprecatedIn?: '1.3';
  /** For Conditional and Recommended columns: why the column applies to us. */
  readonly applies?: string;
};

/**
 * FOCUS 1.3, Cost and Usage > Columns > Charge Category: allowed values.
 */
export const CHARGE_CATEGORIES = [
  'Usage',
  'Purchase',
  'Tax',
  'Credit',
  'Adjustment',
] as const;

/**
 * FOCUS 1.3, Cost and Usage > Columns > Charge Class: the one allowed value
 * (the column is null for a row that is not a correction to a previously
 * invoiced billing period).
 */
export const CHARGE_CLASSES = ['Correction'] as const;

/** FOCUS 1.3, Cost and Usage > Columns > Charge Frequency: allowed values. */
export const CHARGE_FREQUENCIES = [
  'One-Time',
  'Recurring',
  'Usage-Based',
] as const;

/** FOCUS 1.3, Cost and Usage > Columns > Pricing Category: allowed values. */
export const PRICING_CATEGORIES = [
  'Standard',
  'Dynamic',
  'Committed',
  'Other',
] as const;

/** FOCUS 1.3, Cost and Usage > Columns > Service Category: allowed values. */
export const SERVICE_CATEGORIES = [
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
] as const;

/**
 * FOCUS 1.3, Cost and Usage > Columns > Service Subcategory: the allowed
 * values whose parent Service Category is "AI and Machine Learning" (the only
 * category we write; a subcategory must have exactly that one parent).
 */
export const AI_AND_ML_SERVICE_SUBCATEGORIES = [
  'AI Platforms',
  'Bots',
  'Generative AI',
  'Machine Learning',
  'Natural Language Processing',
  'Other (AI and Machine Learning)',
] as const;

const mandatory = (
  allowsNulls: boolean,
  dataType: FocusDataType,
  valueFormat?: FocusValueFormat,
  allowedValues?: readonly string[],
): FocusColumnRule => ({
  featureLevel: 'Mandatory',
  allowsNulls,
  dataType,
  valueFormat,
  allowedValues,
});

/**
 * The FOCUS 1.3 Cost and Usage columns we write, in the order we write them:
 * alphabetically by Column ID (FOCUS 1.3, Attributes > Column Handling:
 * FOCUS columns SHOULD be sorted alphabetically and come before all custom
 * columns). Every Mandatory column of the dataset is here; of the
 * Conditional and Recommended ones, those whose condition holds for the AI
 * platform (it measures usage, bills provisioned endpoints, has teams as sub
 * accounts, prices each GPU pool per GPU-hour, and sets tags).
 *
 * Not written, as their conditions do not hold: Allocated* (no split cost
 * allocation), AvailabilityZone and RegionId/RegionName (clusters are not
 * placed in provider regions or zones), BillingAccountType and
 * SubAccountType (one type each), CapacityReservation* and
 * CommitmentDiscount* (none), ContractApplied (no contract commitments),
 * InvoiceId (no invoices are issued), PricingCurrency* (priced and billed in
 * the pool's currency).
 */
export const FOCUS_1_3_COLUMN_RULES = {
  /** FOCUS 1.3, Cost and Usage > Columns > Billed Cost. */
  BilledCost: mandatory(false, 'Decimal', 'Numeric Format'),
  /** FOCUS 1.3, Cost and Usage > Columns > Billing Account ID. */
  BillingAccountId: mandatory(false, 'String'),
  /** FOCUS 1.3, Cost and Usage > Columns > Billing Account Name. */
  BillingAccountName: mandatory(true, 'String'),
  /** FOCUS 1.3, Cost and Usage > Columns > Billing Currency. */
  BillingCurrency: mandatory(false, 'String', 'Currency Format'),
  /** FOCUS 1.3, Cost and Usage > Columns > Billing Period End. */
  BillingPeriodEnd: mandatory(false, 'Date/Time', 'Date/Time Format'),
  /** FOCUS 1.3, Cost and Usage > Columns > Billing Period Start. */
  BillingPeriodStart: mandatory(false, 'Date/Time', 'Date/Time Format'),
  /** FOCUS 1.3, Cost and Usage > Columns > Charge Category. */
  ChargeCategory: mandatory(
    false,
    'String',
    'Allowed Values',
    CHARGE_CATEGORIES,
  ),
  /** FOCUS 1.3, Cost and Usage > Columns > Charge Class. */
  ChargeClass: mandatory(true, 'String', 'Allowed Values', CHARGE_CLASSES),
  /** FOCUS 1.3, Cost and Usage > Columns > Charge Description. */
  ChargeDescription: mandatory(true, 'String'),
  /** FOCUS 1.3, Cost and Usage > Columns > Charge Frequency. */
  ChargeFrequency: {
    featureLevel: 'Recommended',
    allowsNulls: false,
    dataType: 'String',
    valueFormat: 'Allowed Values',
    allowedValues: CHARGE_FREQUENCIES,
    applies: 'recommended for every dataset',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Charge Period End. */
  ChargePeriodEnd: mandatory(false, 'Date/Time', 'Date/Time Format'),
  /** FOCUS 1.3, Cost and Usage > Columns > Charge Period Start. */
  ChargePeriodStart: mandatory(false, 'Date/Time', 'Date/Time Format'),
  /** FOCUS 1.3, Cost and Usage > Columns > Consumed Quantity. */
  ConsumedQuantity: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'Decimal',
    valueFormat: 'Numeric Format',
    applies: 'the platform measures usage (GPU-hours)',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Consumed Unit. */
  ConsumedUnit: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    valueFormat: 'Unit Format',
    applies: 'the platform measures usage (GPU-hours)',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Contracted Cost. */
  ContractedCost: mandatory(false, 'Decimal', 'Numeric Format'),
  /**
   * FOCUS 1.3, Cost and Usage > Columns > Contracted Unit Price. There are no
   * negotiated prices, so it defaults to the List Unit Price, as the column
   * definition says; written (as in 1.0) so that ContractedCost = unit price
   * x PricingQuantity can be checked.
   */
  ContractedUnitPrice: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'Decimal',
    valueFormat: 'Numeric Format',
    applies: 'kept from the 1.0 export; equals ListUnitPrice (no negotiation)',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Effective Cost. */
  EffectiveCost: mandatory(false, 'Decimal', 'Numeric Format'),
  /**
   * FOCUS 1.3, Cost and Usage > Columns > Host Provider Name (new in 1.3).
   * Allows nulls only for services not deployed on infrastructure, or when
   * the host cannot be determined (Tax, Adjustment); ours are GPU usage, so
   * it is never null.
   */
  HostProviderName: mandatory(true, 'String'),
  /** FOCUS 1.3, Cost and Usage > Columns > Invoice Issuer Name. */
  InvoiceIssuerName: mandatory(false, 'String'),
  /** FOCUS 1.3, Cost and Usage > Columns > List Cost. */
  ListCost: mandatory(false, 'Decimal', 'Numeric Format'),
  /** FOCUS 1.3, Cost and Usage > Columns > List Unit Price. */
  ListUnitPrice: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'Decimal',
    valueFormat: 'Numeric Format',
    applies: 'each GPU pool publishes its price per GPU-hour',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Pricing Category. */
  PricingCategory: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    valueFormat: 'Allowed Values',
    allowedValues: PRICING_CATEGORIES,
    applies: 'kept from the 1.0 export; every charge is "Standard"',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Pricing Quantity. */
  PricingQuantity: mandatory(true, 'Decimal', 'Numeric Format'),
  /** FOCUS 1.3, Cost and Usage > Columns > Pricing Unit. */
  PricingUnit: mandatory(true, 'String', 'Unit Format'),
  /**
   * FOCUS 1.3, Cost and Usage > Columns > Provider: deprecated in 1.3
   * (replaced by ServiceProviderName) but still Mandatory and not nullable
   * in 1.3, so it is still written, equal to ServiceProviderName.
   */
  ProviderName: { ...mandatory(false, 'String'), deprecatedIn: '1.3' },
  /**
   * FOCUS 1.3, Cost and Usage > Columns > Publisher: deprecated in 1.3 but
   * still Mandatory and not nullable in 1.3, so it is still written.
   */
  PublisherName: { ...mandatory(false, 'String'), deprecatedIn: '1.3' },
  /** FOCUS 1.3, Cost and Usage > Columns > Resource ID. */
  ResourceId: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    applies: 'charges are for provisioned inference endpoints',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Resource Name. */
  ResourceName: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    applies: 'charges are for provisioned inference endpoints',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Resource Type. */
  ResourceType: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    applies: 'endpoints are a typed resource (InferenceEndpoint)',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Service Category. */
  ServiceCategory: mandatory(
    false,
    'String',
    'Allowed Values',
    SERVICE_CATEGORIES,
  ),
  /** FOCUS 1.3, Cost and Usage > Columns > Service Name. */
  ServiceName: mandatory(false, 'String'),
  /**
   * FOCUS 1.3, Cost and Usage > Columns > Service Provider Name (new in 1.3,
   * replaces ProviderName).
   */
  ServiceProviderName: mandatory(false, 'String'),
  /** FOCUS 1.3, Cost and Usage > Columns > Service Subcategory. */
  ServiceSubcategory: {
    featureLevel: 'Recommended',
    allowsNulls: false,
    dataType: 'String',
    valueFormat: 'Allowed Values',
    allowedValues: AI_AND_ML_SERVICE_SUBCATEGORIES,
    applies: 'recommended for every dataset',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > SKU ID. */
  SkuId: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    applies: 'unit pricing: each GPU pool is a SKU with a GPU-hour price',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > SKU Meter. */
  SkuMeter: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    applies: 'unit pricing: each GPU pool is a SKU with a GPU-hour price',
  },
  /**
   * FOCUS 1.3, Cost and Usage > Columns > SKU Price Details: may be null when
   * SkuPriceId is not; we have no SKU price properties beyond the pool, so it
   * is null.
   */
  SkuPriceDetails: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'JSON',
    valueFormat: 'Key-Value Format',
    applies: 'unit pricing: each GPU pool is a SKU with a GPU-hour price',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > SKU Price ID. */
  SkuPriceId: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    applies: 'unit pricing: each GPU pool is a SKU with a GPU-hour price',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Sub Account ID. */
  SubAccountId: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    applies: 'teams are sub accounts',
  },
  /** FOCUS 1.3, Cost and Usage > Columns > Sub Account Name. */
  SubAccountName: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'String',
    applies: 'teams are sub accounts',
  },
  /**
   * FOCUS 1.3, Cost and Usage > Columns > Tags: Key-Value Format (a JSON
   * object of string, number, boolean or null values); provider-defined tag
   * keys carry a provider-specific prefix (`FOCUS_TAG_PREFIX`).
   */
  Tags: {
    featureLevel: 'Conditional',
    allowsNulls: true,
    dataType: 'JSON',
    valueFormat: 'Key-Value Format',
    applies: 'the platform sets tags (model, pool, cluster) on each charge',
  },
} as const satisfies Record<string, FocusColumnRule>;

/** A FOCUS 1.3 column we write. */
export type Focus13Column = keyof typeof FOCUS_1_3_COLUMN_RULES;

/**
 * Our custom columns in the 1.3 export, sorted alphabetically after the FOCUS
 * columns (FOCUS 1.3, Attributes > Column Handling: custom columns MUST have
 * the `x_` prefix). Refs are the catalog entity refs. The token cost split
 * (x_PromptTokenCost, x_GenerationTokenCost, per 1M tokens of each kind, and
 * x_SplitMeasuredGpuHours: the GPU-hours split by measured prefill and decode
 * time) follows docs/cost.md, "Prompt and generation tokens"; null where no
 * interval of the charge was split or no request was counted.
 */
export const FOCUS_1_3_CUSTOM_COLUMNS = [
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
] as const;

export type Focus13CustomColumn = (typeof FOCUS_1_3_CUSTOM_COLUMNS)[number];

/** The header of the 1.3 export: FOCUS columns, then custom ones. */
export const FOCUS_1_3_COLUMNS: readonly (
  | Focus13Column
  | Focus13CustomColumn
)[] = [
  ...(Object.keys(FOCUS_1_3_COLUMN_RULES) as Focus13Column[]),
  ...FOCUS_1_3_CUSTOM_COLUMNS,
];

/**
 * The prefix of our provider-defined tag keys (FOCUS 1.3, Cost and Usage >
 * Columns > Tags: provider-defined tag keys MUST be prefixed with a
 * predetermined, provider-specified prefix).
 */
export const FOCUS_TAG_PREFIX = 'ai-platform/';

/** The unit both quantities are measured and priced in (FOCUS 1.3, Attributes > Unit Format: `<singular-base-unit>-<plural-base-unit>`). */
export const GPU_HOURS_UNIT = 'GPU-Hours';
