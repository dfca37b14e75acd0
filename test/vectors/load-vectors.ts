/**
 * Loads the shared SPIRE and go-spiffe test vectors, which live next to the
 * repository in `../shared/vectors`.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The folder holding the vector files. */
export const vectorsDir = path.resolve(repoRoot, '..', 'shared', 'vectors');

/** Reads a vector file as JSON, failing with the expected location when it is missing. */
export function loadVectors<T>(fileName: string): T {
  const file = path.join(vectorsDir, fileName);
  if (!existsSync(file)) {
    throw new Error(`test vector file ${file} not found: the vectors are expected in ../shared/vectors next to the repository`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Reads a file from the vectors' `k8s-attestor-testdata` folder as text. */
export function readAttestorTestdata(fileName: string): string {
  const file = path.join(vectorsDir, 'k8s-attestor-testdata', fileName);
  if (!existsSync(file)) {
    throw new Error(`attestor test data ${file} not found`);
  }
  return readFileSync(file, 'utf8');
}
