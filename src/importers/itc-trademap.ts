/**
 * ITC Trade Map tab-separated downloads: "List of supplying markets for a product imported by
 * <country>" and "List of importing markets for a product exported by <country>".
 *
 * Layout: a header `Exporters|Importers, YYYY-Imported quantity, Tons, ...` (plus a trailing empty
 * column), then one row per partner with its ITC English name, "World" first. The files do not say
 * which product they are about, so the HS code is read from the folder or file name (Trade Map's
 * own download names do not carry it either; keep each download in a folder named after its code,
 * e.g. `283691_Li_Carbonates/`). The reporting country is read from the file name.
 */
import { basename, dirname } from 'node:path';
import { InputError } from '../domain/problems.js';
import { cleanName, resolveCountryName } from './country-names.js';
import { entryOf, factorFor, type HsEntry, type HsMap } from './hs-map.js';
import { isBlank, parseDelimited, readTextFile } from './read-text.js';
import { CoverageSeen, coverageRows, GrossSum, NO_FACTOR } from './trade-filter.js';
import { emptyResult, type ImportResult, type Selection, type TradeRow } from './types.js';
import { inYears, parseGroupedNumber, roundQuantity, type YearRange } from './values.js';

export interface ItcOptions {
  hsMap: HsMap;
  years?: YearRange;
  select?: Selection;
}

type Direction = 'imports' | 'exports';

interface YearColumn {
  index: number;
  year: number;
  /** Tonnes per unit of the column. */
  factor: number;
}

const QUANTITY_COLUMN = /^(\d{4})-(imported|exported) quantity,?\s*(.*)$/i;
const TONNES_PER_ITC_UNIT: Readonly<Record<string, number>> = { tons: 1, tonnes: 1, kilograms: 0.001 };

/**
 * Coverage: a "supplying markets ... imported by X" table covers X's imports of its product for each
 * year column read, an "importing markets ... exported by X" table X's exports. A material and stage
 * is `full` for X, a flow and a year when a table was read for every HS code mapped to it (and every
 * partner's flow could be converted), else `partial`. The coverage rows' source is "ITC Trade Map,
 * imports of X" (or exports), so a later run of the same tables replaces them.
 */
export async function importItcTradeMap(paths: readonly string[], options: ItcOptions): Promise<ImportResult> {
  const result = emptyResult();
  const run: RunContext = { seen: new Map(), gross: new GrossSum() };
  for (const path of paths) await importFile(path, options, result, run);
  for (const [key, seen] of run.seen) {
    const [reporter, direction] = key.split('|') as [string, Direction];
    const flow = direction === 'imports' ? 'import' : 'export';
    const { hsMap, years, select } = options;
    result.coverage.push(
      ...coverageRows(seen, { hsMap, ...(years ? { years } : {}), ...(select ? { select } : {}) }, flow, `ITC Trade Map, ${direction} of ${reporter}`),
    );
  }
  result.gross = run.gross.rows();
  return result;
}

interface RunContext {
  /** What was read, by reporter and direction ("JPN|imports"). */
  seen: Map<string, CoverageSeen>;
  gross: GrossSum;
  /** The HS codes of the tables read, by reporter and direction, with the file of each. */
  tables?: Map<string, Map<string, string>>;
}

/**
 * A four-digit table (a heading total, e.g. 2510) and a table of a six-digit code inside it for the
 * same reporter and direction would add the six-digit flows twice: refused.
 */
function noteTable(run: RunContext, key: string, hs: string, label: string): void {
  const tables = (run.tables ??= new Map());
  const codes = tables.get(key) ?? new Map<string, string>();
  tables.set(key, codes);
  for (const [other, file] of codes) {
    if (other !== hs && (other.startsWith(hs) || hs.startsWith(other))) {
      throw new InputError([
        {
          file: label,
          message: `HS ${hs} and HS ${other} (${file}) overlap: a four-digit total and a six-digit code inside it are never added; import one of them`,
        },
      ]);
    }
  }
  codes.set(hs, label);
}

