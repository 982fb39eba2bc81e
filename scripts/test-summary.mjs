// Prints the totals of the Jest and Playwright runs and the closing line
// "N passed, N failed" that CI reads. Exits non-zero when anything failed.
// Usage: node scripts/test-summary.mjs <results-dir> [failed step ...]
import fs from 'node:fs';
import path from 'node:path';

const [resultsDir, ...failedSteps] = process.argv.slice(2);

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(path.join(resultsDir, file), 'utf8'));
  } catch {
    return undefined;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];

const jest = readJson('jest.json');
if (jest) {
  passed += jest.numPassedTests;
  failed += jest.numFailedTests;
  skipped += jest.numPendingTests + (jest.numTodoTests ?? 0);
  // A suite that fails to run has no failed tests but is a failure.
  const brokenSuites = jest.testResults.filter(
    r =>
      r.status === 'failed' &&
      r.assertionResults.every(a => a.status !== 'failed'),
  );
  failed += brokenSuites.length;
  lines.push(
    `Jest: ${jest.numPassedTests} passed, ${jest.numFailedTests} failed, ${jest.numPendingTests} skipped in ${jest.numTotalTestSuites} suites` +
      (brokenSuites.length
        ? `, ${brokenSuites.length} suites failed to run`
        : ''),
  );
} else if (failedSteps.includes('jest')) {
  failed += 1;
  lines.push('Jest: no results (the run crashed)');
}

const e2e = readJson('e2e.json');
if (e2e) {
  const s = e2e.stats;
  passed += s.expected + s.flaky;
  failed += s.unexpected;
  skipped += s.skipped;
  lines.push(
    `Browser: ${s.expected + s.flaky} passed (${s.flaky} flaky), ${
      s.unexpected
    } failed, ${s.skipped} skipped`,
  );
} else if (failedSteps.includes('browser tests')) {
  failed += 1;
  lines.push('Browser: no results (the run crashed)');
}

const otherFailures = failedSteps.filter(
  s => s !== 'jest' && s !== 'browser tests',
);
for (const step of otherFailures) lines.push(`FAILED: ${step}`);

console.log('');
for (const line of lines) console.log(line);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failedSteps.length > 0 ? 1 : 0);
