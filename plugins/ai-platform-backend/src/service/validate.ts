import { InputError } from '@backstage/errors';
import type { z } from 'zod';

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
