/**
 * The fast path for trade.csv rows: a line is read straight from its bytes into the trade table
 * (quoted fields are split as splitQuotedLine splits them; a line with a quoted field this reader
 * needs takes the plain path), with each distinct field text (a material, a country code, a unit) decoded and checked by
 * the parsers of fields.ts only the first time it is seen. Any line it is not sure of (an unknown or
 * invalid text, a number it cannot read exactly, a field count or unit that differs, the same
 * exporter and importer) goes to the plain path, which gives the value or the exact message. So both
 * paths accept the same rows and store the same numbers, in file order.
 */
import type { CsvColumns } from '../csv.js';
import { fourDigits, ParsedFieldCache, plainDecimal, splitQuotedFields } from './byte-fields.js';
import { FieldError, MAX_YEAR, MIN_YEAR, STAGES } from '../../domain/fields.js';
import type { Parsers, TRADE_FILE } from '../contract.js';
import { Dictionary, type TradeTable } from '../trade-table.js';

/** What the fast path needs to check a row as the plain path does. */
export interface TradeLineContext {
  table: TradeTable;
  /** The contract's field rules for trade.csv, with the folder's country check (contract.ts). */
  parse: Parsers<typeof TRADE_FILE>;
  /** Checks (and, the first time, records) the unit of a material and stage; throws FieldError. */
  checkUnit: (material: string, stage: (typeof STAGES)[number], unit: string, line: number) => void;
  years?: ReadonlySet<number>;
  materials?: ReadonlySet<string>;
  /** Set in the checking pass: years are noted here and no fact is kept. */
  summary?: ImportSummary;
}

export type LineOutcome = 'used' | 'skipped' | null;
export type TradeLineReader = (bytes: Uint8Array, start: number, end: number, line: number) => LineOutcome;

const NONE = -1;

export function tradeLineReader(columns: CsvColumns, context: TradeLineContext): TradeLineReader | undefined {
  const at = (name: string): number => columns.index.get(name) ?? NONE;
  const material = at('material');
  const stage = at('stage');
  const exporter = at('exporter');
  const importer = at('importer');
  const year = at('year');
  const quantity = at('quantity');
  const unit = at('unit');
  const valueUsd = at('value_usd');
  if ([material, stage, exporter, importer, year, quantity, unit].includes(NONE)) return undefined;
  const fieldCount = columns.names.length;
  const starts = new Int32Array(fieldCount + 1);
  const quoted = new Uint8Array(fieldCount);
  /** The columns read here: a line with any of them quoted takes the plain path. */
  const readColumns = [material, stage, exporter, importer, year, quantity, unit, ...(valueUsd !== NONE ? [valueUsd] : [])];
  const { table } = context;

  const wanted: boolean[] = [];
  const { parse } = context;
  const materialIds = new ParsedFieldCache((text) => {
    const name = parse.material(text);
    const id = table.materials.id(name);
    wanted[id] = context.materials?.has(name) ?? true;
    return id;
  });
  const stageIndexes = new ParsedFieldCache((text) => STAGES.indexOf(parse.stage(text)));
  // One cache for both country columns: a text it refuses goes to the plain path, which names the column.
  const countryIds = new ParsedFieldCache((text) => table.countries.id(parse.exporter(text)));
  const units = new Dictionary();
  const unitIds = new ParsedFieldCache((text) => units.id(parse.unit(text)));
  const unitNames = units.values;
  /** Unit id agreed for each material id * STAGES.length + stage index. */
  const agreedUnit: number[] = [];

  const read = <T>(cache: ParsedFieldCache<T>, column: number, bytes: Uint8Array): T | undefined =>
    cache.read(bytes, starts[column] ?? 0, (starts[column + 1] ?? 0) - 1);
  const number = (column: number, bytes: Uint8Array): number => plainDecimal(bytes, starts[column] ?? 0, (starts[column + 1] ?? 0) - 1);

  return (bytes, start, end, line) => {
    if (splitQuotedFields(bytes, start, end, starts, quoted, fieldCount) !== fieldCount) return null;
    for (let k = 0; k < readColumns.length; k += 1) if (quoted[readColumns[k] ?? 0]) return null;
    const materialId = read(materialIds, material, bytes);
    const stageIndex = read(stageIndexes, stage, bytes);
    const exporterId = read(countryIds, exporter, bytes);
    const importerId = read(countryIds, importer, bytes);
    const unitId = read(unitIds, unit, bytes);
    const yearValue = fourDigits(bytes, starts[year] ?? 0, (starts[year + 1] ?? 0) - 1);
    const quantityValue = number(quantity, bytes);
    let value = Number.NaN;
    if (valueUsd !== NONE && (starts[valueUsd + 1] ?? 0) - 1 > (starts[valueUsd] ?? 0)) {
      value = number(valueUsd, bytes);
      if (Number.isNaN(value)) return null;
    }
    if (materialId === undefined || stageIndex === undefined || exporterId === undefined || importerId === undefined || unitId === undefined) return null;
    if (yearValue < MIN_YEAR || yearValue > MAX_YEAR || Number.isNaN(quantityValue) || exporterId === importerId) return null;
    if (!(wanted[materialId] ?? true) || (context.years && !context.years.has(yearValue))) return 'skipped';
    const unitKey = materialId * STAGES.length + stageIndex;
    const agreed = agreedUnit[unitKey];
    if (agreed === undefined) {
      try {
        context.checkUnit(table.materials.values[materialId] ?? '', STAGES[stageIndex] ?? 'mining', unitNames[unitId] ?? '', line);
      } catch (error) {
        if (error instanceof FieldError) return null;
        throw error;
      }
      agreedUnit[unitKey] = unitId;
    } else if (agreed !== unitId) return null;
    if (context.summary) context.summary.note(materialId, stageIndex, exporterId, importerId, yearValue);
    else table.add(table.sliceId(materialId, stageIndex, yearValue, unitNames[unitId] ?? ''), exporterId, importerId, quantityValue, value);
    return 'used';
  };
}

