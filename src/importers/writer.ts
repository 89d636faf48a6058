/**
 * Writing the data contract files (production.csv, trade.csv, countries.csv): proper CSV quoting,
 * quantities as plain numbers, rows in a stable order, and files replaced atomically (a temporary
 * file renamed over the old one) so a failed import never leaves half a file.
 *
 * Importing into a folder that already has a file merges: rows of the same source, material,
 * stage and year are replaced (re-running an import is idempotent), everything else is kept. Two
 * sources that give the same fact (e.g. USGS and IEA copper refining 2023) would be added up by the
 * loader, so that is refused and the user is asked to narrow one import. Two editions of one
 * publication (same publisher name, then the edition year: "IEA Critical Minerals Data Explorer
 * 2024" and "... 2025"; "USGS MCS 2024", "USGS MCS 2025" and "USGS MCS 2026") are not two
 * publishers: the newer edition's rows replace the older one's for each material, stage and year it
 * gives (all its countries, withheld rows too); an older edition is refused where a newer one is.
 * A production figure the source withholds is a row like any other, with `W` as its quantity.
 *
 * Two publications of production figures are ranked (PRODUCTION_PRECEDENCE: USGS MCS, then World
 * Mining Data): where both give a material, stage and year, the first that gives a figure there
 * keeps it and the other's rows for it are set aside, whichever was imported first.
 */
import { isAscii } from 'node:buffer';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeFailure, writeFileSafely as writeFileAtomically } from '../io/safe-write.js';
import { COUNTRIES_SPEC, GOVERNANCE_SPEC, PRODUCTION_SPEC, TRADE_SPEC } from '../input/dataset.js';
import {
  columnAt,
  COUNTRIES_FILE as CONTRACT_COUNTRIES,
  COVERAGE_FILE as CONTRACT_COVERAGE,
  GROSS_FILE as CONTRACT_GROSS,
  headerOf,
  PRODUCTION_FILE as CONTRACT_PRODUCTION,
  TRADE_FILE as CONTRACT_TRADE,
} from '../input/contract.js';

/** Where the merge finds a written row's source, material, stage and year. */
function positions(file: typeof CONTRACT_TRADE | typeof CONTRACT_COVERAGE | typeof CONTRACT_GROSS): { source: number; material: number; stage: number; year: number } {
  const at = (name: 'source' | 'material' | 'stage' | 'year'): number => columnAt(file, name);
  return { source: at('source'), material: at('material'), stage: at('stage'), year: at('year') };
}
import { WITHHELD } from '../domain/fields.js';
import { InputError, type Problem } from '../domain/problems.js';
import { rowColumns, tradeRows, type CountryRow, type CoverageRow, type GrossRow, type ImportResult, type ProductionRow, type TradeRow, type TradeRowColumns } from './types.js';
import { CsvBytes } from './csv-bytes.js';
import type { GovernanceRow } from './wgi.js';
import { formatQuantity } from './values.js';

// The written headers are the contract's columns, in its order (input/contract.ts).
export const PRODUCTION_HEADER = headerOf(CONTRACT_PRODUCTION);
export const TRADE_HEADER = headerOf(CONTRACT_TRADE);
export const COUNTRIES_HEADER = headerOf(CONTRACT_COUNTRIES);
/** coverage.csv (read by the loader when present): what each trade source covers. */
export const COVERAGE_FILE = CONTRACT_COVERAGE.label;
export const COVERAGE_HEADER = headerOf(CONTRACT_COVERAGE);
/** trade-gross.csv: the audit of content-factor conversions, read only for prices per kg of traded product. */
export const GROSS_FILE = CONTRACT_GROSS.label;
export const GROSS_HEADER = headerOf(CONTRACT_GROSS);

/** One CSV field: quoted when it holds a comma, a quote, a line break or edge spaces. */
export function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvText(header: readonly string[], rows: readonly string[][]): string {
  return [header, ...rows].map((fields) => fields.map(csvField).join(',')).join('\n') + '\n';
}

/**
 * A production row whose figure the source withholds (USGS `W`): the country produced, the figure
 * is not public. It is written with `W` in the quantity column (the loader reads it as withheld);
 * its `quantity` is 0 and counts in no sum.
 */
export type WithheldProductionRow = ProductionRow & { readonly withheld: true };

export function withheldProductionRow(fields: Omit<ProductionRow, 'quantity'>): WithheldProductionRow {
  return { ...fields, quantity: 0, withheld: true };
}

