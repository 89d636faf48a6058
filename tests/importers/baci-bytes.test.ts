/**
 * The byte-level BACI reader and the trade.csv writer against the code they replaced
 * (baci-reference.ts): the same rows, sums, tallies, skip examples (with line numbers) and CSV text
 * on hand-made files with every oddity the byte reader has to handle or hand to the string code.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalValue, digitsValue } from '../../src/importers/ascii-fields.js';
import { importBaci } from '../../src/importers/baci.js';
import { CsvBytes } from '../../src/importers/csv-bytes.js';
import { loadHsMap, type HsEntry, type HsMap } from '../../src/importers/hs-map.js';
import type { TradeOptions } from '../../src/importers/trade-filter.js';
import { selection, type ImportResult, type TradeRow } from '../../src/importers/types.js';
import { formatQuantity } from '../../src/importers/values.js';
import { resultCsvs } from '../../src/importers/writer.js';
import { tradeCsv } from '../../src/importers/trade-csv.js';
import { referenceFormatQuantity, referenceImportBaci, referenceTradeCsv } from './baci-reference.js';

const dir = mkdtempSync(join(tmpdir(), 'supply-risk-baci-'));
let files = 0;

function file(name: string, content: string | Buffer): string {
  const path = join(dir, `${files++}-${name}`);
  writeFileSync(path, content);
  return path;
}

/** A small HS map with a chapter 08 code (BACI writes it 81010) next to real ones. */
const HS_CSV = [
  'hs6,material,stage,content_factor,description',
  '283691,lithium,refining,0.1879,lithium carbonate',
  '081010,testium,mining,,a chapter 08 code kept gross',
  '740311,copper,refining,1,copper cathodes',
  '283324,nickel,refining,0.2233,nickel sulphate',
  '750210,nickel,refining,1,nickel metal',
].join('\n');

async function hsMap(): Promise<HsMap> {
  return loadHsMap(file('hs-codes.csv', HS_CSV));
}

/**
 * A BACI file with a BOM, CRLF line ends, blank and whitespace-only lines, a quoted product code,
 * NA and zero quantities, an unknown and a World code, a re-import, two lines of one flow, two HS
 * codes of one material, spaces around fields, a lone CR between two lines, numbers with exponents
 * and no line break at the end. Line numbers are those readline counts.
 */
const HAND_MADE = [
  '\uFEFFt,i,j,k,v,q', // 1
  '2022,152,392,283691,100.5,10', // 2: Chile -> Japan, 10 t Li2CO3
  '2022,152,392,283691,50.25,5.5', // 3: the same flow again
  '', // 4
  '2022,156,842,81010,12.5,3', // 5: chapter 08 without its leading zero
  '2022,251,208,740311,27.689,NA', // 6: no quantity
  '2022,999,208,740311,1,1', // 7: unknown code
  '2022,156,156,740311,1,1', // 8: re-import
  '2022,0,156,740311,1,1', // 9: World
  '2022,156,392,"740311",2,4', // 10: quoted code (the string code strips the quotes)
  '2022,156,392,850511,1,1', // 11: not in the map
  '2022,156,392,283324,1.5,2', // 12: nickel sulphate
  '2022,156,392,750210,2.5,1', // 13: nickel metal, same material and stage
  '2022,156,392,740311,0,0', // 14: zero quantity
  '  \t ', // 15
  '2022, 156 , 392 ,740311, 3 , 2.5 ', // 16: spaces around fields
  '2022,152,410,283691,1,2\r2022,32,410,283691,1,3', // 17 and 18: a lone CR ends a line too
  '2022,699,757,283691,1e3,1.5E1', // 19: exponents; last line, no line break
].join('\r\n');

function snapshot(result: ImportResult) {
  const rows = result.trade.map((row) => ({ ...row })).sort((a, b) => flowKey(a).localeCompare(flowKey(b)));
  return {
    read: result.tally.read,
    kept: result.tally.kept,
    skipped: [...result.tally.skipped].sort(),
    examples: [...result.tally.examples].sort(),
    rows,
    csv: tradeCsv(result.trade),
    // What `import` writes to stdout: the rows read by position, with no row objects (tradeColumns).
    // (A result without trade rows writes no trade.csv: compare it with the header alone then.)
    stdoutCsv: resultCsvs(result).find((entry) => entry.file === 'trade.csv')?.text ?? tradeCsv([]),
  };
}

