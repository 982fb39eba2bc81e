/*
 * The part of the expression language (expr-lang/expr) that Argo Rollouts
 * evaluates `successCondition` and `failureCondition` with, as analysis
 * templates write them against a Prometheus result: `result` (a number for
 * a scalar, a list of numbers for a vector), indexing (`result[0]`),
 * numbers, `true`/`false`/`nil`, arithmetic (`+ - * /`), comparisons
 * (`< <= > >= == !=`), `&& and || or ! not`, parentheses, and the helpers
 * `len`, `isNaN`, `isInf`, `default`, `asInt`, `asFloat`. Anything else is
 * an error naming what it did not understand (the real controller then
 * records the measurement as Error).
 */

type Value = number | boolean | null | Value[] | string;

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'id'; value: string }
  | { kind: 'str'; value: string }
  | { kind: 'op'; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = source.slice(i);
    const numeric = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (numeric) {
      tokens.push({ kind: 'num', value: Number(numeric[0]) });
      i += numeric[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (id) {
      tokens.push({ kind: 'id', value: id[0] });
      i += id[0].length;
      continue;
    }
    const str = /^"((?:[^"\\]|\\.)*)"|^'((?:[^'\\]|\\.)*)'/.exec(rest);
    if (str) {
      tokens.push({ kind: 'str', value: str[1] ?? str[2] });
      i += str[0].length;
      continue;
    }
    const op = /^(&&|\|\||==|!=|<=|>=|[<>!+\-*/()[\],])/.exec(rest);
    if (op) {
      tokens.push({ kind: 'op', value: op[0] });
      i += op[0].length;
      continue;
    }
    throw new Error(`unexpected "${c}" at position ${i} of ${source}`);
  }
  return tokens;
}

const BINARY: Record<string, number> = {
  '||': 1,
  or: 1,
  '&&': 2,
  and: 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
};

function num(v: Value, what: string): number {
  if (typeof v !== 'number') {
    throw new Error(`${what}: expected a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Evaluates `source` with `env` (e.g. `{ result: [0.01] }`). */
export function evaluate(source: string, env: Record<string, Value>): Value {
  const tokens = tokenize(source);
  let pos = 0;
  // Inside the right side of a decided `||` / `&&`: parsed, not evaluated.
  let skipping = 0;
  const peek = () => tokens[pos];
  const expectOp = (op: string) => {
    const t = tokens[pos++];
    if (!t || t.kind !== 'op' || t.value !== op) {
      throw new Error(`expected "${op}" in ${source}`);
    }
  };

  const call = (name: string, args: Value[]): Value => {
    switch (name) {
      case 'len':
        if (Array.isArray(args[0]) || typeof args[0] === 'string')
          return args[0].length;
        throw new Error(`len of ${JSON.stringify(args[0])}`);
      case 'isNaN':
        return Number.isNaN(num(args[0], 'isNaN'));
      case 'isInf':
        return Math.abs(num(args[0], 'isInf')) === Infinity;
      case 'default':
        return args[0] === null || args[0] === undefined ? args[1] : args[0];
      case 'asInt':
        return Math.trunc(Number(args[0]));
      case 'asFloat':
        return Number(args[0]);
      default:
        throw new Error(`unknown function ${name}`);
    }
  };

  function primary(): Value {
    const t = tokens[pos++];
    if (!t) throw new Error(`unexpected end of ${source}`);
    let value: Value;
    if (t.kind === 'num') value = t.value;
    else if (t.kind === 'str') value = t.value;
    else if (t.kind === 'op' && t.value === '(') {
      value = expression(0);
      expectOp(')');
    } else if (t.kind === 'op' && (t.value === '!' || t.value === '-')) {
      const operand = primary();
      if (skipping) value = null;
      else value = t.value === '!' ? !operand : -num(operand, '-');
    } else if (t.kind === 'id') {
      if (t.value === 'not') value = !primary();
      else if (t.value === 'true') value = true;
      else if (t.value === 'false') value = false;
      else if (t.value === 'nil') value = null;
      else if (peek()?.kind === 'op' && peek()!.value === '(') {
        pos++;
        const args: Value[] = [];
        while (!(peek()?.kind === 'op' && peek()!.value === ')')) {
          args.push(expression(0));
          if (peek()?.kind === 'op' && peek()!.value === ',') pos++;
        }
        expectOp(')');
        value = skipping ? null : call(t.value, args);
      } else if (t.value in env) value = env[t.value];
      else if (skipping) value = null;
      else throw new Error(`unknown name ${t.value} in ${source}`);
    } else {
      throw new Error(`unexpected "${t.value}" in ${source}`);
    }
    while (peek()?.kind === 'op' && peek()!.value === '[') {
      pos++;
      const indexValue = expression(0);
      expectOp(']');
      if (skipping) {
        value = null;
        continue;
      }
      const index = num(indexValue, 'index');
      if (!Array.isArray(value)) {
        throw new Error(`cannot index ${JSON.stringify(value)}`);
      }
      if (index < 0 || index >= value.length) {
        throw new Error(
          `index out of range: ${index} (array length is ${value.length})`,
        );
      }
      value = value[index];
    }
    return value;
  }

  function expression(minPrec: number): Value {
    let left = primary();
    for (;;) {
      const t = peek();
      const op = t && (t.kind === 'op' || t.kind === 'id') ? t.value : '';
      const prec = BINARY[op];
      if (!prec || prec < minPrec) break;
      pos++;
      const or = op === '||' || op === 'or';
      const and = op === '&&' || op === 'and';
      // Short-circuit, as expr does: the right side is not evaluated.
      const decided = !skipping && ((or && Boolean(left)) || (and && !left));
      if (decided) skipping++;
      const right = expression(prec + 1);
      if (decided) {
        skipping--;
        left = or;
      } else {
        left = skipping ? null : binary(op, left, right);
      }
    }
    return left;
  }

  const result = expression(0);
  if (pos !== tokens.length) {
    throw new Error(`unexpected "${tokens[pos].value}" in ${source}`);
  }
  return result;
}

function binary(op: string, a: Value, b: Value): Value {
  switch (op) {
    case '||':
    case 'or':
      return Boolean(a) || Boolean(b);
    case '&&':
    case 'and':
      return Boolean(a) && Boolean(b);
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return num(a, op) < num(b, op);
    case '<=':
      return num(a, op) <= num(b, op);
    case '>':
      return num(a, op) > num(b, op);
    case '>=':
      return num(a, op) >= num(b, op);
    case '+':
      return num(a, op) + num(b, op);
    case '-':
      return num(a, op) - num(b, op);
    case '*':
      return num(a, op) * num(b, op);
    case '/':
      return num(a, op) / num(b, op);
    default:
      throw new Error(`unknown operator ${op}`);
  }
}
