/**
 * The fast path for production.csv rows, as trade-lines.ts is for trade rows: a line is read from its
 * bytes (its quoted source column unquoted; a line with another quoted field takes the plain path),
 * each distinct field text checked once by the parsers of fields.ts, and any line it is not sure of
 * goes to the plain path, which gives the value or the exact message.
 */
import { fourDigits, ParsedFieldCache, plainDecimal, splitQuotedFields, unquoted } from './byte-fields.js';
import type { CsvColumns } from '../csv.js';
import { FieldError, MAX_YEAR, MIN_YEAR, type Stage } from '../../domain/fields.js';
import type { Parsers, PRODUCTION_FILE } from '../contract.js';
import type { LineOutcome } from './trade-lines.js';

export interface ProductionLineContext {
  /** The contract's field rules for production.csv, with the folder's country check (contract.ts). */
  parse: Parsers<typeof PRODUCTION_FILE>;
  /** Checks (and, the first time, records) the unit of a material and stage; throws FieldError. */
  checkUnit: (material: string, stage: Stage, unit: string, line: number) => void;
  years?: ReadonlySet<number>;
  materials?: ReadonlySet<string>;
  /** Adds one valid row (rows of the same material, stage, country and year are summed). */
  add: (material: string, stage: Stage, country: string, year: number, quantity: number, unit: string, line: number, source?: string) => void;
}

export function productionLineReader(
  columns: CsvColumns,
  context: ProductionLineContext,
): ((bytes: Uint8Array, start: number, end: number, line: number) => LineOutcome) | undefined {
  const at = (name: string): number => columns.index.get(name) ?? -1;
  const material = at('material');
  const stage = at('stage');
  const country = at('country');
  const year = at('year');
  const quantity = at('quantity');
  const unit = at('unit');
  const source = at('source');
  if ([material, stage, country, year, quantity, unit].includes(-1)) return undefined;
  const fieldCount = columns.names.length;
  const starts = new Int32Array(fieldCount + 1);
  const quoted = new Uint8Array(fieldCount);
  /** The columns read as they are: a line with any of them quoted takes the plain path. */
  const plainColumns = [material, stage, country, year, quantity, unit];
  const { parse } = context;
  const materials = new ParsedFieldCache(parse.material);
  const stages = new ParsedFieldCache(parse.stage);
  const countries = new ParsedFieldCache(parse.country);
  const units = new ParsedFieldCache(parse.unit);
  // The source is free text, often quoted: its value is the text between the quotes, as splitQuotedLine gives it.
  const sources = new ParsedFieldCache(unquoted);
  /** The unit already agreed for each material and stage (nested maps: no key text per row). */
  const agreed = new Map<string, Map<string, string>>();
  const read = <T>(cache: ParsedFieldCache<T>, column: number, bytes: Uint8Array): T | undefined =>
    cache.read(bytes, starts[column] ?? 0, (starts[column + 1] ?? 0) - 1);

  return (bytes, start, end, line) => {
    if (splitQuotedFields(bytes, start, end, starts, quoted, fieldCount) !== fieldCount) return null;
    for (let k = 0; k < plainColumns.length; k += 1) if (quoted[plainColumns[k] ?? 0]) return null;
    const materialName = read(materials, material, bytes);
    const stageName = read(stages, stage, bytes);
    const countryCode = read(countries, country, bytes);
    const unitName = read(units, unit, bytes);
    const yearValue = fourDigits(bytes, starts[year] ?? 0, (starts[year + 1] ?? 0) - 1);
    const quantityValue = plainDecimal(bytes, starts[quantity] ?? 0, (starts[quantity + 1] ?? 0) - 1);
    if (materialName === undefined || stageName === undefined || countryCode === undefined || unitName === undefined) return null;
    if (yearValue < MIN_YEAR || yearValue > MAX_YEAR || Number.isNaN(quantityValue)) return null;
    if ((context.years && !context.years.has(yearValue)) || (context.materials && !context.materials.has(materialName))) return 'skipped';
    const known = agreed.get(materialName)?.get(stageName);
    if (known === undefined) {
      try {
        context.checkUnit(materialName, stageName, unitName, line);
      } catch (error) {
        if (error instanceof FieldError) return null;
        throw error;
      }
      let byStage = agreed.get(materialName);
      if (!byStage) agreed.set(materialName, (byStage = new Map()));
      byStage.set(stageName, unitName);
    } else if (known !== unitName) return null;
    const sourceText = source < 0 ? undefined : read(sources, source, bytes);
    context.add(materialName, stageName, countryCode, yearValue, quantityValue, unitName, line, sourceText);
    return 'used';
  };
}
