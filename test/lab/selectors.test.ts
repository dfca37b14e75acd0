import { describe, expect, it } from 'vitest';
import { isApiStatusError } from '../../src/lab/api-status.js';
import { matchesFields, parseFieldSelector } from '../../src/lab/field-selector.js';
import { matchesLabels, parseLabelSelector } from '../../src/lab/label-selector.js';

const LABELS = { app: 'web', tier: 'frontend', replicas: '3', 'app.kubernetes.io/name': 'agent' };

describe('label selectors', () => {
  it.each([
    { name: 'empty selects all', selector: '', matches: true },
    { name: 'equality', selector: 'app=web', matches: true },
    { name: 'double equals', selector: 'app==web', matches: true },
    { name: 'equality on another value', selector: 'app=api', matches: false },
    { name: 'inequality', selector: 'app!=api', matches: true },
    { name: 'inequality on a missing key', selector: 'missing!=x', matches: true },
    { name: 'set membership', selector: 'tier in (frontend, backend)', matches: true },
    { name: 'set exclusion', selector: 'tier notin (frontend)', matches: false },
    { name: 'set exclusion on a missing key', selector: 'missing notin (a)', matches: true },
    { name: 'existence', selector: 'tier', matches: true },
    { name: 'non-existence', selector: '!tier', matches: false },
    { name: 'greater than', selector: 'replicas>2', matches: true },
    { name: 'less than', selector: 'replicas<3', matches: false },
    { name: 'prefixed key', selector: 'app.kubernetes.io/name=agent', matches: true },
    { name: 'conjunction with one failing term', selector: 'app=web,tier=backend', matches: false },
    { name: 'conjunction with spaces', selector: 'app = web , tier in (frontend)', matches: true },
  ])('$name', ({ selector, matches }) => {
    expect(matchesLabels(parseLabelSelector(selector), LABELS)).toBe(matches);
  });

  it.each([
    { name: 'bad key', selector: 'a b=c', message: 'unable to parse requirement: invalid label key "a b" in label selector "a b=c"' },
    { name: 'bad value', selector: 'app=we b', message: 'unable to parse requirement: invalid label value: "we b" in label selector "app=we b"' },
    { name: 'non-integer comparison', selector: 'replicas>x', message: `unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer in label selector "replicas>x"` },
  ])('rejects $name with 400', ({ selector, message }) => {
    let caught: unknown;
    try {
      parseLabelSelector(selector);
    } catch (error) {
      caught = error;
    }

    expect(isApiStatusError(caught)).toBe(true);
    if (!isApiStatusError(caught)) return;
    expect(caught.status.code).toBe(400);
    expect(caught.status.reason).toBe('BadRequest');
    expect(caught.status.message).toBe(message);
  });
});

describe('field selectors', () => {
  const FIELDS = ['metadata.name', 'metadata.namespace', 'spec.nodeName'];
  const VALUES = { 'metadata.name': 'web,0', 'metadata.namespace': 'shop', 'spec.nodeName': 'node-a' };

  it.each([
    { name: 'empty selects all', selector: '', matches: true },
    { name: 'equality', selector: 'spec.nodeName=node-a', matches: true },
    { name: 'double equals', selector: 'spec.nodeName==node-b', matches: false },
    { name: 'inequality', selector: 'spec.nodeName!=node-b', matches: true },
    { name: 'escaped comma in a value', selector: 'metadata.name=web\\,0,metadata.namespace=shop', matches: true },
    { name: 'conjunction with one failing term', selector: 'metadata.namespace=shop,spec.nodeName=node-b', matches: false },
  ])('$name', ({ selector, matches }) => {
    expect(matchesFields(parseFieldSelector(selector, FIELDS), VALUES)).toBe(matches);
  });

  it.each([
    { name: 'unknown field', selector: 'status.phase=Running', message: '"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.nodeName"' },
    { name: 'term without operator', selector: 'spec.nodeName', message: "invalid selector: 'spec.nodeName'; can't understand 'spec.nodeName'" },
  ])('rejects $name with 400', ({ selector, message }) => {
    let caught: unknown;
    try {
      parseFieldSelector(selector, FIELDS);
    } catch (error) {
      caught = error;
    }

    expect(isApiStatusError(caught)).toBe(true);
    if (!isApiStatusError(caught)) return;
    expect(caught.status.code).toBe(400);
    expect(caught.status.message).toBe(message);
  });
});
