import { badRequest } from './status';
import type { KubeObject } from './types';

/** One requirement of a label selector. */
export type LabelRequirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] };

/** Splits at commas that are not inside parentheses. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map(p => p.trim()).filter(p => p.length > 0);
}

/**
 * Parses a label selector the way the real server does: `a=b`, `a==b`,
 * `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a` (exists), `!a` (does not exist).
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTopLevel(selector).map(part => {
    let m = /^([^\s=!(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) {
      return {
        key: m[1],
        op: m[2] as 'in' | 'notin',
        values: m[3]
          .split(',')
          .map(v => v.trim())
          .filter(v => v.length > 0),
      };
    }
    m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(part);
    if (m) {
      return { key: m[1], op: m[2] === '!=' ? '!=' : '=', value: m[3] };
    }
    m = /^(!?)\s*([^\s=!(),]+)$/.exec(part);
    if (m) {
      return { key: m[2], op: m[1] ? '!exists' : 'exists' };
    }
    throw badRequest(`unable to parse requirement: ${part}`);
  });
}

export function matchesLabels(
  labels: Record<string, string> | undefined,
  requirements: LabelRequirement[],
): boolean {
  const l = labels ?? {};
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
        return has && l[r.key] === r.value;
      case '!=':
        return !has || l[r.key] !== r.value;
      case 'in':
        return has && r.values.includes(l[r.key]);
      case 'notin':
        return !has || !r.values.includes(l[r.key]);
      default:
        return false;
    }
  });
}

/** One requirement of a field selector. */
export type FieldRequirement = { field: string; op: '=' | '!='; value: string };

/**
 * Parses a field selector (`a=b`, `a==b`, `a!=b`, comma-separated) and
 * rejects a field the real server does not support for the kind, with its
 * message (`field label not supported: x`).
 */
export function parseFieldSelector(
  selector: string,
  supported: string[],
): FieldRequirement[] {
  return splitTopLevel(selector).map(part => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m)
      throw badRequest(
        `invalid selector: '${selector}'; can't understand '${part}'`,
      );
    const field = m[1].trim();
    if (!supported.includes(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return { field, op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() };
  });
}

/** The string value of a dotted field path in an object ('' when absent, as the real server compares). */
export function fieldValue(object: KubeObject, field: string): string {
  let current: unknown = object;
  for (const key of field.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined || current === null) return '';
  if (field === 'source' && typeof current === 'object') {
    return String((current as Record<string, unknown>).component ?? '');
  }
  return String(current);
}

export function matchesFields(
  object: KubeObject,
  requirements: FieldRequirement[],
): boolean {
  return requirements.every(r => {
    const value = fieldValue(object, r.field);
    return r.op === '=' ? value === r.value : value !== r.value;
  });
}