/**
 * Which years hold trade into which importer, and which countries trade at all, by ids: the checking
 * pass keeps this instead of facts, and an analysis finds its latest years from it. Years are bits
 * (one array of bits per material, stage and importer), so noting a row costs no hashing.
 */
export class ImportSummary {
  /** [material id * STAGES.length + stage index][importer id] -> bits of (year - MIN_YEAR). */
  private readonly years: (Uint32Array | undefined)[][] = [];
  private readonly traders = new Uint8Array(65536);

  note(materialId: number, stageIndex: number, exporter: number, importer: number, year: number): void {
    const byImporter = (this.years[materialId * STAGES.length + stageIndex] ??= []);
    const bits = (byImporter[importer] ??= new Uint32Array(YEAR_WORDS));
    const offset = year - MIN_YEAR;
    bits[offset >>> 5] = (bits[offset >>> 5] ?? 0) | (1 << (offset & 31));
    this.traders[exporter] = 1;
    this.traders[importer] = 1;
  }

  /** Years keyed `material|stage|importer`. */
  importYears(table: TradeTable): Map<string, Set<number>> {
    const named = new Map<string, Set<number>>();
    this.years.forEach((byImporter, key) => {
      const material = table.materials.values[Math.floor(key / STAGES.length)];
      const stage = STAGES[key % STAGES.length];
      byImporter.forEach((bits, importer) => {
        if (!bits) return;
        const years = new Set<number>();
        for (let offset = 0; offset < YEAR_WORDS * 32; offset += 1) if (((bits[offset >>> 5] ?? 0) >>> (offset & 31)) & 1) years.add(MIN_YEAR + offset);
        named.set(`${material}|${stage}|${table.countries.values[importer]}`, years);
      });
    });
    return named;
  }

  countries(table: TradeTable): Set<string> {
    const codes = new Set<string>();
    table.countries.values.forEach((code, id) => {
      if (this.traders[id]) codes.add(code);
    });
    return codes;
  }

  /**
   * The summary of the facts of a finished table (for a pass that kept them), slice by slice: a
   * slice's material, stage and year are looked up once, not once per fact.
   */
  static of(table: TradeTable): ImportSummary {
    const summary = new ImportSummary();
    table.slices.forEach((slice, k) => {
      const byImporter = (summary.years[(table.materials.find(slice.material) ?? 0) * STAGES.length + STAGES.indexOf(slice.stage)] ??= []);
      const offset = slice.year - MIN_YEAR;
      const word = offset >>> 5;
      const bit = 1 << (offset & 31);
      for (let row = table.sliceStart[k]!; row < table.sliceStart[k + 1]!; row += 1) {
        const importer = table.importerOf[row]!;
        const bits = (byImporter[importer] ??= new Uint32Array(YEAR_WORDS));
        bits[word]! |= bit;
        summary.traders[table.exporterOf[row]!] = 1;
        summary.traders[importer] = 1;
      }
    });
    return summary;
  }
}

/** 32-bit words enough for one bit per year of MIN_YEAR..MAX_YEAR. */
const YEAR_WORDS = Math.ceil((MAX_YEAR - MIN_YEAR + 1) / 32);
