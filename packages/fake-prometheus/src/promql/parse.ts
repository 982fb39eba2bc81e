// Over 500 lines: one recursive-descent parser (lexer, precedence climbing,
// aggregations, functions); split, its grammar would be harder to follow.
/**
 * A parser for the subset of PromQL the portal (and a person at a Grafana
 * panel) sends: selectors with label matchers and ranges, arithmetic and
 * comparison operators, aggregations with `by`/`without`, and the usual
 * functions. Anything else is a clear `PromQLError`.
 */

/** A label matcher: `=`, `!=`, `=~`, `!~`. */
export type Matcher = {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
};

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '=='
  | '!='
  | '>'
  | '<'
  | '>='
  | '<=';

export type Expr =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | {
      type: 'selector';
      /** Matchers, the metric name included as `__name__ =`. */
      matchers: Matcher[];
      /** Seconds of a range selector (`x[5m]`). */
      range?: number;
      /** Seconds of `offset`. */
      offset?: number;
    }
  | { type: 'call'; fn: string; args: Expr[] }
  | {
      type: 'aggregate';
      op: string;
      grouping?: { without: boolean; labels: string[] };
      param?: Expr;
      expr: Expr;
    }
  | {
      type: 'binary';
      op: BinaryOp;
      lhs: Expr;
      rhs: Expr;
      bool: boolean;
      matching?: { on: boolean; labels: string[] };
    }
  | { type: 'negate'; expr: Expr };

/** A query the fake cannot parse or evaluate; answered as `bad_data`. */
export class PromQLError extends Error {}

export const AGGREGATIONS = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'topk',
  'bottomk',
  'quantile',
  'stddev',
  'stdvar',
  'group',
]);

export const FUNCTIONS = new Set([
  'rate',
  'irate',
  'increase',
  'delta',
  'avg_over_time',
  'sum_over_time',
  'min_over_time',
  'max_over_time',
  'count_over_time',
  'last_over_time',
  'histogram_quantile',
  'abs',
  'ceil',
  'floor',
  'round',
  'clamp',
  'clamp_min',
  'clamp_max',
  'time',
  'vector',
  'scalar',
  'sort',
  'sort_desc',
]);

type Token =
  | { kind: 'number'; value: number; text: string }
  | { kind: 'duration'; seconds: number; text: string }
  | { kind: 'string'; value: string; text: string }
  | { kind: 'ident'; text: string }
  | { kind: 'op'; text: string }
  | { kind: 'end'; text: '' };

