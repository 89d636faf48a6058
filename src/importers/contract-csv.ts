/**
 * The data contract's files as CSV text: their headers (the contract's columns, input/contract.ts),
 * each row's fields as written (plain numbers, `W` for a withheld figure), proper quoting, and the
 * stable order of the rows. trade-csv.ts writes large trade files the same way; writer.ts merges
 * them into a data folder.
 */
import {
  COUNTRIES_FILE as CONTRACT_COUNTRIES,
  GOVERNANCE_FILE as CONTRACT_GOVERNANCE,
  COVERAGE_FILE as CONTRACT_COVERAGE,
  GROSS_FILE as CONTRACT_GROSS,
  headerOf,
  PRODUCTION_FILE as CONTRACT_PRODUCTION,
  TRADE_FILE as CONTRACT_TRADE,
} from '../input/contract.js';
import { WITHHELD } from '../domain/fields.js';
import type { CountryRow, CoverageRow, GrossRow, ProductionRow, TradeRow } from './types.js';
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

export function csvText(header: readonly string[], rows: readonly string[][]): string {
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
    row.hs6,
    row.material,
    row.stage,
    row.exporter,
    row.importer,
    String(row.year),
    formatQuantity(row.grossQuantity),
    String(row.factor),
    formatQuantity(row.containedQuantity),
    row.source,
  ];
}

export function countryFields(row: CountryRow): string[] {
  const governance = row.governance === null ? '' : row.governance.toFixed(3);
  return [row.country, row.name, governance, row.groups.join(';')];
}

export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function compareRecords(keys: readonly number[]) {
  return (a: readonly string[], b: readonly string[]): number => {
    for (const key of keys) {
      const order = compareText(a[key] ?? '', b[key] ?? '');
      if (order !== 0) return order;
    }
    return 0;
  };
}

/** material, stage, year, country; the reserved ZZZ sorts after every ISO code. */
export const PRODUCTION_ORDER = compareRecords([0, 1, 3, 2, 6]);
/** material, stage, year, importer, exporter. */
export const TRADE_ORDER = compareRecords([0, 1, 4, 3, 2, 8]);
/** material, stage, year, importer, flow, source. */
export const COVERAGE_ORDER = compareRecords([0, 1, 3, 2, 4, 6]);
/** material, stage, year, importer, exporter, HS code, source. */
export const GROSS_ORDER = compareRecords([1, 2, 5, 4, 3, 0, 9]);

export function productionCsv(rows: readonly ProductionRow[]): string {
  return csvText(PRODUCTION_HEADER, rows.map(productionFields).sort(PRODUCTION_ORDER));
}

export function countriesCsv(rows: readonly CountryRow[]): string {
  return csvText(COUNTRIES_HEADER, rows.map(countryFields).sort(compareRecords([0])));
}

export const GOVERNANCE_HEADER = headerOf(CONTRACT_GOVERNANCE);

/** governance.csv (the wgi import): one estimate per country and year, as printed, by country then year. */
export function governanceCsv(rows: readonly GovernanceRow[]): string {
  return csvText(GOVERNANCE_HEADER, rows.map((row) => [row.country, String(row.year), row.governance, row.source]).sort(compareRecords([0, 1])));
}
