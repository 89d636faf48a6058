import { describe, expect, it } from 'vitest';
import { inspectDataset, loadDataset } from '../../src/input/dataset.js';
import { formatProblem, InputError } from '../../src/domain/problems.js';
import { dataFolder, production, trade } from '../helpers/data.js';

/** The formatted problems of a data folder (empty when it is valid). */
async function problemsOf(files: Record<string, string | Buffer>): Promise<string[]> {
  const dataset = await inspectDataset(dataFolder(files));
  return dataset.stats.flatMap((file) => file.problems.map(formatProblem));
}

const OK_ROW = 'cobalt,mining,COD,2023,170000,t';

describe('data contract rules, one problem each with file:line[:column]', () => {
  it('accepts a valid folder', async () => {
    expect(await problemsOf({ 'production.csv': production(OK_ROW) })).toEqual([]);
  });

  it('thousands separator in a quantity, with a hint', async () => {
    expect(await problemsOf({ 'production.csv': production('cobalt,mining,COD,2023,"170,000",t') })).toEqual([
      'production.csv:2:5: quantity "170,000" has a thousands separator; write 170000 (plain digits, "." for decimals)',
    ]);
  });

  it('decimal comma', async () => {
    expect(await problemsOf({ 'production.csv': production('cobalt,mining,COD,2023,"12,5",t') })).toEqual([
      'production.csv:2:5: quantity "12,5" has a decimal comma; write 12.5 (plain digits, "." for decimals)',
    ]);
  });

  it('negative, NaN, Infinity and empty quantities', async () => {
    expect(
      await problemsOf({
        'production.csv': production(
          'cobalt,mining,COD,2023,-5,t',
          'cobalt,mining,CHN,2023,NaN,t',
          'cobalt,mining,FIN,2023,Infinity,t',
          'cobalt,mining,BEL,2023,,t',
        ),
      }),
    ).toEqual([
      'production.csv:2:5: quantity "-5" is negative; quantities must be >= 0',
      'production.csv:3:5: quantity "NaN" is not a finite number',
      'production.csv:4:5: quantity "Infinity" is not a finite number',
      'production.csv:5:5: quantity is empty',
    ]);
  });

  it('exponent notation is not plain', async () => {
    expect(await problemsOf({ 'production.csv': production('cobalt,mining,COD,2023,1e5,t') })).toEqual([
      'production.csv:2:5: quantity "1e5" uses exponent notation; write it as plain digits (100000)',
    ]);
  });

  it('lower-case and unknown country codes', async () => {
    expect(
      await problemsOf({ 'production.csv': production('cobalt,mining,cod,2023,1,t', 'cobalt,mining,XYZ,2023,1,t', 'cobalt,mining,Congo,2023,1,t') }),
    ).toEqual([
      'production.csv:2:3: country "cod" must be upper-case: COD',
      'production.csv:3:3: country "XYZ" is not an ISO 3166-1 alpha-3 code; define it in countries.csv if it is a custom code',
      'production.csv:4:3: country "Congo" is not an ISO 3166-1 alpha-3 code (three letters, e.g. JPN)',
    ]);
  });

  it('a custom code defined in countries.csv is accepted', async () => {
    expect(
      await problemsOf({
        'production.csv': production('cobalt,mining,XKX,2023,1,t'),
        'countries.csv': 'country,name,governance,groups\nXKX,Kosovo,-0.2,\n',
      }),
    ).toEqual([]);
  });

  it('unknown stage and wrong case', async () => {
    expect(await problemsOf({ 'production.csv': production('cobalt,smelting,COD,2023,1,t', 'cobalt,Mining,COD,2023,1,t') })).toEqual([
      'production.csv:2:2: stage "smelting" is not one of mining, refining, magnet',
      'production.csv:3:2: stage "Mining" must be lower-case: mining',
    ]);
  });

  it('material must be a lower-case id', async () => {
    expect(await problemsOf({ 'production.csv': production('Rare Earths,mining,CHN,2023,1,t') })).toEqual([
      'production.csv:2:1: material "Rare Earths" is not a lower-case id such as cobalt or rare-earths (write "rare-earths")',
    ]);
  });

  it('year not a year, or out of range', async () => {
    expect(
      await problemsOf({ 'production.csv': production('cobalt,mining,COD,23,1,t', 'cobalt,mining,COD,2301,1,t', 'cobalt,mining,COD,2023.0,1,t') }),
    ).toEqual([
      'production.csv:2:4: year "23" is not a four-digit year',
      'production.csv:3:4: year 2301 is outside 1900..2100',
      'production.csv:4:4: year "2023.0" is not a four-digit year (write 2023)',
    ]);
  });

  it('empty unit', async () => {
    expect(await problemsOf({ 'production.csv': production('cobalt,mining,COD,2023,1,') })).toEqual(['production.csv:2:6: unit is empty']);
  });

  it('unit mismatch within a material and stage, across files', async () => {
    expect(
      await problemsOf({
        'production.csv': production('cobalt,mining,COD,2023,1,t', 'cobalt,mining,CHN,2023,1,kt'),
        'trade.csv': trade('cobalt,mining,COD,JPN,2023,1,kg'),
      }),
    ).toEqual([
      'production.csv:3:6: unit "kt" differs from "t" used for cobalt mining at production.csv:2; every row of one material and stage must use the same unit',
      'trade.csv:2:7: unit "kg" differs from "t" used for cobalt mining at production.csv:2; every row of one material and stage must use the same unit',
    ]);
  });

  it('exporter equal to importer', async () => {
    expect(await problemsOf({ 'production.csv': production(OK_ROW), 'trade.csv': trade('cobalt,mining,COD,COD,2023,5,t') })).toEqual([
      'trade.csv:2: exporter and importer are both COD; a country does not trade with itself',
    ]);
  });

  it('a missing required column is named; a wrong delimiter gets a hint', async () => {
    expect(await problemsOf({ 'production.csv': 'material,stage,country,year,unit\ncobalt,mining,COD,2023,t\n' })).toEqual([
      'production.csv:1: missing required column quantity',
    ]);
    expect(await problemsOf({ 'production.csv': 'material;stage;country;year;quantity;unit\ncobalt;mining;COD;2023;1;t\n' })).toEqual([
      'production.csv:1: missing required columns material, stage, country, year, quantity, unit (the header looks semicolon-separated; supply-risk reads comma-separated files)',
    ]);
  });

  it('duplicate header column', async () => {
    expect(await problemsOf({ 'production.csv': 'material,stage,country,year,quantity,unit,quantity\ncobalt,mining,COD,2023,1,t,2\n' })).toEqual([
      'production.csv:1:7: column "quantity" appears twice in the header',
    ]);
  });

  it('ragged rows', async () => {
    expect(await problemsOf({ 'production.csv': production('cobalt,mining,COD,2023,1', 'cobalt,mining,COD,2023,1,t,extra') })).toEqual([
      'production.csv:2: expected 6 fields as in the header, found 5',
      'production.csv:3: expected 6 fields as in the header, found 7',
    ]);
  });

  it('unterminated quote', async () => {
    const problems = await problemsOf({ 'production.csv': production(OK_ROW, 'cobalt,mining,"CHN,2023,1,t', OK_ROW) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^production\.csv:\d+: a quoted field is never closed \(unterminated quote\)$/);
  });

  it('unterminated quote on a last line without a line end', async () => {
    const text = `${production(OK_ROW)}cobalt,mining,"CHN,2023,1,t`;
    expect(await problemsOf({ 'production.csv': text })).toEqual(['production.csv:3: a quoted field is never closed (unterminated quote)']);
  });

  it('empty file and missing files', async () => {
    expect(await problemsOf({ 'production.csv': '' })).toEqual([
      'production.csv: file is empty: expected a header line with the columns material,stage,country,year,quantity,unit',
    ]);
    const dir = dataFolder({});
    const dataset = await inspectDataset(dir);
    expect(dataset.stats[0]?.problems.map(formatProblem)).toEqual(['production.csv: file not found']);
  });

  it('UTF-16, Latin-1 and binary files', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(production(OK_ROW), 'utf16le')]);
    expect(await problemsOf({ 'production.csv': utf16 })).toEqual(['production.csv: file is UTF-16 encoded; save it as UTF-8 CSV']);
    const withLatin1 = Buffer.concat([Buffer.from(production(OK_ROW)), Buffer.from('cobalt,mining,CIV,2023,1,t \xf4\n', 'latin1')]);
    expect(await problemsOf({ 'production.csv': withLatin1 })).toEqual([
      'production.csv:3: invalid UTF-8 byte (is the file Latin-1 or Windows-1252?); save it as UTF-8',
    ]);
    const binary = Buffer.concat([Buffer.from(production(OK_ROW)), Buffer.from([0, 1, 2, 3])]);
    expect(await problemsOf({ 'production.csv': binary })).toEqual(['production.csv:3: file contains binary data (a NUL byte); expected UTF-8 CSV text']);
  });

  it('a directory where a file should be', async () => {
    const dir = dataFolder({ 'production.csv': production(OK_ROW) });
    const { mkdirSync, rmSync } = await import('node:fs');
    rmSync(`${dir}/trade.csv`);
    mkdirSync(`${dir}/trade.csv`);
    const dataset = await inspectDataset(dir);
    expect(dataset.stats[1]?.problems.map(formatProblem)).toEqual(['trade.csv: is a directory, expected a CSV file']);
  });

  it('handles a BOM, CRLF line ends, quoted fields, blank padding rows and unknown columns', async () => {
    const text =
      '\ufeffmaterial,stage,country,year,quantity,unit,notes\r\n"cobalt",mining,COD,2023,"170000",t,"a, b"\r\n,,,,,,\r\ncobalt,mining,COD,2023,30,t,\r\n';
    const dataset = await loadDataset(dataFolder({ 'production.csv': text }));
    // The two COD rows share a key and are summed: 170000 + 30.
    expect(dataset.production).toEqual([{ material: 'cobalt', stage: 'mining', country: 'COD', year: 2023, quantity: 170030, unit: 't' }]);
    expect(dataset.stats[0]).toMatchObject({ rowsRead: 3, rowsUsed: 2, rowsBlank: 1, rowsRejected: 0 });
  });

  it('collects every problem of a file up to 50 and counts the rest', async () => {
    const rows = Array.from({ length: 60 }, () => 'cobalt,mining,COD,2023,x,t');
    const error = await loadDataset(dataFolder({ 'production.csv': production(...rows) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toHaveLength(50);
    expect((error as InputError).omitted).toBe(10);
  });

  it('accounts for every row: read = used + rejected + blank + skipped', async () => {
    const dataset = await inspectDataset(
      dataFolder({ 'production.csv': production(OK_ROW, 'cobalt,mining,COD,2022,1,t', ',,,,,', 'cobalt,mining,COD,2023,bad,t') }),
      { years: new Set([2023]) },
    );
    const stats = dataset.stats[0];
    expect(stats).toMatchObject({ rowsRead: 4, rowsUsed: 1, rowsSkipped: 1, rowsBlank: 1, rowsRejected: 1 });
  });

  it('countries.csv: any finite governance estimate, duplicate codes, the reserved code', async () => {
    // -3 is a valid WGI estimate (real ones reach -2.8), so the second COD row is the duplicate.
    expect(
      await problemsOf({
        'production.csv': production(OK_ROW),
        'countries.csv': 'country,name,governance,groups\nCOD,DR Congo,-3,\nCOD,Again,0,\nZZZ,Other,,\n',
      }),
    ).toEqual([
      'countries.csv:3: country COD is defined twice (first at line 2)',
      'countries.csv:4:1: ZZZ is reserved for unattributed quantities and cannot be defined',
    ]);
  });

  it('governance.csv: one score per country and year, a number, a known country', async () => {
    expect(
      await problemsOf({
        'production.csv': production(OK_ROW),
        'governance.csv': 'country,year,governance\nCOD,2022,-1.9\nCOD,2022,-1.8\nCOD,2023,\nXXQ,2023,0.1\nCOD,2021,high\n',
      }),
    ).toEqual([
      'governance.csv:3: COD 2022 has a score already (line 2)',
      'governance.csv:4:3: governance is empty (leave the row out instead)',
      'governance.csv:5:1: country "XXQ" is not an ISO 3166-1 alpha-3 code; define it in countries.csv if it is a custom code',
      'governance.csv:6:3: governance "high" is not a number (a WGI estimate such as -0.51)',
    ]);
  });

  it('coverage.csv: flow and extent from their lists', async () => {
    expect(
      await problemsOf({
        'production.csv': production(OK_ROW),
        'coverage.csv':
          'material,stage,importer,year,flow,extent\ncobalt,mining,JPN,2023,imports,full\ncobalt,mining,JPN,2023,import,some\ncobalt,mining,JPN,2023,export,\n',
      }),
    ).toEqual(['coverage.csv:2:5: flow "imports" is not one of import, export', 'coverage.csv:3:6: extent "some" is not one of full, partial']);
  });

  it('production.csv: W marks a withheld figure; a figure and a W for the same cell conflict', async () => {
    expect(
      await problemsOf({
        'production.csv': production(OK_ROW, 'cobalt,mining,USA,2023,W,t', 'cobalt,mining,USA,2023,5,t'),
      }),
    ).toEqual(['production.csv:4: USA cobalt mining 2023 is given both as a figure and as withheld (W)']);
    const dir = dataFolder({ 'production.csv': production(OK_ROW, 'cobalt,mining,USA,2023,W,t'), 'trade.csv': trade() });
    const dataset = await loadDataset(dir);
    expect(dataset.withheld).toEqual([{ material: 'cobalt', stage: 'mining', country: 'USA', year: 2023 }]);
  });
});
