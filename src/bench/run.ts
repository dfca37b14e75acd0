/**
 * Runs every benchmark module in this folder (each exports `benchmark`), prints the
 * results as text and writes them as JSON to `.bench-results/latest.json`.
 * `npm run bench -- NAME` runs only the benchmarks whose name contains NAME.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchResult, Benchmark } from './types.js';

const SKIPPED_MODULES = new Set(['run.js', 'types.js']);

async function loadBenchmarks(): Promise<Benchmark[]> {
  const folder = dirname(fileURLToPath(import.meta.url));
  const files = (await readdir(folder)).filter((file) => file.endsWith('.js') && !SKIPPED_MODULES.has(file)).sort();
  const benchmarks: Benchmark[] = [];
  for (const file of files) {
    const module = (await import(pathToFileURL(join(folder, file)).href)) as { benchmark?: Benchmark };
    if (module.benchmark) benchmarks.push(module.benchmark);
  }
  return benchmarks;
}

function formatResult(result: BenchResult): string {
  const lines = [`# ${result.name}`];
  for (const metric of result.metrics) lines.push(`  ${metric.name}: ${metric.value.toFixed(2)} ${metric.unit}`);
  for (const ratio of result.ratios) {
    const verdict = ratio.met === undefined ? '' : ratio.met ? ' (target met)' : ' (target NOT met)';
    lines.push(`  ratio ${ratio.name}: ${ratio.value.toFixed(3)}${ratio.target ? `, target ${ratio.target}` : ''}${verdict}`);
  }
  for (const note of result.notes ?? []) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

const filter = process.argv[2];
const results: BenchResult[] = [];
for (const benchmark of await loadBenchmarks()) {
  if (filter && !benchmark.name.includes(filter)) continue;
  const result = await benchmark.run();
  results.push(result);
  console.log(formatResult(result));
}
await mkdir('.bench-results', { recursive: true });
await writeFile('.bench-results/latest.json', `${JSON.stringify({ ranAt: new Date().toISOString(), results }, null, 2)}\n`);
