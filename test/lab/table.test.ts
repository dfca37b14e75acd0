import { describe, expect, it } from 'vitest';
import { acceptsTable, formatAge } from '../../src/lab/table.js';

const NOW = new Date('2026-12-04T12:00:00Z');

function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}

describe('formatAge', () => {
  it.each([
    { name: 'seconds under two minutes', seconds: 119, age: '119s' },
    { name: 'minutes and seconds under ten minutes', seconds: 5 * 60 + 7, age: '5m7s' },
    { name: 'whole minutes under ten minutes', seconds: 5 * 60, age: '5m' },
    { name: 'minutes under three hours', seconds: 150 * 60 + 30, age: '150m' },
    { name: 'hours and minutes under eight hours', seconds: 5 * 3600 + 20 * 60, age: '5h20m' },
    { name: 'hours under two days', seconds: 30 * 3600, age: '30h' },
    { name: 'days and hours under eight days', seconds: 3 * 86400 + 4 * 3600, age: '3d4h' },
    { name: 'days under two years', seconds: 40 * 86400, age: '40d' },
    { name: 'years and days under eight years', seconds: (3 * 365 + 20) * 86400, age: '3y20d' },
    { name: 'years beyond eight years', seconds: 9 * 365 * 86400, age: '9y' },
  ])('$name', ({ seconds, age }) => {
    expect(formatAge(ago(seconds), NOW)).toBe(age);
  });

  it('marks a missing timestamp', () => {
    expect(formatAge(undefined, NOW)).toBe('<unknown>');
  });
});

describe('acceptsTable', () => {
  it.each([
    { name: 'kubectl get', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', table: true },
    { name: 'plain JSON', accept: 'application/json', table: false },
    { name: 'no header', accept: undefined, table: false },
  ])('$name', ({ accept, table }) => {
    expect(acceptsTable(accept)).toBe(table);
  });
});
