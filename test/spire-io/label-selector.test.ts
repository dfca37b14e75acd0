import { describe, expect, it } from 'vitest';

import { findLabelMismatches, formatLabelSelector, labelSelectorMatches, validateLabelSelector, type LabelSelector } from '../../src/spire/label-selector.js';

const labels = { app: 'web', tier: 'frontend', 'corp.test/data-class': 'a' };

describe('labelSelectorMatches', () => {
  it.each([
    { name: 'absent selector', selector: undefined, expected: true },
    { name: 'empty selector', selector: {}, expected: true },
    { name: 'matchLabels equal', selector: { matchLabels: { app: 'web' } }, expected: true },
    { name: 'matchLabels differ', selector: { matchLabels: { app: 'api' } }, expected: false },
    { name: 'matchLabels missing', selector: { matchLabels: { team: 'x' } }, expected: false },
    { name: 'In hit', selector: { matchExpressions: [{ key: 'corp.test/data-class', operator: 'In', values: ['a', 'b'] }] }, expected: true },
    { name: 'In miss', selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] }, expected: false },
    { name: 'In on missing key', selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, expected: false },
    { name: 'NotIn hit', selector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] }, expected: true },
    { name: 'NotIn on missing key', selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, expected: true },
    { name: 'NotIn miss', selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, expected: false },
    { name: 'Exists hit', selector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, expected: true },
    { name: 'Exists miss', selector: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, expected: false },
    { name: 'DoesNotExist hit', selector: { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, expected: true },
    { name: 'DoesNotExist miss', selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, expected: false },
    {
      name: 'labels and expressions together',
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }] },
      expected: true,
    },
  ])('matches $name', ({ selector, expected }) => {
    expect(labelSelectorMatches(selector as LabelSelector | undefined, labels)).toBe(expected);
  });

  it('treats missing labels as empty', () => {
    expect(labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, undefined)).toBe(true);
  });

  it('rejects invalid selector', () => {
    expect(() => labelSelectorMatches({ matchExpressions: [{ key: 'app', operator: 'In' }] }, labels)).toThrow(
      'invalid label selector: values: must be specified when operator is In (key "app")',
    );
  });
});

describe('findLabelMismatches', () => {
  it('names each failed requirement', () => {
    const selector: LabelSelector = {
      matchLabels: { app: 'api', team: 'x' },
      matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }],
    };

    expect(findLabelMismatches(selector, labels)).toEqual([
      { key: 'app', operator: 'In', values: ['api'], actual: 'web' },
      { key: 'team', operator: 'In', values: ['x'] },
      { key: 'tier', operator: 'NotIn', values: ['frontend'], actual: 'frontend' },
    ]);
  });
});

describe('validateLabelSelector', () => {
  it.each([
    { name: 'valid selector', selector: { matchExpressions: [{ key: 'a', operator: 'Exists' }] }, expected: [] },
    { name: 'unknown operator', selector: { matchExpressions: [{ key: 'a', operator: 'Equals', values: ['x'] }] }, expected: ['"Equals" is not a valid label selector operator (key "a")'] },
    { name: 'NotIn without values', selector: { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] }, expected: ['values: must be specified when operator is NotIn (key "a")'] },
    { name: 'Exists with values', selector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, expected: ['values: may not be specified when operator is Exists (key "a")'] },
  ])('reports $name', ({ selector, expected }) => {
    expect(validateLabelSelector(selector)).toEqual(expected);
  });
});

describe('formatLabelSelector', () => {
  it('writes kubectl syntax', () => {
    const selector: LabelSelector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['a', 'b'] },
        { key: 'zone', operator: 'NotIn', values: ['c'] },
        { key: 'team', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };

    expect(formatLabelSelector(selector)).toBe('app=web,tier in (a,b),zone notin (c),team,!legacy');
  });
});
