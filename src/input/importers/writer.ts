/**
 * Writing the data contract files (production.csv, trade.csv, countries.csv): proper CSV quoting,
 * quantities as plain numbers, rows in a stable order, and files replaced atomically (a temporary
 * file renamed over the old one) so a failed import never leaves half a file.
 *
 * Importing into a folder that already has a file merges: rows of the same source, material,
 * stage and year are replaced (re-running an import is idempotent), everything else is kept. Two
 * sources that give the same fact (e.g. USGS and IEA copper refining 2023) would be added up by the
 * loader, so that is refused and the user is asked to narrow one import.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeFailure, writeFileAtomically } from '../atomic-write.js';
import { COUNTRIES_SPEC, PRODUCTION_SPEC, TRADE_SPEC } from '../dataset.js';
import { InputError, type Problem } from '../problems.js';
import type { CountryRow, ImportResult, ProductionRow, TradeRow } from './types.js';
import { formatQuantity } from './values.js';

export const PRODUCTION_HEADER = ['material', 'stage', 'country', 'year', 'quantity', 'unit', 'source'] as const;
export const TRADE_HEADER = ['material', 'stage', 'exporter', 'importer', 'year', 'quantity', 'unit', 'value_usd', 'source'] as const;
export const COUNTRIES_HEADER = ['country', 'name', 'governance', 'groups'] as const;

/** One CSV field: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvText(header: readonly string[], rows: readonly string[][]): string {
  return [header, ...rows].map((fields) => fields.map(csvField).join(',')).join('\n') + '\n';
}

export function productionFields(row: ProductionRow): string[] {
  return [row.material, row.stage, row.country, String(row.year), formatQuantity(row.quantity), row.unit, row.source];
}

export function tradeFields(row: TradeRow): string[] {
  const value = row.valueUsd === null ? '' : formatQuantity(row.valueUsd);
  return [row.material, row.stage, row.exporter, row.importer, String(row.year), formatQuantity(row.quantity), row.unit, value, row.source];
}

export function countryFields(row: CountryRow): string[] {
  const governance = row.governance === null ? '' : row.governance.toFixed(3);
  return [row.country, row.name, governance, row.groups.join(';')];
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareRecords(keys: readonly number[]) {
  return (a: readonly string[], b: readonly string[]): number => {
    for (const key of keys) {
      const order = compareText(a[key] ?? '', b[key] ?? '');
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** material, stage, year, country; the reserved ZZZ sorts after every ISO code. */
const PRODUCTION_ORDER = compareRecords([0, 1, 3, 2, 6]);
/** material, stage, year, importer, exporter. */
const TRADE_ORDER = compareRecords([0, 1, 4, 3, 2, 8]);

export function productionCsv(rows: readonly ProductionRow[]): string {
  return csvText(PRODUCTION_HEADER, rows.map(productionFields).sort(PRODUCTION_ORDER));
}

export function tradeCsv(rows: readonly TradeRow[]): string {
  return csvText(TRADE_HEADER, rows.map(tradeFields).sort(TRADE_ORDER));
}

export function countriesCsv(rows: readonly CountryRow[]): string {
  return csvText(COUNTRIES_HEADER, rows.map(countryFields).sort(compareRecords([0])));
}

/** The CSV texts of a result, one per contract file it has rows for (for stdout). */
export function resultCsvs(result: ImportResult): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  if (result.production.length > 0) out.push({ file: PRODUCTION_SPEC.label, text: productionCsv(result.production) });
  if (result.trade.length > 0) out.push({ file: TRADE_SPEC.label, text: tradeCsv(result.trade) });
  if (result.countries.length > 0) out.push({ file: COUNTRIES_SPEC.label, text: countriesCsv(result.countries) });
  return out;
}

export interface WriteReport {
  file: string;
  written: number;
  replaced: number;
  keptFromBefore: number;
}

