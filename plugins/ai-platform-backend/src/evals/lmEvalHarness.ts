import { InputError } from '@backstage/errors';
import type { JsonObject, JsonValue } from '@backstage/types';
import type { EvalProvenance, EvalScore, ParsedEvalRun } from './types';

const HARNESS = 'lm-evaluation-harness';

/** Keys whose values are never copied (model_args, nested objects, URL query parameters). */
const SECRET_KEY = /key|token|secret|password|auth/i;

/** Values that look like credentials whatever their key is called. */
const SECRET_VALUE =
  /^(?:sk-|hf_|ghp_|gho_|github_pat_|glpat-|xox[abprs]-|AKIA[0-9A-Z]{12}|Bearer\s)/i;

type UnknownObject = Record<string, unknown>;

function isObject(value: unknown): value is UnknownObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `base.key` for identifier-like keys, `base["key,with-odd chars"]` otherwise. */
function fieldPath(base: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key)
    ? `${base}.${key}`
    : `${base}[${JSON.stringify(key)}]`;
}

/** A short, secret-free description of a bad value for error messages. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value.trim())) return 'a string';
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return String(value);
}

/** Reads an optional top-level object such as `versions` or `n-shot`. */
function optionalObject(
  root: UnknownObject,
  field: string,
  what: string = 'an object of task -> values',
): UnknownObject | undefined {
  const value = root[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    throw new InputError(`${field} must be ${what} (got ${describe(value)})`);
  }
  return value;
}

/** True for the placeholders lm-evaluation-harness writes when it has no value. */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === 'N/A';
}

function optionalNonNegativeInteger(
  value: unknown,
  path: string,
): number | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InputError(
      `${path} must be a non-negative integer (got ${describe(value)})`,
    );
  }
  return value;
}

type MetricValue = {
  /** The metric as stored: `acc`, `exact_match,strict-match`. */
  metric: string;
  /** The metric without its filter, as `higher_is_better` names it. */
  name: string;
  value: number;
  stderr?: number;
};

/**
 * Reads one task's row of `results` (or `groups`): `"<metric>,<filter>"`
 * values with their `"<metric>_stderr,<filter>"` companions. Keys without a
 * comma (`alias`, and any other bookkeeping) are not metrics and are skipped.
 */
function parseTaskMetrics(row: UnknownObject, rowPath: string): MetricValue[] {
  const values = new Map<string, MetricValue>();
  const stderrs = new Map<string, number | undefined>();

  for (const [key, raw] of Object.entries(row)) {
    if (key === 'alias') continue;
    const comma = key.indexOf(',');
    if (comma < 0) continue;
    const name = key.slice(0, comma);
    const filter = key.slice(comma + 1);
    const path = fieldPath(rowPath, key);
    if (!name || !filter) {
      throw new InputError(
        `${path} is not a "<metric>,<filter>" key: the metric or the filter is empty`,
      );
    }

    if (name.endsWith('_stderr')) {
      if (isAbsent(raw)) {
        stderrs.set(`${name.slice(0, -'_stderr'.length)},${filter}`, undefined);
        continue;
      }
      if (typeof raw !== 'number' || !Number.isFinite(raw)) {
        throw new InputError(
          `${path} must be a number or "N/A" (got ${describe(raw)})`,
        );
      }
      stderrs.set(`${name.slice(0, -'_stderr'.length)},${filter}`, raw);
      continue;
    }

    if (typeof raw !== 'number' || !Number.isFinite(raw)) {
      throw new InputError(`${path} must be a number (got ${describe(raw)})`);
    }
    values.set(key, {
      metric: filter === 'none' ? name : `${name},${filter}`,
      name,
      value: raw,
    });
  }

  return [...values.entries()].map(([key, metric]) => {
    const stderr = stderrs.get(key);
    return stderr === undefined ? metric : { ...metric, stderr };
  });
}

/** Removes credentials from a URL (user info, secret-looking query parameters). */
function scrubUrl(value: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
    changed = true;
  }
  for (const name of [...url.searchParams.keys()]) {
    if (SECRET_KEY.test(name)) {
      url.searchParams.delete(name);
      changed = true;
    }
  }
  return changed ? url.toString() : value;
}

/**
 * Copies a value with secrets removed: keys matching {@link SECRET_KEY} are
 * dropped, credential-looking strings are dropped, URLs lose their
 * credentials. Returns undefined when nothing is left to keep.
 */
function scrub(value: unknown): JsonValue | undefined {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number')
    return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value.trim())) return undefined;
    return scrubUrl(value);
  }
  if (Array.isArray(value)) {
    return value
      .map(scrub)
      .filter((item): item is JsonValue => item !== undefined);
  }
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (SECRET_KEY.test(key)) continue;
      const kept = scrub(item);
      if (kept !== undefined) out[key] = kept;
    }
    return out;
  }
  return undefined;
}

