/**
 * BACI flows summed by sorting (baci-runs.ts): runs sorted into trade.csv order, merged in file
 * order with each sum rounded after every addition, as TradeSum sums row by row. The expected
 * numbers are worked out in the comments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProductList } from '../../src/importers/baci-csv.js';
import { countingSort, mergeRuns, RunSink, sortedTradeColumns, sortRun, type SortedRun } from '../../src/importers/baci-runs.js';
import { TradeSum } from '../../src/importers/trade-filter.js';
import { columnRows, type TradeRow } from '../../src/importers/types.js';

const NO_PRODUCTS = new ProductList(new Map());

/** A flow as the test gives it: [material, stage, exporter, importer, year, quantity, unit, value]. */
type Flow = [string, TradeRow['stage'], string, string, number, number, string, number | null];

function run(source: string, flows: readonly Flow[]): SortedRun {
  const sink = new RunSink(source, NO_PRODUCTS);
  for (const [material, stage, exporter, importer, year, quantity, unit, value] of flows) {
    sink.addConverted(sink.groupId(material, stage), sink.unitId(unit), sink.countryId(exporter), sink.countryId(importer), year, quantity, value);
  }
  return sortRun(sink);
}

function rows(runs: readonly SortedRun[]): TradeRow[] {
  return columnRows(sortedTradeColumns(mergeRuns(runs)));
}

describe('sorted runs of BACI flows', () => {
  it("sorts by material, stage, year (as text), importer and exporter, a key's flows in file order", () => {
    const sorted = run('s', [
      ['lithium', 'refining', 'CHL', 'JPN', 2021, 1, 't', null],
      ['copper', 'refining', 'PER', 'CHN', 2021, 2, 't', null],
      ['lithium', 'mining', 'AUS', 'CHN', 999, 3, 't', null], // "999" sorts after "2021" as text
      ['lithium', 'mining', 'AUS', 'CHN', 2021, 4, 't', null],
      ['lithium', 'refining', 'ARG', 'JPN', 2021, 5, 't', null],
      ['lithium', 'refining', 'CHL', 'JPN', 2021, 6, 't', null], // same key as the first: after it
    ]);
    expect(sorted.tables.years).toEqual([2021, 999]);
    expect(sorted.tables.codes).toEqual(['ARG', 'AUS', 'CHL', 'CHN', 'JPN', 'PER']);
    expect(sorted.tables.groups).toEqual([
      { material: 'copper', stage: 'refining' },
      { material: 'lithium', stage: 'mining' },
      { material: 'lithium', stage: 'refining' },
    ]);
    // copper 2021 CHN<-PER; lithium mining 2021 CHN<-AUS; lithium mining 999; lithium refining
    // 2021 JPN<-ARG, then JPN<-CHL twice in file order.
    expect([...sorted.quantity]).toEqual([2, 4, 3, 5, 1, 6]);
  });

  it('adds up a key in file order, rounding after each addition, the first run first', () => {
    // In file order 0.0000004 + 0.0000004 = 0.0000008, rounded 0.000001; + 1 = 1.000001. The other
    // way round, 1 + 0.0000004 rounds to 1 twice: the order shows in the sum.
    const first = run('s', [
      ['nickel', 'refining', 'IDN', 'JPN', 2022, 0.0000004, 't', null],
      ['nickel', 'refining', 'IDN', 'JPN', 2022, 0.0000004, 't', 3],
    ]);
    const second = run('s', [['nickel', 'refining', 'IDN', 'JPN', 2022, 1, 't gross', 5]]);
    expect(rows([first, second])).toEqual([
      // The unit of the first row; values 3 + 5 (a row without one adds nothing).
      { material: 'nickel', stage: 'refining', exporter: 'IDN', importer: 'JPN', year: 2022, quantity: 1.000001, unit: 't', valueUsd: 8, source: 's' },
    ]);
    expect(rows([second, first])[0]?.quantity).toBe(1);
  });

  it('merges runs with different tables and sources, a key of two sources in source order', () => {
    const a = run('CEPII BACI, b.csv', [
      ['cobalt', 'refining', 'FIN', 'JPN', 2023, 7, 't', null],
      ['cobalt', 'mining', 'COD', 'CHN', 2023, 8, 't', 100],
    ]);
    const b = run('CEPII BACI, a.csv', [
      ['cobalt', 'refining', 'FIN', 'JPN', 2023, 9, 't', null],
      ['cobalt', 'refining', 'BEL', 'JPN', 2022, 10, 't', null],
    ]);
    const merged = rows([a, b]);
    expect(merged.map((row) => [row.stage, row.year, row.exporter, row.importer, row.quantity, row.source])).toEqual([
      ['mining', 2023, 'COD', 'CHN', 8, 'CEPII BACI, b.csv'],
      ['refining', 2022, 'BEL', 'JPN', 10, 'CEPII BACI, a.csv'],
      ['refining', 2023, 'FIN', 'JPN', 9, 'CEPII BACI, a.csv'],
      ['refining', 2023, 'FIN', 'JPN', 7, 'CEPII BACI, b.csv'],
    ]);
    expect(merged[0]?.valueUsd).toBe(100);
    expect(merged[1]?.valueUsd).toBeNull();
  });

  it('gives the sums of TradeSum on random flows split into parts at random', () => {
    const flow = fc.tuple(
      fc.constantFrom('lithium', 'cobalt'),
      fc.constantFrom<TradeRow['stage']>('mining', 'refining'),
      fc.constantFrom('CHL', 'AUS', 'JPN'),
      fc.constantFrom('CHN', 'JPN', 'KOR'),
      fc.constantFrom(2021, 2022, 999),
      fc.double({ min: 0, max: 1000, noNaN: true }),
      fc.constantFrom('t', 't gross'),
      fc.option(fc.integer({ min: 0, max: 10 ** 9 }), { nil: null }),
    );
    fc.assert(
      fc.property(fc.array(flow, { maxLength: 60 }), fc.array(fc.nat(60), { maxLength: 3 }), (flows, cuts) => {
        const sum = new TradeSum();
        for (const [material, stage, exporter, importer, year, quantity, unit, valueUsd] of flows) {
          sum.add({ material, stage, exporter, importer, year, quantity, unit, valueUsd, source: 's' });
        }
        const bounds = [0, ...cuts.map((cut) => Math.min(cut, flows.length)).sort((x, y) => x - y), flows.length];
        const runs = bounds.slice(1).map((end, i) => run('s', flows.slice(bounds[i], end)));
        const key = (row: TradeRow): string => `${row.material}|${row.stage}|${row.year}|${row.importer}|${row.exporter}`;
        expect(rows(runs)).toEqual(sum.rows().sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('counting sort', () => {
  it('is stable, and gives the same order through its packed fallback', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 200 }), (keys) => {
        const key = Int32Array.from(keys);
        const rowsInOrder = Int32Array.from(keys, (_, row) => row);
        const expected = [...rowsInOrder].sort((a, b) => (key[a] ?? 0) - (key[b] ?? 0) || a - b);
        expect([...countingSort(rowsInOrder, key, 21, new Int32Array(keys.length))]).toEqual(expected);
        // More possible keys than four per row and 1024: the packed numeric sort.
        expect([...countingSort(rowsInOrder, key, 10 ** 6, new Int32Array(keys.length))]).toEqual(expected);
      }),
    );
  });
});
