/**
 * Loads a data folder (production.csv, trade.csv, optional countries.csv) into validated, aggregated
 * facts. Every problem of every file is collected (up to a cap per file) before failing, so a data
 * maintainer sees all of them in one run; every row read is accounted for as used, rejected, blank
 * or skipped by a filter.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { builtInCountries, UNATTRIBUTED, type Country } from '../domain/countries.js';
import { FileProblem, readCsv, type CsvColumns, type CsvReadResult, type CsvSpec, type ProgressListener } from './csv.js';
import { readTradeInParallel, startTradeWorkers, stopTradeWorkers } from './fast/parallel.js';
import type { ByteRange } from './fast/range-job.js';
import { FieldError, MAX_YEAR, STAGES, type Stage } from '../domain/fields.js';
import { InputError, ProblemList, type Problem } from '../domain/problems.js';
import {
  PRODUCTION_SPEC,
  TRADE_SPEC,
  GOVERNANCE_SPEC,
  COVERAGE_SPEC,
  GROSS_SPEC,
  COUNTRIES_SPEC,
  UnitRegistry,
  type FileStats,
  type LoadFilter,
  type TradeRead,
} from './loading.js';
import { fieldLineReader } from './fast/field-lines.js';
import { productionLineReader } from './fast/production-lines.js';
import { ImportSummary, tradeLineReader, type LineOutcome } from './fast/trade-lines.js';
import { TradeTable } from './trade-table.js';

export type { TradeFact } from './trade-table.js';

export interface ProductionFact {
  material: string;
  stage: Stage;
  country: string;
  year: number;
  quantity: number;
  unit: string;
}

/** A production cell the source withholds (USGS `W`): the country produced, the figure is not public. */
export interface WithheldFact {
  material: string;
  stage: Stage;
  country: string;
  year: number;
}

import {
  COUNTRIES_FILE,
  COVERAGE_FILE,
  GOVERNANCE_FILE,
  GROSS_FILE,
  parsersOf,
  PRODUCTION_FILE,
  TRADE_FILE,
  type CoverageExtent,
  type CoverageFlow,
} from './contract.js';
export { COVERAGE_EXTENTS, COVERAGE_FLOWS, type CoverageExtent, type CoverageFlow } from './contract.js';

/** One row of coverage.csv: the source read this country's imports (or exports) of a material and stage in a year. */
export interface CoverageFact {
  material: string;
  stage: Stage;
  importer: string;
  year: number;
  flow: CoverageFlow;
  extent: CoverageExtent;
}

/**
 * One flow's gross weight (trade-gross.csv, written by the importers): the tonnes of traded product
 * behind the contained tonnes trade.csv gives, summed over the flow's HS codes that a content factor
 * converted. The flow's gross weight is its quantity - containedQuantity + grossQuantity.
 */
export interface GrossFact {
  material: string;
  stage: Stage;
  exporter: string;
  importer: string;
  year: number;
  grossQuantity: number;
  containedQuantity: number;
}

export interface Dataset {
  production: ProductionFact[];
  /** The distinct trade facts, in columns; empty when the folder was read with `tradeSummaryOnly`. */
  trade: TradeTable;
  /** Years with trade into each importer, keyed `material|stage|importer` (filled in either mode). */
  importYears: ReadonlyMap<string, ReadonlySet<number>>;
  countries: ReadonlyMap<string, Country>;
  /** Governance scores by country and year (governance.csv); empty when the folder has none. */
  governance: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** Which trade is covered (coverage.csv); null when the folder has no coverage.csv. */
  coverage: CoverageFact[] | null;
  /** Production cells the source withholds (`W` in production.csv). */
  withheld: WithheldFact[];
  /**
   * The publishers of each year's production rows (the `source` column's text before its first
   * comma, "USGS MCS 2024"), keyed `material|stage|year`, sorted; absent from hand-built datasets.
   */
  productionSources?: ReadonlyMap<string, readonly string[]>;
  /**
   * Gross weights of the flows a content factor converted (trade-gross.csv), summed by flow; null when
   * the folder has none (trade quantities are then taken as the traded weight). Optional for datasets made in code.
   */
  gross?: GrossFact[] | null;
  /** Unit of each material and stage, keyed `material|stage`. */
  units: ReadonlyMap<string, string>;
  stats: FileStats[];
  warnings: string[];
}