async function importFile(path: string, options: ItcOptions, result: ImportResult, run: RunContext): Promise<void> {
  const label = `${basename(dirname(path))}/${basename(path)}`;
  const hs = hsCodeOf(path, label);
  const reporter = reporterOf(path, label);
  const records = parseDelimited(await readTextFile(path), label, '\t');
  const header = records[0] ?? [];
  const direction = directionOf(header[0] ?? '', label);
  const columns = yearColumns(header, label, result.notes);
  const entry = entryOf(options.hsMap, hs);
  if (entry) noteTable(run, `${reporter}|${direction}`, hs, label);
  const source = `ITC Trade Map, HS ${hs}, ${direction} of ${reporter}`;
  const seenKey = `${reporter}|${direction}`;
  const seen = run.seen.get(seenKey) ?? new CoverageSeen();
  run.seen.set(seenKey, seen);
  const context: FileContext = { label, hs, reporter, direction, columns, entry, source, options, seen, gross: run.gross, partners: new Map() };
  if (entry && !options.select?.(entry.material, entry.stage)) {
    for (const column of columns) {
      if (!inYears(options.years, column.year)) continue;
      seen.noteCode(column.year, entry.hs6);
      seen.noteImporter(column.year, reporter);
    }
  }
  const worlds = new Map<number, number>();
  records.slice(1).forEach((record, i) => {
    if (!isBlank(record)) importRecord(record, i + 2, context, result, worlds);
  });
  checkWorld(context, result, worlds);
}

interface FileContext {
  label: string;
  hs: string;
  reporter: string;
  direction: Direction;
  columns: YearColumn[];
  entry: HsEntry | undefined;
  source: string;
  options: ItcOptions;
  seen: CoverageSeen;
  gross: GrossSum;
  /** Tonnes of product of the partner rows kept, by year (checked against the "World" row). */
  partners: Map<number, number>;
}

/** The leading digits of the folder name (or the file name): "283691_Li_Carbonates" -> 283691. */
function hsCodeOf(path: string, label: string): string {
  for (const name of [basename(dirname(path)), basename(path)]) {
    const match = /^(\d{4}(?:\d{2})?)(?:\D|$)/.exec(name);
    if (match?.[1]) return match[1];
  }
  throw new InputError([{ file: label, message: 'cannot tell the HS code: name the folder or the file after it (e.g. 283691_Li_Carbonates/)' }]);
}

/** "..._imported_by_Japan.txt" -> JPN. */
function reporterOf(path: string, label: string): string {
  const match = /by[_ ](.+?)\.(txt|tsv|csv)$/i.exec(basename(path));
  const place = match?.[1] ? resolveCountryName(match[1].replace(/_/g, ' ')) : { kind: 'unknown' as const };
  if (place.kind !== 'country') {
    throw new InputError([{ file: label, message: 'cannot tell the reporting country from the file name (expected "... by <Country>.txt")' }]);
  }
  return place.code;
}

/** "Exporters" in the first header cell: the partners export to the reporter (an imports table). */
function directionOf(first: string, label: string): Direction {
  const name = first.trim().toLowerCase();
  if (name === 'exporters') return 'imports';
  if (name === 'importers') return 'exports';
  throw new InputError([{ file: label, line: 1, message: `first column is "${first}", expected Exporters or Importers (an ITC Trade Map table)` }]);
}