const flowKey = (row: TradeRow): string => `${row.source}|${row.material}|${row.stage}|${row.exporter}|${row.importer}|${row.year}`;

/** Reads the files with the byte reader (at a given read size) and with the reference; both must agree. */
async function expectSameAsReference(paths: string[], options: TradeOptions, chunkSizes: number[] = [1 << 20]): Promise<ReturnType<typeof snapshot>> {
  const reference = await referenceImportBaci(paths, options);
  const expected = snapshot(reference);
  expect(expected.csv).toBe(referenceTradeCsv(reference.trade));
  expect(expected.stdoutCsv).toBe(expected.csv);
  for (const chunkSize of chunkSizes) {
    const fast = snapshot(await importBaci(paths, options, { chunkSize }));
    expect(fast, `chunk size ${chunkSize}`).toEqual(expected);
  }
  return expected;
}

const row = (rows: readonly TradeRow[], material: string, exporter: string, importer: string) =>
  rows.find((candidate) => candidate.material === material && candidate.exporter === exporter && candidate.importer === importer);

describe('BACI CSV from bytes', () => {
  it('reads the hand-made file as the string code did, whatever the read size', async () => {
    const path = file('hand.csv', HAND_MADE);
    const result = await expectSameAsReference([path], { hsMap: await hsMap() }, [1, 2, 3, 7, 16, 64, 1 << 20]);
    const label = path.split('/').pop();
    expect(result.read).toBe(16);
    expect(result.kept).toBe(10);
    expect(Object.fromEntries(result.skipped)).toEqual({
      'HS code not in the HS map': 1,
      'no quantity (net weight missing)': 1,
      'country code not recognised (aggregate or former country)': 1,
      'exporter and importer are the same country (re-imports)': 1,
      'partner is the World (a total, not a flow)': 1,
      'zero quantity (no row needed)': 1,
    });
    expect(Object.fromEntries(result.examples)).toEqual({
      'no quantity (net weight missing)': [`${label}:6 i=251 j=208`],
      'country code not recognised (aggregate or former country)': [`${label}:7 i=999 j=208`],
      'exporter and importer are the same country (re-imports)': [`${label}:8 i=156 j=156`],
    });
    const rows = result.rows;
    expect(rows).toHaveLength(7);
    // (10 + 5.5) t of Li2CO3 x 0.1879: 1.879 + 1.03345 = 2.91245 t Li; (100.5 + 50.25) thousand USD
    expect(row(rows, 'lithium', 'CHL', 'JPN')).toMatchObject({ quantity: 2.91245, valueUsd: 150750, unit: 't', year: 2022 });
    // 81010 is HS 081010 (chapter 08): 3 t gross, 12.5 thousand USD
    expect(row(rows, 'testium', 'CHN', 'USA')).toMatchObject({ quantity: 3, valueUsd: 12500, unit: 't gross' });
    // the quoted line (4 t, 2 kUSD) and the spaced one (2.5 t, 3 kUSD)
    expect(row(rows, 'copper', 'CHN', 'JPN')).toMatchObject({ quantity: 6.5, valueUsd: 5000 });
    // nickel sulphate 2 t x 0.2233 = 0.4466 plus 1 t of metal; 1.5 + 2.5 thousand USD
    expect(row(rows, 'nickel', 'CHN', 'JPN')).toMatchObject({ quantity: 1.4466, valueUsd: 4000 });
    // the two halves of the lone-CR line: 2 and 3 t x 0.1879
    expect(row(rows, 'lithium', 'CHL', 'KOR')?.quantity).toBe(0.3758);
    expect(row(rows, 'lithium', 'ARG', 'KOR')?.quantity).toBe(0.5637);
    // 699 is India, 757 Switzerland; 1.5E1 = 15 t x 0.1879, 1e3 thousand USD
    expect(row(rows, 'lithium', 'IND', 'CHE')).toMatchObject({ quantity: 2.8185, valueUsd: 1000000 });
    expect(result.csv.split('\n')[1]).toBe(`copper,refining,CHN,JPN,2022,6.5,t,5000,"CEPII BACI, ${label}"`);
  });

  it('reads a gzip file and LF, CR-only and unterminated line ends the same way', async () => {
    const options = { hsMap: await hsMap() };
    await expectSameAsReference([file('hand.csv.gz', gzipSync(HAND_MADE))], options, [64, 1 << 20]);
    await expectSameAsReference([file('lf.csv', HAND_MADE.replace(/\r\n/g, '\n') + '\n')], options, [5, 1 << 20]);
    await expectSameAsReference([file('cr.csv', HAND_MADE.replace(/\r\n/g, '\r'))], options, [5, 1 << 20]);
    await expectSameAsReference([file('trailing-cr.csv', HAND_MADE + '\r\n\r')], options, [4, 1 << 20]);
  });

  it('adds up flows over several files of one name, and keeps the options (years, country, materials)', async () => {
    const map = await hsMap();
    const first = file('baci.csv', HAND_MADE);
    const second = join(mkdtempSync(join(tmpdir(), 'supply-risk-baci-')), '0-baci.csv');
    writeFileSync(second, HAND_MADE.replace(/2022/g, '2023').replace('283691,100.5', '283691,7'));
    await expectSameAsReference([first, second, first], { hsMap: map });
    await expectSameAsReference([first, second], { hsMap: map, years: { from: 2023, to: 2023 } });
    await expectSameAsReference([first], { hsMap: map, country: 'JPN' });
    const select = selection(['lithium', 'copper'], ['refining']);
    if (select) await expectSameAsReference([first], { hsMap: map, select }, [3, 1 << 20]);
  });

  it('reads product codes as text when the map has a key that is not six digits', async () => {
    const entry: HsEntry = { hs6: '74031', material: 'copper', stage: 'refining', factor: 1, unit: 't' };
    const map: HsMap = new Map([...(await hsMap()), ['74031', entry]]);
    await expectSameAsReference([file('odd-map.csv', HAND_MADE.replace('740311,0,0', '74031,1,9'))], { hsMap: map }, [3, 1 << 20]);
  });

  it('refuses a file without a header or without the columns, as before', async () => {
    const options = { hsMap: await hsMap() };
    for (const content of ['', '\n  \n', 'a,b,c\n1,2,3\n']) {
      const path = file('bad.csv', content);
      const expected = await referenceImportBaci([path], options).catch((error: Error) => error.message);
      await expect(importBaci([path], options)).rejects.toThrow(expected as string);
    }
  });

  it('matches the string code on random files', async () => {
    const map = await hsMap();
    const codes = ['283691', '81010', '081010', '740311', '850511', '283324', '0', '', 'x1', '1234567', ' 750210 '];
    const countries = ['152', '392', '0', '999', '842', '0842', '490', '156', ' 32', '', '-4', 'abc'];
    const numbers = ['1', '0', '12.5', 'NA', 'na', '', ' 3.25 ', '1e3', '-2', '.5', '7.', '0.1234567', '123456789012345678', 'Infinity', '0x10'];
    const years = ['2022', '2023', ' 2022', '02022', '', 'x', '2022.5'];
    const line = fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...years),
            fc.constantFrom(...countries),
            fc.constantFrom(...countries),
            fc.constantFrom(...codes),
            fc.constantFrom(...numbers),
            fc.constantFrom(...numbers),
          )
          .map((fields) => fields.join(',')),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom('', '   ', '2022,152', '2022,152,392,"283691",1,1', '2022,152,392,283691,1,1,extra', '2022,152,392,283691,é,1', '\t'),
      },
    );
    const ends = fc.constantFrom('\n', '\r\n', '\r');
    const content = fc.tuple(
      fc.array(fc.tuple(line, ends), { maxLength: 30 }),
      fc.boolean(),
      fc.constantFrom('t,i,j,k,v,q', 'q,v,k,j,i,t', 'T, I ,j,k,v,q,extra'),
    );
    await fc.assert(
      fc.asyncProperty(content, fc.integer({ min: 1, max: 40 }), async ([lines, bom, header], chunkSize) => {
        const text = `${bom ? '\uFEFF' : ''}${header}\n${lines.map(([text, end]) => text + end).join('')}`;
        await expectSameAsReference([file('random.csv', text)], { hsMap: map }, [chunkSize]);
      }),
      { numRuns: 150 },
    );
  });
});