export function isWithheldRow(row: ProductionRow): row is WithheldProductionRow {
  return (row as Partial<WithheldProductionRow>).withheld === true;
}

export function productionFields(row: ProductionRow): string[] {
  const quantity = isWithheldRow(row) ? WITHHELD : formatQuantity(row.quantity);
  return [row.material, row.stage, row.country, String(row.year), quantity, row.unit, row.source];
}

export function tradeFields(row: TradeRow): string[] {
  const value = row.valueUsd === null ? '' : formatQuantity(row.valueUsd);
  return [row.material, row.stage, row.exporter, row.importer, String(row.year), formatQuantity(row.quantity), row.unit, value, row.source];
}

export function coverageFields(row: CoverageRow): string[] {
  return [row.material, row.stage, row.importer, String(row.year), row.flow, row.extent, row.source];
}

export function grossFields(row: GrossRow): string[] {
  return [
    row.hs6, row.material, row.stage, row.exporter, row.importer, String(row.year),
    formatQuantity(row.grossQuantity), String(row.factor), formatQuantity(row.containedQuantity), row.source,
  ];
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
/** material, stage, year, importer, flow, source. */
const COVERAGE_ORDER = compareRecords([0, 1, 3, 2, 4, 6]);
/** material, stage, year, importer, exporter, HS code, source. */
const GROSS_ORDER = compareRecords([1, 2, 5, 4, 3, 0, 9]);

export function productionCsv(rows: readonly ProductionRow[]): string {
  return csvText(PRODUCTION_HEADER, rows.map(productionFields).sort(PRODUCTION_ORDER));
}

/**
 * trade.csv text: the rows in TRADE_ORDER, each field as csvField writes it. The same text as
 * csvText(TRADE_HEADER, rows.map(tradeFields).sort(TRADE_ORDER)), made for large imports (a BACI
 * year gives hundreds of thousands of rows): the text columns have few distinct values, so each is
 * given an id and a rank in text order, each distinct value is quoted once, and the rows are sorted
 * as numbers.
 */
export function tradeCsv(rows: readonly TradeRow[] | TradeRowColumns): string {
  return [...tradeCsvParts(rows)].join('');
}

/** tradeCsv's text in parts (of about 64 KB), to be written one after the other. */
export function* tradeCsvParts(given: readonly TradeRow[] | TradeRowColumns): Generator<string> {
  const rows = Array.isArray(given) ? rowColumns(given as readonly TradeRow[]) : (given as TradeRowColumns);
  const lines = new TradeLines(rows);
  for (let at = 0; at < rows.length; at++) {
    const part = lines.next();
    if (part !== undefined) yield part;
  }
  const rest = lines.rest();
  if (rest !== '') yield rest;
}

/** Writes the trade rows as CSV lines in TRADE_ORDER (a plain class: generators optimise less well). */
class TradeLines {
  private readonly table: TradeTable;
  private readonly sorted: SortedRows;
  private readonly out: CsvBytes;
  // The fields of each column by rank, as bytes with the commas around them.
  private readonly material: Buffer[];
  private readonly stage: Buffer[];
  private readonly exporter: Buffer[];
  private readonly importer: Buffer[];
  private readonly year: Buffer[];
  private readonly unit: Buffer[];
  private readonly source: Buffer[];

  constructor(rows: TradeRowColumns) {
    const table = (this.table = new TradeTable(rows));
    // TRADE_ORDER: material, stage, year, importer, exporter, source; the unit is carried along.
    this.sorted = new SortedRows(rows.length, [table.material, table.stage, table.year, table.importer, table.exporter, table.source], [table.unit]);
    this.material = table.material.encoded('', ',');
    this.stage = table.stage.encoded('', ',');
    this.exporter = table.exporter.encoded('', ',');
    this.importer = table.importer.encoded('', ',');
    this.year = table.year.encoded('', ',');
    this.unit = table.unit.encoded(',', ',');
    this.source = table.source.encoded(',', '');
    const fields = [this.material, this.stage, this.exporter, this.importer, this.year, this.unit, this.source];
    this.out = new CsvBytes(fields.every((column) => column.every((field) => isAscii(field))));
    this.out.bytes(Buffer.from(TRADE_HEADER.map(csvField).join(',')));
    this.out.endLine();
  }

  /** Writes the next line; returns a part of the text when one is full. */
  next(): string | undefined {
    const out = this.out;
    const row = this.sorted.next();
    const ranks = this.sorted.ranks;
    out.bytes(this.material[ranks[0] ?? 0] ?? NO_BYTES);
    out.bytes(this.stage[ranks[1] ?? 0] ?? NO_BYTES);
    out.bytes(this.exporter[ranks[4] ?? 0] ?? NO_BYTES);
    out.bytes(this.importer[ranks[3] ?? 0] ?? NO_BYTES);
    out.bytes(this.year[ranks[2] ?? 0] ?? NO_BYTES);
    out.quantity(this.table.quantity(row));
    out.bytes(this.unit[ranks[6] ?? 0] ?? NO_BYTES);
    const value = this.table.value(row);
    if (value !== null) out.quantity(value);
    out.bytes(this.source[ranks[5] ?? 0] ?? NO_BYTES);
    return out.endLine();
  }

  rest(): string {
    return this.out.take();
  }
}

/**
 * The trade rows read once, in row order, into columns: ids of the text fields (see TextColumn)
 * and the two numbers, so that writing in sorted order reads small arrays, not scattered objects.
 * A quantity or value that formatQuantity refuses throws here, before any part is written.
 */
class TradeTable {
  readonly material: TextColumn<string>;
  readonly stage: TextColumn<string>;
  readonly exporter: TextColumn<string>;
  readonly importer: TextColumn<string>;
  readonly year: TextColumn<number>;
  readonly unit: TextColumn<string>;
  readonly source: TextColumn<string>;
  /** Quantity and value of row i at 2i and 2i + 1, NaN for no value (a value is never NaN). */
  private readonly amounts: Float64Array;

  constructor(rows: TradeRowColumns) {
    const count = rows.length;
    this.material = new TextColumn(count);
    this.stage = new TextColumn(count);
    this.exporter = new TextColumn(count);
    this.importer = new TextColumn(count);
    this.year = new TextColumn(count);
    this.unit = new TextColumn(count);
    this.source = new TextColumn(count);
    this.amounts = new Float64Array(2 * count);
    for (let i = 0; i < count; i++) {
      const material = rows.material(i);
      const stage = rows.stage(i);
      const exporter = rows.exporter(i);
      const importer = rows.importer(i);
      const unit = rows.unit(i);
      const source = rows.source(i);
      const value = rows.valueUsd(i);
      this.material.add(i, material, material);
      this.stage.add(i, stage, stage);
      this.exporter.add(i, exporter, exporter);
      this.importer.add(i, importer, importer);
      this.year.add(i, rows.year(i), undefined);
      this.unit.add(i, unit, unit);
      this.source.add(i, source, source);
      this.amounts[2 * i] = writable(rows.quantity(i));
      this.amounts[2 * i + 1] = value === null ? NaN : writable(value);
    }
  }

  quantity(i: number): number {
    return this.amounts[2 * i] ?? NaN;
  }

  value(i: number): number | null {
    const value = this.amounts[2 * i + 1] ?? NaN;
    return Number.isNaN(value) ? null : value;
  }
}

/** The number, checked as formatQuantity checks it (the same error for a negative or non-finite one). */
function writable(value: number): number {
  if (!Number.isFinite(value) || value < 0) formatQuantity(value);
  return value;
}

/**
 * One column of a table being written: the id of each row's value (ids in order of first sight),
 * each distinct value's text (String(value) when not given) and its CSV field, made once, and the
 * rank of each in compareText order of the texts.
 */
const NO_BYTES = Buffer.alloc(0);

class TextColumn<T> {
  readonly ids: Int32Array;
  private readonly idOf = new Map<T, number>();
  private readonly texts: string[] = [];
  /** The CSV field of each id (csvField). */
  private readonly fields: string[] = [];
  private rankOf: Int32Array | undefined;
  private byRank: number[] = [];
  private lastValue: T | undefined;
  private lastId = 0;

  constructor(rows: number) {
    this.ids = new Int32Array(rows);
  }

  add(row: number, value: T, text: string | undefined): void {
    // Neighbouring rows often share a value (a source, a unit): no look-up then.
    if (value === this.lastValue && row > 0) {
      this.ids[row] = this.lastId;
      return;
    }
    let id = this.idOf.get(value);
    if (id === undefined) {
      this.idOf.set(value, (id = this.texts.length));
      const shown = text ?? String(value);
      this.texts.push(shown);
      this.fields.push(csvField(shown));
    }
    this.ids[row] = id;
    this.lastValue = value;
    this.lastId = id;
  }

  get distinct(): number {
    return this.texts.length;
  }

  /** The rank of each id (once all rows are added). */
  ranks(): Int32Array {
    if (!this.rankOf) {
      const byText = this.texts.map((_, id) => id).sort((a, b) => compareText(this.texts[a] ?? '', this.texts[b] ?? ''));
      this.rankOf = new Int32Array(byText.length);
      byText.forEach((id, rank) => this.rankOf && (this.rankOf[id] = rank));
      this.byRank = byText;
    }
    return this.rankOf;
  }

  /** The field of each rank (ranks() first) between `before` and `after`, as UTF-8 bytes. */
  encoded(before: string, after: string): Buffer[] {
    this.ranks();
    return this.byRank.map((id) => Buffer.from(`${before}${this.fields[id] ?? ''}${after}`));
  }
}

/**
 * The rows in the order of the sort columns' texts, first column first, ties in row order (as the
 * stable sort of the text fields). Each row's ranks make one number (mixed radix); when that number
 * times the row count stays exact in a double, the row number is packed in (and after it the ranks
 * of the carried columns, which then never decide the order), a numeric typed-array sort does the
 * work, and the ranks are read back from the sorted numbers instead of being looked up row by row
 * in scattered order. Else the ranks are compared.
 */
class SortedRows {
  /** The rank in each column (sort columns, then carried ones) of the row next() returned last. */
  readonly ranks: Int32Array;
  private readonly columns: readonly TextColumn<unknown>[];
  private readonly columnRanks: Int32Array[];
  private readonly radices: number[];
  private readonly keys: Float64Array | undefined;
  private readonly order: Int32Array | undefined;
  private at = 0;

  constructor(
    private readonly count: number,
    private readonly sortColumns: readonly TextColumn<unknown>[],
    carried: readonly TextColumn<unknown>[],
  ) {
    this.columns = [...sortColumns, ...carried];
    this.ranks = new Int32Array(this.columns.length);
    this.columnRanks = this.columns.map((column) => column.ranks());
    this.radices = this.columns.map((column) => Math.max(column.distinct, 1));
    const span = this.radices.reduce((product, radix) => product * radix, 1);
    if (span * count <= Number.MAX_SAFE_INTEGER) this.keys = this.packedKeys();
    else this.order = this.comparedOrder();
  }

  /** The next row number in sorted order; its ranks are in `ranks`. */
  next(): number {
    const at = this.at++;
    if (!this.keys) {
      const row = this.order?.[at] ?? 0;
      this.columns.forEach((column, c) => (this.ranks[c] = this.columnRanks[c]?.[column.ids[row] ?? 0] ?? 0));
      return row;
    }
    let key = this.keys[at] ?? 0;
    let row = 0;
    for (let c = this.columns.length - 1; c >= 0; c--) {
      // Read backwards: the carried columns, the row number, then the sort columns.
      if (c === this.sortColumns.length - 1) {
        row = remainder(key, this.count);
        key = (key - row) / this.count;
      }
      const radix = this.radices[c] ?? 1;
      const rank = remainder(key, radix);
      this.ranks[c] = rank;
      key = (key - rank) / radix;
    }
    return row;
  }

  private packedKeys(): Float64Array {
    const keys = new Float64Array(this.count);
    this.columns.forEach((column, c) => {
      const radix = this.radices[c] ?? 1;
      const rankOf = this.columnRanks[c] ?? new Int32Array(0);
      for (let row = 0; row < this.count; row++) keys[row] = (keys[row] ?? 0) * radix + (rankOf[column.ids[row] ?? 0] ?? 0);
      if (c === this.sortColumns.length - 1) for (let row = 0; row < this.count; row++) keys[row] = (keys[row] ?? 0) * this.count + row;
    });
    return keys.sort();
  }

  private comparedOrder(): Int32Array {
    const order = new Int32Array(this.count);
    for (let row = 0; row < this.count; row++) order[row] = row;
    return order.sort((a, b) => {
      for (let c = 0; c < this.sortColumns.length; c++) {
        const ids = this.columns[c]?.ids;
        const rankOf = this.columnRanks[c];
        const difference = (rankOf?.[ids?.[a] ?? 0] ?? 0) - (rankOf?.[ids?.[b] ?? 0] ?? 0);
        if (difference !== 0) return difference;
      }
      return a - b;
    });
  }
}

/** value % divisor for whole numbers below 2^53, without the slow floating-point remainder. */
function remainder(value: number, divisor: number): number {
  const rest = value - Math.floor(value / divisor) * divisor;
  // The quotient may be rounded by one either way.
  return rest < 0 ? rest + divisor : rest >= divisor ? rest - divisor : rest;
}

export function countriesCsv(rows: readonly CountryRow[]): string {
  return csvText(COUNTRIES_HEADER, rows.map(countryFields).sort(compareRecords([0])));
}

export const GOVERNANCE_HEADER = ['country', 'year', 'governance', 'source'] as const;

/** governance.csv (the wgi import): one estimate per country and year, as printed, by country then year. */
export function governanceCsv(rows: readonly GovernanceRow[]): string {
  return csvText(GOVERNANCE_HEADER, rows.map((row) => [row.country, String(row.year), row.governance, row.source]).sort(compareRecords([0, 1])));
}

/** A result with the governance.csv rows of the wgi import. */
type WithGovernance = ImportResult & { governance?: readonly GovernanceRow[] };

/** The CSV texts of a result, one per contract file it has rows for (for stdout). */
export function resultCsvs(result: WithGovernance): { file: string; text: string }[] {
  return resultCsvParts(result).map(({ file, parts }) => ({ file, text: [...parts].join('') }));
}

/**
 * resultCsvs with each text in parts, made as they are taken: a large trade.csv is written part by
 * part and never held as one string.
 */
export function resultCsvParts(result: WithGovernance): { file: string; parts: Iterable<string> }[] {
  const out: { file: string; parts: Iterable<string> }[] = [];
  if (result.production.length > 0) out.push({ file: PRODUCTION_SPEC.label, parts: [productionCsv(result.production)] });
  const trade = tradeRows(result);
  if (trade.length > 0) out.push({ file: TRADE_SPEC.label, parts: tradeCsvParts(trade) });
  if (result.countries.length > 0) out.push({ file: COUNTRIES_SPEC.label, parts: [countriesCsv(result.countries)] });
  if (result.governance && result.governance.length > 0) out.push({ file: GOVERNANCE_SPEC.label, parts: [governanceCsv(result.governance)] });
  return out;
}

export interface WriteReport {
  file: string;
  written: number;
  replaced: number;
  keptFromBefore: number;
  /** Rows (this import's or earlier ones') left out by the production precedence rule. */
  setAside?: number;
}

/** Merges the result into the contract files of `dir` and writes them atomically. */
export async function writeResult(dir: string, result: WithGovernance): Promise<WriteReport[]> {
  const reports: WriteReport[] = [];
  if (result.production.length > 0) {
    reports.push(
      await mergeInto(dir, PRODUCTION_SPEC.label, PRODUCTION_HEADER, result.production.map(productionFields), PRODUCTION_ORDER, {
        source: 6, material: 0, stage: 1, year: 3, fact: [0, 1, 2, 3], quantity: 4,
      }),
    );
  }
  if (result.trade.length > 0 || result.coverage.length > 0 || result.gross.length > 0) reports.push(...(await mergeTradeFiles(dir, result)));
  reports.push(...(await ensureContractFiles(dir)));
  if (result.countries.length > 0) {
    // countries.csv has one writer (the wgi importer), which builds the whole table: replaced whole.
    const path = join(dir, COUNTRIES_SPEC.label);
    await writeAtomically(path, countriesCsv(result.countries));
    reports.push({ file: COUNTRIES_SPEC.label, written: result.countries.length, replaced: 0, keptFromBefore: 0 });
  }
  if (result.governance && result.governance.length > 0) {
    // governance.csv likewise (one score per country and year, from the same import).
    await writeAtomically(join(dir, GOVERNANCE_SPEC.label), governanceCsv(result.governance));
    reports.push({ file: GOVERNANCE_SPEC.label, written: result.governance.length, replaced: 0, keptFromBefore: 0 });
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
  /**
   * The fields that identify one fact (the loader adds up rows with equal facts); null for files
   * that are not summed (coverage, audit), where two sources may say the same thing.
   */
  fact: number[] | null;
  /** The quantity field (production.csv: `W` marks a withheld figure); set where a precedence among publications applies. */
  quantity?: number;
}

async function mergeInto(
  dir: string,
  file: string,
  header: readonly string[],
  given: string[][],
  order: (a: readonly string[], b: readonly string[]) => number,
  at: Positions,
): Promise<WriteReport> {
  const path = join(dir, file);
  const existing = await readExisting(path, file, header);
  const scope = (fields: readonly string[]): string =>
    [at.source, at.material, at.stage, at.year].map((i) => fields[i] ?? '').join('|');
  const newer = newerEditions(given, at);
  // Rows of an older edition of the same publication for a material, stage and year this import
  // gives (in the folder, or in this import when it reads two editions) are replaced.
  const fresh = given.filter((fields) => !newer.supersedes(fields));
  const replacedScopes = new Set(fresh.map(scope));
  const candidates = existing.filter((fields) => !replacedScopes.has(scope(fields)) && !newer.supersedes(fields));
  // Of two ranked publications for one material, stage and year, the lower one's rows are set aside.
  const setAside = at.quantity === undefined ? () => false : productionSetAside([...candidates, ...fresh], at);
  const kept = candidates.filter((fields) => !setAside(fields));
  const written = fresh.filter((fields) => !setAside(fields));
  assertNoOverlap(file, kept, written, at);
  const merged = [...kept, ...written].sort(order);
  await writeAtomically(path, csvText(header, merged));
  const aside = candidates.length - kept.length + fresh.length - written.length;
  return { file, written: written.length, replaced: existing.length - candidates.length, keptFromBefore: kept.length, ...(aside > 0 ? { setAside: aside } : {}) };
}

/**
 * The publications of production figures in order of precedence (the source's publisher part,
 * edition year left out). Where two of them give one material, stage and year, the first of them
 * that gives a figure there (a row that is not `W`) keeps it; the other's rows for it, withheld rows
 * too, are set aside, so two estimates of one country's output are never added and one year of a
 * world series never mixes two sources. USGS MCS first: it is the newer publication (its editions
 * revise the latest years) and the one the rest of the data uses; World Mining Data fills the years
 * USGS does not give (2018-2021) and those where USGS gives no figure (germanium 2022, every country
 * withheld or not available). Publications outside this list are refused where they give the same
 * fact, as before.
 */
export const PRODUCTION_PRECEDENCE = ['USGS MCS', 'World Mining Data'] as const;

/** The publication a source belongs to: its publisher part without the edition year. */
export function publicationOf(source: string): string {
  return sourceEdition(source)?.publication ?? sourceFamily(source);
}

/** Which rows the precedence rule sets aside (see PRODUCTION_PRECEDENCE), for rows of production.csv. */
export function productionSetAside(rows: readonly (readonly string[])[], at: Positions): (fields: readonly string[]) => boolean {
  const rank = (fields: readonly string[]): number => (PRODUCTION_PRECEDENCE as readonly string[]).indexOf(publicationOf(fields[at.source] ?? ''));
  const scope = (fields: readonly string[]): string => [fields[at.material], fields[at.stage], fields[at.year]].join('|');
  const present = new Map<string, Set<number>>();
  const withFigures = new Map<string, Set<number>>();
  for (const fields of rows) {
    const r = rank(fields);
    if (r < 0) continue;
    const key = scope(fields);
    present.set(key, (present.get(key) ?? new Set()).add(r));
    if (fields[at.quantity ?? -1] !== WITHHELD) withFigures.set(key, (withFigures.get(key) ?? new Set()).add(r));
  }
  const winners = new Map<string, number>();
  for (const [key, ranks] of present) {
    if (ranks.size < 2) continue;
    const figures = withFigures.get(key);
    winners.set(key, Math.min(...(figures && figures.size > 0 ? figures : ranks)));
  }
  return (fields) => {
    const r = rank(fields);
    const winner = r < 0 ? undefined : winners.get(scope(fields));
    return winner !== undefined && winner !== r;
  };
}

/**
 * The trade sources in order of precedence. Where two of them give the trade of one importer in one
 * material, stage and year (BACI and UN Comtrade both give 2024), the first one in this list is used
 * for all of it and the other's rows for that key are set aside: two estimates of one flow are never
 * added, and one importer's block never mixes sources. CEPII BACI first (it reconciles the
 * importer's and the exporter's declarations of every flow), then ITC Trade Map (UN Comtrade with
 * national statistics added), then UN Comtrade (the importer's own declarations).
 */
export const TRADE_PRECEDENCE = ['CEPII BACI', 'ITC Trade Map', 'UN Comtrade'] as const;

function precedenceOf(source: string): number {
  const at = (TRADE_PRECEDENCE as readonly string[]).indexOf(sourceFamily(source));
  return at < 0 ? TRADE_PRECEDENCE.length : at;
}

/**
 * Which source family gives each material, stage, importer and year: among the families with an
 * import coverage row for it (a source that read the importer's imports), else among those with
 * trade rows into it, the one first in TRADE_PRECEDENCE. Two families outside that list for one key
 * are refused, as before (nothing says which to take).
 */
export function tradeWinners(trade: readonly string[][], coverage: readonly string[][]): Map<string, string> {
  const covered = new Map<string, Set<string>>();
  const traded = new Map<string, Set<string>>();
  const add = (into: Map<string, Set<string>>, key: string, source: string): void => {
    const families = into.get(key) ?? new Set<string>();
    families.add(sourceFamily(source));
    into.set(key, families);
  };
  for (const fields of coverage) {
    if (fields[4] !== 'import') continue;
    add(covered, [fields[0], fields[1], fields[2], fields[3]].join('|'), fields[6] ?? '');
  }
  for (const fields of trade) add(traded, [fields[0], fields[1], fields[3], fields[4]].join('|'), fields[8] ?? '');
  const winners = new Map<string, string>();
  const problems = new Map<string, Problem>();
  for (const key of new Set([...covered.keys(), ...traded.keys()])) {
    const families = [...(covered.get(key) ?? traded.get(key) ?? [])].sort((a, b) => precedenceOf(a) - precedenceOf(b) || a.localeCompare(b));
    const [first, second] = families;
    if (first === undefined) continue;
    if (second !== undefined && precedenceOf(first) === TRADE_PRECEDENCE.length) {
      const [material, stage, importer, year] = key.split('|');
      problems.set(key, {
        file: TRADE_SPEC.label,
        message: `${material} ${stage} ${year} into ${importer} is given by "${first}" and "${second}", neither of them a source of the precedence rule (${TRADE_PRECEDENCE.join(', ')}); importing both would add the two up`,
      });
    }
    winners.set(key, first);
  }
  if (problems.size > 0) throw new InputError([...problems.values()]);
  return winners;
}

/**
 * Merges trade.csv, coverage.csv and trade-gross.csv together: rows of the same source, material,
 * stage and year are replaced in each, then the precedence rule (TRADE_PRECEDENCE) keeps, for each
 * material, stage, importer and year, the trade rows, import coverage rows and gross-weight rows of
 * one source family only. Export coverage rows (what a reporter's export tables hold) are kept.
 */
async function mergeTradeFiles(dir: string, result: WithGovernance): Promise<WriteReport[]> {
  const files = [
    { file: TRADE_SPEC.label, header: TRADE_HEADER, given: result.trade.map(tradeFields), order: TRADE_ORDER, at: { ...positions(CONTRACT_TRADE), fact: null } },
    { file: COVERAGE_FILE, header: COVERAGE_HEADER, given: result.coverage.map(coverageFields), order: COVERAGE_ORDER, at: { ...positions(CONTRACT_COVERAGE), fact: null } },
    { file: GROSS_FILE, header: GROSS_HEADER, given: result.gross.map(grossFields), order: GROSS_ORDER, at: { ...positions(CONTRACT_GROSS), fact: null } },
  ];
  const merged = [];
  for (const spec of files) {
    const existing = await readExisting(join(dir, spec.file), spec.file, spec.header);
    merged.push({ ...spec, existing, ...replaceScopes(existing, spec.given, spec.at) });
  }
  const [trade, coverage, gross] = merged as [(typeof merged)[0], (typeof merged)[0], (typeof merged)[0]];
  const winners = tradeWinners([...trade.kept, ...trade.fresh], [...coverage.kept, ...coverage.fresh]);
  const wins = (key: string, source: string): boolean => {
    const winner = winners.get(key);
    return winner === undefined || winner === sourceFamily(source);
  };
  const keepTrade = (fields: readonly string[]): boolean => wins([fields[0], fields[1], fields[3], fields[4]].join('|'), fields[8] ?? '');
  const keepCoverage = (fields: readonly string[]): boolean =>
    fields[4] !== 'import' || wins([fields[0], fields[1], fields[2], fields[3]].join('|'), fields[6] ?? '');
  const keepGross = (fields: readonly string[]): boolean => wins([fields[1], fields[2], fields[4], fields[5]].join('|'), fields[9] ?? '');
  const keep = [keepTrade, keepCoverage, keepGross];
  const reports: WriteReport[] = [];
  for (const [i, spec] of [trade, coverage, gross].entries()) {
    const test = keep[i] ?? (() => true);
    const kept = spec.kept.filter(test);
    const fresh = spec.fresh.filter(test);
    if (spec.existing.length === 0 && fresh.length === 0 && spec.given.length === 0) continue;
    const rows = [...kept, ...fresh].sort(spec.order);
    await writeAtomically(join(dir, spec.file), csvText(spec.header, rows));
    reports.push({ file: spec.file, written: fresh.length, replaced: spec.existing.length - kept.length, keptFromBefore: kept.length });
  }
  return reports;
}

/** The existing rows not replaced by the given ones (same source, material, stage and year), and the given ones. */
function replaceScopes(existing: readonly string[][], given: readonly string[][], at: Positions): { kept: string[][]; fresh: string[][] } {
  const scope = (fields: readonly string[]): string => [at.source, at.material, at.stage, at.year].map((i) => fields[i] ?? '').join('|');
  const newer = newerEditions(given, at);
  const fresh = given.filter((fields) => !newer.supersedes(fields));
  const replacedScopes = new Set(fresh.map(scope));
  const kept = existing.filter((fields) => !replacedScopes.has(scope(fields)) && !newer.supersedes(fields));
  return { kept, fresh };
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

/**
 * A source family that ends in a year ("IEA Critical Minerals Data Explorer 2025", "USGS MCS
 * 2024"): the publication and its edition. Of two editions of one publication (same name), the
 * higher edition year wins for the material, stage and year both give.
 */
export function sourceEdition(source: string): { publication: string; edition: number } | null {
  const match = /^(.*\S)\s+((?:19|20)\d{2})$/.exec(sourceFamily(source));
  return match ? { publication: match[1] ?? '', edition: Number(match[2]) } : null;
}

/** Which existing rows the fresh rows' newer edition of the same publication replaces. */
function newerEditions(fresh: readonly string[][], at: Positions): { supersedes: (fields: readonly string[]) => boolean } {
  const slice = (publication: string, fields: readonly string[]): string =>
    [publication, fields[at.material], fields[at.stage], fields[at.year]].join('|');
  const editions = new Map<string, number>();
  for (const fields of fresh) {
    const edition = sourceEdition(fields[at.source] ?? '');
    if (!edition) continue;
    const key = slice(edition.publication, fields);
    editions.set(key, Math.max(editions.get(key) ?? edition.edition, edition.edition));
  }
  return {
    supersedes(fields) {
      const edition = editions.size > 0 ? sourceEdition(fields[at.source] ?? '') : null;
      return edition !== null && edition.edition < (editions.get(slice(edition.publication, fields)) ?? -Infinity);
    },
  };
}

/**
 * Refuses two publishers for one fact: the loader would add them up and double count. An older
 * edition of a publication whose newer edition is already there is refused too: the newer one wins.
 */
function assertNoOverlap(file: string, kept: readonly string[][], fresh: readonly string[][], at: Positions): void {
  const facts = at.fact;
  if (facts === null) return;
  const fact = (fields: readonly string[]): string => facts.map((i) => fields[i] ?? '').join('|');
  const keptSources = new Map<string, string>();
  for (const fields of kept) keptSources.set(fact(fields), fields[at.source] ?? '');
  const clashes = new Map<string, Problem>();
  for (const fields of fresh) {
    const other = keptSources.get(fact(fields));
    if (other === undefined || sourceFamily(other) === sourceFamily(fields[at.source] ?? '')) continue;
    const what = `${fields[at.material]} ${fields[at.stage]} ${fields[at.year]}`;
    const mine = sourceEdition(fields[at.source] ?? '');
    const theirs = sourceEdition(other);
    const newerThere = mine && theirs && mine.publication === theirs.publication && theirs.edition > mine.edition;
    clashes.set(`${what}|${other}`, {
      file,
      message: newerThere
        ? `${what} is already given by "${other}", a newer edition, which wins over "${fields[at.source]}". ` +
          'Import the older edition first, or leave this year out (--years)'
        : `${what} is already given by "${other}"; importing "${fields[at.source]}" as well would add the two up. ` +
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