/** Year columns with their unit; a column without a unit takes the one every other column has. */
function yearColumns(header: readonly string[], label: string, notes: string[]): YearColumn[] {
  const found = header.flatMap((name, index) => {
    const match = QUANTITY_COLUMN.exec(name.trim());
    return match ? [{ index, year: Number(match[1]), unit: (match[3] ?? '').trim().toLowerCase() }] : [];
  });
  if (found.length === 0) throw new InputError([{ file: label, line: 1, message: 'no "YYYY-Imported quantity, Tons" columns' }]);
  const units = new Set(found.map((column) => column.unit).filter((unit) => unit !== ''));
  return found.map((column) => {
    let unit = column.unit;
    if (unit === '' && units.size === 1) {
      unit = [...units][0] ?? '';
      notes.push(`${label}: column ${column.year} has no unit; taken as "${unit}" like the other columns`);
    }
    const factor = TONNES_PER_ITC_UNIT[unit];
    if (factor === undefined) throw new InputError([{ file: label, line: 1, message: `column ${column.year}: unit "${unit}" is not tons or kilograms` }]);
    return { index: column.index, year: column.year, factor };
  });
}

function importRecord(record: readonly string[], line: number, file: FileContext, result: ImportResult, worlds: Map<number, number>): void {
  const { tally } = result;
  const name = cleanName(record[0] ?? '');
  const place = resolveCountryName(name);
  const where = `${file.label}:${line} ${name}`;
  const unwanted = file.entry ? file.options.select?.(file.entry.material, file.entry.stage) : null;
  for (const column of file.columns) {
    const text = (record[column.index] ?? '').trim();
    const tonnes = text === '' ? null : parseGroupedNumber(text);
    if (!inYears(file.options.years, column.year)) tally.skip('year outside --years');
    else if (!file.entry) tally.skip(`HS ${file.hs} is not in the HS map`, file.label);
    else if (unwanted) tally.skip(unwanted);
    else if (place.kind === 'world') {
      if (tonnes !== null) worlds.set(column.year, tonnes * column.factor);
      tally.skip('"World" row (a total, not a partner; used to check the sums)');
    } else if (place.kind === 'unknown') tally.skip('partner name not recognised', where);
    else if (text === '') tally.skip('empty cell (no trade reported)');
    else if (tonnes === null) tally.skip('not a number', `${where} ${column.year}: "${text}"`);
    else if (tonnes === 0) tally.skip('zero quantity (no row needed)');
    else if (place.code === file.reporter) tally.skip('partner is the reporter itself (re-imports)', where);
    else {
      const product = tonnes * column.factor;
      file.partners.set(column.year, (file.partners.get(column.year) ?? 0) + product);
      const row = tradeRow(file, file.entry, place.code, column.year, product);
      if (row) {
        result.trade.push(row);
        tally.keep();
      } else {
        file.seen.markPartial(file.entry, file.reporter, column.year);
        tally.skip(NO_FACTOR.text, `${where} ${column.year}`);
      }
    }
  }
}

/** The row of a partner's flow, or null when the code has no content factor for its origin. */
function tradeRow(file: FileContext, entry: HsEntry, partner: string, year: number, tonnes: number): TradeRow | null {
  const imports = file.direction === 'imports';
  const exporter = imports ? partner : file.reporter;
  const importer = imports ? file.reporter : partner;
  const factor = factorFor(entry, exporter);
  if (factor === undefined) return null;
  file.gross.add(entry, exporter, importer, year, tonnes, file.source);
  return {
    material: entry.material,
    stage: entry.stage,
    exporter,
    importer,
    year,
    quantity: roundQuantity(factor === null ? tonnes : tonnes * factor),
    unit: entry.unit,
    valueUsd: null,
    source: file.source,
  };
}

/** Partner rows against the "World" row, in product tonnes (ITC lists every partner it has). */
function checkWorld(file: FileContext, result: ImportResult, worlds: ReadonlyMap<number, number>): void {
  if (!file.entry) return;
  for (const [year, world] of [...worlds.entries()].sort((a, b) => a[0] - b[0])) {
    const partners = file.partners.get(year) ?? 0;
    if (Math.abs(partners - world) > Math.max(1, world * 0.005)) {
      result.notes.push(`${file.label}: ${year}: partners sum to ${Math.round(partners)} t of product, "World" says ${Math.round(world)} t`);
    }
  }
}