/**
 * The worker thread runs compiled code only (there is no worker under the TypeScript runner), so
 * these tests load the importer from dist/, which `npm test` builds first.
 */
const COMPILED = fileURLToPath(new URL('../../dist/importers/baci.js', import.meta.url));

describe.runIf(existsSync(COMPILED))('BACI CSV read in a worker thread', () => {
  const compiled = async (): Promise<typeof importBaci> => ((await import(COMPILED)) as { importBaci: typeof importBaci }).importBaci;

  it('gives the rows, sums, tallies and examples of the string code', async () => {
    const threaded = await compiled();
    const map = await hsMap();
    const paths = [file('hand.csv', HAND_MADE), file('hand.csv.gz', gzipSync(HAND_MADE.replace(/2022/g, '2021')))];
    const select = selection(['lithium', 'nickel', 'testium'], undefined);
    for (const options of [
      { hsMap: map },
      { hsMap: map, country: 'JPN' },
      { hsMap: map, years: { from: 2021, to: 2021 } },
      ...(select ? [{ hsMap: map, select }] : []),
    ]) {
      const expected = snapshot(await referenceImportBaci(paths, options));
      const oneThread = await threaded(paths, options, { threads: false });
      // The main thread reads the first chunk and (from 64 bytes on, when the header is in it) its share of the file.
      for (const chunkSize of [3, 64, 1 << 20]) {
        const result = await threaded(paths, options, { threads: true, chunkSize });
        expect(snapshot(result), `chunk size ${chunkSize}`).toEqual(expected);
        // The gross weights (summed in file order) and the coverage are those of one thread too.
        expect(result.gross).toEqual(oneThread.gross);
        expect(result.coverage).toEqual(oneThread.coverage);
      }
    }
  });

  it('numbers the lines of its part after those of the first part, whatever ends them', async () => {
    const threaded = await compiled();
    const map = await hsMap();
    // The main thread reads the start of a plain file: here lone CRs, CRLFs and blank lines come
    // before the cut, skipped lines with examples after it.
    const head = ['t,i,j,k,v,q', '2022,152,392,283691,1,1\r2022,152,392,283691,1,2', '', '2022,32,410,283691,1,1\r\n', '\r'].join('\n');
    const tail = HAND_MADE.split('\r\n').slice(1).join('\n');
    const paths = [
      file('cut.csv', `${head}\n${tail}\n${tail}`),
      file('blank-start.csv', `${'\n'.repeat(400)}${HAND_MADE}`), // no header in the first chunk: all read on one thread
      file('cr-only.csv', HAND_MADE.replace(/\r\n/g, '\r')), // no line feed to cut at: the worker reads it all
    ];
    for (const path of paths) {
      const expected = snapshot(await referenceImportBaci([path], { hsMap: map }));
      for (const chunkSize of [7, 40, 64, 150, 1 << 20])
        expect(snapshot(await threaded([path], { hsMap: map }, { threads: true, chunkSize }))).toEqual(expected);
    }
  });

  it('merges many flows of both parts in file order, and reports the errors of the file', async () => {
    const threaded = await compiled();
    const map = await hsMap();
    // 30,000 mapped lines, every tenth one a repeat of an earlier flow: most flows have rows in both parts.
    const lines = ['t,i,j,k,v,q'];
    for (let n = 0; n < 30000; n++)
      lines.push(
        `${2000 + (n % 20)},${[152, 32, 156, 842][n % 4]},${[392, 410, 251][n % 3]},${['283691', '81010', '740311'][n % 3]},${n % 97}.5,${(n % 10) + 0.25}`,
      );
    const big = file('big.csv', lines.join('\n'));
    const expected = snapshot(await referenceImportBaci([big], { hsMap: map }));
    expect(snapshot(await threaded([big], { hsMap: map }, { threads: true }))).toEqual(expected);
    expect(snapshot(await threaded([big], { hsMap: map }, { threads: true, chunkSize: 4096 }))).toEqual(expected);
    for (const content of ['', 'a,b,c\n1,2,3\n']) {
      const path = file('bad.csv', content);
      const expected = await referenceImportBaci([path], { hsMap: map }).catch((error: Error) => error.message);
      await expect(threaded([path], { hsMap: map }, { threads: true })).rejects.toThrow(expected as string);
    }
    const corrupt = file('corrupt.csv.gz', 'not gzip at all');
    const failure = await referenceImportBaci([corrupt], { hsMap: map }).catch((error: Error) => error.message);
    await expect(threaded([corrupt], { hsMap: map }, { threads: true })).rejects.toThrow(failure as string);
  });
});

