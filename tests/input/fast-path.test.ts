/**
 * The fast path (lines split by hand from bytes, other years skipped before parsing) must give
 * exactly what csv-parse gives. A file with lone carriage returns as line ends goes through csv-parse
 * from its first line, so each variant below is compared with that plain path, on files larger than one read chunk
 * (1 MiB) so that lines cut between chunks are covered too.
 */
import { parse as parseSync } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitQuotedLine } from '../../src/input/csv.js';
import { inspectDataset, loadDataset, type Dataset } from '../../src/input/dataset.js';
import { dataFolder, PRODUCTION_HEADER, TRADE_HEADER } from '../helpers/data.js';
import { runCli } from '../helpers/cli.js';

const COUNTRIES = ['AUS', 'CHL', 'CHN', 'COD', 'IDN', 'JPN', 'KOR', 'DEU', 'FIN', 'BEL', 'ZAF', 'GAB'];
const MATERIALS = ['cobalt', 'lithium', 'nickel'];

/** A deterministic pseudo-random trade table. */
function tradeRows(count: number): string[] {
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const rows: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const exporter = COUNTRIES[Math.floor(next() * COUNTRIES.length)] ?? 'AUS';
    let importer = COUNTRIES[Math.floor(next() * COUNTRIES.length)] ?? 'JPN';
    if (importer === exporter) importer = exporter === 'JPN' ? 'KOR' : 'JPN';
    const material = MATERIALS[Math.floor(next() * MATERIALS.length)] ?? 'cobalt';
    const stage = next() < 0.5 ? 'mining' : 'refining';
    const year = 2015 + Math.floor(next() * 8);
    const quantity = Math.round(next() * 100000) / 8; // exact in binary: sums do not depend on order
    rows.push(`${material},${stage},${exporter},${importer},${year},${quantity},t`);
  }
  return rows;
}

const ROWS = tradeRows(30_000); // about 1.1 MB: more than one 1 MiB read chunk
const PRODUCTION = [
  PRODUCTION_HEADER,
  ...MATERIALS.flatMap((material) =>
    ['mining', 'refining'].flatMap((stage) =>
      [2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022].flatMap((year) =>
        COUNTRIES.map((country, i) => `${material},${stage},${country},${year},${(i + 1) * 100},t`),
      ),
    ),
  ),
].join('\n');

function variant(header: string, rows: string[], eol: string, bom = ''): string {
  return `${bom}${[header, ...rows].join(eol)}${eol}`;
}

const plain = dataFolder({ 'production.csv': PRODUCTION, 'trade.csv': variant(TRADE_HEADER, ROWS, '\r') });
const NOTE_HEADER = `${TRADE_HEADER},note`;
const withNotes = (rows: string[]): string[] => rows.map((row) => `${row},`);
const variants: Record<string, string> = {
  'LF, no quotes': dataFolder({ 'production.csv': PRODUCTION, 'trade.csv': variant(TRADE_HEADER, ROWS, '\n') }),
  'CRLF with a BOM': dataFolder({ 'production.csv': PRODUCTION, 'trade.csv': variant(TRADE_HEADER, ROWS, '\r\n', '\ufeff') }),
  'quoted fields on one line (still split by hand)': dataFolder({
    'production.csv': PRODUCTION,
    'trade.csv': variant(
      `"material",${TRADE_HEADER.slice('material,'.length)}`,
      ROWS.map((row, i) => (i % 3 === 0 ? row.replace(',t', ',"t"') : row)),
      '\n',
    ),
  }),
  'a field with a line break (switch to csv-parse mid-file)': dataFolder({
    'production.csv': PRODUCTION,
    'trade.csv': variant(
      NOTE_HEADER,
      [...withNotes(ROWS.slice(0, 20_000)), `${ROWS[20_000] ?? ''},"two\nlines, ""quoted"""`, ...withNotes(ROWS.slice(20_001))],
      '\n',
    ),
  }),
  'no newline at the end': dataFolder({ 'production.csv': PRODUCTION, 'trade.csv': variant(TRADE_HEADER, ROWS, '\n').slice(0, -1) }),
};

function facts(dataset: Dataset): unknown {
  return { trade: dataset.trade.facts().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), stats: dataset.stats };
}

