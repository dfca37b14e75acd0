import { describe, expect, it } from 'vitest';
import { isSpiffeIdError } from '../../src/spiffe/errors.js';
import { parseSpiffeId } from '../../src/spiffe/id.js';
import { parseTrustDomain } from '../../src/spiffe/trust-domain.js';
import { loadVectors } from './load-vectors.js';

interface IdVector {
  readonly input: string;
  readonly valid: boolean;
  readonly why: string;
  readonly error?: string;
  readonly trust_domain?: string;
  readonly path?: string;
  readonly name?: string;
}

function reasonOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    if (isSpiffeIdError(error)) {
      return error.reason;
    }
    throw error;
  }
  return 'no error';
}

const idVectors = loadVectors<{ vectors: IdVector[] }>('spiffe-id-parsing.json').vectors.map((vector) => ({
  ...vector,
  name: `${vector.why}: ${JSON.stringify(vector.input).slice(0, 60)}`,
}));
const trustDomainVectors = loadVectors<{ vectors: IdVector[] }>('trust-domain-parsing.json').vectors.map((vector) => ({
  ...vector,
  label: `${vector.why}: ${JSON.stringify(vector.input).slice(0, 60)}`,
}));

describe('spiffe-id-parsing vectors', () => {
  it('has vectors', () => {
    expect(idVectors.length).toBeGreaterThan(100);
  });

  it.each(idVectors.filter((vector) => vector.valid))('accepts $name', (vector) => {
    expect(parseSpiffeId(vector.input)).toEqual({ trustDomain: vector.trust_domain, path: vector.path });
  });

  it.each(idVectors.filter((vector) => !vector.valid))('rejects $name', (vector) => {
    expect(reasonOf(() => parseSpiffeId(vector.input))).toBe(vector.error);
  });
});

describe('trust-domain-parsing vectors', () => {
  it('has vectors', () => {
    expect(trustDomainVectors.length).toBeGreaterThan(50);
  });

  it.each(trustDomainVectors.filter((vector) => vector.valid))('accepts $label', (vector) => {
    expect(parseTrustDomain(vector.input)).toBe(vector.name);
  });

  it.each(trustDomainVectors.filter((vector) => !vector.valid))('rejects $label', (vector) => {
    expect(reasonOf(() => parseTrustDomain(vector.input))).toBe(vector.error);
  });
});
