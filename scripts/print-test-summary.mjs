// Prints vitest's JSON report as one plain closing line, "N passed, N failed, N skipped",
// so CI logs end with a count any reader understands. Exits non-zero when tests failed
// or none ran.
import { readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? '.test-results/vitest.json';
const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
