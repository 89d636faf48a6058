import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importComtrade } from '../../src/importers/comtrade.js';
import { loadHsMap } from '../../src/importers/hs-map.js';
import { emptyResult, type CoverageRow, type ImportResult, type TradeRow } from '../../src/importers/types.js';
import { writeResult } from '../../src/importers/writer.js';

/** A hand-made HS map: natural graphite as the heading 2504 and its two six-digit codes. */
function graphiteMap(): string {
  const dir = mkdtempSync(join(tmpdir(), 'supply-risk-heading-'));
  const path = join(dir, 'hs-codes.csv');
  writeFileSync(
    path,
    [
      'hs6,material,stage,content_factor,description',
      '2504,graphite,mining,1,natural graphite (heading total)',
      '250410,graphite,mining,1,flake',
      '250490,graphite,mining,1,other',
    ].join('\n') + '\n',
  );
  return path;
}

const trade = (source: string, exporter: string, importer: string, year: number, quantity: number): TradeRow => ({
  material: 'graphite',
  stage: 'mining',
  exporter,
  importer,
  year,
  quantity,
  unit: 't',
  valueUsd: null,
  source,
});
const covers = (source: string, importer: string, year: number): CoverageRow => ({
  material: 'graphite',
  stage: 'mining',
  importer,
  year,
  flow: 'import',
  extent: 'full',
  source,
});
const result = (trade: TradeRow[], coverage: CoverageRow[]): ImportResult => ({ ...emptyResult(), trade, coverage });

const COMTRADE = 'UN Comtrade, comtrade_2024.csv.gz';
const BACI = 'CEPII BACI, trade.parquet';
const ITC = 'ITC Trade Map, HS 250490, imports of JPN';

/** The data rows of a CSV of the folder, header left out. */
const lines = (dir: string, file: string): string[] => readFileSync(join(dir, file), 'utf8').trim().split('\n').slice(1);

describe('one trade source per importer, material, stage and year', () => {
  // Comtrade 2024: JPN imports 100 t from CHN and 5 t from AUS; KOR imports 7 t from CHN.
  // BACI 2024: JPN imports 90 t from CHN; it does not cover KOR.
  // The rule (BACI, then ITC, then Comtrade) gives JPN 2024 to BACI: 90 t from CHN and nothing from
  // AUS (not 190 t, not 95 t); KOR 2024 is covered by Comtrade only, so its 7 t stay.
  const comtrade = () =>
    result(
      [trade(COMTRADE, 'CHN', 'JPN', 2024, 100), trade(COMTRADE, 'AUS', 'JPN', 2024, 5), trade(COMTRADE, 'CHN', 'KOR', 2024, 7)],
      [covers(COMTRADE, 'JPN', 2024), covers(COMTRADE, 'KOR', 2024)],
    );
  const baci = () => result([trade(BACI, 'CHN', 'JPN', 2024, 90)], [covers(BACI, 'JPN', 2024)]);
  const expectedTrade = [
    'graphite,mining,CHN,JPN,2024,90,t,,"CEPII BACI, trade.parquet"',
    'graphite,mining,CHN,KOR,2024,7,t,,"UN Comtrade, comtrade_2024.csv.gz"',
  ];
  const expectedCoverage = [
    'graphite,mining,JPN,2024,import,full,"CEPII BACI, trade.parquet"',
    'graphite,mining,KOR,2024,import,full,"UN Comtrade, comtrade_2024.csv.gz"',
  ];

  it('chooses BACI over Comtrade for a key both cover, whichever is imported first', async () => {
    for (const order of [
      [comtrade(), baci()],
      [baci(), comtrade()],
    ]) {
      const dir = mkdtempSync(join(tmpdir(), 'supply-risk-precedence-'));
      for (const step of order) await writeResult(dir, step);
      expect(lines(dir, 'trade.csv')).toEqual(expectedTrade);
      expect(lines(dir, 'coverage.csv')).toEqual(expectedCoverage);
    }
  });

  it('chooses ITC over Comtrade (2022 in both), and a covering source over one that only lists a flow', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-precedence-'));
    // ITC covers JPN 2022 (40 t from CHN); Comtrade covers JPN 2022 (38 t from CHN) and KOR 2022 (3 t
    // from JPN). An ITC export table of JPN lists JPN -> KOR 2 t without covering KOR's imports: KOR
    // 2022 goes to Comtrade, the source that read KOR's imports. Expected: JPN 40 t (ITC), KOR 3 t.
    const ct22 = 'UN Comtrade, comtrade_2022.csv.gz';
    await writeResult(
      dir,
      result([trade(ct22, 'CHN', 'JPN', 2022, 38), trade(ct22, 'JPN', 'KOR', 2022, 3)], [covers(ct22, 'JPN', 2022), covers(ct22, 'KOR', 2022)]),
    );
    await writeResult(dir, result([trade(ITC, 'CHN', 'JPN', 2022, 40), trade(ITC, 'JPN', 'KOR', 2022, 2)], [covers(ITC, 'JPN', 2022)]));
    expect(lines(dir, 'trade.csv')).toEqual([
      'graphite,mining,CHN,JPN,2022,40,t,,"ITC Trade Map, HS 250490, imports of JPN"',
      'graphite,mining,JPN,KOR,2022,3,t,,"UN Comtrade, comtrade_2022.csv.gz"',
    ]);
  });

  it('still refuses two publishers that the rule does not rank', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-precedence-'));
    await writeResult(dir, result([trade('Publisher A, a.csv', 'CHN', 'JPN', 2024, 1)], []));
    await expect(writeResult(dir, result([trade('Publisher B, b.csv', 'CHN', 'JPN', 2024, 2)], []))).rejects.toThrow(
      /neither of them a source of the precedence rule/,
    );
  });
});

