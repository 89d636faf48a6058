/**
 * The data contract, declared once: each file of a data folder as a table of its columns, in the
 * order the importers write them, each with its field rule (domain/fields.ts). Everything else is
 * read off these tables:
 *
 * - the loader's header check (specOf: required and optional columns, csv.ts),
 * - the loader's and the fast readers' field parsers (parsersOf),
 * - the importers' written headers and column positions (headerOf, columnAt),
 * - the test helpers' files (tests/helpers/data.ts).
 *
 * docs/data-contract.md describes the same tables for people.
 */
import { UNATTRIBUTED } from '../domain/countries.js';
import {
  FieldError,
  parseCountry,
  parseCountryCodeDefinition,
  parseGovernance,
  parseGroups,
  parseMaterial,
  parseProductionQuantity,
  parseQuantity,
  parseStage,
  parseUnit,
  parseYear,
} from '../domain/fields.js';
import type { CsvSpec } from './csv.js';

/** Whether a country code is known to the folder (ISO 3166-1 or defined in its countries.csv). */
export type KnownCountry = (code: string) => boolean;

export interface Column<N extends string = string, T = unknown> {
  readonly name: N;
  readonly required: boolean;
  /** The field rule: the value, or a FieldError saying what was expected. */
  readonly parse: (raw: string, known: KnownCountry) => T;
}

export interface FileContract {
  readonly label: string;
  readonly columns: readonly Column[];
}

function required<N extends string, T>(name: N, parse: (raw: string, known: KnownCountry) => T): Column<N, T> {
  return { name, required: true, parse };
}

function optional<N extends string, T>(name: N, parse: (raw: string, known: KnownCountry) => T): Column<N, T> {
  return { name, required: false, parse };
}

/** A country column: an ISO code or one of countries.csv, named in its message. */
function country<N extends string>(name: N): Column<N, string> {
  return required(name, (raw, known) => parseCountry(raw, known, name));
}

const text = (raw: string): string => raw;

export const COVERAGE_FLOWS = ['import', 'export'] as const;
export type CoverageFlow = (typeof COVERAGE_FLOWS)[number];
export const COVERAGE_EXTENTS = ['full', 'partial'] as const;
export type CoverageExtent = (typeof COVERAGE_EXTENTS)[number];

function oneOf<T extends string>(raw: string, allowed: readonly T[], name: string): T {
  const value = raw.trim();
  const found = allowed.find((entry) => entry === value);
  if (found) return found;
  throw new FieldError(`${name} "${value}" is not one of ${allowed.join(', ')}`);
}

/** value_usd: empty (no value) or a plain number. */
function parseValueUsd(raw: string): number | null {
  return raw.trim() === '' ? null : parseQuantity(raw, 'value_usd');
}

/** A governance.csv score: a row without one has nothing to say and is left out, not kept empty. */
function parseScore(raw: string): number {
  const score = parseGovernance(raw);
  if (score === null) throw new FieldError('governance is empty (leave the row out instead)');
  return score;
}

/** A countries.csv code: defined by the file, so any three-character code but the unattributed one. */
function parseDefinedCode(raw: string): string {
  const defined = parseCountryCodeDefinition(raw);
  if (defined === UNATTRIBUTED) throw new FieldError(`${UNATTRIBUTED} is reserved for unattributed quantities and cannot be defined`);
  return defined;
}

export const PRODUCTION_FILE = {
  label: 'production.csv',
  columns: [
    required('material', parseMaterial),
    required('stage', parseStage),
    country('country'),
    required('year', parseYear),
    // A figure, or `W` where the source withholds it (null).
    required('quantity', parseProductionQuantity),
    required('unit', parseUnit),
    optional('source', text),
  ],
} as const;

export const TRADE_FILE = {
  label: 'trade.csv',
  columns: [
    required('material', parseMaterial),
    required('stage', parseStage),
    country('exporter'),
    country('importer'),
    required('year', parseYear),
    required('quantity', (raw: string) => parseQuantity(raw)),
    required('unit', parseUnit),
    optional('value_usd', parseValueUsd),
    optional('source', text),
  ],
} as const;

export const COUNTRIES_FILE = {
  label: 'countries.csv',
  columns: [
    required('country', parseDefinedCode),
    optional('name', (raw: string) => raw.trim()),
    optional('governance', parseGovernance),
    optional('groups', parseGroups),
  ],
} as const;

export const GOVERNANCE_FILE = {
  label: 'governance.csv',
  columns: [country('country'), required('year', parseYear), required('governance', parseScore), optional('source', text)],
} as const;

export const COVERAGE_FILE = {
  label: 'coverage.csv',
  columns: [
    required('material', parseMaterial),
    required('stage', parseStage),
    country('importer'),
    required('year', parseYear),
    required('flow', (raw: string): CoverageFlow => oneOf(raw, COVERAGE_FLOWS, 'flow')),
    // Empty means the whole of the flow was read.
    optional('extent', (raw: string): CoverageExtent => (raw.trim() === '' ? 'full' : oneOf(raw, COVERAGE_EXTENTS, 'extent'))),
    optional('source', text),
  ],
} as const;

export const GROSS_FILE = {
  label: 'trade-gross.csv',
  columns: [
    optional('hs6', text),
    required('material', parseMaterial),
    required('stage', parseStage),
    country('exporter'),
    country('importer'),
    required('year', parseYear),
    required('gross_quantity', (raw: string) => parseQuantity(raw, 'gross_quantity')),
    optional('content_factor', text),
    required('contained_quantity', (raw: string) => parseQuantity(raw, 'contained_quantity')),
    optional('source', text),
  ],
} as const;

type ColumnsOf<F extends FileContract> = F['columns'][number];

/** Each column's parser with the folder's country check bound in, by column name. */
export type Parsers<F extends FileContract> = { [C in ColumnsOf<F> as C['name']]: (raw: string) => ReturnType<C['parse']> };

export function parsersOf<F extends FileContract>(file: F, known: KnownCountry): Parsers<F> {
  return Object.fromEntries(file.columns.map((column) => [column.name, (raw: string) => column.parse(raw, known)])) as Parsers<F>;
}

/** The header check of the CSV reader: the file's required and optional columns. */
export function specOf(file: FileContract): CsvSpec {
  return {
    label: file.label,
    required: file.columns.filter((column) => column.required).map((column) => column.name),
    optional: file.columns.filter((column) => !column.required).map((column) => column.name),
  };
}

/** Every column, in the order the importers write them. */
export function headerOf<F extends FileContract>(file: F): ColumnsOf<F>['name'][] {
  return file.columns.map((column) => column.name);
}

/** The position of a column in the written header. */
export function columnAt<F extends FileContract>(file: F, name: ColumnsOf<F>['name']): number {
  const at = file.columns.findIndex((column) => column.name === name);
  if (at === -1) throw new Error(`${file.label} has no column ${name}`);
  return at;
}
