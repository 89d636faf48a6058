/**
 * The byte-level field readers of the fast trade path: each must give exactly what the string
 * parsers give, or decline (NaN / -1 / undefined) so that the plain path decides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldError } from '../../src/domain/fields.js';
import { ByteTokenMap, fourDigits, ParsedFieldCache, plainDecimal, splitFields } from '../../src/input/fast/byte-fields.js';
import { mergeSortedRuns } from '../../src/input/fast/merge-runs.js';
import { TradeTable, type TradeTableSnapshot } from '../../src/input/trade-table.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const decimal = (text: string): number => plainDecimal(bytes(text), 0, bytes(text).length);

describe('plainDecimal', () => {
  it('reads plain decimals exactly as Number() does', () => {
    expect(decimal('0')).toBe(0);
    expect(decimal('170000')).toBe(170000);
    expect(decimal('2079.193')).toBe(2079.193);
    expect(decimal('12.')).toBe(12);
    expect(decimal('.5')).toBe(0.5);
    expect(decimal('007.250')).toBe(7.25);
    // 0.1 + 0.2 style values: the division must round like Number() does.
    expect(decimal('0.3')).toBe(0.3);
    expect(decimal('123456789012.345')).toBe(123456789012.345);
  });

  it('declines what the plain parser must judge: signs, spaces, exponents, commas, empty, over 15 digits', () => {
    for (const text of ['', '.', '-1', '+1', ' 1', '1 ', '1e3', '1,5', '1.2.3', 'NaN', '1234567890123456', '0.1234567890123456']) {
      expect(decimal(text), text).toBeNaN();
    }
  });

  it('agrees with Number() on random plain decimals of up to 15 digits', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 9 });
    fc.assert(
      fc.property(digits, fc.boolean(), digits, (whole, dot, fraction) => {
        const text = dot ? `${whole}.${fraction}` : whole;
        fc.pre(/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(text) && text.replace('.', '').length <= 15);
        expect(decimal(text)).toBe(Number(text));
      }),
      { numRuns: 3000, seed: 3 },
    );
  });
});

describe('fourDigits and splitFields', () => {
  it('reads exactly four digits, else -1', () => {
    expect(fourDigits(bytes('2023'), 0, 4)).toBe(2023);
    expect(fourDigits(bytes('x2023,'), 1, 5)).toBe(2023);
    for (const text of ['202', '20233', ' 2023', '20a3']) expect(fourDigits(bytes(text), 0, text.length)).toBe(-1);
  });

  it('finds field starts, and declines more fields than expected', () => {
    const starts = new Int32Array(4);
    const line = bytes('ab,,cde');
    expect(splitFields(line, 0, line.length, starts, 3)).toBe(3);
    // field k is [starts[k], starts[k + 1] - 1): "ab", "", "cde"
    expect([...starts]).toEqual([0, 3, 4, 8]);
    expect(splitFields(line, 0, line.length, starts, 2)).toBe(-1);
    expect(splitFields(bytes('a,b'), 0, 3, starts, 3)).toBe(2);
  });
});

describe('ByteTokenMap', () => {
  it('finds byte strings by content, wherever they sit', () => {
    const map = new ByteTokenMap();
    const line = bytes('JPN,CHN,JPN');
    map.set(line, 0, 3, 7);
    expect(map.get(line, 8, 11)).toBe(7);
    expect(map.get(line, 4, 7)).toBeUndefined();
    expect(map.get(bytes('JP'), 0, 2)).toBeUndefined();
  });

  it('keeps thousands of entries apart through its growth, and stops learning at its limit', () => {
    const map = new ByteTokenMap(5000);
    for (let i = 0; i < 6000; i += 1) {
      const text = bytes(`code-${i}`);
      map.set(text, 0, text.length, i);
    }
    for (const i of [0, 1, 999, 4999]) expect(map.get(bytes(`code-${i}`), 0, bytes(`code-${i}`).length)).toBe(i);
    expect(map.get(bytes('code-5000'), 0, 9)).toBeUndefined();
  });
});

describe('ParsedFieldCache', () => {
  it('parses each distinct text once, three-character codes through their own table, and remembers refusals', () => {
    const parsed: string[] = [];
    const cache = new ParsedFieldCache((text) => {
      parsed.push(text);
      if (!/^[A-Z][A-Z0-9]{2}$/.test(text)) throw new FieldError(`bad code ${text}`);
      return text.toLowerCase();
    });
    const line = bytes('JPN,X1Z,JPN,jpn,X1Z,JPNX,jpn');
    const at = (from: number, to: number) => cache.read(line, from, to);
    expect([at(0, 3), at(4, 7), at(8, 11), at(12, 15), at(16, 19), at(20, 24), at(25, 28)]).toEqual([
      'jpn',
      'x1z',
      'jpn',
      undefined,
      'x1z',
      undefined,
      undefined,
    ]);
    // JPN, X1Z, jpn (refused: lower case, not a short code) and JPNX (four characters) parsed once each.
    expect(parsed).toEqual(['JPN', 'X1Z', 'jpn', 'JPNX']);
  });
});

describe('TradeTable', () => {
  it('sums rows of the same fact in arrival order and keeps value sums apart from missing values', () => {
    const table = new TradeTable();
    const fact = { material: 'cobalt', stage: 'mining' as const, exporter: 'COD', importer: 'CHN', year: 2023, unit: 't' };
    table.addFact({ ...fact, quantity: 0.1, valueUsd: null });
    table.addFact({ ...fact, importer: 'JPN', quantity: 5, valueUsd: 10 });
    table.addFact({ ...fact, quantity: 0.2, valueUsd: 4 });
    table.addFact({ ...fact, year: 2022, quantity: 1, valueUsd: null });
    expect(table.length).toBe(3);
    // 0.1 + 0.2 in that order is 0.30000000000000004: the sum of a plain loop, not a rounded one.
    expect(table.facts()).toEqual([
      { ...fact, quantity: 0.1 + 0.2, valueUsd: 4 },
      { ...fact, importer: 'JPN', quantity: 5, valueUsd: 10 },
      { ...fact, year: 2022, quantity: 1, valueUsd: null },
    ]);
  });

  it('finds every fact again after growing past its first capacity (and after a reserve)', () => {
    for (const reserve of [0, 50_000]) {
      const table = new TradeTable();
      if (reserve) table.reserve(reserve);
      const codes = Array.from({ length: 60 }, (_, i) => `C${String(i).padStart(2, '0')}`);
      // 60 x 59 pairs x 10 years = 35,400 facts, each added twice: every sum is 1 + 2 = 3.
      for (const round of [1, 2]) {
        for (let year = 2000; year < 2010; year += 1) {
          for (const exporter of codes)
            for (const importer of codes)
              if (exporter !== importer)
                table.addFact({ material: 'tin', stage: 'refining', exporter, importer, year, quantity: round, unit: 't', valueUsd: null });
        }
      }
      expect(table.length).toBe(35_400);
      expect(table.facts().every((fact) => fact.quantity === 3)).toBe(true);
    }
  });

  it('orders facts by slice, exporter and importer code with more than 256 countries (a pair is two digits of the sort)', () => {
    // 300 codes: 90,000 pairs, above the 65,536 buckets of one counting-sort pass.
    const codes = Array.from({ length: 300 }, (_, i) => `C${String(i).padStart(3, '0')}`);
    const table = new TradeTable();
    const expected: string[] = [];
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 300;
    for (let k = 0; k < 5000; k += 1) {
      const exporter = codes[next()]!;
      const importer = codes[next()]!;
      const year = 2020 + (k % 3);
      table.addFact({ material: 'tin', stage: 'mining', exporter, importer, year, quantity: 1, unit: 't', valueUsd: null });
      expected.push(`${year} ${exporter} ${importer}`);
    }
    table.finish();
    const sorted = [...new Set(expected)].sort();
    expect(table.facts().map((fact) => `${fact.year} ${fact.exporter} ${fact.importer}`)).toEqual(sorted);
    expect(table.facts().reduce((sum, fact) => sum + fact.quantity, 0)).toBe(5000);
  });

  it('merges the sorted runs of a threaded read exactly as row by row: same facts, sums in file order, values apart', () => {
    // Each worker finishes its own range: the first sums its rows (sumAtFinish), the others keep them
    // apart; mergeSortedRuns takes equal keys range by range (fast/merge-runs.ts).
    const row = fc.record({
      material: fc.constantFrom('cobalt', 'tin'),
      stage: fc.constantFrom('mining' as const, 'refining' as const),
      exporter: fc.constantFrom('AUS', 'CHN', 'COD', 'JPN'),
      importer: fc.constantFrom('CHN', 'DEU', 'JPN'),
      year: fc.integer({ min: 2019, max: 2021 }),
      quantity: fc.constantFrom(0.1, 0.2, 0.3, 1, 7.25, 1e-9),
      unit: fc.constant('t'),
      valueUsd: fc.option(fc.constantFrom(0.1, 0.2, 3, 1e6), { nil: null }),
    });
    const withoutSliceIds = ({ sliceIds, ...rest }: TradeTableSnapshot) => ({ ...rest, sliceIds: [...sliceIds].sort((a, b) => a[0] - b[0]) });
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 40 }), { minLength: 1, maxLength: 5 }), (ranges) => {
        const byRow = new TradeTable();
        const runs = ranges.map((rows, part) => {
          const worker = new TradeTable({ aggregate: part === 0 });
          if (part === 0) worker.sumAtFinish();
          for (const fact of rows) {
            worker.addFact(fact);
            byRow.addFact(fact);
          }
          worker.finish();
          return worker.snapshot();
        });
        byRow.finish();
        const merged = mergeSortedRuns(runs);
        expect(merged.length).toBe(byRow.length);
        expect(merged.facts()).toEqual(byRow.facts());
        expect(withoutSliceIds(merged.snapshot())).toEqual(withoutSliceIds(byRow.snapshot()));
      }),
      { numRuns: 300 },
    );
  });

  it('merges runs whose workers numbered countries and slices differently (a worker with no rows too)', () => {
    // Range 1: tin 2020 JPN->CHN 1 and cobalt 2019 AUS->CHN 2; range 2: cobalt 2019 AUS->CHN 0.5 and
    // tin 2020 JPN->CHN 3; range 3 empty. Facts in order: cobalt 2019 AUS->CHN 2 + 0.5 = 2.5, then
    // tin 2020 JPN->CHN 1 + 3 = 4; countries in order of first appearance: JPN, CHN, AUS.
    const fact = (material: string, year: number, exporter: string, quantity: number) =>
      ({ material, stage: 'mining', exporter, importer: 'CHN', year, quantity, unit: 't', valueUsd: null }) as const;
    const run = (facts: ReturnType<typeof fact>[], first: boolean) => {
      const table = new TradeTable({ aggregate: first });
      if (first) table.sumAtFinish();
      for (const one of facts) table.addFact(one);
      table.finish();
      return table.snapshot();
    };
    const merged = mergeSortedRuns([
      run([fact('tin', 2020, 'JPN', 1), fact('cobalt', 2019, 'AUS', 2)], true),
      run([fact('cobalt', 2019, 'AUS', 0.5), fact('tin', 2020, 'JPN', 3)], false),
      run([], false),
    ]);
    expect(merged.facts().map((one) => `${one.material} ${one.year} ${one.exporter}>${one.importer} ${one.quantity}`)).toEqual([
      'cobalt 2019 AUS>CHN 2.5',
      'tin 2020 JPN>CHN 4',
    ]);
    expect(merged.countries.values).toEqual(['JPN', 'CHN', 'AUS']);
    expect([...merged.sliceStart]).toEqual([0, 1, 2]);
  });

  it('writes value columns only once a row has a value, and reads the same values either way', () => {
    // Rows 1-2 have no value_usd: the table writes no value column (valued false) and reads NaN.
    // Row 3 has USD 30: the rows before it get their NaN values then. Both finishes (pair arrays for
    // few countries; radix sort past 256) give tin 2020 AUS>JPN 1 + 3 = 4 t with USD 30 over 3 t.
    const fact = (exporter: string, quantity: number, valueUsd: number | null) =>
      ({ material: 'tin', stage: 'mining', exporter, importer: 'JPN', year: 2020, quantity, unit: 't', valueUsd }) as const;
    const plain = new TradeTable();
    plain.addFact(fact('AUS', 1, null));
    plain.addFact(fact('CHN', 2, null));
    expect(plain.valued).toBe(false);
    expect(plain.facts().map((one) => one.valueUsd)).toEqual([null, null]);
    for (const many of [false, true]) {
      const table = new TradeTable();
      table.sumAtFinish();
      // 300 other countries send the radix-sort path; a few keep the pair arrays.
      if (many) for (let k = 0; k < 300; k += 1) table.countries.id(`C${String(k).padStart(3, '0')}`);
      table.addFact(fact('AUS', 1, null));
      table.addFact(fact('CHN', 2, null));
      table.addFact(fact('AUS', 3, 30));
      expect(table.valued).toBe(true);
      table.finish();
      expect(table.facts().map((one) => `${one.exporter} ${one.quantity} ${one.valueUsd}`)).toEqual(['AUS 4 30', 'CHN 2 null']);
      expect([...table.valuedQuantityOf]).toEqual([3, 0]);
    }
  });
});
