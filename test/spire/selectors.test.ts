import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSelectorError } from '../../src/spire/errors.js';
import {
  formatSelector,
  intersectSelectors,
  isSubset,
  parseSelector,
  sameSelectorSet,
  selectorKey,
  sortSelectors,
} from '../../src/spire/selectors.js';

describe('parseSelector', () => {
  it.each([
    { name: 'k8s namespace', input: 'k8s:ns:default', type: 'k8s', value: 'ns:default' },
    { name: 'pod label with colon', input: 'k8s:pod-label:app:web', type: 'k8s', value: 'pod-label:app:web' },
    { name: 'unix uid', input: 'unix:uid:1000', type: 'unix', value: 'uid:1000' },
    { name: 'empty value', input: 'k8s:', type: 'k8s', value: '' },
  ])('splits $name at the first colon', ({ input, type, value }) => {
    expect(parseSelector(input)).toEqual({ type, value });
  });

  it('rejects text without a colon', () => {
    expect(() => parseSelector('k8s-ns-default')).toThrow('selector "k8s-ns-default" must be formatted as type:value');
  });

  it('raises a SelectorError', () => {
    let caught: unknown;
    try {
      parseSelector('nocolon');
    } catch (error) {
      caught = error;
    }
    expect(isSelectorError(caught)).toBe(true);
  });

  it('round-trips any text with a colon', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (type, value) => {
        const text = `${type.replaceAll(':', '')}:${value}`;
        expect(formatSelector(parseSelector(text))).toBe(text);
      }),
    );
  });

  it('parses formatted selectors back', () => {
    fc.assert(
      fc.property(fc.string().map((type) => type.replaceAll(':', '')), fc.string(), (type, value) => {
        expect(parseSelector(formatSelector({ type, value }))).toEqual({ type, value });
      }),
    );
  });

  it('throws only SelectorError on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        try {
          parseSelector(text);
          expect(text).toContain(':');
        } catch (error) {
          expect(isSelectorError(error)).toBe(true);
        }
      }),
    );
  });
});

describe('selector sets', () => {
  it('treats the entry as a subset of the workload', () => {
    expect(isSubset(['k8s:ns:shop'], ['k8s:ns:shop', 'k8s:sa:api'])).toBe(true);
    expect(isSubset(['k8s:ns:shop', 'k8s:sa:web'], ['k8s:ns:shop', 'k8s:sa:api'])).toBe(false);
  });

  it('compares JSON and string forms alike', () => {
    expect(isSubset([{ type: 'k8s', value: 'ns:shop' }], ['k8s:ns:shop'])).toBe(true);
    expect(selectorKey({ type: 'k8s', value: 'ns:shop' })).toBe('k8s:ns:shop');
  });

  it('compares exactly, without case folding', () => {
    expect(isSubset(['k8s:ns:Shop'], ['k8s:ns:shop'])).toBe(false);
  });

  it('intersects and compares sets', () => {
    expect(intersectSelectors(['a:1', 'b:2', 'a:1'], ['b:2', 'c:3'])).toEqual(['b:2']);
    expect(sameSelectorSet(['a:1', 'b:2'], ['b:2', 'a:1', 'a:1'])).toBe(true);
    expect(sameSelectorSet(['a:1'], ['a:1', 'b:2'])).toBe(false);
  });

  it('sorts by type then value', () => {
    expect(sortSelectors(['unix:uid:0', 'k8s:sa:b', 'k8s:ns:a'])).toEqual(['k8s:ns:a', 'k8s:sa:b', 'unix:uid:0']);
  });

  it('holds subset for every sublist', () => {
    fc.assert(
      fc.property(fc.array(fc.string().map((value) => `t:${value}`)), fc.nat(), (selectors, cut) => {
        const sublist = selectors.slice(0, cut % (selectors.length + 1));
        expect(isSubset(sublist, selectors)).toBe(true);
      }),
    );
  });
});