describe('fast CSV path gives the same results as csv-parse', () => {
  it.each(Object.keys(variants))('%s: same facts and counts, all years and one year', async (name) => {
    const dir = variants[name] ?? '';
    expect(facts(await loadDataset(dir))).toEqual(facts(await loadDataset(plain)));
    const oneYear = { years: new Set([2019]) };
    expect(facts(await loadDataset(dir, oneYear))).toEqual(facts(await loadDataset(plain, oneYear)));
  });

  it('same report JSON byte for byte, with and without --year', async () => {
    for (const dir of [variants['CRLF with a BOM'] ?? '', variants['a field with a line break (switch to csv-parse mid-file)'] ?? '']) {
      for (const extra of [[], ['--year', '2019']]) {
        const fast = await runCli(['report', '--data', dir, '--json', '--quiet', ...extra]);
        const slow = await runCli(['report', '--data', plain, '--json', '--quiet', ...extra]);
        expect(fast.code).toBe(0);
        expect(fast.stdout).toBe(slow.stdout);
      }
    }
  });

  it('the prefilter skips other years but still counts them, and reports bad rows of the chosen year', async () => {
    const broken = [...ROWS.slice(0, 100), 'cobalt,mining,AUS,JPN,2019,"1,5",t', 'cobalt,mining,AUS,JPN,2018,oops,t'];
    const fast = await inspectDataset(dataFolder({ 'production.csv': PRODUCTION, 'trade.csv': variant(TRADE_HEADER, broken, '\n') }), {
      years: new Set([2019]),
    });
    const stats = fast.stats[1];
    // 102 rows: the 2018 row with a bad quantity is skipped with the other non-2019 rows, the 2019 one is rejected.
    const in2019 = ROWS.slice(0, 100).filter((row) => row.includes(',2019,')).length;
    expect(stats).toMatchObject({ rowsRead: 102, rowsUsed: in2019, rowsRejected: 1, rowsSkipped: 101 - in2019 });
    expect(stats?.problems[0]).toMatchObject({ line: 102, column: 6 });
  });
});

