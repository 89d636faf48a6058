/**
 * group-rows.ts against the plainest reference: a stable sort of the rows by (slice rank, exporter
 * rank, importer rank), and for `sum` a left-to-right sum of each group's rows (values only over
 * the rows that have one). Quantities such as 0.1, 0.2 and 0.3 make the order of a sum visible.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupRows, type RowColumns } from '../../src/input/group-rows.js';

interface Row {
  slice: number;
  exporter: number;
  importer: number;
  quantity: number;
  value: number;
}

function columnsOf(rows: readonly Row[]): RowColumns {
  return {
    length: rows.length,
    sliceOf: Int32Array.from(rows, (row) => row.slice),
    exporterOf: Int32Array.from(rows, (row) => row.exporter),
    importerOf: Int32Array.from(rows, (row) => row.importer),
    quantityOf: Float64Array.from(rows, (row) => row.quantity),
    valueUsdOf: Float64Array.from(rows, (row) => row.value),
    valuedQuantityOf: Float64Array.from(rows, (row) => (Number.isNaN(row.value) ? 0 : row.quantity)),
  };
}

function reference(rows: readonly Row[], sliceRank: Int32Array, countryRank: Int32Array, sum: boolean): Row[] {
  const key = (row: Row): number[] => [sliceRank[row.slice]!, countryRank[row.exporter]!, countryRank[row.importer]!];
  const sorted = rows
    .map((row, at) => ({ row, at }))
    .sort((a, b) => {
      const [x, y] = [key(a.row), key(b.row)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]! || a.at - b.at;
    })
    .map(({ row }) => ({ ...row, slice: sliceRank[row.slice]!, valued: Number.isNaN(row.value) ? 0 : row.quantity }));
  if (!sum) return sorted.map(({ valued: _valued, ...row }) => row);
  const facts: (Row & { valued: number })[] = [];
  for (const row of sorted) {
    const last = facts.at(-1);
    if (last && last.slice === row.slice && last.exporter === row.exporter && last.importer === row.importer) {
      last.quantity += row.quantity;
      if (!Number.isNaN(row.value)) {
        last.value = Number.isNaN(last.value) ? row.value : last.value + row.value;
        last.valued += row.quantity;
      }
    } else facts.push({ ...row });
  }
  return facts.map(({ valued: _valued, ...row }) => row);
}

function rowsOf(columns: RowColumns): Row[] {
  return Array.from({ length: columns.length }, (_, k) => ({
    slice: columns.sliceOf[k]!,
    exporter: columns.exporterOf[k]!,
    importer: columns.importerOf[k]!,
    quantity: columns.quantityOf[k]!,
    value: columns.valueUsdOf[k]!,
  }));
}

/** A permutation of 0..n-1 from a seed (ranks as TradeTable.finish gives them: any order of the ids). */
function permutation(n: number, seed: number): Int32Array {
  const ids = Array.from({ length: n }, (_, k) => k);
  let state = seed;
  for (let k = n - 1; k > 0; k -= 1) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (k + 1);
    [ids[k], ids[j]] = [ids[j]!, ids[k]!];
  }
  return Int32Array.from(ids);
}

describe('groupRows', () => {
  const SLICES = 4;
  const COUNTRIES = 5;
  const row = fc.record({
    slice: fc.integer({ min: 0, max: SLICES - 1 }),
    exporter: fc.integer({ min: 0, max: COUNTRIES - 1 }),
    importer: fc.integer({ min: 0, max: COUNTRIES - 1 }),
    quantity: fc.constantFrom(0.1, 0.2, 0.3, 1, 7.25),
    value: fc.constantFrom(Number.NaN, 0.1, 0.2, 3),
  });

  it('orders and sums exactly as a stable sort and a left-to-right sum', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 80 }), fc.boolean(), fc.nat(), (rows, sum, seed) => {
        const sliceRank = permutation(SLICES, seed);
        const countryRank = permutation(COUNTRIES, seed + 1);
        const valued = rows.some((one) => !Number.isNaN(one.value));
        const grouped = groupRows(columnsOf(rows), sliceRank, countryRank, sum, valued);
        expect(grouped).not.toBeNull();
        expect(rowsOf(grouped as RowColumns)).toEqual(reference(rows, sliceRank, countryRank, sum));
      }),
      { numRuns: 500 },
    );
  });

  it('leaves the value columns alone in a table without values (TradeTable.valued false)', () => {
    // Slice 0, pair 1 -> 0: 0.1 + 0.2 = 0.30000000000000004 (summed left to right), pair 0 -> 1: 5.
    const rows: Row[] = [
      { slice: 0, exporter: 1, importer: 0, quantity: 0.1, value: Number.NaN },
      { slice: 0, exporter: 0, importer: 1, quantity: 5, value: Number.NaN },
      { slice: 0, exporter: 1, importer: 0, quantity: 0.2, value: Number.NaN },
    ];
    const identity = Int32Array.from([0, 1]);
    const grouped = groupRows(columnsOf(rows), Int32Array.from([0]), identity, true, false) as RowColumns;
    expect([...grouped.quantityOf]).toEqual([5, 0.30000000000000004]);
    expect([...grouped.exporterOf]).toEqual([0, 1]);
    expect([...grouped.valueUsdOf]).toEqual([Number.NaN, Number.NaN]);
    expect([...grouped.valuedQuantityOf]).toEqual([0, 0]);
  });

  it('declines more countries than its pair arrays hold (TradeTable then sorts)', () => {
    const ranks = Int32Array.from({ length: 257 }, (_, k) => k);
    expect(groupRows(columnsOf([]), Int32Array.from([0]), ranks, true, false)).toBeNull();
  });
});