describe('a four-digit total and a six-digit code inside it are never added', () => {
  // Japan 2022 (reporter 392), in kg: 250490 from China (156) 17,142,000, from Sri Lanka (144)
  // 300,000, World 17,450,000; the heading 2504 from China 52,835,000 and World 59,143,000.
  // Korea (410) gives only a 2504 total from China, 1,000,000 kg, and no World row.
  const csv = [
    'year,reporter,partner,cmd,flow,value,netwgt,qty,qtyunit',
    '2022,392,156,250490,M,1000,17142000,17142000,8',
    '2022,392,144,250490,M,100,300000,300000,8',
    '2022,392,0,250490,M,1100,17450000,17450000,8',
    '2022,392,156,2504,M,5000,52835000,52835000,8',
    '2022,392,0,2504,M,6000,59143000,59143000,8',
    '2022,410,156,2504,M,90,1000000,1000000,8',
  ].join('\n');

  it('writes what the total holds beyond the six-digit records, and marks the unattributed rest partial', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-heading-'));
    const path = join(dir, 'comtrade_2022.csv');
    writeFileSync(path, csv + '\n');
    const imported = await importComtrade([path], { hsMap: await loadHsMap(graphiteMap()) });
    const of = (exporter: string, importer: string) => imported.trade.filter((row) => row.exporter === exporter && row.importer === importer);
    // CHN -> JPN: 250490 17,142 t plus the rest of 2504, 52,835 - 17,142 = 35,693 t: 52,835 t in all,
    // the 2504 total (not 52,835 + 17,142 = 69,977 t).
    expect(of('CHN', 'JPN').map((row) => row.quantity)).toEqual([52835]);
    // The value: 1,000 USD for 250490 and 5,000 x 35,693 / 52,835 = 3,377.78 for the rest, rounded.
    expect(of('CHN', 'JPN')[0]?.valueUsd).toBe(1000 + Math.round((5000 * 35693) / 52835));
    expect(of('LKA', 'JPN').map((row) => row.quantity)).toEqual([300]);
    // KOR: no six-digit record, so the 2504 total from China is the flow: 1,000 t.
    expect(of('CHN', 'KOR').map((row) => row.quantity)).toEqual([1000]);
    // JPN's World 2504 is 59,143 t: 17,450 t are six-digit records, 35,693 t China's rest; 6,000 t
    // have no partner, so JPN's graphite coverage is partial. KOR has no World total: partial too.
    const coverage = (importer: string) => imported.coverage.filter((row) => row.importer === importer).map((row) => row.extent);
    expect(coverage('JPN')).toEqual(['partial']);
    expect(coverage('KOR')).toEqual(['partial']);
    expect(imported.notes.some((note) => note.includes('HS 2504, JPN 2022') && note.includes('6000 t'))).toBe(true);
  });

  it('writes nothing for a total its six-digit records already give', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-heading-'));
    const path = join(dir, 'comtrade_2022.csv');
    // 2504 from China equals 250490 from China (17,142 t), and the World totals agree: no rest, full.
    writeFileSync(
      path,
      [
        csv.split('\n')[0],
        '2022,392,156,250490,M,1000,17142000,17142000,8',
        '2022,392,156,2504,M,1000,17142000,17142000,8',
        '2022,392,0,250490,M,1000,17142000,17142000,8',
        '2022,392,0,2504,M,1000,17142000,17142000,8',
      ].join('\n') + '\n',
    );
    const imported = await importComtrade([path], { hsMap: await loadHsMap(graphiteMap()) });
    expect(imported.trade.map((row) => [row.exporter, row.quantity])).toEqual([['CHN', 17142]]);
    // The heading read counts for both its codes and the World total is all attributed: full.
    expect(imported.coverage.map((row) => row.extent)).toEqual(['full']);
    expect(imported.tally.skipped.get('heading total: its six-digit records give all of it (never added to them)')).toBe(1);
  });
});