/** Loads and validates a data folder; throws InputError naming every problem found. */
export async function loadDataset(dir: string, filter: LoadFilter = {}): Promise<Dataset> {
  const result = await inspectDataset(dir, filter);
  const problems = result.stats.flatMap((file) => file.problems);
  if (problems.length > 0) {
    throw new InputError(
      problems,
      result.stats.reduce((sum, file) => sum + file.problemsOmitted, 0),
    );
  }
  return result;
}

/** Like loadDataset but returns the problems in the stats instead of throwing (for `validate`). */
export async function inspectDataset(dir: string, filter: LoadFilter = {}): Promise<Dataset> {
  await assertDataFolder(dir);
  const tradeFilter = { ...filter, ...(filter.tradeYears ? { years: filter.tradeYears } : {}) };
  const tradePath = join(dir, TRADE_SPEC.label);
  // A large trade.csv's worker threads start first: they load while the small files are read.
  const workers = filter.fastPath === false ? null : await startTradeWorkers(tradePath, tradeFilter, filter.threads ?? 1);
  let countriesFile: Awaited<ReturnType<typeof readCountries>>;
  let production: Awaited<ReturnType<typeof readProduction>>;
  const units = new UnitRegistry();
  const countries = new Map(builtInCountries());
  const isKnown = (code: string): boolean => countries.has(code);
  try {
    countriesFile = await readCountries(dir);
    for (const [code, country] of countriesFile.countries) countries.set(code, country);
    production = await readProduction(dir, isKnown, units, filter);
  } catch (error) {
    stopTradeWorkers(workers);
    throw error;
  }
  const trade = (await readTradeInParallel(workers, countries, units, tradeFilter, readTradeRows)) ?? (await readTrade(tradePath, isKnown, units, tradeFilter));
  const governanceFile = await readGovernance(dir, isKnown);
  const coverageFile = await readCoverage(dir, isKnown);
  const grossFile = await readGross(dir, isKnown, {
    ...(tradeFilter.years ? { years: tradeFilter.years } : {}),
    ...(filter.materials ? { materials: filter.materials } : {}),
  });
  const used = new Set([...production.facts.map((fact) => fact.country), ...trade.countries]);
  const warnings = governanceWarnings(countries, governanceFile.scores, used);
  return {
    production: production.facts,
    trade: trade.facts,
    importYears: trade.importYears,
    countries,
    governance: governanceFile.scores,
    coverage: coverageFile.facts,
    withheld: production.withheld,
    productionSources: production.sources,
    gross: grossFile.facts,
    units: units.units,
    stats: [production.stats, trade.stats, countriesFile.stats, governanceFile.stats, coverageFile.stats, grossFile.stats].filter(
      (file) => file.present || (file.file !== GOVERNANCE_SPEC.label && file.file !== COVERAGE_SPEC.label && file.file !== GROSS_SPEC.label),
    ),
    warnings,
  };
}

async function assertDataFolder(dir: string): Promise<void> {
  let info;
  try {
    info = statSync(dir);
  } catch {
    throw new InputError([{ file: dir, message: 'data folder not found' }]);
  }
  if (!info.isDirectory()) throw new InputError([{ file: dir, message: 'is not a folder; --data takes a data folder' }]);
}

function emptyStats(file: string, present: boolean): FileStats {
  return { file, present, rowsRead: 0, rowsUsed: 0, rowsRejected: 0, rowsBlank: 0, rowsSkipped: 0, problems: [], problemsOmitted: 0 };
}

/**
 * Reads one file, sending each row to `handleRow`, and fills in its stats. With `fastLine`, lines
 * (quoted fields included) are first offered to it as bytes; a line it declines (null) takes the
 * plain path.
 */
