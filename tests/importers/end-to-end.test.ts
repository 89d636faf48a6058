/**
 * Rebuilds a sample of the shipped dataset (data/) with the importers, from fixture copies of the
 * real source files, and compares it row for row with data/. Then pins published figures on the
 * shipped data as the loader reads it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/input/dataset.js';
import { runCli } from '../helpers/cli.js';
import { importerFixture } from './helpers.js';

const DATA = fileURLToPath(new URL('../../data/', import.meta.url));

function rows(path: string): Record<string, string>[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

const line = (row: Record<string, string>, fields: readonly string[]): string => fields.map((field) => row[field] ?? '').join('|');

async function importInto(out: string, argv: string[]): Promise<void> {
  const result = await runCli(['import', ...argv, '--out', out]);
  expect(result.stderr).not.toContain('error');
  expect(result.code).toBe(0);
}

describe('the shipped dataset', () => {
  it('is rebuilt by the importers: USGS, IEA, WGI, ITC and Comtrade samples equal data/', async () => {
    const out = mkdtempSync(join(tmpdir(), 'supply-risk-e2e-'));
    const usgsFiles = ['cobal', 'lithi', 'raree', 'galli', 'coppe', 'graph', 'manga', 'plati'].map((code) => importerFixture(`usgs/mcs2024-${code}_world.csv`));
    await importInto(out, ['usgs-mcs', ...usgsFiles]);
    await importInto(out, ['iea', importerFixture('iea/excerpt.xlsx'), '--stages', 'refining', '--materials', 'cobalt,lithium,nickel,graphite,rare-earths']);
    await importInto(out, ['iea', importerFixture('iea/excerpt-nickel-graphite.xlsx'), '--stages', 'refining', '--materials', 'cobalt,lithium,nickel,graphite,rare-earths']);
    await importInto(out, ['iea', importerFixture('iea/iea-2025-excerpt.json'), '--stages', 'refining', '--materials', 'cobalt,lithium,nickel,graphite,rare-earths']);
    const itcFiles = [
      'itc/283691_Li_Carbonates/Trade_Map_-_List_of_supplying_markets_for_a_product_imported_by_Japan.txt',
      'itc/282520_Li_O-OH/Trade_Map_-_List_of_supplying_markets_for_a_product_imported_by_Japan.txt',
      'itc/260200_Manganese_ores_and_concentrates/Trade_Map_-_List_of_importing_markets_for_a_product_exported_by_Japan.txt',
    ].map(importerFixture);
    await importInto(out, ['itc-trademap', ...itcFiles]);
    // Cobalt is not imported from Comtrade (it lacks HS 810520, so its cobalt would be partial): platinum only.
    await importInto(out, ['comtrade', importerFixture('comtrade/comtrade_2022_excerpt.csv'), '--country', 'JPN', '--materials', 'platinum']);
    await importInto(out, ['wgi', importerFixture('wgi/API_PV.EST_excerpt.csv'), importerFixture('wgi/Metadata_Country_excerpt.csv'), '--groups', join(DATA, 'groups.csv')]);

    // Production: every row of these USGS tables and IEA blocks, identical (quantity, unit, source).
    const production = ['material', 'stage', 'country', 'year', 'quantity', 'unit', 'source'];
    const rebuilt = rows(join(out, 'production.csv')).map((row) => line(row, production));
    const sources = new Set(rows(join(out, 'production.csv')).map((row) => row.source));
    const shipped = rows(join(DATA, 'production.csv')).filter((row) => sources.has(row.source ?? '')).map((row) => line(row, production));
    // USGS: cobalt 26, copper 62, gallium 8, graphite 36, lithium 16, manganese 32, PGM 24, rare earths 22;
    // IEA 2024 edition, refining 2023: cobalt 5 (CHN FIN JPN CAN ZZZ), magnet REE 4 (CHN MYS USA ZZZ), nickel 7
    // (IDN CHN FIN AUS RUS CAN ZZZ) and battery graphite 6 (CHN JPN USA CAN DEU ZZZ); 2025 edition, refining 2024:
    // cobalt 6 (CHN FIN JPN IDN CAN ZZZ), nickel 7, graphite 4 (CHN JPN USA ZZZ) and magnet REE 4.
    expect(rebuilt.length).toBe(269);
    expect(rebuilt).toEqual(shipped);

    // Trade from ITC: the same rows. From the Comtrade excerpt: each flow equals the shipped one
    // (the shipped rows name the full file, so the source is left out of the comparison).
    const trade = ['material', 'stage', 'exporter', 'importer', 'year', 'quantity', 'unit', 'value_usd'];
    const shippedTrade = rows(join(DATA, 'trade.csv'));
    const rebuiltTrade = rows(join(out, 'trade.csv'));
    const itc = rebuiltTrade.filter((row) => row.source?.startsWith('ITC'));
    expect(itc.map((row) => line(row, [...trade, 'source']))).toEqual(
      shippedTrade.filter((row) => itc.some((mine) => mine.source === row.source)).map((row) => line(row, [...trade, 'source'])),
    );
    const comtrade = rebuiltTrade.filter((row) => row.source?.startsWith('UN Comtrade'));
    expect(comtrade).toHaveLength(1);
    const shippedLines = new Set(shippedTrade.map((row) => line(row, trade)));
    for (const row of comtrade) expect(shippedLines.has(line(row, trade))).toBe(true);
    // Coverage: the ITC rows rebuilt are the shipped ones (lithium imports and manganese ore exports,
    // 2017-2021, full); the Comtrade excerpt covers Japan's platinum 2022 as the shipped file does.
    const coverage = ['material', 'stage', 'importer', 'year', 'flow', 'extent'];
    const shippedCoverage = new Set(rows(join(DATA, 'coverage.csv')).map((row) => line(row, coverage)));
    const rebuiltCoverage = rows(join(out, 'coverage.csv'));
    expect(rebuiltCoverage).toHaveLength(11);
    for (const row of rebuiltCoverage) expect(shippedCoverage.has(line(row, coverage)), line(row, coverage)).toBe(true);

    // Countries: the six economies of the WGI excerpt, with their groups (governance left empty).
    const countries = ['country', 'name', 'governance', 'groups'];
    const shippedCountries = new Map(rows(join(DATA, 'countries.csv')).map((row) => [row.country, line(row, countries)]));
    for (const code of ['AFG', 'AUS', 'CHN', 'COD', 'JPN', 'SYR']) {
      const mine = rows(join(out, 'countries.csv')).find((row) => row.country === code);
      expect(mine && line(mine, countries)).toBe(shippedCountries.get(code));
    }
    // Governance: every year of these economies, the same estimates as shipped (the source names the full file).
    const scores = ['country', 'year', 'governance'];
    const rebuiltScores = rows(join(out, 'governance.csv')).map((row) => line(row, scores));
    const excerptCodes = new Set(['AFG', 'AUS', 'CHN', 'COD', 'JPN', 'SYR']);
    expect(rebuiltScores).toHaveLength(150);
    expect(rebuiltScores).toEqual(rows(join(DATA, 'governance.csv')).filter((row) => excerptCodes.has(row.country ?? '')).map((row) => line(row, scores)));
  });

  it('validates and reproduces the published figures of USGS MCS 2024, the IEA and the WGI', async () => {
    const dataset = await loadDataset(DATA);
    const slice = (material: string, stage: string, year: number) => dataset.production.filter((fact) => fact.material === material && fact.stage === stage && fact.year === year);
    const of = (material: string, stage: string, year: number, country: string) => slice(material, stage, year).find((fact) => fact.country === country)?.quantity ?? 0;
    const world = (material: string, stage: string, year: number) => slice(material, stage, year).reduce((sum, fact) => sum + fact.quantity, 0);

    // Cobalt mining 2023: COD 170,000 t; world from the rows 229,300 t (published, rounded: 230,000).
    expect(of('cobalt', 'mining', 2023, 'COD')).toBe(170000);
    expect(world('cobalt', 'mining', 2023)).toBe(229300);
    expect(of('cobalt', 'mining', 2023, 'COD') / world('cobalt', 'mining', 2023)).toBeCloseTo(0.7414, 4);
    // Rare earths mining 2023: China 240,000 of 353,320 t from the rows (published 350,000).
    expect(of('rare-earths', 'mining', 2023, 'CHN')).toBe(240000);
    expect(world('rare-earths', 'mining', 2023)).toBe(353320);
    // Lithium mining 2023: Australia 86,000, Chile 44,000, China 33,000; no U.S. row (withheld).
    expect([of('lithium', 'mining', 2023, 'AUS'), of('lithium', 'mining', 2023, 'CHL'), of('lithium', 'mining', 2023, 'CHN')]).toEqual([86000, 44000, 33000]);
    expect(of('lithium', 'mining', 2023, 'USA')).toBe(0);
    // Nickel mining 2023: Indonesia 1,800,000 t; copper mine and refinery totals from the rows.
    expect(of('nickel', 'mining', 2023, 'IDN')).toBe(1800000);
    expect(world('copper', 'mining', 2023)).toBe(21550000);
    expect(world('copper', 'refining', 2023)).toBe(26670000);
    // IEA 2023: China 171.7 of 223.8 kt refined cobalt (76.7%), 70.3 of 76.3 kt magnet REE.
    expect(of('cobalt', 'refining', 2023, 'CHN') / world('cobalt', 'refining', 2023)).toBeCloseTo(0.767, 3);
    expect(of('rare-earths', 'refining', 2023, 'CHN') / world('rare-earths', 'refining', 2023)).toBeCloseTo(0.921, 3);
    // The rows equal IEA's Total now that Rest of world no longer counts Canada (nickel) or Germany (graphite) twice.
    expect(world('nickel', 'refining', 2023)).toBe(3796100);
    expect(world('graphite', 'refining', 2023)).toBe(2037200);
    expect(of('graphite', 'refining', 2023, 'CHN') / world('graphite', 'refining', 2023)).toBeCloseTo(0.909, 3);
    // IEA 2025 edition, 2024: Japan's refined cobalt and battery-grade graphite; nickel adds up to 3,483.697 kt.
    expect(of('cobalt', 'refining', 2024, 'JPN')).toBe(5648.7);
    expect(of('graphite', 'refining', 2024, 'JPN')).toBe(44965.3);
    expect(world('nickel', 'refining', 2024)).toBe(3483697);
    // WGI 2023, in governance.csv as printed in the file; countries.csv has the groups.
    const governance = new Map(rows(join(DATA, 'governance.csv')).map((row) => [`${row.country} ${row.year}`, row.governance]));
    expect(governance.get('JPN 2023')).toBe('0.951136231422424');
    expect(governance.get('COD 2023')).toBe('-2.04486203193665');
    expect(governance.get('SYR 2022')).toBe('-2.77689838409424');
    expect(dataset.countries.get('JPN')?.groups).toContain('G7');
    // Japan's 2022 graphite (HS 250490) from China, as Japan reported it: 17,142 t.
    const graphite = dataset.trade.facts().find((fact) => fact.material === 'graphite' && fact.exporter === 'CHN' && fact.importer === 'JPN' && fact.year === 2022);
    expect(graphite?.quantity).toBe(17142);
    // One unit per material and stage: contained tonnes, or gross tonnes for the traded products.
    expect(dataset.units.get('lithium|refining')).toBe('t');
    expect(dataset.units.get('manganese|mining')).toBe('t');
    expect(dataset.units.get('nickel|mining')).toBe('t');
  });
});
