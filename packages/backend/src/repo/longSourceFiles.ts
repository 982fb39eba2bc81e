/**
 * Finds the source files of the plugins that are longer than the team's
 * limit (about 500 lines, docs/style.md) without saying why at their top.
 * Tests, fixtures, test utilities and generated code are not counted.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The longest a source file may be without a reason at its top. */
export const MAX_LINES = 500;

const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs)$/;
const NOT_COUNTED = [
  /\.test\.[^/]+$/,
  /\.d\.ts$/,
  /(^|\/)__fixtures__\//,
  /(^|\/)__testUtils__\//,
  /(^|\/)generated\//,
];

/** Whether a path (relative, with `/`) is source that the limit applies to. */
export function isCountedSource(file: string): boolean {
  return SOURCE.test(file) && !NOT_COUNTED.some(re => re.test(file));
}

/**
 * The comments a file starts with (line and block comments before its first
 * line of code), as text.
 */
export function leadingComment(source: string): string {
  const comments: string[] = [];
  let rest = source.replace(/^#![^\n]*\n/, '');
  for (;;) {
    rest = rest.replace(/^\s+/, '');
    const line = /^\/\/[^\n]*/.exec(rest);
    const block = /^\/\*[\s\S]*?\*\//.exec(rest);
    const match = line ?? block;
    if (!match) return comments.join('\n');
    comments.push(match[0]);
    rest = rest.slice(match[0].length);
  }
}

/**
 * A reason at the top is a leading comment that names the length it
 * excuses, such as `// Over 500 lines: ...`.
 */
export function hasLengthReason(source: string): boolean {
  return /\b500 lines\b/i.test(leadingComment(source));
}

/** Lines of a file, as `wc -l` would count them for a file that ends in a newline. */
export function countLines(source: string): number {
  if (source === '') return 0;
  return source.split('\n').length - (source.endsWith('\n') ? 1 : 0);
}

/** A source file over the limit. */
export type LongSourceFile = {
  /** Relative to the root given. */
  file: string;
  lines: number;
  /** Whether its top says why it is this long. */
  reason: boolean;
};

function walk(dir: string, root: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    if (entry.name === 'node_modules') return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return walk(full, root);
    return [path.relative(root, full).split(path.sep).join('/')];
  });
}

/** Every counted source file under `plugins/<package>/src` over the limit. */
export function findLongSourceFiles(root: string): LongSourceFile[] {
  const plugins = path.join(root, 'plugins');
  return fs
    .readdirSync(plugins)
    .map(name => path.join(plugins, name, 'src'))
    .filter(src => fs.existsSync(src))
    .flatMap(src => walk(src, root))
    .filter(isCountedSource)
    .map(file => {
      const source = fs.readFileSync(path.join(root, file), 'utf8');
      return {
        file,
        lines: countLines(source),
        reason: hasLengthReason(source),
      };
    })
    .filter(f => f.lines > MAX_LINES)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
}
