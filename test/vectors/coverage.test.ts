import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { vectorsDir } from './load-vectors.js';

// Each vector file and the test file in this folder that runs it.
const COVERED_FILES = {
  'authorized-entries.json': 'authorized-entries.test.ts',
  'entry-filter-matching.json': 'entry-filter-matching.test.ts',
  'k8s-workload-attestor.json': 'k8s-workload-attestor.test.ts',
  'spiffe-id-parsing.json': 'spiffe-id.test.ts',
  'trust-domain-parsing.json': 'spiffe-id.test.ts',
};

describe('vector coverage', () => {
  it('runs every vector file', () => {
    const files = readdirSync(vectorsDir).filter((file) => file.endsWith('.json')).sort();

    expect(files).toEqual(Object.keys(COVERED_FILES).sort());
  });
});