async function readFile(
  path: string,
  spec: CsvSpec,
  filter: LoadFilter,
  handleRow: (row: RowReader, line: number) => 'used' | 'skipped',
  range?: ByteRange,
  fastLine?: (columns: CsvColumns) => ((bytes: Uint8Array, start: number, end: number, line: number) => LineOutcome) | undefined,
): Promise<FileStats> {
  if (filter.fastPath === false) fastLine = undefined;
  const stats = emptyStats(spec.label, true);
  const problems = new ProblemList();
  const counts: CsvReadResult = { rowsRead: 0, rowsBlank: 0, rowsPrefiltered: 0 };
  let fatal = false;
  const reader = new RowReader();
  try {
    await readCsv(
      path,
      spec,
      {
        row(fields, line, columns) {
          reader.reset(fields, columns);
          let outcome: 'used' | 'skipped' | undefined;
          try {
            outcome = handleRow(reader, line);
          } catch (error) {
            if (error instanceof FieldError) reader.problems.push({ message: error.message });
            else if (!(error instanceof RowRejected)) throw error;
          }
          if (reader.problems.length > 0) {
            stats.rowsRejected += 1;
            for (const problem of reader.problems) problems.add({ file: spec.label, line, ...problem });
          } else if (outcome === 'used') stats.rowsUsed += 1;
          else stats.rowsSkipped += 1;
        },
        reject(problem) {
          stats.rowsRejected += 1;
          problems.add(problem);
        },
      },
      {
        counts,
        ...(range ? { range } : {}),
        ...(filter.progress ? { progress: filter.progress } : {}),
        // The fast readers split quoted fields themselves (a quoted source column is the common case).
        ...(fastLine ? { fastLine: (columns: CsvColumns) => countedFastLine(fastLine(columns), stats), fastLineTakesQuotes: true } : {}),
        ...(filter.years || filter.materials
          ? { prefilter: (columns) => linePrefilter(filter, columns), recordFilter: (columns) => rawFilter(filter, columns) }
          : {}),
      },
    );
  } catch (error) {
    if (!(error instanceof FileProblem)) throw error;
    problems.add(error.problem);
    fatal = true;
  }
  stats.rowsRead = counts.rowsRead;
  stats.rowsBlank = counts.rowsBlank;
  stats.rowsSkipped += counts.rowsPrefiltered;
  // After a problem that stops the reading, the rows already read are not trusted either.
  if (fatal) {
    stats.rowsUsed = 0;
    stats.rowsRejected = stats.rowsRead - stats.rowsBlank - stats.rowsSkipped;
  }
  stats.problems = problems.kept;
  stats.problemsOmitted = problems.omitted;
  return stats;
}

/** A fast line reader that counts the rows it takes as used or skipped (the plain path's counts). */
function countedFastLine(
  read: ((bytes: Uint8Array, start: number, end: number, line: number) => LineOutcome) | undefined,
  stats: FileStats,
): ((bytes: Uint8Array, start: number, end: number, line: number) => boolean) | undefined {
  if (!read) return undefined;
  return (bytes, start, end, line) => {
    const outcome = read(bytes, start, end, line);
    if (outcome === 'used') stats.rowsUsed += 1;
    else if (outcome === 'skipped') stats.rowsSkipped += 1;
    return outcome !== null;
  };
}

/**
 * Whether a row's raw year and material fields pass the filter. Rows outside the requested years or
 * materials are skipped before any other check (even a wrong field count), the same way on both
 * parsing paths, so a report for one year does not depend on the other years' rows; `validate`
 * checks every row. A year that is not a plain integer, or an empty field, is kept so that the row's
 * problem is reported.
 */
export function rawFilter(filter: LoadFilter, columns: CsvColumns): ((fields: readonly string[]) => boolean) | undefined {
  if (!filter.years && !filter.materials) return undefined;
  const yearAt = columns.index.get('year') ?? -1;
  const materialAt = columns.index.get('material') ?? -1;
  return (fields) => {
    if (filter.years) {
      const year = plainInteger(fields[yearAt]);
      if (year !== null && !filter.years.has(year)) return false;
    }
    if (filter.materials) {
      const material = fields[materialAt]?.trim() ?? '';
      if (material !== '' && !filter.materials.has(material)) return false;
    }
    return true;
  };
}

