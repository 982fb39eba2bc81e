import { InputError } from '@backstage/errors';
import { canonicalMetric } from './canonicalMetric';
import { z } from 'zod';
import type { EvalProvenance, EvalScore, ParsedEvalRun } from './types';

const nonEmpty = z.string().trim().min(1);

const scoreSchema = z.object({
  task: nonEmpty,
  metric: nonEmpty,
  value: z.number(),
  stderr: z.number().nonnegative().optional(),
  numFewshot: z.number().int().nonnegative().optional(),
  taskVersion: z
    .union([nonEmpty, z.number()])
    .transform(version => String(version))
    .optional(),
  dataset: nonEmpty.optional(),
  samples: z.number().int().nonnegative().optional(),
});

const bodySchema = z.object({
  harness: nonEmpty.optional(),
  harnessVersion: nonEmpty.optional(),
  scores: z.array(scoreSchema).min(1),
});

/**
 * The generic eval results body: scores from any harness.
 *
 * @remarks
 * Unknown fields are ignored. `taskVersion` may be a number or a string and
 * is stored as a string.
 */
export type GenericEvalResults = z.input<typeof bodySchema>;

/** `scores[1].value`, `harness`, or `body` for the root. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${part}]`;
    } else {
      const key = String(part);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) {
        out += out ? `.${key}` : key;
      } else {
        out += `[${JSON.stringify(key)}]`;
      }
    }
  }
  return out || 'body';
}

/**
 * Parses and validates a generic eval results body:
 * `{ harness?, harnessVersion?, scores: [{ task, metric, value, stderr?,
 * numFewshot?, taskVersion?, dataset?, samples? }] }`.
 *
 * @param body - The request body, as parsed JSON.
 * @returns The scores and provenance; the harness defaults to `generic`.
 * @throws InputError naming each offending field path (for example
 *   `scores[1].value: Invalid input: expected number, received string`), or
 *   naming a duplicated task and metric.
 */
export function parseGenericResults(body: unknown): ParsedEvalRun {
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      issue => `${formatPath(issue.path)}: ${issue.message}`,
    );
    throw new InputError(`Invalid eval results: ${problems.join('; ')}`);
  }
  const { harness, harnessVersion, scores } = parsed.data;

  const seen = new Map<string, number>();
  const out: EvalScore[] = scores.map((raw, index) => {
    const score = { ...raw, metric: canonicalMetric(raw.metric) };
    const key = `${score.task}|${score.metric}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new InputError(
        `Invalid eval results: scores[${index}]: duplicate score for task "${score.task}" metric "${score.metric}" (see scores[${first}])`,
      );
    }
    seen.set(key, index);

    const result: EvalScore = {
      task: score.task,
      metric: score.metric,
      value: score.value,
    };
    if (score.stderr !== undefined) result.stderr = score.stderr;
    if (score.numFewshot !== undefined) result.numFewshot = score.numFewshot;
    if (score.taskVersion !== undefined) result.taskVersion = score.taskVersion;
    if (score.dataset !== undefined) result.dataset = score.dataset;
    if (score.samples !== undefined) result.samples = score.samples;
    return result;
  });

  const provenance: EvalProvenance = { harness: harness ?? 'generic' };
  if (harnessVersion !== undefined) provenance.harnessVersion = harnessVersion;

  return { format: 'generic', scores: out, provenance };
}
