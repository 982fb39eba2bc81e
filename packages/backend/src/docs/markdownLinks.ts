/**
 * Finds the relative links of markdown files that do not resolve: a missing
 * file, or an `#anchor` that no heading of the target page makes. Anchors
 * follow GitHub's rule (lower case, punctuation dropped, spaces to dashes,
 * `-1`, `-2` for repeats). Links inside code (fenced or inline) are text,
 * not links, and are skipped, as are absolute URLs.
 */
import fs from 'node:fs';
import path from 'node:path';

/** One link that does not resolve. */
export type BrokenLink = { file: string; target: string; reason: string };

/** Markdown without fenced code blocks and inline code spans. */
function withoutCode(markdown: string): string {
  const lines: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const match = /^\s*(`{3,}|~{3,})/.exec(line);
    if (match && (!fence || match[1].startsWith(fence))) {
      fence = fence ? undefined : match[1];
      lines.push('');
      continue;
    }
    lines.push(fence ? '' : line.replace(/`[^`]*`/g, ''));
  }
  return lines.join('\n');
}

/** GitHub's anchor of a heading text. */
export function githubSlug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor the headings of a markdown page make. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const fenceMatch = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fenceMatch && (!fence || fenceMatch[1].startsWith(fence))) {
      fence = fence ? undefined : fenceMatch[1];
      continue;
    }
    if (fence) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1].replace(/`/g, ''));
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count ? `${slug}-${count}` : slug);
  }
  return anchors;
}

/** The link targets of a markdown page: `[text](target)` and `![alt](target)`. */
export function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  const text = withoutCode(markdown);
  const pattern = /\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    targets.push(m[1]);
  }
  return targets;
}

/** The relative links of `files` that do not resolve. */
export function findBrokenLinks(files: string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsFor = (file: string) => {
    let anchors = anchorCache.get(file);
    if (!anchors) {
      anchors = anchorsOf(fs.readFileSync(file, 'utf8'));
      anchorCache.set(file, anchors);
    }
    return anchors;
  };
  for (const file of files) {
    for (const target of linkTargets(fs.readFileSync(file, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, mailto:, ...
      const [rawPath, anchor] = target.split('#', 2);
      const resolved = rawPath
        ? path.resolve(path.dirname(file), decodeURIComponent(rawPath))
        : file;
      if (!fs.existsSync(resolved)) {
        broken.push({ file, target, reason: 'no such file' });
        continue;
      }
      if (anchor === undefined) continue;
      if (!resolved.endsWith('.md') || fs.statSync(resolved).isDirectory()) {
        broken.push({
          file,
          target,
          reason: 'anchor on a page that is not markdown',
        });
        continue;
      }
      if (!anchorsFor(resolved).has(anchor)) {
        broken.push({ file, target, reason: `no heading makes #${anchor}` });
      }
    }
  }
  return broken;
}