const DURATION_UNITS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/** Seconds of a Prometheus duration such as `5m`, `1h30m` or `300s`; undefined when it is none. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]];
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const ops = [
    '==',
    '!=',
    '>=',
    '<=',
    '=~',
    '!~',
    '+',
    '-',
    '*',
    '/',
    '%',
    '^',
    '>',
    '<',
    '=',
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    ',',
  ];
  while (i < query.length) {
    const c = query[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < query.length && query[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let value = '';
      while (j < query.length && query[j] !== c) {
        if (query[j] === '\\' && c !== '`') {
          const next = query[j + 1];
          const escapes: Record<string, string> = {
            n: '\n',
            t: '\t',
            '\\': '\\',
            '"': '"',
            "'": "'",
          };
          value += escapes[next] ?? `\\${next}`;
          j += 2;
        } else {
          value += query[j++];
        }
      }
      if (j >= query.length) throw new PromQLError('unterminated string');
      tokens.push({ kind: 'string', value, text: query.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    const duration = /^\d+(?:ms|s|m|h|d|w|y)(?:\d+(?:ms|s|m|h|d|w|y))*/.exec(
      query.slice(i),
    );
    if (duration && !/[\w.]/.test(query[i + duration[0].length] ?? '')) {
      tokens.push({
        kind: 'duration',
        seconds: parseDuration(duration[0])!,
        text: duration[0],
      });
      i += duration[0].length;
      continue;
    }
    const number =
      /^(?:0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|NaN)/i.exec(
        query.slice(i),
      );
    if (
      number &&
      (/[\d.]/.test(c) || !/[\w:]/.test(query[i + number[0].length] ?? ''))
    ) {
      const text = number[0];
      let value = Number(text);
      if (/^inf$/i.test(text)) value = Infinity;
      if (/^nan$/i.test(text)) value = NaN;
      tokens.push({ kind: 'number', value, text });
      i += text.length;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(query.slice(i));
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
      continue;
    }
    const at = i;
    const op = ops.find(o => query.startsWith(o, at));
    if (op) {
      tokens.push({ kind: 'op', text: op });
      i += op.length;
      continue;
    }
    throw new PromQLError(`unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ kind: 'end', text: '' });
  return tokens;
}

/** A matcher's regular expression, anchored as PromQL anchors them. */
export function matcherRegExp(value: string): RegExp {
  try {
    return new RegExp(`^(?:${value})$`);
  } catch {
    throw new PromQLError(
      `invalid regular expression ${JSON.stringify(value)}`,
    );
  }
}

/** Whether a matcher matches a missing (empty) label. */
export function matchesEmpty(m: Matcher): boolean {
  switch (m.op) {
    case '=':
      return m.value === '';
    case '!=':
      return m.value !== '';
    case '=~':
      return matcherRegExp(m.value).test('');
    default:
      return !matcherRegExp(m.value).test('');
  }
}

const PRECEDENCE: Record<string, number> = {
  '==': 1,
  '!=': 1,
  '>': 1,
  '<': 1,
  '>=': 1,
  '<=': 1,
  '+': 2,
  '-': 2,
  '*': 3,
  '/': 3,
  '%': 3,
  '^': 4,
};

class Parser {
  private pos = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private isOp(text: string, offset = 0) {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }

  private expectOp(text: string) {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) {
      throw new PromQLError(
        `expected ${JSON.stringify(text)}, got ${JSON.stringify(
          t.text || 'end of input',
        )}`,
      );
    }
  }

  parse(): Expr {
    const expr = this.expression(0);
    if (this.peek().kind !== 'end') {
      throw new PromQLError(
        `unexpected ${JSON.stringify(this.peek().text)} after the expression`,
      );
    }
    return expr;
  }

  private expression(minPrecedence: number): Expr {
    let lhs = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op' || PRECEDENCE[t.text] === undefined) return lhs;
      const precedence = PRECEDENCE[t.text];
      if (precedence < minPrecedence) return lhs;
      this.next();
      let bool = false;
      if (this.peek().kind === 'ident' && this.peek().text === 'bool') {
        this.next();
        bool = true;
      }
      let matching: { on: boolean; labels: string[] } | undefined;
      const word = this.peek();
      if (
        word.kind === 'ident' &&
        (word.text === 'on' || word.text === 'ignoring')
      ) {
        this.next();
        matching = { on: word.text === 'on', labels: this.labelList() };
        const group = this.peek();
        if (
          group.kind === 'ident' &&
          (group.text === 'group_left' || group.text === 'group_right')
        ) {
          throw new PromQLError(
            `${group.text} (many-to-one matching) is not supported by the fake Prometheus`,
          );
        }
      }
      // ^ is right-associative; the others left.
      const rhs = this.expression(t.text === '^' ? precedence : precedence + 1);
      lhs = {
        type: 'binary',
        op: t.text as BinaryOp,
        lhs,
        rhs,
        bool,
        ...(matching ? { matching } : {}),
      };
    }
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      this.next();
      return { type: 'negate', expr: this.unary() };
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    return this.postfix(this.primary());
  }

  private postfix(expr: Expr): Expr {
    let result = expr;
    for (;;) {
      if (this.isOp('[')) {
        this.next();
        const d = this.next();
        if (d.kind !== 'duration') {
          throw new PromQLError(`expected a duration in [], got ${d.text}`);
        }
        const colon = this.peek();
        if (colon.kind === 'ident' && colon.text.startsWith(':')) {
          throw new PromQLError(
            'subqueries are not supported by the fake Prometheus',
          );
        }
        this.expectOp(']');
        if (result.type !== 'selector' || result.range !== undefined) {
          throw new PromQLError(
            'ranges only apply to instant vector selectors (subqueries are not supported by the fake Prometheus)',
          );
        }
        result = { ...result, range: d.seconds };
        continue;
      }
      const t = this.peek();
      if (t.kind === 'ident' && t.text === 'offset') {
        this.next();
        const negative = this.isOp('-');
        if (negative) this.next();
        const d = this.next();
        if (d.kind !== 'duration') {
          throw new PromQLError(`expected a duration after offset`);
        }
        if (result.type !== 'selector') {
          throw new PromQLError('offset only applies to selectors here');
        }
        result = { ...result, offset: negative ? -d.seconds : d.seconds };
        continue;
      }
      return result;
    }
  }

  private labelList(): string[] {
    this.expectOp('(');
    const labels: string[] = [];
    while (!this.isOp(')')) {
      const t = this.next();
      if (t.kind !== 'ident') {
        throw new PromQLError(`expected a label name, got ${t.text}`);
      }
      labels.push(t.text);
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) {
        throw new PromQLError(`expected "," or ")" in a label list`);
      }
    }
    this.expectOp(')');
    return labels;
  }

  private grouping(): { without: boolean; labels: string[] } | undefined {
    const t = this.peek();
    if (t.kind === 'ident' && (t.text === 'by' || t.text === 'without')) {
      this.next();
      return { without: t.text === 'without', labels: this.labelList() };
    }
    return undefined;
  }

  private args(): Expr[] {
    this.expectOp('(');
    const args: Expr[] = [];
    while (!this.isOp(')')) {
      args.push(this.expression(0));
      if (this.isOp(',')) this.next();
      else if (!this.isOp(')')) {
        throw new PromQLError(`expected "," or ")" in the arguments`);
      }
    }
    this.expectOp(')');
    return args;
  }

  private matchers(): Matcher[] {
    this.expectOp('{');
    const matchers: Matcher[] = [];
    while (!this.isOp('}')) {
      const name = this.next();
      if (name.kind !== 'ident') {
        throw new PromQLError(`expected a label name, got ${name.text}`);
      }
      const op = this.next();
      if (op.kind !== 'op' || !['=', '!=', '=~', '!~'].includes(op.text)) {
        throw new PromQLError(`expected a label matcher after ${name.text}`);
      }
      const value = this.next();
      if (value.kind !== 'string') {
        throw new PromQLError(`expected a string after ${name.text}${op.text}`);
      }
      matchers.push({
        name: name.text,
        op: op.text as Matcher['op'],
        value: value.value,
      });
      if (this.isOp(',')) this.next();
      else if (!this.isOp('}')) {
        throw new PromQLError(`expected "," or "}" in label matchers`);
      }
    }
    this.expectOp('}');
    return matchers;
  }

  private primary(): Expr {
    const t = this.peek();
    if (t.kind === 'number') {
      this.next();
      return { type: 'number', value: t.value };
    }
    if (t.kind === 'duration') {
      // A bare number that looks like a duration cannot happen; `5m` alone is an error.
      throw new PromQLError(`unexpected duration ${t.text}`);
    }
    if (t.kind === 'string') {
      this.next();
      return { type: 'string', value: t.value };
    }
    if (t.kind === 'op' && t.text === '(') {
      this.next();
      const inner = this.expression(0);
      this.expectOp(')');
      return inner;
    }
    if (t.kind === 'op' && t.text === '{') {
      const matchers = this.matchers();
      if (matchers.every(matchesEmpty)) {
        throw new PromQLError(
          'vector selector must contain at least one non-empty matcher',
        );
      }
      return { type: 'selector', matchers };
    }
    if (t.kind === 'ident') {
      this.next();
      const name = t.text;
      if (AGGREGATIONS.has(name) && (this.isOp('(') || this.grouping_ahead())) {
        let grouping = this.grouping();
        const args = this.args();
        grouping = grouping ?? this.grouping();
        const needsParam = ['topk', 'bottomk', 'quantile'].includes(name);
        if (args.length !== (needsParam ? 2 : 1)) {
          throw new PromQLError(
            `wrong number of arguments for aggregate expression ${name}`,
          );
        }
        return {
          type: 'aggregate',
          op: name,
          ...(grouping ? { grouping } : {}),
          ...(needsParam ? { param: args[0] } : {}),
          expr: args[args.length - 1],
        };
      }
      if (this.isOp('(')) {
        if (!FUNCTIONS.has(name)) {
          throw new PromQLError(
            `unknown function or one the fake Prometheus does not support: ${name}`,
          );
        }
        return { type: 'call', fn: name, args: this.args() };
      }
      const matchers: Matcher[] = [{ name: '__name__', op: '=', value: name }];
      if (this.isOp('{')) matchers.push(...this.matchers());
      return { type: 'selector', matchers };
    }
    throw new PromQLError(
      `unexpected ${JSON.stringify(t.text || 'end of input')}`,
    );
  }

  private grouping_ahead() {
    const t = this.peek();
    return t.kind === 'ident' && (t.text === 'by' || t.text === 'without');
  }
}

/** Parses a PromQL expression; a `PromQLError` says what is wrong or unsupported. */
export function parsePromQL(query: string): Expr {
  return new Parser(tokenize(query)).parse();
}
