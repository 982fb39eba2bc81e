import crypto from 'crypto';

export function isPlainObject(
  value: unknown,
): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function clone<T>(value: T): T {
  return value === undefined ? value : structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((v, i) => deepEqual(v, b[i]))
    );
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter(k => a[k] !== undefined);
    const kb = Object.keys(b).filter(k => b[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every(k => Object.prototype.hasOwnProperty.call(b, k)) &&
      ka.every(k => deepEqual(a[k], b[k]))
    );
  }
  return false;
}

/** A stable JSON string (sorted keys) for hashing. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .filter(k => value[k] !== undefined)
      .sort()
      .map(k => `${JSON.stringify(k)}:${stableStringify(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A short hash such as the pod-template-hash label (10 lower-case alphanumerics). */
export function shortHash(value: unknown, length = 10): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const digest = crypto
    .createHash('sha256')
    .update(stableStringify(value))
    .digest();
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[digest[i] % alphabet.length];
  return out;
}

/** A random suffix like the one generateName uses (5 characters). */
export function randomSuffix(length = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = crypto.randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

/** RFC 3339 with second precision, as the real server writes timestamps. */
export function timestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const binarySuffixes: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const decimalSuffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Parses a Kubernetes quantity ("8", "500m", "80Gi", "1e3"); throws on nonsense. */
export function parseQuantity(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(
    quantity.trim(),
  );
  if (!m)
    throw new Error(
      `quantities must match the regular expression (got "${quantity}")`,
    );
  const suffix = m[2];
  const scale = binarySuffixes[suffix] ?? decimalSuffixes[suffix];
  if (scale === undefined) {
    throw new Error(`unknown quantity suffix "${suffix}" in "${quantity}"`);
  }
  return Number(m[1]) * scale;
}
