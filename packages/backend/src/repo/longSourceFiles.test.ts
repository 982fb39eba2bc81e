/*
 * No source file of the plugins is over about 500 lines without a reason
 * written at its top (docs/style.md, issue 25): split it, or start it with a
 * comment such as `// Over 500 lines: <why>`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  countLines,
  findLongSourceFiles,
  hasLengthReason,
  isCountedSource,
  leadingComment,
} from './longSourceFiles';

const root = path.resolve(__dirname, '../../../..');

describe('longSourceFiles', () => {
  it('counts source, not tests, fixtures, test utilities or generated code', () => {
    expect(isCountedSource('plugins/a/src/quotas/QuotaService.ts')).toBe(true);
    expect(isCountedSource('plugins/a/src/alpha.tsx')).toBe(true);
    expect(isCountedSource('plugins/a/src/x/QuotaService.test.ts')).toBe(false);
    expect(isCountedSource('plugins/a/src/x/Page.test.tsx')).toBe(false);
    expect(isCountedSource('plugins/a/src/x/__fixtures__/big.ts')).toBe(false);
    expect(isCountedSource('plugins/a/src/x/__testUtils__/harness.ts')).toBe(
      false,
    );
    expect(
      isCountedSource('plugins/a/src/schema/openapi/generated/router.ts'),
    ).toBe(false);
    expect(isCountedSource('plugins/a/src/x/data.json')).toBe(false);
    expect(isCountedSource('plugins/a/src/x/types.d.ts')).toBe(false);
  });

  it('finds the reason only in the comments a file starts with', () => {
    expect(
      hasLengthReason('// Over 500 lines: one router.\nexport {};\n'),
    ).toBe(true);
    expect(
      hasLengthReason(
        '/*\n * Over 500 lines on purpose: the one entry point.\n */\nimport x from "x";\n',
      ),
    ).toBe(true);
    expect(
      hasLengthReason(
        '#!/usr/bin/env node\n// Licence\n\n// over 500 LINES: tables\nconst a = 1;\n',
      ),
    ).toBe(true);
    // A comment further down is not at the top.
    expect(
      hasLengthReason('import x from "x";\n// Over 500 lines: late\n'),
    ).toBe(false);
    expect(hasLengthReason('// A helper.\nexport const a = 1;\n')).toBe(false);
    expect(leadingComment('// a\n/* b */\ncode // c\n')).toBe('// a\n/* b */');
  });

  it('counts lines as wc -l does', () => {
    expect(countLines('')).toBe(0);
    expect(countLines('a\n')).toBe(1);
    expect(countLines('a\nb')).toBe(2);
    expect(countLines('a\nb\n')).toBe(2);
  });

  it('lists the long files of a tree, with and without a reason', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'long-files-'));
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(tmp, file)), { recursive: true });
      fs.writeFileSync(path.join(tmp, file), text);
    };
    const lines = (n: number) => 'const a = 1;\n'.repeat(n);
    write('plugins/p/package.json', '{}');
    write('plugins/p/src/short.ts', lines(500));
    write('plugins/p/src/deep/long.ts', lines(501));
    write('plugins/p/src/excused.ts', `// Over 500 lines: why\n${lines(600)}`);
    write('plugins/p/src/long.test.ts', lines(900));
    write('plugins/p/README.md', lines(900));
    write('plugins/q/src/__fixtures__/big.ts', lines(900));
    try {
      expect(findLongSourceFiles(tmp)).toEqual([
        { file: 'plugins/p/src/excused.ts', lines: 601, reason: true },
        { file: 'plugins/p/src/deep/long.ts', lines: 501, reason: false },
      ]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('finds no long source file in the plugins without a reason at its top', () => {
    const unexplained = findLongSourceFiles(root)
      .filter(f => !f.reason)
      .map(f => `${f.file} (${f.lines} lines)`);
    expect(unexplained).toEqual([]);
  });
});
