/**
 * The field reference of the ai-platform kinds, generated from their JSON
 * schemas (plugins/ai-platform-common/src/kinds/*.schema.json), for
 * docs/kinds.md. The docs test compares the page's tables with these rows.
 */

type JsonSchema = {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
};

/** One row of a kind's field table. */
export type KindFieldRow = {
  field: string;
  type: string;
  required: string;
  description: string;
};

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map(v => `\`${String(v)}\``).join(', ');
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  const bounds: string[] = [];
  if (schema.minimum !== undefined) bounds.push(`>= ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) {
    bounds.push(`> ${schema.exclusiveMinimum}`);
  }
  if (schema.maximum !== undefined) bounds.push(`<= ${schema.maximum}`);
  const base = Array.isArray(schema.type)
    ? schema.type.join(' or ')
    : schema.type ?? 'any';
  if (base === 'array' && schema.items) {
    const item = schema.items.properties ? 'object' : typeOf(schema.items);
    return `list of ${item}`;
  }
  if (
    base === 'object' &&
    !schema.properties &&
    typeof schema.additionalProperties === 'object'
  ) {
    return `map of ${typeOf(schema.additionalProperties)}`;
  }
  return bounds.length ? `${base} ${bounds.join(', ')}` : base;
}

function clean(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

function walk(
  schema: JsonSchema,
  path: string,
  out: KindFieldRow[],
  required: boolean,
) {
  out.push({
    field: path,
    type: typeOf(schema),
    required: required ? 'yes' : '',
    description: clean(schema.description),
  });
  const object = schema.type === 'array' ? schema.items : schema;
  const prefix = schema.type === 'array' ? `${path}[]` : path;
  for (const [name, child] of Object.entries(object?.properties ?? {})) {
    walk(child, `${prefix}.${name}`, out, !!object?.required?.includes(name));
  }
}

/** The rows of one kind's `spec`, depth first, in the schema's order. */
export function kindFieldRows(schema: JsonSchema): KindFieldRow[] {
  const spec = schema.properties?.spec;
  if (!spec) throw new Error('kind schema without spec');
  const rows: KindFieldRow[] = [];
  for (const [name, child] of Object.entries(spec.properties ?? {})) {
    walk(child, `spec.${name}`, rows, !!spec.required?.includes(name));
  }
  return rows;
}

/** A markdown table of the rows (prettier may re-align it). */
export function kindFieldTable(rows: KindFieldRow[]): string {
  const lines = [
    '| Field | Type | Required | Description |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      r => `| \`${r.field}\` | ${r.type} | ${r.required} | ${r.description} |`,
    ),
  ];
  return lines.join('\n');
}

/** Reads the rows back from a table that {@link kindFieldTable} wrote. */
export function parseKindFieldTable(markdown: string): KindFieldRow[] {
  return markdown
    .split('\n')
    .filter(line => /^\|\s*`spec\./.test(line))
    .map(line => {
      const cells = line
        .slice(1, line.lastIndexOf('|'))
        .split(/(?<!\\)\|/)
        .map(c => c.trim());
      return {
        field: cells[0].replace(/`/g, ''),
        type: cells[1],
        required: cells[2],
        description: cells[3],
      };
    });
}
