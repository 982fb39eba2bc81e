import type { JsonValue } from '@backstage/types';

/** Keys whose values are never recorded. */
const SECRET_KEY =
  /(authorization|cookie|token|secret|password|passwd|api[-_]?key|private[-_]?key|credential|client[-_]?secret|hf[-_]?token)/i;

/** Values that look like credentials wherever they appear. */
const SECRET_VALUE = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, // JWT
  /\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, // API keys (OpenAI style)
  /\bhf_[A-Za-z0-9]{8,}/g, // Hugging Face tokens
  /\bgh[pousr]_[A-Za-z0-9]{16,}/g, // GitHub tokens
];

/** user:password@ in URLs, and secret-looking query parameters. */
const URL_USERINFO = /(\/\/)[^/\s:@]+:[^/\s@]+@/g;
const URL_SECRET_PARAM =
  /([?&](?:api[-_]?key|access[-_]?token|token|secret|password|key|sig|signature)=)[^&#\s]+/gi;

export const REDACTED = '[REDACTED]';

/** Removes credentials from a string: bearer tokens, JWTs, API keys. */
export function redactString(text: string): string {
  return SECRET_VALUE.reduce((t, re) => t.replace(re, REDACTED), text)
    .replace(URL_USERINFO, `$1${REDACTED}@`)
    .replace(URL_SECRET_PARAM, `$1${REDACTED}`);
}

/**
 * A copy of a JSON value without secrets: values under secret-looking keys
 * (authorization, token, apiKey, password, ...) and credential-looking
 * strings anywhere are replaced with `[REDACTED]`.
 */
export function redactSecrets<T extends JsonValue | undefined>(value: T): T {
  if (typeof value === 'string') {
    return redactString(value) as T;
  }
  if (Array.isArray(value)) {
    return value.map(v => redactSecrets(v)) as T;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out[key] = SECRET_KEY.test(key) ? REDACTED : redactSecrets(v);
    }
    return out as T;
  }
  return value;
}