function plainInteger(text: string | undefined): number | null {
  const digits = text?.replace(/^ +| +$/g, '') ?? '';
  return /^[0-9]+$/.test(digits) ? Number(digits) : null;
}

/**
 * The same test as rawFilter on a raw quote-free line, read straight from the bytes: it stops after
 * the last field it needs and makes no string unless a material is asked for.
 */
function linePrefilter(filter: LoadFilter, columns: CsvColumns): (bytes: Uint8Array, start: number, end: number) => boolean {
  const yearAt = filter.years ? (columns.index.get('year') ?? -1) : -1;
  const materialAt = filter.materials ? (columns.index.get('material') ?? -1) : -1;
  if (filter.years && yearAt >= 0 && materialAt < 0) return yearPrefilter(filter.years, yearAt);
  const lastNeeded = Math.max(yearAt, materialAt);
  const decoder = new TextDecoder();
  return (bytes, start, end) => {
    let field = 0;
    let fieldStart = start;
    let yearStart = -1;
    let yearEnd = -1;
    let materialStart = -1;
    let materialEnd = -1;
    for (let i = start; i <= end && field <= lastNeeded; i += 1) {
      if (i < end && bytes[i] !== 44) continue;
      if (field === yearAt) {
        yearStart = fieldStart;
        yearEnd = i;
      } else if (field === materialAt) {
        materialStart = fieldStart;
        materialEnd = i;
      }
      field += 1;
      fieldStart = i + 1;
    }
    if (field <= lastNeeded) return true; // too few fields: the full path reports it
    if (yearAt >= 0) {
      const year = asciiInteger(bytes, yearStart, yearEnd);
      if (year !== null && !(filter.years?.has(year) ?? true)) return false;
    }
    if (materialAt >= 0) {
      const material = decoder.decode(bytes.subarray(materialStart, materialEnd)).trim();
      if (material !== '' && !(filter.materials?.has(material) ?? true)) return false;
    }
    return true;
  };
}

/**
 * The prefilter of a read filtered by years only (`report --year`), which sees every line of a
 * large file: one pass to the year field, its digits read on the way, and a table lookup. A line it
 * cannot read plainly (spaces, a sign, too few fields) is kept for the full path.
 */
function yearPrefilter(years: ReadonlySet<number>, yearAt: number): (bytes: Uint8Array, start: number, end: number) => boolean {
  const wanted = new Uint8Array(MAX_YEAR + 1);
  for (const year of years) if (year >= 0 && year <= MAX_YEAR) wanted[year] = 1;
  return (bytes, start, end) => {
    let i = start;
    for (let field = 0; field < yearAt; i += 1) {
      if (i >= end) return true;
      if (bytes[i] === 44) field += 1;
    }
    let year = 0;
    let digits = 0;
    for (; i < end; i += 1) {
      const byte = bytes[i] ?? 0;
      if (byte === 44) break;
      const digit = byte - 48;
      if (digit < 0 || digit > 9 || digits === 9) return true;
      year = year * 10 + digit;
      digits += 1;
    }
    // As linePrefilter: a plain number that is not an asked year is skipped, whatever its length.
    return digits === 0 || (year <= MAX_YEAR && wanted[year] === 1);
  };
}

