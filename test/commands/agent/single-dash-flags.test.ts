import { describe, expect, it } from 'vitest';
import { normalizeSingleDashFlags } from '../../../src/embedded/agent/cli/single-dash-flags.js';

const FLAGS = new Set(['socketPath', 'audience', 'write', 'silent']);

describe('normalizeSingleDashFlags', () => {
  it.each([
    { name: 'single-dash flag with value', argv: ['-socketPath', '/tmp/a.sock'], expected: ['--socketPath', '/tmp/a.sock'] },
    { name: 'single-dash flag with equals', argv: ['-audience=a,b'], expected: ['--audience=a,b'] },
    { name: 'double-dash flag untouched', argv: ['--silent'], expected: ['--silent'] },
    { name: 'unknown flag untouched', argv: ['-verbose'], expected: ['-verbose'] },
    { name: 'negative number value untouched', argv: ['-audience', '-1'], expected: ['--audience', '-1'] },
    { name: 'short flag untouched', argv: ['-h'], expected: ['-h'] },
    { name: 'after terminator untouched', argv: ['--', '-write'], expected: ['--', '-write'] },
  ])('$name', ({ argv, expected }) => {
    expect(normalizeSingleDashFlags(argv, FLAGS)).toEqual(expected);
  });
});
