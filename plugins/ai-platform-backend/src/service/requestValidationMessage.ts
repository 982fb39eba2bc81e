import { REASON_MIN_LENGTH_MESSAGE } from './validate';

type Where = 'body' | 'query' | 'params' | 'headers';

/** What the spec's patterns mean (its schemas Name, CatalogNamespace, EntityName). */
const PATTERN_WORDING: Record<string, string> = {
  '\\S': 'must not be blank',
  '^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$':
    'must be a catalog namespace such as default',
  '^[A-Za-z0-9][-A-Za-z0-9_.]*$': 'must be an entity name',
  '^\\d{4}-(0[1-9]|1[0-2])$': 'must be a month like 2026-11',
  '^[A-Z]{3}$': 'must be an ISO 4217 code such as USD',
};

/**
 * Rewrites the message of a request refused by the spec's validation
 * (@backstage/backend-openapi-utils hands on express-openapi-validator's
 * text only, e.g. `request/body must have required property 'version',
 * request/body/format must be equal to one of the allowed values: a, b`)
 * into the wording the routes' own checks use: each place, then each field
 * and why, e.g. `Invalid body: version: is required; format: must be equal
 * to one of the allowed values: a, b`.
 */
export function requestValidationMessage(message: string): string {
  const problems = new Map<Where, string[]>();
  const others: string[] = [];
  const add = (where: Where, field: string, why: string) =>
    problems.set(where, [...(problems.get(where) ?? []), `${field}: ${why}`]);

  for (const part of message.split(/, (?=request\/)/)) {
    const unknown = /^Unknown query parameter '([^']*)'$/.exec(part);
    if (unknown) {
      add('query', unknown[1], 'is not a parameter of this route');
      continue;
    }
    const match = /^request\/(body|query|params|headers)(\/\S*)? (.*)$/s.exec(
      part,
    );
    if (!match) {
      others.push(part);
      continue;
    }
    const where = match[1] as Where;
    const path = (match[2] ?? '')
      .split('/')
      .filter(Boolean)
      .map(segment => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      .join('.');
    const why = match[3];
    const required = /^must have required property '([^']*)'$/.exec(why);
    if (required) {
      add(where, path ? `${path}.${required[1]}` : required[1], 'is required');
      continue;
    }
    const tooShort = /^must NOT have fewer than (\d+) characters$/.exec(why);
    if (tooShort) {
      const field = path.split('.').pop();
      add(
        where,
        path || where,
        field === 'reason'
          ? REASON_MIN_LENGTH_MESSAGE(Number(tooShort[1]))
          : `must be at least ${tooShort[1]} characters`,
      );
      continue;
    }
    const pattern = /^must match pattern "(.*)"$/.exec(why);
    if (pattern && PATTERN_WORDING[pattern[1]]) {
      add(where, path || where, PATTERN_WORDING[pattern[1]]);
      continue;
    }
    add(where, path || where, why);
  }

  return [
    ...[...problems].map(
      ([where, list]) => `Invalid ${where}: ${list.join('; ')}`,
    ),
    ...others,
  ].join('. ');
}
