/**
 * Lists the configuration keys a `config.d.ts` declares, for the test that
 * keeps docs/configuration.md true. A small reader of the subset of
 * TypeScript that config schemas use (an `export interface Config` of
 * nested object types, optional properties and index signatures), so that
 * the test needs no compiler.
 */

/** One declared key: its dotted path, index signatures as `<name>`. */
export type ConfigKey = {
  path: string;
  /** The declared type, as written, for leaves; `object` for nested types. */
  type: string;
};

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

class Reader {
  private pos = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  private skipSpace() {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) {
      this.pos++;
    }
  }

  peek(): string {
    this.skipSpace();
    return this.text[this.pos] ?? '';
  }

  expect(char: string) {
    if (this.peek() !== char) {
      throw new Error(
        `config.d.ts: expected '${char}' at ${
          this.pos
        }, found '${this.text.slice(this.pos, this.pos + 20)}'`,
      );
    }
    this.pos++;
  }

  /** A property name, or `<name>` for an index signature `[name: string]`. */
  readKey(): string {
    this.skipSpace();
    if (this.text[this.pos] === '[') {
      const match = /^\[\s*(\w+)\s*:\s*string\s*\]/.exec(
        this.text.slice(this.pos),
      );
      if (!match)
        throw new Error(`config.d.ts: bad index signature at ${this.pos}`);
      this.pos += match[0].length;
      return `<${match[1]}>`;
    }
    const match = /^['"]?([\w$-]+)['"]?/.exec(this.text.slice(this.pos));
    if (!match) throw new Error(`config.d.ts: expected a key at ${this.pos}`);
    this.pos += match[0].length;
    this.skipSpace();
    if (this.text[this.pos] === '?') this.pos++;
    return match[1];
  }

  /** A type up to the `;`, `,` or `}` that ends it, brackets balanced. */
  readTypeText(): string {
    const start = this.pos;
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if ('{[(<'.includes(c)) depth++;
      else if ('}])>'.includes(c)) {
        if (depth === 0) break;
        depth--;
      } else if ((c === ';' || c === ',') && depth === 0) break;
      this.pos++;
    }
    return this.text.slice(start, this.pos).trim().replace(/\s+/g, ' ');
  }

  readObject(prefix: string, out: ConfigKey[]) {
    this.expect('{');
    for (;;) {
      const next = this.peek();
      if (next === '}') {
        this.pos++;
        return;
      }
      if (next === ';' || next === ',') {
        this.pos++;
        continue;
      }
      const key = this.readKey();
      this.expect(':');
      const path = prefix ? `${prefix}.${key}` : key;
      if (this.peek() === '{') {
        const before = out.length;
        this.readObject(path, out);
        if (out.length === before) out.push({ path, type: '{}' });
        // `{ ... } | something` is not used by config schemas here.
      } else {
        out.push({ path, type: this.readTypeText() });
      }
    }
  }
}

/**
 * Every leaf key of the `Config` interface of a config.d.ts, as dotted
 * paths (`aiPlatform.cost.prometheus.clusters.<clusterName>.url`).
 */
export function listConfigKeys(source: string): ConfigKey[] {
  const text = stripComments(source);
  const start = /export\s+interface\s+Config\s*/.exec(text);
  if (!start) throw new Error('config.d.ts: no `export interface Config`');
  const reader = new Reader(text.slice(start.index + start[0].length));
  const keys: ConfigKey[] = [];
  reader.readObject('', keys);
  return keys;
}
