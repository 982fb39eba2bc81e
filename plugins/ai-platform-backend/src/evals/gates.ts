import type {
  GateOverride,
  GateResult,
} from '@internal/plugin-ai-platform-common';

/** The API shapes, shared with the clients through -common. */
export type {
  GateOverride,
  GateResult,
} from '@internal/plugin-ai-platform-common';
/** The outcome of a gate from the numbers alone. */
export type GateStatus = 'pass' | 'fail' | 'missing';

/** A quality gate: a task's metric must stay within bounds. */
export type GateDefinition = {
  task: string;
  metric: string;
  /** The score must be at least this. */
  min?: number;
  /** The score must be at most this. */
  max?: number;
  /**
   * The score may drop at most this much (absolute, in the metric's own
   * units) below the score of the version in stage production.
   */
  maxRegression?: number;
};

/** Input of {@link evaluateGates}. */
export type EvaluateGatesOptions = {
  gates: GateDefinition[];
  /** The candidate model version. */
  version: string;
  /** Name of the model version in stage production, if any. */
  productionVersion?: string;
  /** Latest candidate scores, keyed `${task}|${metric}`. */
  scores: Map<string, number>;
  /** Latest scores of productionVersion, same keys. */
  productionScores?: Map<string, number>;
  /** Overrides recorded for this model version. */
  overrides?: GateOverride[];
};

/** Output of {@link evaluateGates}. */
export type EvaluateGatesResult = {
  gates: GateResult[];
  /** Every gate passed (on its numbers or by override). */
  passed: boolean;
  /**
   * Gates by status from the numbers alone, and how many of the gates that
   * did not pass on their numbers were overridden.
   */
  summary: { pass: number; fail: number; missing: number; overridden: number };
};

/** Float noise tolerated in regression checks. */
const EPSILON = 1e-9;

/** Formats a number for a sentence: at most 4 significant digits below 1. */
function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1) return String(Number(value.toFixed(2)));
  return String(Number(value.toPrecision(4)));
}

function scoreKey(task: string, metric: string): string {
  return `${task}|${metric}`;
}

function isLater(a: string, b: string): boolean {
  const at = Date.parse(a);
  const bt = Date.parse(b);
  return Number.isNaN(at) || Number.isNaN(bt) ? a > b : at > bt;
}

function latestOverride(
  overrides: GateOverride[] | undefined,
  task: string,
  metric: string,
): GateOverride | undefined {
  let latest: GateOverride | undefined;
  for (const override of overrides ?? []) {
    if (override.task !== task || override.metric !== metric) continue;
    if (!latest || isLater(override.createdAt, latest.createdAt)) {
      latest = override;
    }
  }
  return latest;
}

function evaluateGate(
  gate: GateDefinition,
  options: EvaluateGatesOptions,
): GateResult {
  const { task, metric, min, max, maxRegression } = gate;
  const { version, productionVersion } = options;
  const label = `${task} ${metric}`;

  const result: GateResult = {
    task,
    metric,
    ...(min !== undefined ? { min } : {}),
    ...(max !== undefined ? { max } : {}),
    ...(maxRegression !== undefined ? { maxRegression } : {}),
    status: 'pass',
    passed: false,
    reasons: [],
  };

  let baselineValue: number | undefined;
  if (maxRegression !== undefined && productionVersion !== undefined) {
    result.baselineVersion = productionVersion;
    if (productionVersion !== version) {
      baselineValue = options.productionScores?.get(scoreKey(task, metric));
      if (baselineValue !== undefined) result.baselineValue = baselineValue;
    }
  }

  const value = options.scores.get(scoreKey(task, metric));
  if (value === undefined) {
    result.status = 'missing';
    result.reasons.push(`no score for ${label} in version ${version}`);
  } else {
    result.value = value;
    const failures: string[] = [];
    if (Number.isNaN(value)) {
      failures.push(`${metric} is not a number`);
    } else {
      if (min !== undefined && !(value >= min)) {
        failures.push(
          `${metric} ${fmt(value)} is below the minimum ${fmt(min)}`,
        );
      }
      if (max !== undefined && !(value <= max)) {
        failures.push(
          `${metric} ${fmt(value)} is above the maximum ${fmt(max)}`,
        );
      }
      if (maxRegression !== undefined) {
        if (productionVersion === undefined) {
          result.reasons.push(
            `no version is in stage production; regression of ${label} not checked`,
          );
        } else if (productionVersion === version) {
          result.reasons.push(
            `${version} is the production version; regression of ${label} not checked`,
          );
        } else if (baselineValue === undefined) {
          result.reasons.push(
            `no production baseline for ${label} in version ${productionVersion}; regression not checked`,
          );
        } else {
          const drop = baselineValue - value;
          if (drop > maxRegression + EPSILON) {
            failures.push(
              `${metric} ${fmt(value)} dropped ${fmt(drop)} from ${fmt(
                baselineValue,
              )} in production version ${productionVersion}, more than the allowed ${fmt(
                maxRegression,
              )}`,
            );
          }
        }
      }
    }
    if (failures.length > 0) {
      result.status = 'fail';
      result.reasons.unshift(...failures);
    }
  }

  if (result.status !== 'pass') {
    const override = latestOverride(options.overrides, task, metric);
    if (override) {
      result.overridden = override;
      result.reasons.push(
        `overridden by ${override.actor} on ${override.createdAt}: ${override.reason}`,
      );
    }
  }
  result.passed = result.status === 'pass' || result.overridden !== undefined;
  return result;
}

/**
 * Evaluates a model version's quality gates against its latest scores.
 *
 * @remarks
 * Pure: the caller loads the scores, the production version's scores and the
 * overrides. For each gate:
 *
 * - no candidate score: `missing` (not passed unless overridden);
 * - `min`: passes when `value >= min`; `max`: passes when `value <= max`;
 * - `maxRegression`: an absolute drop in the metric's own units (higher is
 *   assumed better) against the version in stage production; fails when
 *   `baselineValue - value > maxRegression` (with 1e-9 of float tolerance).
 *   It passes, with a reason saying why, when there is no production
 *   version, when the candidate is the production version, or when the
 *   production version has no score for the metric;
 * - a gate fails if any of its parts fails, with one reason per failing part;
 *   a gate with no bounds only requires a score.
 *
 * An override recorded for the gate's task and metric makes a failing or
 * missing gate pass (`overridden` is set); overrides for other metrics do not
 * apply.
 *
 * @param options - The gates, the candidate and its scores, the production
 *   version and its scores, and the candidate's overrides.
 * @returns One result per gate, in order, whether all passed, and counts.
 */
export function evaluateGates(
  options: EvaluateGatesOptions,
): EvaluateGatesResult {
  const gates = options.gates.map(gate => evaluateGate(gate, options));
  const summary = { pass: 0, fail: 0, missing: 0, overridden: 0 };
  for (const gate of gates) {
    summary[gate.status] += 1;
    if (gate.overridden) summary.overridden += 1;
  }
  return { gates, passed: gates.every(gate => gate.passed), summary };
}
