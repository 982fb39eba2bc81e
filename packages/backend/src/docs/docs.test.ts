/*
 * Docs stay true: every aiPlatform.* key declared in a config.d.ts is in
 * docs/configuration.md (and every key documented there is declared), every
 * route of the backend's openapi.yaml is in docs/api.md, the kinds' field
 * reference in docs/kinds.md matches the JSON schemas, and every relative
 * link (file and #anchor) in README.md, docs/ and the plugins' READMEs
 * resolves.
 *
 * After changing a kind schema: UPDATE_DOCS=1 yarn backstage-cli repo test
 * packages/backend/src/docs, then prettier on docs/kinds.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listConfigKeys } from './configKeys';
import {
  kindFieldRows,
  kindFieldTable,
  parseKindFieldTable,
  type KindFieldRow,
} from './kindFields';
import { anchorsOf, findBrokenLinks, linkTargets } from './markdownLinks';
import { listOpenApiRoutes } from './openapiRoutes';

const root = path.resolve(__dirname, '../../../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

function pluginDirs(): string[] {
  return fs
    .readdirSync(path.join(root, 'plugins'))
    .filter(d => fs.existsSync(path.join(root, 'plugins', d, 'package.json')))
    .map(d => `plugins/${d}`);
}

function markdownFiles(dir: string): string[] {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap(entry => {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return markdownFiles(rel);
      return entry.name.endsWith('.md') ? [rel] : [];
    });
}

/** The keys in the first column of docs/configuration.md's tables. */
function documentedKeys(markdown: string): string[] {
  return markdown
    .split('\n')
    .map(line => /^\|\s*`(aiPlatform\.[^`]+)`/.exec(line)?.[1])
    .filter((key): key is string => !!key);
}

describe('docs', () => {
  it('documents every aiPlatform key of every config.d.ts, and no other', () => {
    // The plugins' keys, and the demo backend's (its local publishing).
    const declared = [...pluginDirs(), 'packages/backend']
      .filter(dir => fs.existsSync(path.join(root, dir, 'config.d.ts')))
      .flatMap(dir =>
        listConfigKeys(read(`${dir}/config.d.ts`))
          .map(k => k.path)
          .filter(k => k.startsWith('aiPlatform.'))
          .map(key => ({ key, file: `${dir}/config.d.ts` })),
      );
    expect(declared.length).toBeGreaterThan(30);
    const documented = new Set(documentedKeys(read('docs/configuration.md')));

    const undocumented = declared
      .filter(d => !documented.has(d.key))
      .map(d => `${d.key} (${d.file})`);
    expect(undocumented).toEqual([]);

    const declaredKeys = new Set(declared.map(d => d.key));
    const unknown = [...documented].filter(k => !declaredKeys.has(k));
    expect(unknown).toEqual([]);
  });

  it('lists every route of openapi.yaml on the API page', () => {
    const routes = listOpenApiRoutes(
      read('plugins/ai-platform-backend/src/schema/openapi.yaml'),
    );
    expect(routes.length).toBeGreaterThan(30);
    const api = read('docs/api.md');
    const missing = routes.filter(route => !api.includes(`\`${route}\``));
    expect(missing).toEqual([]);
  });

  it('has the kinds field reference generated from the schemas', () => {
    const kinds = read('docs/kinds.md');
    const start = '<!-- kind-fields:start -->';
    const end = '<!-- kind-fields:end -->';
    const from = kinds.indexOf(start);
    const to = kinds.indexOf(end);
    expect(from).toBeGreaterThan(-1);
    expect(to).toBeGreaterThan(from);

    const sections = ['Model', 'InferenceEndpoint', 'GpuPool'].map(kind => ({
      kind,
      rows: kindFieldRows(
        JSON.parse(
          read(
            `plugins/ai-platform-common/src/kinds/${kind}.v1alpha1.schema.json`,
          ),
        ),
      ),
    }));
    const generated = sections
      .map(s => `### ${s.kind}\n\n${kindFieldTable(s.rows)}`)
      .join('\n\n');

    if (process.env.UPDATE_DOCS) {
      fs.writeFileSync(
        path.join(root, 'docs/kinds.md'),
        `${kinds.slice(
          0,
          from + start.length,
        )}\n\n${generated}\n\n${kinds.slice(to)}`,
      );
      return;
    }

    const block = kinds.slice(from, to);
    const onPage = block
      .split(/^### /m)
      .slice(1)
      .map(part => ({
        kind: part.slice(0, part.indexOf('\n')).trim(),
        rows: parseKindFieldTable(part),
      }));
    const normalize = (rows: KindFieldRow[]) =>
      rows.map(r => ({
        ...r,
        description: r.description.replace(/\s+/g, ' '),
      }));
    try {
      expect(
        onPage.map(s => ({ kind: s.kind, rows: normalize(s.rows) })),
      ).toEqual(sections.map(s => ({ kind: s.kind, rows: normalize(s.rows) })));
    } catch (error) {
      throw new Error(
        `docs/kinds.md's field reference differs from the kind schemas; regenerate it with UPDATE_DOCS=1 yarn backstage-cli repo test packages/backend/src/docs, then yarn prettier --write docs/kinds.md\n\n${
          (error as Error).message
        }`,
      );
    }
  });

  it('has no broken relative links in README.md, docs/ and the plugin READMEs', () => {
    const files = [
      'README.md',
      ...markdownFiles('docs'),
      ...pluginDirs()
        .map(dir => `${dir}/README.md`)
        .filter(f => fs.existsSync(path.join(root, f))),
    ];
    expect(files.length).toBeGreaterThan(15);
    const broken = findBrokenLinks(files.map(f => path.join(root, f))).map(
      b => `${path.relative(root, b.file)}: ${b.target} (${b.reason})`,
    );
    expect(broken).toEqual([]);
  });

  it('every plugin package has a README', () => {
    const missing = pluginDirs().filter(
      dir => !fs.existsSync(path.join(root, dir, 'README.md')),
    );
    expect(missing).toEqual([]);
  });
});

describe('markdown link checking', () => {
  it('makes anchors as GitHub does', () => {
    const anchors = anchorsOf(
      [
        '# The API',
        '## `aiPlatform.cost`',
        '## Actions for assistants (MCP)',
        '## Routes',
        '## Routes',
        '```',
        '# not a heading',
        '```',
      ].join('\n'),
    );
    expect([...anchors]).toEqual([
      'the-api',
      'aiplatformcost',
      'actions-for-assistants-mcp',
      'routes',
      'routes-1',
    ]);
  });

  it('skips links in code', () => {
    expect(
      linkTargets(
        'see [a](a.md) and `[b](b.md)`\n```\n[c](c.md)\n```\n![img](i.png)',
      ),
    ).toEqual(['a.md', 'i.png']);
  });

  it('reports a missing file and a missing anchor', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-'));
    try {
      fs.writeFileSync(path.join(dir, 'b.md'), '# Title\n');
      fs.writeFileSync(
        path.join(dir, 'a.md'),
        '[ok](b.md#title) [gone](c.md) [bad](b.md#nope) [self](#x)\n\n## X\n',
      );
      expect(
        findBrokenLinks([path.join(dir, 'a.md')]).map(b => b.target),
      ).toEqual(['c.md', 'b.md#nope']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