/** Merges the result into the contract files of `dir` and writes them atomically. */
export async function writeResult(dir: string, result: ImportResult): Promise<WriteReport[]> {
  const reports: WriteReport[] = [];
  if (result.production.length > 0) {
    reports.push(
      await mergeInto(dir, PRODUCTION_SPEC.label, PRODUCTION_HEADER, result.production.map(productionFields), PRODUCTION_ORDER, {
        source: 6, material: 0, stage: 1, year: 3, fact: [0, 1, 2, 3],
      }),
    );
  }
  if (result.trade.length > 0) {
    reports.push(
      await mergeInto(dir, TRADE_SPEC.label, TRADE_HEADER, result.trade.map(tradeFields), TRADE_ORDER, {
        source: 8, material: 0, stage: 1, year: 4, fact: [0, 1, 2, 3, 4],
      }),
    );
  }
  reports.push(...(await ensureContractFiles(dir)));
  if (result.countries.length > 0) {
    // countries.csv has one writer (the wgi importer), which builds the whole table: replaced whole.
    const path = join(dir, COUNTRIES_SPEC.label);
    await writeAtomically(path, countriesCsv(result.countries));
    reports.push({ file: COUNTRIES_SPEC.label, written: result.countries.length, replaced: 0, keptFromBefore: 0 });
  }
  return reports;
}

/**
 * A data folder needs both production.csv and trade.csv: the one an import did not write is
 * created with its header only, so the folder validates after the first import.
 */
async function ensureContractFiles(dir: string): Promise<WriteReport[]> {
  const created: WriteReport[] = [];
  for (const [file, header] of [[PRODUCTION_SPEC.label, PRODUCTION_HEADER], [TRADE_SPEC.label, TRADE_HEADER]] as const) {
    const path = join(dir, file);
    if (await exists(path)) continue;
    await writeAtomically(path, csvText(header, []));
    created.push({ file, written: 0, replaced: 0, keptFromBefore: 0 });
  }
  return created;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

interface Positions {
  source: number;
  material: number;
  stage: number;
  year: number;
  /** The fields that identify one fact (the loader adds up rows with equal facts). */
  fact: number[];
}

async function mergeInto(
  dir: string,
  file: string,
  header: readonly string[],
  fresh: string[][],
  order: (a: readonly string[], b: readonly string[]) => number,
  at: Positions,
): Promise<WriteReport> {
  const path = join(dir, file);
  const existing = await readExisting(path, file, header);
  const scope = (fields: readonly string[]): string =>
    [at.source, at.material, at.stage, at.year].map((i) => fields[i] ?? '').join('|');
  const replacedScopes = new Set(fresh.map(scope));
  const kept = existing.filter((fields) => !replacedScopes.has(scope(fields)));
  assertNoOverlap(file, kept, fresh, at);
  const merged = [...kept, ...fresh].sort(order);
  await writeAtomically(path, csvText(header, merged));
  return { file, written: fresh.length, replaced: existing.length - kept.length, keptFromBefore: kept.length };
}

async function readExisting(path: string, file: string, header: readonly string[]): Promise<string[][]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  const found = (records[0] ?? []).map((name) => name.trim().toLowerCase());
  if (found.join(',') !== header.join(',')) {
    throw new InputError([
      { file, line: 1, message: `the existing file's header is not ${header.join(',')}; import into an empty folder or fix the file` },
    ]);
  }
  return records.slice(1);
}

/**
 * The publisher part of a source, the text before its first comma ("ITC Trade Map, HS 283691,
 * imports of JPN" -> "ITC Trade Map"). Rows of one publisher for one fact are parts of one total
 * (two HS codes of lithium); rows of two publishers are two estimates of the same thing.
 */
export function sourceFamily(source: string): string {
  return source.split(',')[0]?.trim() ?? '';
}

/** Refuses two publishers for one fact: the loader would add them up and double count. */
function assertNoOverlap(file: string, kept: readonly string[][], fresh: readonly string[][], at: Positions): void {
  const fact = (fields: readonly string[]): string => at.fact.map((i) => fields[i] ?? '').join('|');
  const keptSources = new Map<string, string>();
  for (const fields of kept) keptSources.set(fact(fields), fields[at.source] ?? '');
  const clashes = new Map<string, Problem>();
  for (const fields of fresh) {
    const other = keptSources.get(fact(fields));
    if (other === undefined || sourceFamily(other) === sourceFamily(fields[at.source] ?? '')) continue;
    const what = `${fields[at.material]} ${fields[at.stage]} ${fields[at.year]}`;
    clashes.set(`${what}|${other}`, {
      file,
      message:
        `${what} is already given by "${other}"; importing "${fields[at.source]}" as well would add the two up. ` +
        'Narrow one import (--materials, --years) or remove the other rows first',
    });
  }
  if (clashes.size > 0) throw new InputError([...clashes.values()]);
}

/** Writes through a temporary file in the same folder and renames it over the target. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomically(path, text);
  } catch (error) {
    throw new InputError([{ file: path, message: `cannot be written (${writeFailure(error)})` }]);
  }
}
