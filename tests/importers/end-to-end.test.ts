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
    await importInto(out, ['usgs-mcs', importerFixture('usgs/MCS2025_World_Data_excerpt.csv')]);
    await importInto(out, ['usgs-mcs', importerFixture('usgs/MCS2026_Commodities_Data_excerpt.csv')]);
    await importInto(out, ['iea', importerFixture('iea/excerpt.xlsx'), '--stages', 'refining', '--materials', 'cobalt,lithium,nickel,graphite,rare-earths']);
    await importInto(out, [
      'iea',
      importerFixture('iea/excerpt-nickel-graphite.xlsx'),
      '--stages',
      'refining',
      '--materials',
      'cobalt,lithium,nickel,graphite,rare-earths',
    ]);
    await importInto(out, [
      'iea',
      importerFixture('iea/iea-2025-excerpt.json'),
      '--stages',
      'refining',
      '--materials',
      'cobalt,lithium,nickel,graphite,rare-earths',
    ]);
    const itcFiles = [
      'itc/283691_Li_Carbonates/Trade_Map_-_List_of_supplying_markets_for_a_product_imported_by_Japan.txt',
      'itc/282520_Li_O-OH/Trade_Map_-_List_of_supplying_markets_for_a_product_imported_by_Japan.txt',
      'itc/260200_Manganese_ores_and_concentrates/Trade_Map_-_List_of_importing_markets_for_a_product_exported_by_Japan.txt',
    ].map(importerFixture);
    await importInto(out, ['itc-trademap', ...itcFiles]);
    // Cobalt is not imported from Comtrade (it lacks HS 810520, so its cobalt would be partial): platinum only.
    await importInto(out, ['comtrade', importerFixture('comtrade/comtrade_2022_excerpt.csv'), '--country', 'JPN', '--materials', 'platinum']);
    await importInto(out, [
      'wgi',
      importerFixture('wgi/API_PV.EST_excerpt.csv'),
      importerFixture('wgi/Metadata_Country_excerpt.csv'),
      '--groups',
      join(DATA, 'groups.csv'),
    ]);

    // Production, IEA: every row of these blocks, identical (quantity, unit, source). IEA 2024 edition,
    // refining 2023: cobalt 5 (CHN FIN JPN CAN ZZZ), magnet REE 4 (CHN MYS USA ZZZ), nickel 7 (IDN CHN FIN
    // AUS RUS CAN ZZZ) and battery graphite 6 (CHN JPN USA CAN DEU ZZZ); 2025 edition, refining 2024: cobalt 6
    // (CHN FIN JPN IDN CAN ZZZ), nickel 7, graphite 4 (CHN JPN USA ZZZ) and magnet REE 4.
    const production = ['material', 'stage', 'country', 'year', 'quantity', 'unit', 'source'];
    const rebuiltRows = rows(join(out, 'production.csv'));
    const shippedRows = rows(join(DATA, 'production.csv'));
    const iea = rebuiltRows.filter((row) => row.source?.startsWith('IEA'));
    const ieaSources = new Set(iea.map((row) => row.source));
    expect(iea).toHaveLength(43);
    expect(iea.map((row) => line(row, production))).toEqual(shippedRows.filter((row) => ieaSources.has(row.source ?? '')).map((row) => line(row, production)));
    // Production, USGS: the MCS 2024 tables, then the MCS 2025 and MCS 2026 excerpts, each edition
    // replacing the older one's material, stage and year. The excerpts' file names differ from the
    // shipped files', so rows are compared with the edition ("USGS MCS 2025"), not the file.
    const edition = (row: Record<string, string>): string => (row.source ?? '').split(',')[0] ?? '';
    const usgsLine = (row: Record<string, string>): string => `${line(row, production.slice(0, 6))}|${edition(row)}`;
    const usgs = rebuiltRows.filter((row) => row.source?.startsWith('USGS'));
    const shippedUsgs = shippedRows.filter((row) => row.source?.startsWith('USGS'));
    const slice = (row: Record<string, string>): string => line(row, ['material', 'stage', 'year']);
    const shippedEdition = new Map(shippedUsgs.map((row) => [slice(row), edition(row)]));
    const shippedUsgsLines = new Set(shippedUsgs.map(usgsLine));
    // Where both took a material, stage and year from the same edition, every rebuilt row is shipped.
    // (The 2023 rows of rare earths, gallium, copper, graphite, manganese and PGM stay MCS 2024's
    // here, as the MCS 2025 excerpt lacks them; the shipped data has MCS 2025's.)
    const same = usgs.filter((row) => shippedEdition.get(slice(row)) === edition(row));
    for (const row of same) expect(shippedUsgsLines.has(usgsLine(row)), usgsLine(row)).toBe(true);
    // 219 of the 325 rebuilt USGS rows. MCS 2024, 2022: cobalt 13, copper 31, gallium 4, graphite 18,
    // lithium 9 (the U.S. W), manganese 16, palladium 6, platinum 6, rare earths 11 (114). MCS 2025, 2023:
    // cobalt 13, lithium 10 (the U.S. W), silicon metal 14 (37). MCS 2026, 2024 and 2025: cobalt 13 + 13,
    // gallium 3 + 3, lithium 10 + 10, titanium (ilmenite + rutile) 14 in 2024, Cote d'Ivoire's manganese 1 + 1
    // (68). Left out: MCS 2024's 2023 rows of the tables the MCS 2025 excerpt lacks (92) and MCS 2025's
    // silicon 2024 (14; shipped from MCS 2026).
    expect(same.length).toBe(219);
    expect(usgs.length).toBe(325);
    // Cobalt and lithium mining: the excerpts hold the whole tables, so every year equals the shipped rows.
    for (const material of ['cobalt', 'lithium']) {
      const mine = (list: Record<string, string>[]) => list.filter((row) => row.material === material && row.stage === 'mining').map(usgsLine);
      expect(mine(usgs), material).toEqual(mine(shippedUsgs));
    }

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
    expect(rebuiltScores).toEqual(
      rows(join(DATA, 'governance.csv'))
        .filter((row) => excerptCodes.has(row.country ?? ''))
        .map((row) => line(row, scores)),
    );
  });

  it('validates and reproduces the published figures of USGS MCS 2024-2026, the IEA and the WGI', async () => {
    const dataset = await loadDataset(DATA);
    const slice = (material: string, stage: string, year: number) =>
      dataset.production.filter((fact) => fact.material === material && fact.stage === stage && fact.year === year);
    const of = (material: string, stage: string, year: number, country: string) =>
      slice(material, stage, year).find((fact) => fact.country === country)?.quantity ?? 0;
    const world = (material: string, stage: string, year: number) => slice(material, stage, year).reduce((sum, fact) => sum + fact.quantity, 0);
    const withheld = (material: string, stage: string, year: number) =>
      dataset.withheld.filter((fact) => fact.material === material && fact.stage === stage && fact.year === year).map((fact) => fact.country);
    const shipped = rows(join(DATA, 'production.csv'));
    const sources = (material: string, stage: string, year: number) => [
      ...new Set(shipped.filter((row) => row.material === material && row.stage === stage && row.year === String(year)).map((row) => row.source)),
    ];

    // Each year from the newest edition that gives it: 2022 MCS 2024, 2023 MCS 2025, 2024 and 2025 MCS 2026.
    expect(sources('cobalt', 'mining', 2022)).toEqual(['USGS MCS 2024, mcs2024-cobal_world.csv']);
    expect(sources('cobalt', 'mining', 2023)).toEqual(['USGS MCS 2025, MCS2025_World_Data.csv']);
    expect(sources('cobalt', 'mining', 2024)).toEqual(['USGS MCS 2026, usgs_mcs2026_commodities_data.csv']);
    expect(sources('cobalt', 'mining', 2025)).toEqual(['USGS MCS 2026, usgs_mcs2026_commodities_data.csv']);
    // Cobalt mining: DR Congo 175,000 of 237,960 t in 2023 (MCS 2025; published 238,000), 226,000 of 301,590 t
    // in 2024 (MCS 2026; 302,000) and 230,000 of 314,600 t in 2025 (MCS 2026 estimate; 310,000).
    expect([of('cobalt', 'mining', 2023, 'COD'), world('cobalt', 'mining', 2023)]).toEqual([175000, 237960]);
    expect([of('cobalt', 'mining', 2024, 'COD'), world('cobalt', 'mining', 2024)]).toEqual([226000, 301590]);
    expect([of('cobalt', 'mining', 2025, 'COD'), world('cobalt', 'mining', 2025)]).toEqual([230000, 314600]);
    expect(of('cobalt', 'mining', 2025, 'COD') / world('cobalt', 'mining', 2025)).toBeCloseTo(0.7311, 4);
    // Rare earths mining 2023 (MCS 2025): China 255,000 of 376,090 t (published 376,000).
    expect([of('rare-earths', 'mining', 2023, 'CHN'), world('rare-earths', 'mining', 2023)]).toEqual([255000, 376090]);
    // Lithium mining 2024: MCS 2026's revision, 222,970 t without the U.S. (withheld), not MCS 2025's 235,380 t.
    expect(sources('lithium', 'mining', 2024)).toEqual(['USGS MCS 2026, usgs_mcs2026_commodities_data.csv']);
    expect(world('lithium', 'mining', 2024)).toBe(222970);
    expect([of('lithium', 'mining', 2024, 'AUS'), of('lithium', 'mining', 2024, 'CHL'), of('lithium', 'mining', 2024, 'CHN')]).toEqual([82700, 48900, 41400]);
    expect(withheld('lithium', 'mining', 2024)).toEqual(['USA']);
    expect(of('lithium', 'mining', 2024, 'USA')).toBe(0);
    // Lithium 2023 (MCS 2025): Australia 91,700, Chile 41,400, China 35,700; 2022 stays MCS 2024's, U.S. withheld.
    expect([of('lithium', 'mining', 2023, 'AUS'), of('lithium', 'mining', 2023, 'CHL'), of('lithium', 'mining', 2023, 'CHN')]).toEqual([91700, 41400, 35700]);
    expect(withheld('lithium', 'mining', 2022)).toEqual(['USA']);
    // Nickel mining 2023: Indonesia 2,030,000 t (MCS 2025); copper mine and refinery totals of 2023 from the rows.
    expect(of('nickel', 'mining', 2023, 'IDN')).toBe(2030000);
    expect(world('copper', 'mining', 2023)).toBe(22558000);
    expect(world('copper', 'refining', 2023)).toBe(26970000);
    // Commodities added: gallium 2025 (China 900 of 909 t), silicon metal, titanium concentrates (TiO2), magnesite.
    expect([of('gallium', 'refining', 2025, 'CHN'), world('gallium', 'refining', 2025)]).toEqual([900, 909]);
    expect(withheld('silicon', 'refining', 2025)).toEqual(['USA']);
    expect(world('titanium', 'mining', 2024)).toBe(9678000);
    expect(dataset.units.get('magnesite|mining')).toBe('t');
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
    // Japan's 2022 natural graphite from China, as Japan reported it: HS 250490 17,142 t (the HS6
    // extract) and the rest of the 2504 total, 52,835 - 17,142 = 35,693 t (flake 250410, the Quad
    // workbook): 52,835 t, the 2504 total, never 2504 + 250490.
    const graphite = dataset.trade
      .facts()
      .find((fact) => fact.material === 'graphite' && fact.exporter === 'CHN' && fact.importer === 'JPN' && fact.year === 2022);
    expect(graphite?.quantity).toBe(52835);
    // One unit per material and stage: contained tonnes, or gross tonnes for the traded products.
    expect(dataset.units.get('lithium|refining')).toBe('t');
    expect(dataset.units.get('manganese|mining')).toBe('t');
    expect(dataset.units.get('nickel|mining')).toBe('t');
  });
});
