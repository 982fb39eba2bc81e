import { InputError } from '@backstage/errors';
import type { AiPlatformOperations } from '@internal/plugin-ai-platform-common';
import { z } from 'zod';
import { canonicalRef } from '../fleet/FleetSource';

/**
 * Parses request input with a zod schema; bad input becomes an InputError
 * (HTTP 400) that names each field and why, e.g.
 * `Invalid body: version: Invalid input: expected string, received undefined`.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map(issue => {
      const path = issue.path.map(String).join('.');
      return `${path || where}: ${issue.message}`;
    });
    throw new InputError(`Invalid ${where}: ${problems.join('; ')}`);
  }
  return result.data;
}

/**
 * The path parameters, query and body of a request to one operation of the
 * spec, typed from the spec (the generated types). The router validated
 * them against the spec before any route ran (createValidatedRouter), its
 * validator having turned query numbers and booleans into numbers and
 * booleans: what the spec states needs no second check here.
 */
export function specInput<K extends keyof AiPlatformOperations>(
  req: Request,
  _operation: K,
): {
  path: AiPlatformOperations[K]['path'];
  query: AiPlatformOperations[K]['query'];
  body: AiPlatformOperations[K]['body'];
} {
  return { path: req.params, query: req.query, body: req.body } as never;
}

/** An express request, or one as the spec's typed router types it. */
type Request = { params: unknown; query: unknown; body: unknown };

/** A name or ref; database columns of names and refs hold 255 characters. */
export const nonEmpty = z.string().trim().min(1).max(255);

/** Why a reason is refused, here and by the spec's validation (`minLength`). */
export const REASON_MIN_LENGTH_MESSAGE = (min: number) =>
  `give a reason of at least ${min} characters`;

/** The spec's `minLength` of every reason. */
const REASON_MIN_LENGTH = 10;

/**
 * The reason a mutation asks for. The spec says `minLength: 10`; it cannot
 * say that the length counts without surrounding blanks.
 */
export const reasonSchema = z
  .string()
  .trim()
  .min(REASON_MIN_LENGTH, REASON_MIN_LENGTH_MESSAGE(REASON_MIN_LENGTH));

/** An entity ref in canonical form, of the given kind by default. */
export const entityRef = (kind: string) =>
  nonEmpty.transform((value, ctx) => {
    try {
      const ref = canonicalRef(value, kind);
      if (!ref.startsWith(`${kind.toLocaleLowerCase('en-US')}:`)) {
        ctx.addIssue({ code: 'custom', message: `must refer to a ${kind}` });
        return z.NEVER;
      }
      return ref;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `must be an entity ref such as ${kind.toLocaleLowerCase(
          'en-US',
        )}:default/name`,
      });
      return z.NEVER;
    }
  });

/**
 * What the spec cannot say about input it let through: entity refs in
 * canonical form and of the right kind (`refs`: field to kind), and a
 * `reason` long enough without its surrounding blanks. Answers the input
 * with those refs canonical and the reason trimmed; refuses otherwise with
 * one error naming every field, e.g. `Invalid body: team: must be an
 * entity ref such as group:default/name`.
 */
export function refineInput<T extends object>(
  where: 'body' | 'query',
  input: T,
  rules: {
    refs?: Partial<Record<keyof T & string, string>>;
    reason?: boolean;
  },
): T {
  const out = { ...input } as Record<string, unknown>;
  const problems: string[] = [];
  for (const [field, kind] of Object.entries(rules.refs ?? {})) {
    if (out[field] === undefined || !kind) continue;
    const result = entityRef(kind as string).safeParse(out[field]);
    if (result.success) {
      out[field] = result.data;
    } else {
      problems.push(...result.error.issues.map(i => `${field}: ${i.message}`));
    }
  }
  if (rules.reason && typeof out.reason === 'string') {
    out.reason = out.reason.trim();
    if ((out.reason as string).length < REASON_MIN_LENGTH) {
      problems.push(`reason: ${REASON_MIN_LENGTH_MESSAGE(REASON_MIN_LENGTH)}`);
    }
  }
  if (problems.length > 0) {
    throw new InputError(`Invalid ${where}: ${problems.join('; ')}`);
  }
  return out as T;
}
