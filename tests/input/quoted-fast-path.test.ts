/**
 * Most data files quote a free-text column on every row (`"UN Comtrade, comtrade_2022.csv.gz"`), so
 * the byte-level readers take lines with quoted fields too: trade.csv and production.csv through
 * their line readers, coverage.csv and governance.csv through field-lines.ts. Each must give exactly
 * what the plain path gives. A file with lone carriage returns as line ends goes through csv-parse
 * from its first line, so it is the reference for each file below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitQuotedFields, unquoted } from '../../src/input/fast/byte-fields.js';
import { splitQuotedLine } from '../../src/input/csv.js';
import { inspectDataset, loadDataset, type Dataset } from '../../src/input/dataset.js';
import { runCli } from '../helpers/cli.js';
import { dataFolder } from '../helpers/data.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('splitQuotedFields agrees with splitQuotedLine', () => {
  const split = (line: string, expected = 16): string[] | null => {
    const data = bytes(line);
    const starts = new Int32Array(expected + 1);
    const quoted = new Uint8Array(expected);
    const count = splitQuotedFields(data, 0, data.length, starts, quoted, expected);
    if (count === -1) return null;
    const decoder = new TextDecoder();
    return Array.from({ length: count }, (_, k) => {
      const text = decoder.decode(data.subarray(starts[k] ?? 0, (starts[k + 1] ?? 0) - 1));
      expect(quoted[k] === 1, `${line}: field ${k}`).toBe(text.startsWith('"'));
      return unquoted(text);
    });
  };

  it('on examples', () => {
    expect(split('a,"b, ""c""",d')).toEqual(['a', 'b, "c"', 'd']);
    expect(split('"",x,')).toEqual(['', 'x', '']);
    expect(split('é,"ü,ß"')).toEqual(['é', 'ü,ß']);
    for (const line of ['"a', 'a"b,c', '"a"b,c', '"a""', 'a,"b"c']) expect(split(line), line).toBeNull();
    expect(split('a,b,c', 2)).toBeNull();
    expect(split('a,"b,c"', 2)).toEqual(['a', 'b,c']);
  });

  it('on arbitrary lines', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', ',', '"', ' ', 'é'), maxLength: 14 }), (line) => {
        fc.pre(line !== '');
        expect(split(line)).toEqual(splitQuotedLine(line));
      }),
      { numRuns: 3000, seed: 5 },
    );
  });
});

const SOURCES = ['"UN Comtrade, comtrade_2022.csv.gz"', '"USGS MCS 2024, mcs2024-cobal_world.csv"', '"a ""quoted"" note"', 'plain note', '""'];
const COUNTRIES = ['AUS', 'CHL', 'CHN', 'COD', 'IDN', 'JPN', 'KOR', 'DEU', 'FIN', 'BEL', 'ZAF'];

function rows(count: number, make: (i: number, pick: <T>(list: readonly T[]) => T) => string): string[] {
  let seed = 424242;
  const pick = <T>(list: readonly T[]): T => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return list[Math.floor((seed / 2147483648) * list.length)] as T;
  };
  return Array.from({ length: count }, (_, i) => make(i, pick));
}

const TRADE = rows(3000, (i, pick) => {
  const exporter = pick(COUNTRIES);
  const importer = exporter === 'JPN' ? 'KOR' : 'JPN';
  const value = i % 4 === 0 ? '' : String((i % 97) * 12.5);
  return `${pick(['cobalt', 'nickel'])},${pick(['mining', 'refining'])},${exporter},${importer},${pick([2021, 2022, 2023])},${(i % 50) / 4 + 1},t,${value},${pick(SOURCES)}`;
});
const PRODUCTION = rows(
  200,
  (i, pick) => `${pick(['cobalt', 'nickel'])},${pick(['mining', 'refining'])},${pick(COUNTRIES)},${pick([2021, 2022, 2023])},${i + 1},t,${pick(SOURCES)}`,
);
const COVERAGE = rows(
  400,
  (i, pick) =>
    `${pick(['cobalt', 'nickel'])},${pick(['mining', 'refining'])},${pick(COUNTRIES)},${pick([2021, 2022, 2023])},${pick(['import', 'export'])},${pick(['full', 'partial', ''])},${pick(SOURCES)}`,
);
const GOVERNANCE = COUNTRIES.flatMap((country, c) =>
  [2019, 2020, 2021, 2022].map((year) => `${country},${year},${((c * 7 + year) % 50) / 10 - 2.5},${SOURCES[c % SOURCES.length]}`),
);

interface Files {
  trade: string[];
  production: string[];
  coverage: string[];
  governance: string[];
}

function folder(files: Files, eol: string): string {
  const file = (header: string, lines: string[]): string => `${[header, ...lines].join(eol)}${eol}`;
  return dataFolder({
    'trade.csv': file('material,stage,exporter,importer,year,quantity,unit,value_usd,source', files.trade),
    'production.csv': file('material,stage,country,year,quantity,unit,source', files.production),
    'coverage.csv': file('material,stage,importer,year,flow,extent,source', files.coverage),
    'governance.csv': file('country,year,governance,source', files.governance),
  });
}

function everything(dataset: Dataset): unknown {
  return {
    trade: dataset.trade.facts(),
    production: dataset.production,
    coverage: dataset.coverage,
    governance: [...dataset.governance].map(([country, years]) => [country, [...years]]),
    units: [...dataset.units],
    stats: dataset.stats,
    rest: {
      ...dataset,
      trade: undefined,
      production: undefined,
      coverage: undefined,
      governance: undefined,
      units: undefined,
      stats: undefined,
      countries: undefined,
    },
  };
}

describe('quoted free-text columns: the fast readers give what csv-parse gives', () => {
  const files: Files = { trade: TRADE, production: PRODUCTION, coverage: COVERAGE, governance: GOVERNANCE };

  it('same dataset, all years and one year', async () => {
    const fast = folder(files, '\n');
    const reference = folder(files, '\r');
    expect(everything(await loadDataset(fast, { threads: 1 }))).toEqual(everything(await loadDataset(reference, { threads: 1 })));
    const oneYear = { years: new Set([2022]), threads: 1 };
    expect(everything(await loadDataset(fast, oneYear))).toEqual(everything(await loadDataset(reference, oneYear)));
  });

  it('same problems and counts for rows the fast readers must leave to the plain path', async () => {
    const broken: Files = {
      trade: [
        ...TRADE.slice(0, 50),
        'cobalt,mining,AUS,JPN,"2022",5,t,,"x"',
        'cobalt,mining,"AUS",JPN,2022,5,t,,"x"',
        'cobalt,mining,AUS,JPN,2022,5,t,"1,5","x"',
        'cobalt,mining,AUS,JPN,2022,5,t,,"x",extra',
      ],
      production: [...PRODUCTION.slice(0, 20), 'cobalt,mining,"AUS",2022,5,t,"x"', 'cobalt,mining,AUS,2022,5,"t","x"', 'cobalt,mining,AUS,2022,W,t,"x"'],
      coverage: [
        ...COVERAGE.slice(0, 30),
        'cobalt,mining,JPN,2022,imports,full,"x"',
        'cobalt,mining,JPN,"2022",import,full,"x"',
        'cobalt,mining,jpn,2022,import,,"x"',
        ',,,,,,""',
      ],
      governance: [...GOVERNANCE, 'AUS,2019,0.5,"again"', 'AUS,2030,,"empty"', '"CHN",2030,0.1,"x"', 'XXX,2030,0.1,"x"'],
    };
    const fast = await inspectDataset(folder(broken, '\n'), { threads: 1 });
    const reference = await inspectDataset(folder(broken, '\r'), { threads: 1 });
    expect(fast.stats).toEqual(reference.stats);
    // "1,5", an extra field, a bad flow, a lower-case code, a second score, an empty score, an unknown code: quoted years and codes are valid.
    expect(fast.stats.flatMap((file) => file.problems).length).toBeGreaterThanOrEqual(7);
    expect(everything(fast)).toEqual(everything(reference));
  });

  it('same report JSON byte for byte', async () => {
    const fast = await runCli(['report', '--data', folder(files, '\n'), '--json', '--quiet']);
    const slow = await runCli(['report', '--data', folder(files, '\r'), '--json', '--quiet']);
    expect(fast.code).toBe(0);
    expect(fast.stdout).toBe(slow.stdout);
  });
});