/**
 * Parses `config.model_args`: the harness's `key=value,key=value` string (or,
 * from the Python API and newer versions, an object), secrets removed.
 */
function parseModelArgs(raw: unknown): JsonObject | undefined {
  if (isAbsent(raw) || raw === '') return undefined;
  let args: UnknownObject;
  if (typeof raw === 'string') {
    args = {};
    for (const part of raw.split(',')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      args[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  } else if (isObject(raw)) {
    args = raw;
  } else {
    throw new InputError(
      `config.model_args must be a "key=value,..." string or an object (got ${describe(
        raw,
      )})`,
    );
  }
  const scrubbed = scrub(args);
  return isObject(scrubbed) ? (scrubbed as JsonObject) : undefined;
}

function optionalString(
  root: UnknownObject,
  field: string,
  path: string = field,
): string | undefined {
  const value = root[field];
  if (isAbsent(value) || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new InputError(`${path} must be a string (got ${describe(value)})`);
  }
  return value;
}

function runAtOf(date: unknown): string | undefined {
  if (isAbsent(date)) return undefined;
  if (typeof date === 'number' && Number.isFinite(date)) {
    const at = new Date(date * 1000);
    if (!Number.isNaN(at.getTime())) return at.toISOString();
  }
  throw new InputError(
    `date must be the run's start in seconds since the epoch (got ${describe(
      date,
    )})`,
  );
}

function provenanceOf(root: UnknownObject): EvalProvenance {
  const config = optionalObject(root, 'config', 'an object');
  const provenance: EvalProvenance = { harness: HARNESS };
  const extra: JsonObject = {};

  const gitHash = optionalString(root, 'git_hash');
  const lmEvalVersion = optionalString(root, 'lm_eval_version');
  const harnessVersion = gitHash ?? lmEvalVersion;
  if (harnessVersion) provenance.harnessVersion = harnessVersion;
  if (gitHash && lmEvalVersion) extra.lm_eval_version = lmEvalVersion;

  const modelArgs = parseModelArgs(config?.model_args);
  const argsModel = [modelArgs?.model, modelArgs?.pretrained].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  const modelName = optionalString(root, 'model_name') ?? argsModel;
  if (modelName) provenance.modelName = modelName;

  const batchSize = config?.batch_size;
  if (!isAbsent(batchSize)) {
    if (typeof batchSize !== 'number' && typeof batchSize !== 'string') {
      throw new InputError(
        `config.batch_size must be a number or a string such as "auto" (got ${describe(
          batchSize,
        )})`,
      );
    }
    provenance.batchSize = String(batchSize);
  }

  const runAt = runAtOf(root.date);
  if (runAt) provenance.runAt = runAt;

  if (modelArgs && Object.keys(modelArgs).length > 0) {
    extra.modelArgs = modelArgs;
  }
  const transformersVersion = optionalString(root, 'transformers_version');
  if (transformersVersion) extra.transformers_version = transformersVersion;
  const modelSource =
    optionalString(root, 'model_source') ??
    (config ? optionalString(config, 'model', 'config.model') : undefined);
  if (modelSource) extra.model_source = modelSource;
  if (typeof config?.limit === 'number') extra.limit = config.limit;
  if (typeof root.fewshot_as_multiturn === 'boolean') {
    extra.fewshot_as_multiturn = root.fewshot_as_multiturn;
  }
  const chatTemplateSha = optionalString(root, 'chat_template_sha');
  if (chatTemplateSha) extra.chat_template_sha = chatTemplateSha;

  if (Object.keys(extra).length > 0) provenance.extra = extra;
  return provenance;
}

/**
 * Parses the results file that EleutherAI lm-evaluation-harness 0.4.x writes
 * (`results_<date>.json`) into scores and provenance.
 *
 * @remarks
 * One score per task (groups included) and `"<metric>,<filter>"` value; the
 * `none` filter is dropped from the metric name (`acc,none` becomes `acc`),
 * other filters are kept (`exact_match,strict-match`). Standard errors become
 * `stderr` (`"N/A"` means none). Task metadata comes from `versions`,
 * `n-shot`, `configs`, `n-samples` and `higher_is_better`. Secrets in
 * `config.model_args` are never copied: keys matching
 * `/key|token|secret|password|auth/i` and credential-looking values are
 * dropped. Task configs are not copied at all.
 *
 * @param json - The parsed JSON of the results file.
 * @returns The scores and provenance of the run.
 * @throws InputError naming the offending field when the input is not such a
 *   results file or holds no scores.
 */
export function parseLmEvalHarnessResults(json: unknown): ParsedEvalRun {
  if (!isObject(json)) {
    throw new InputError(
      `lm-evaluation-harness results must be a JSON object (got ${describe(
        json,
      )})`,
    );
  }
  const results = json.results;
  if (!isObject(results)) {
    throw new InputError('results must be an object of task -> metrics');
  }
  const groups = optionalObject(json, 'groups');
  const configs = optionalObject(json, 'configs');
  const versions = optionalObject(json, 'versions');
  const nShot = optionalObject(json, 'n-shot');
  const nSamples = optionalObject(json, 'n-samples');
  const higherIsBetter = optionalObject(json, 'higher_is_better');

  // Group rows normally appear in both `results` and `groups`; `results` wins.
  const rows = new Map<string, { row: unknown; path: string }>();
  for (const [task, row] of Object.entries(results)) {
    rows.set(task, { row, path: fieldPath('results', task) });
  }
  for (const [task, row] of Object.entries(groups ?? {})) {
    if (!rows.has(task))
      rows.set(task, { row, path: fieldPath('groups', task) });
  }

  const scores: EvalScore[] = [];
  for (const [task, { row, path }] of rows) {
    if (!isObject(row)) {
      throw new InputError(
        `${path} must be an object of metric -> value (got ${describe(row)})`,
      );
    }
    const metrics = parseTaskMetrics(row, path);
    if (metrics.length === 0) continue;
    const meta = taskMetadata(task, {
      configs,
      versions,
      nShot,
      nSamples,
    });
    const better = higherIsBetter?.[task];
    if (better !== undefined && better !== null && !isObject(better)) {
      throw new InputError(
        `${fieldPath(
          'higher_is_better',
          task,
        )} must be an object of metric -> boolean (got ${describe(better)})`,
      );
    }
    for (const metric of metrics) {
      const score: EvalScore = {
        task,
        metric: metric.metric,
        value: metric.value,
        ...(metric.stderr !== undefined ? { stderr: metric.stderr } : {}),
        ...meta,
      };
      const hib = isObject(better) ? better[metric.name] : undefined;
      if (typeof hib === 'boolean') score.higherIsBetter = hib;
      scores.push(score);
    }
  }

  if (scores.length === 0) {
    throw new InputError(
      'results has no scores (expected task rows with "<metric>,<filter>" number values, e.g. "acc,none")',
    );
  }

  return {
    format: 'lm-evaluation-harness',
    scores,
    provenance: provenanceOf(json),
  };
}

type TaskMetadata = Pick<
  EvalScore,
  'taskVersion' | 'numFewshot' | 'dataset' | 'samples'
>;

function taskMetadata(
  task: string,
  sources: {
    configs?: UnknownObject;
    versions?: UnknownObject;
    nShot?: UnknownObject;
    nSamples?: UnknownObject;
  },
): TaskMetadata {
  const meta: TaskMetadata = {};

  const version = sources.versions?.[task];
  if (!isAbsent(version)) {
    if (typeof version !== 'number' && typeof version !== 'string') {
      throw new InputError(
        `${fieldPath(
          'versions',
          task,
        )} must be a number or a string (got ${describe(version)})`,
      );
    }
    meta.taskVersion = String(version);
  }

  const rawConfig = sources.configs?.[task];
  if (!isAbsent(rawConfig) && !isObject(rawConfig)) {
    throw new InputError(
      `${fieldPath('configs', task)} must be an object (got ${describe(
        rawConfig,
      )})`,
    );
  }
  const config = isObject(rawConfig) ? rawConfig : undefined;
  const configPath = fieldPath('configs', task);

  const numFewshot =
    optionalNonNegativeInteger(
      sources.nShot?.[task],
      fieldPath('n-shot', task),
    ) ??
    optionalNonNegativeInteger(
      config?.num_fewshot,
      `${configPath}.num_fewshot`,
    );
  if (numFewshot !== undefined) meta.numFewshot = numFewshot;

  if (config) {
    const datasetPath = optionalString(
      config,
      'dataset_path',
      `${configPath}.dataset_path`,
    );
    const datasetName = optionalString(
      config,
      'dataset_name',
      `${configPath}.dataset_name`,
    );
    if (datasetPath) {
      meta.dataset = datasetName
        ? `${datasetPath}/${datasetName}`
        : datasetPath;
    }
  }

  const samples = sources.nSamples?.[task];
  if (!isAbsent(samples)) {
    const samplesPath = fieldPath('n-samples', task);
    if (!isObject(samples)) {
      throw new InputError(
        `${samplesPath} must be an object with "original" and "effective" counts (got ${describe(
          samples,
        )})`,
      );
    }
    const effective = optionalNonNegativeInteger(
      samples.effective,
      `${samplesPath}.effective`,
    );
    if (effective !== undefined) meta.samples = effective;
  }

  return meta;
}
