/** auditRows: what the fault tests and `npm run chaos` judge a run by. */
import { describe, expect, it } from 'vitest';
import { auditRows } from '@hourglass/core';

const expected = ['red', 'green', 'blue', 'red'];

describe('auditRows', () => {
  it('a perfect run: every index once, right labels', () => {
    const rows = expected.map((label, index) => ({ index, label }));
    expect(auditRows(rows, expected)).toEqual({ total: 4, rows: 4, distinct: 4, lost: 0, duplicates: 0, failed: 0, wrongLabels: 0 });
  });

  it('counts lost indices, duplicate rows, failures and wrong labels separately', () => {
    const rows = [
      { index: 0, label: 'red' },
      { index: 0, label: 'red' },
      { index: 0, label: 'red' },
      { index: 1, error: { code: 'IMAGE_DECODE_FAILED' } },
      { index: 2, label: 'green' },
    ];
    expect(auditRows(rows, expected)).toEqual({ total: 4, rows: 5, distinct: 3, lost: 1, duplicates: 2, failed: 1, wrongLabels: 1 });
  });

  it('no rows at all: everything lost', () => {
    expect(auditRows([], expected)).toMatchObject({ rows: 0, distinct: 0, lost: 4 });
  });
});