/** plainInteger on bytes[start, end): digits with optional surrounding spaces, else null. */
function asciiInteger(bytes: Uint8Array, start: number, end: number): number | null {
  let from = start;
  let to = end;
  while (from < to && bytes[from] === 32) from += 1;
  while (to > from && bytes[to - 1] === 32) to -= 1;
  if (from === to) return null;
  let value = 0;
  for (let i = from; i < to; i += 1) {
    const digit = (bytes[i] ?? 0) - 48;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return value;
}

/** Signals that a row has field problems; its remaining checks are skipped. */
class RowRejected extends Error {}

/**
 * Reads a named column of the current row through a parser. Every field is checked so that a row
 * with several mistakes reports all of them; once one field failed, the row's values are not used.
 */
type FieldReader = <T>(name: string, parse: (raw: string) => T) => T;

class RowReader {
  readonly problems: { column?: number; message: string }[] = [];
  private fields: readonly string[] = [];
  private columns: CsvColumns = { names: [], index: new Map() };

  /** One reader serves every row of a file: no allocation per row. */
  reset(fields: readonly string[], columns: CsvColumns): void {
    this.fields = fields;
    this.columns = columns;
    this.problems.length = 0;
  }

  readonly get: FieldReader = <T>(name: string, parse: (raw: string) => T): T => {
    const position = this.columns.index.get(name);
    try {
      return parse(position === undefined ? '' : (this.fields[position] ?? ''));
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      this.problems.push({ ...(position !== undefined ? { column: position + 1 } : {}), message: error.message });
      return undefined as T;
    }
  };

  /** Stops a row's processing before values that failed are used. */
  assertClean(): void {
    if (this.problems.length > 0) throw new RowRejected();
  }
}

function passesFilter(filter: LoadFilter, material: string, year: number): boolean {
  if (filter.years && !filter.years.has(year)) return false;
  if (filter.materials && !filter.materials.has(material)) return false;
  return true;
}

async function readProduction(
  dir: string,
  isKnown: (code: string) => boolean,
  units: UnitRegistry,
  filter: LoadFilter,
): Promise<{ facts: ProductionFact[]; withheld: WithheldFact[]; sources: Map<string, string[]>; stats: FileStats }> {
  // By material, stage, country and year in nested maps: no key text is made per row (the names are
  // the readers' own strings, one per distinct text, whose hashes are kept).
  const merged = new CellMap<ProductionFact>();
  const withheld = new CellMap<WithheldFact>();
  const sources = new Map<string, string[]>();
  /** Records the publisher of a row (the source's text before its first comma) for its material, stage and year. */
  const noteSource = (material: string, stage: Stage, year: number, source: string | undefined): void => {
    const publisher = source?.split(',')[0]?.trim();
    if (!publisher) return;
    const key = `${material}|${stage}|${year}`;
    const known = sources.get(key);
    if (!known) sources.set(key, [publisher]);
    else if (!known.includes(publisher)) known.push(publisher);
  };
  /** A figure for a cell also marked withheld: reported after the read, as the fast path has no row reader. */
  const conflicts: Problem[] = [];
  const conflict = (material: string, stage: Stage, country: string, year: number, line: number): void => {
    conflicts.push({ file: PRODUCTION_SPEC.label, line, message: `${country} ${material} ${stage} ${year} is given both as a figure and as withheld (W)` });
  };
  const add = (material: string, stage: Stage, country: string, year: number, quantity: number, unit: string, line: number, source?: string): void => {
    if (withheld.get(material, stage, country, year)) return conflict(material, stage, country, year, line);
    if (source !== undefined) noteSource(material, stage, year, source);
    const existing = merged.get(material, stage, country, year);
    if (existing) existing.quantity += quantity;
    else merged.set(material, stage, country, year, { material, stage, country, year, quantity, unit });
  };
  const checkUnit = (material: string, stage: Stage, unit: string, line: number): void => units.check(material, stage, unit, PRODUCTION_SPEC.label, line);
  const parse = parsersOf(PRODUCTION_FILE, isKnown);
  const handleRow = (row: RowReader, line: number): 'used' | 'skipped' => {
    const get = row.get;
    const material = get('material', parse.material);
    const stage = get('stage', parse.stage);
    const country = get('country', parse.country);
    const year = get('year', parse.year);
    const quantity = get('quantity', parse.quantity);
    const unit = get('unit', parse.unit);
    const source = get('source', parse.source);
    row.assertClean();
    if (!passesFilter(filter, material, year)) return 'skipped';
    get('unit', () => checkUnit(material, stage, unit, line));
    row.assertClean();
    if (quantity !== null) add(material, stage, country, year, quantity, unit, line, source);
    else if (merged.get(material, stage, country, year) || withheld.get(material, stage, country, year)) conflict(material, stage, country, year, line);
    else {
      withheld.set(material, stage, country, year, { material, stage, country, year });
      noteSource(material, stage, year, source);
    }
    return 'used';
  };
  const fastLine = (columns: CsvColumns) =>
    productionLineReader(columns, {
      parse,
      checkUnit,
      add,
      ...(filter.years ? { years: filter.years } : {}),
      ...(filter.materials ? { materials: filter.materials } : {}),
    });
  const stats = await readFile(join(dir, PRODUCTION_SPEC.label), PRODUCTION_SPEC, filter, handleRow, undefined, fastLine);
  for (const problem of conflicts) {
    stats.problems.push(problem);
    stats.rowsUsed -= 1;
    stats.rowsRejected += 1;
  }
  for (const publishers of sources.values()) publishers.sort();
  return { facts: merged.values(), withheld: withheld.values(), sources, stats };
}

/** Values by material, stage, country and year, in order of first setting. */
class CellMap<T> {
  private readonly cells = new Map<string, Map<string, Map<string, Map<number, T>>>>();
  private readonly list: T[] = [];

  get(material: string, stage: string, country: string, year: number): T | undefined {
    return this.cells.get(material)?.get(stage)?.get(country)?.get(year);
  }

  /** Sets a value for a cell that has none. */
  set(material: string, stage: string, country: string, year: number, value: T): void {
    let stages = this.cells.get(material);
    if (!stages) this.cells.set(material, (stages = new Map()));
    let countries = stages.get(stage);
    if (!countries) stages.set(stage, (countries = new Map()));
    let years = countries.get(country);
    if (!years) countries.set(country, (years = new Map()));
    years.set(year, value);
    this.list.push(value);
  }

  values(): T[] {
    return [...this.list];
  }
}

async function readTrade(path: string, isKnown: (code: string) => boolean, units: UnitRegistry, filter: LoadFilter, range?: ByteRange): Promise<TradeRead> {
  const table = new TradeTable();
  const summary = filter.tradeSummaryOnly ? new ImportSummary() : undefined;
  // A full read of a large file: size the table from the first chunk's rows per byte.
  const sizing = summary || filter.years || filter.materials ? filter : { ...filter, progress: reserveOnFirstChunk(table, filter.progress) };
  const stats = await readTradeRows(path, isKnown, units, sizing, table, summary, range);
  table.finish();
  const years = summary ?? ImportSummary.of(table);
  return { facts: table, stats, importYears: years.importYears(table), countries: years.countries(table) };
}

/**
 * Reads trade.csv (or a byte range of it) into `table`, or only into `summary` when given, with both
 * the byte-level reader and the plain one.
 */
export async function readTradeRows(
  path: string,
  isKnown: (code: string) => boolean,
  units: UnitRegistry,
  filter: LoadFilter,
  table: TradeTable,
  summary: ImportSummary | undefined,
  range?: ByteRange,
): Promise<FileStats> {
  const parse = parsersOf(TRADE_FILE, isKnown);
  const checkUnit = (material: string, stage: Stage, unit: string, line: number): void => units.check(material, stage, unit, TRADE_SPEC.label, line);
  const handleRow = (row: RowReader, line: number): 'used' | 'skipped' => {
    const get = row.get;
    const material = get('material', parse.material);
    const stage = get('stage', parse.stage);
    const exporter = get('exporter', parse.exporter);
    const importer = get('importer', parse.importer);
    const year = get('year', parse.year);
    const quantity = get('quantity', parse.quantity);
    const unit = get('unit', parse.unit);
    const valueUsd = get('value_usd', parse.value_usd);
    row.assertClean();
    if (exporter === importer) {
      throw new FieldError(`exporter and importer are both ${exporter}; a country does not trade with itself`);
    }
    if (!passesFilter(filter, material, year)) return 'skipped';
    get('unit', () => checkUnit(material, stage, unit, line));
    row.assertClean();
    if (summary) {
      summary.note(table.materials.id(material), STAGES.indexOf(stage), table.countries.id(exporter), table.countries.id(importer), year);
    } else table.addFact({ material, stage, exporter, importer, year, quantity, unit, valueUsd });
    return 'used';
  };
  const fastLine = (columns: CsvColumns) =>
    tradeLineReader(columns, {
      table,
      parse,
      checkUnit,
      ...(filter.years ? { years: filter.years } : {}),
      ...(filter.materials ? { materials: filter.materials } : {}),
      ...(summary ? { summary } : {}),
    });
  return readFile(path, TRADE_SPEC, filter, handleRow, range, fastLine);
}

/** A progress listener that, after the first chunk, reserves room for the rows the whole file will hold. */
function reserveOnFirstChunk(table: TradeTable, progress: ProgressListener | undefined): ProgressListener {
  let sized = false;
  return (read) => {
    if (!sized && read.rowsRead > 0 && read.bytesRead > 0) {
      sized = true;
      table.reserve(Math.ceil((read.rowsRead * read.bytesTotal) / read.bytesRead));
    }
    progress?.(read);
  };
}

async function readCountries(dir: string): Promise<{ countries: Map<string, Country>; stats: FileStats }> {
  const path = join(dir, COUNTRIES_SPEC.label);
  const countries = new Map<string, Country>();
  const exists = existsSync(path);
  if (!exists) return { countries, stats: emptyStats(COUNTRIES_SPEC.label, false) };
  const definedAt = new Map<string, number>();
  const builtIn = builtInCountries();
  // Codes are defined here, not checked against a list: the check is never called.
  const parse = parsersOf(COUNTRIES_FILE, () => true);
  const stats = await readFile(path, COUNTRIES_SPEC, {}, (row, line) => {
    const get = row.get;
    const code = get('country', parse.country);
    const name = get('name', parse.name);
    const governance = get('governance', parse.governance);
    const groups = get('groups', parse.groups);
    row.assertClean();
    const first = definedAt.get(code);
    if (first !== undefined) throw new FieldError(`country ${code} is defined twice (first at line ${first})`);
    definedAt.set(code, line);
    countries.set(code, { code, name: name || builtIn.get(code)?.name || code, governance, groups });
    return 'used';
  });
  return { countries, stats };
}

/** governance.csv: one WGI score per country and year. */
async function readGovernance(dir: string, isKnown: (code: string) => boolean): Promise<{ scores: Map<string, Map<number, number>>; stats: FileStats }> {
  const path = join(dir, GOVERNANCE_SPEC.label);
  const scores = new Map<string, Map<number, number>>();
  if (!existsSync(path)) return { scores, stats: emptyStats(GOVERNANCE_SPEC.label, false) };
  const definedAt = new Map<string, number>();
  const parse = parsersOf(GOVERNANCE_FILE, isKnown);
  /** Keeps a score; false (nothing kept) when the country and year have one already. */
  const add = (country: string, year: number, value: number, line: number): boolean => {
    const key = `${country}|${year}`;
    if (definedAt.has(key)) return false;
    definedAt.set(key, line);
    let byYear = scores.get(country);
    if (!byYear) scores.set(country, (byYear = new Map()));
    byYear.set(year, value);
    return true;
  };
  const handleRow = (row: RowReader, line: number): 'used' => {
    const get = row.get;
    const country = get('country', parse.country);
    const year = get('year', parse.year);
    const value = get('governance', parse.governance);
    row.assertClean();
    if (!add(country, year, value, line)) throw new FieldError(`${country} ${year} has a score already (line ${definedAt.get(`${country}|${year}`)})`);
    return 'used';
  };
  const fastLine = (columns: CsvColumns) =>
    fieldLineReader(
      columns,
      [
        { name: 'country', parse: parse.country },
        { name: 'year', parse: parse.year },
        { name: 'governance', parse: parse.governance, uncached: true },
      ],
      // A second score for a country and year: the plain path names the first one's line.
      (values, line) => (add(values[0] as string, values[1] as number, values[2] as number, line) ? 'used' : null),
    );
  const stats = await readFile(path, GOVERNANCE_SPEC, {}, handleRow, undefined, fastLine);
  return { scores, stats };
}

/** coverage.csv: which importer's imports or exports a source read in full (or in part). */
async function readCoverage(dir: string, isKnown: (code: string) => boolean): Promise<{ facts: CoverageFact[] | null; stats: FileStats }> {
  const path = join(dir, COVERAGE_SPEC.label);
  if (!existsSync(path)) return { facts: null, stats: emptyStats(COVERAGE_SPEC.label, false) };
  const merged = new Map<string, CoverageFact>();
  const parse = parsersOf(COVERAGE_FILE, isKnown);
  const add = (material: string, stage: Stage, importer: string, year: number, flow: CoverageFlow, extent: CoverageExtent): 'used' => {
    // Two sources covering the same trade: full wins over partial.
    const key = `${material}|${stage}|${importer}|${year}|${flow}`;
    const known = merged.get(key);
    if (!known || known.extent === 'partial') merged.set(key, { material, stage, importer, year, flow, extent });
    return 'used';
  };
  const handleRow = (row: RowReader): 'used' => {
    const get = row.get;
    const material = get('material', parse.material);
    const stage = get('stage', parse.stage);
    const importer = get('importer', parse.importer);
    const year = get('year', parse.year);
    const flow = get('flow', parse.flow);
    const extent = get('extent', parse.extent);
    row.assertClean();
    return add(material, stage, importer, year, flow, extent);
  };
  const fastLine = (columns: CsvColumns) =>
    fieldLineReader(
      columns,
      [
        { name: 'material', parse: parse.material },
        { name: 'stage', parse: parse.stage },
        { name: 'importer', parse: parse.importer },
        { name: 'year', parse: parse.year },
        { name: 'flow', parse: parse.flow },
        { name: 'extent', parse: parse.extent },
      ],
      (values) =>
        add(values[0] as string, values[1] as Stage, values[2] as string, values[3] as number, values[4] as CoverageFlow, values[5] as CoverageExtent),
    );
  const stats = await readFile(path, COVERAGE_SPEC, {}, handleRow, undefined, fastLine);
  return { facts: [...merged.values()], stats };
}

/**
 * trade-gross.csv (optional): the gross weights behind converted trade, summed by flow (material,
 * stage, exporter, importer, year) over its HS codes. Read for prices per kg of traded product.
 */
async function readGross(dir: string, isKnown: (code: string) => boolean, filter: LoadFilter): Promise<{ facts: GrossFact[] | null; stats: FileStats }> {
  const path = join(dir, GROSS_SPEC.label);
  if (!existsSync(path)) return { facts: null, stats: emptyStats(GROSS_SPEC.label, false) };
  const merged = new Map<string, GrossFact>();
  const parse = parsersOf(GROSS_FILE, isKnown);
  const stats = await readFile(path, GROSS_SPEC, filter, (row) => {
    const get = row.get;
    const material = get('material', parse.material);
    const stage = get('stage', parse.stage);
    const exporter = get('exporter', parse.exporter);
    const importer = get('importer', parse.importer);
    const year = get('year', parse.year);
    const grossQuantity = get('gross_quantity', parse.gross_quantity);
    const containedQuantity = get('contained_quantity', parse.contained_quantity);
    row.assertClean();
    if (!passesFilter(filter, material, year)) return 'skipped';
    const key = `${material}|${stage}|${exporter}|${importer}|${year}`;
    const known = merged.get(key);
    if (known) {
      known.grossQuantity += grossQuantity;
      known.containedQuantity += containedQuantity;
    } else merged.set(key, { material, stage, exporter, importer, year, grossQuantity, containedQuantity });
    return 'used';
  });
  return { facts: [...merged.values()], stats };
}

function governanceWarnings(
  countries: ReadonlyMap<string, Country>,
  byYear: ReadonlyMap<string, ReadonlyMap<number, number>>,
  used: ReadonlySet<string>,
): string[] {
  const missing = [...used].filter((code) => code !== UNATTRIBUTED && countries.get(code)?.governance == null && !byYear.has(code)).sort();
  if (missing.length === 0) return [];
  const list = missing.length > 12 ? `${missing.slice(0, 12).join(', ')} and ${missing.length - 12} more` : missing.join(', ');
  return [
    `no governance score for ${missing.length} ${missing.length === 1 ? 'country' : 'countries'} (${list}); ` +
      'GeoPolRisk and the WGI-weighted HHI become ranges where they supply or produce (add them to governance.csv or countries.csv)',
  ];
}