describe('splitQuotedLine agrees with csv-parse', () => {
  const parseLine = (line: string): string[] | 'error' => {
    try {
      const records = parseSync(line, { relax_column_count: true }) as string[][];
      return records.length === 1 ? (records[0] ?? []) : 'error';
    } catch {
      return 'error';
    }
  };

  it('on fields written with quoting (commas, doubled quotes)', () => {
    const field = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', ' ', '1', '.') });
    fc.assert(
      fc.property(fc.array(field, { minLength: 1, maxLength: 6 }), fc.boolean(), (fields, quoteAll) => {
        const line = fields.map((f) => (quoteAll || /[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
        fc.pre(line !== ''); // empty lines are skipped before any splitting
        expect(splitQuotedLine(line)).toEqual(parseLine(line));
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('on arbitrary lines: whatever it accepts, csv-parse reads the same way', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', ' ', 'x'), maxLength: 12 }), (line) => {
        fc.pre(line !== '');
        const fields = splitQuotedLine(line);
        if (fields !== null) expect(fields).toEqual(parseLine(line));
      }),
      { numRuns: 2000, seed: 11 },
    );
  });
});

describe('the byte-level trade reader agrees with the plain path row by row', () => {
  // Rows the fast reader must either read exactly as the plain parsers do or hand over to them.
  const TRICKY = [
    'cobalt,mining,COD,CHN,2023,100,t,',
    'cobalt,mining, COD ,CHN,2023,5.5,t,12.5', // spaces around a code: valid once trimmed
    'cobalt,mining,cod,CHN,2023,1,t,', // lower-case code
    'cobalt,mining,XXX,CHN,2023,1,t,', // unknown code
    'cobalt,mining,CHN,CHN,2023,1,t,', // trades with itself
    'cobalt,mining,AUS,JPN, 2023 ,1,t,', // year with spaces: valid
    'cobalt,mining,AUS,JPN,1800,1,t,', // year out of range
    'cobalt,mining,AUS,JPN,2023,1234567890123456,t,', // more digits than the fast reader takes
    'cobalt,mining,AUS,JPN,2023,-1,t,',
    'cobalt,mining,AUS,JPN,2023,1e3,t,',
    'cobalt,mining,AUS,JPN,2023,1,kt,', // unit differs from the first row's
    'Cobalt,mining,AUS,JPN,2023,1,t,',
    'cobalt,Mining,AUS,JPN,2023,1,t,',
    'cobalt,mining,AUS,JPN,2023,1,t', // a field short
    'cobalt,mining,AUS,JPN,2023,1,t,,extra', // a field too many
    ',,,,,,,', // blank
    'cobalt,mining,AUS,JPN,2023,2.25,t, ', // value of spaces only: none
    'cobalt,mining,AUS,JPN,2023,0.75,t,x', // value not a number
    'cobalt,refining,AUS,JPN,2022,3,t,7',
    'cobalt,mining,AUS,JPN,2023,0.1,t,1',
    'cobalt,mining,AUS,JPN,2023,0.2,t,2', // summed with the row above, in order
    'nickel,mining,IDN,JPN,2023,9,t,',
  ];
  const header = `${TRADE_HEADER},value_usd`;
  const fast = dataFolder({ 'production.csv': PRODUCTION, 'trade.csv': variant(header, TRICKY, '\n') });
  const slow = dataFolder({ 'production.csv': PRODUCTION, 'trade.csv': variant(header, TRICKY, '\r') });
  const everything = (dataset: Dataset): unknown => ({
    trade: dataset.trade.facts(),
    stats: dataset.stats,
    importYears: [...dataset.importYears].map(([key, years]) => [key, [...years].sort()]).sort(),
    units: [...dataset.units],
  });

  it.each([
    ['all rows', {}],
    ['one year', { years: new Set([2023]) }],
    ['one material', { materials: new Set(['nickel']) }],
    ['the checking pass', { tradeSummaryOnly: true }],
  ])('%s: same facts, counts, problems (line and column) and years', async (_name, filter) => {
    const expected = everything(await inspectDataset(slow, filter));
    expect(everything(await inspectDataset(fast, filter))).toEqual(expected);
  });

  it('and the plain path gives the hand-checked result', async () => {
    const dataset = await inspectDataset(slow);
    // Used: rows 1, 2 (COD->CHN 100 + 5.5), 6, 8, 17, 19, 20, 21 and 22 of the list.
    expect(dataset.stats[1]).toMatchObject({ rowsRead: 22, rowsUsed: 9, rowsBlank: 1, rowsRejected: 12 });
    const facts = dataset.trade.facts();
    expect(facts.find((f) => f.exporter === 'COD')).toMatchObject({ quantity: 105.5, valueUsd: 12.5 });
    // AUS->JPN mining 2023: 1 + 1234567890123456 + 2.25 + 0.1 + 0.2, added in file order.
    const expectedSum = 1 + 1234567890123456 + 2.25 + 0.1 + 0.2;
    expect(facts.find((f) => f.exporter === 'AUS' && f.stage === 'mining')).toMatchObject({ quantity: expectedSum, valueUsd: 3 });
  });
});

describe('the byte-level production reader agrees with the plain path row by row', () => {
  const TRICKY = [
    'cobalt,mining,COD,2023,170000,t',
    'cobalt,mining, COD ,2023,0.1,t', // summed with the row above, in order
    'cobalt,mining,cod,2023,1,t',
    'cobalt,mining,XXX,2023,1,t',
    'cobalt,mining,AUS, 2023 ,3,t',
    'cobalt,mining,AUS,2099x,3,t',
    'cobalt,mining,IDN,2023,1e3,t',
    'cobalt,mining,IDN,2023,5,kt', // unit differs
    'cobalt,refining,CHN,2023,150000,t',
    'Cobalt,refining,FIN,2023,1,t',
    'cobalt,refining,FIN,2023',
    ',,,,,',
    'cobalt,refining,FIN,2022,12345678901234567,t', // more digits than the fast reader takes
    'nickel,mining,IDN,2023,1800000,t',
  ];
  const fast = dataFolder({ 'production.csv': variant(PRODUCTION_HEADER, TRICKY, '\n') });
  const slow = dataFolder({ 'production.csv': variant(PRODUCTION_HEADER, TRICKY, '\r') });
  const everything = (dataset: Dataset): unknown => ({ production: dataset.production, stats: dataset.stats, units: [...dataset.units] });

  it.each([
    ['all rows', {}],
    ['one year', { years: new Set([2023]) }],
    ['one material', { materials: new Set(['nickel']) }],
  ])('%s: same facts, counts and problems', async (_name, filter) => {
    expect(everything(await inspectDataset(fast, filter))).toEqual(everything(await inspectDataset(slow, filter)));
  });

  it('and the plain path gives the hand-checked result', async () => {
    const dataset = await inspectDataset(slow);
    // Used: COD twice (one fact), AUS, CHN, FIN 2022, IDN nickel; blank: 1; rejected: the other 7.
    expect(dataset.stats[0]).toMatchObject({ rowsRead: 14, rowsUsed: 6, rowsBlank: 1, rowsRejected: 7 });
    expect(dataset.production.find((fact) => fact.country === 'COD')?.quantity).toBe(170000 + 0.1);
  });
});