describe('reading numbers from bytes', () => {
  it('gives Number(text) for digit strings and refuses the rest', () => {
    const bytes = (text: string) => Buffer.from(text, 'latin1');
    expect(decimalValue(bytes('2079.193'), 0, 8)).toBe(2079.193);
    expect(decimalValue(bytes('.5'), 0, 2)).toBe(0.5);
    expect(decimalValue(bytes('7.'), 0, 2)).toBe(7);
    expect(decimalValue(bytes('1e3'), 0, 3)).toBeNaN();
    expect(decimalValue(bytes('.'), 0, 1)).toBeNaN();
    expect(decimalValue(bytes('1234567890123456'), 0, 16)).toBeNaN(); // 16 digits: left to Number()
    expect(digitsValue(bytes('0842'), 0, 4)).toBe(842);
    expect(digitsValue(bytes(''), 0, 0)).toBe(-1);
    fc.assert(
      fc.property(fc.stringMatching(/^\d{0,9}(\.\d{0,9})?$/), (text) => {
        const value = decimalValue(bytes(text), 0, text.length);
        if (!Number.isNaN(value)) expect(value).toBe(Number(text));
        else expect(text.replace('.', '').length === 0 || text.replace('.', '').length > 15).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('trade.csv writer', () => {
  it('writes quantities as formatQuantity did', () => {
    const written = (value: number): string => {
      const out = new CsvBytes();
      out.quantity(value);
      return out.take();
    };
    for (const value of [
      0,
      -0,
      1,
      0.000126,
      1e-7,
      5e-7,
      0.0000005,
      2.5e-7,
      59.533,
      2183552456,
      2 ** 53,
      2 ** 53 + 2,
      1e21,
      1e22,
      123456789.1234565,
      0.1 + 0.2,
      4503599627370495.5,
    ]) {
      expect(written(value), String(value)).toBe(referenceFormatQuantity(value));
      expect(formatQuantity(value), String(value)).toBe(referenceFormatQuantity(value));
    }
    expect(() => written(-1)).toThrow('cannot write quantity -1');
    expect(() => written(Infinity)).toThrow('cannot write quantity Infinity');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 0, max: 1e16, noNaN: true }),
          fc.integer({ min: 0, max: 1e9 }).map((n) => n / 1e6),
          fc.double({ min: 0, max: 1e-5, noNaN: true }),
        ),
        (value) => {
          expect(written(value)).toBe(referenceFormatQuantity(value));
          expect(formatQuantity(value)).toBe(referenceFormatQuantity(value));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('sorts and quotes rows as the string writer did, ties kept in row order', () => {
    const text = fc.constantFrom('a', 'b', 'B', 'a,b', 'say "x"', ' lead', 'é', 'zz', '');
    const tradeRow = fc.record({
      material: fc.constantFrom('cobalt', 'copper', 'rare-earths'),
      stage: fc.constantFrom('mining', 'refining'),
      exporter: text,
      importer: fc.constantFrom('JPN', 'CHN', 'ZZZ', 'ab,c'),
      year: fc.constantFrom(2022, 2023, 999, 10000, NaN, 2022.5),
      quantity: fc.oneof(fc.constantFrom(0, 1, 2.5, 0.000126), fc.double({ min: 0, max: 1e12, noNaN: true })),
      unit: fc.constantFrom('t', 't gross'),
      valueUsd: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 2 ** 40 })),
      source: fc.constantFrom('CEPII BACI, baci.csv', 'plain', 'CEPII BACI, é.csv'),
    }) as fc.Arbitrary<TradeRow>;
    fc.assert(
      fc.property(fc.array(tradeRow, { maxLength: 60 }), (rows) => {
        expect(tradeCsv(rows)).toBe(referenceTradeCsv(rows));
      }),
      { numRuns: 500 },
    );
  });
});
