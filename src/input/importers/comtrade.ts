/**
 * UN Comtrade CSV downloads -> trade rows. Two layouts are read, by column name:
 * - the bulk/extract layout `year, reporter, partner, cmd, flow, value, netwgt, qty, qtyunit`
 *   (some extracts have no year column: the year then comes from --years or the file name);
 * - the API layout `refYear, reporterCode, partnerCode, flowCode, cmdCode, netWgt, primaryValue, ...`.
 *
 * Reporter and partner are numeric codes (numeric-codes.ts). Only import records (flow M) are
 * used: an export record of the partner describes the same flow from the other side, and using
 * both would count it twice. Net weight is in kg. Exact duplicate lines, which some extracts hold in
 * large numbers, are dropped and counted. Files may be gzip-compressed (.gz); they are streamed.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { InputError } from '../problems.js';
import { resolveNumericCode } from './numeric-codes.js';
import { aggregateTrade, CoverageSeen, coverageRows, flowToRow, GrossSum, type FlowTracking, type TradeOptions } from './trade-filter.js';
import { emptyResult, Tally, type ImportResult, type TradeRow } from './types.js';

const COLUMN_NAMES = {
  year: ['year', 'refyear', 'period'],
  reporter: ['reporter', 'reportercode'],
  partner: ['partner', 'partnercode'],
  cmd: ['cmd', 'cmdcode', 'hs', 'hs6', 'commodity'],
  flow: ['flow', 'flowcode'],
  value: ['value', 'primaryvalue', 'tradevalue'],
  netwgt: ['netwgt'],
  qty: ['qty'],
  qtyunit: ['qtyunit', 'qtyunitcode'],
} as const;

type Field = keyof typeof COLUMN_NAMES;
type Columns = Partial<Record<Field, number>>;

const KG_UNIT_CODE = '8';

export async function importComtrade(paths: readonly string[], options: TradeOptions): Promise<ImportResult> {
  const result = emptyResult();
  const gross = new GrossSum();
  for (const path of paths) await importFile(path, options, result, gross);
  result.trade = aggregateTrade(result.trade);
  result.gross = gross.rows();
  return result;
}

/**
 * A reporter's import records (flow M) cover its imports: each reporter seen with an import record
 * of a mapped code in a year is covered for that year, `full` for a material and stage when the
 * file holds every code mapped to it that year. With --country, only that country's own
 * declarations count: its partners' files are read only for their trade with it.
 */
async function importFile(path: string, options: TradeOptions, result: ImportResult, gross: GrossSum): Promise<void> {
  const label = basename(path);
  await assertFile(path, label);
  const lines = createInterface({ input: openText(path), crlfDelay: Infinity });
  let columns: Columns | undefined;
  let fixedYear: number | null = null;
  const seen = new Set<string>();
  const counts = { duplicates: 0, qtyFallback: 0 };
  const source = `UN Comtrade, ${label}`;
  const track: FlowTracking = { coverage: new CoverageSeen(), gross };
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber += 1;
    const line = lineNumber === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    if (!columns) {
      columns = headerColumns(splitLine(line), label);
      fixedYear = columns.year === undefined ? yearFromContext(label, options) : null;
      continue;
    }
    const row = readLine(line, columns, fixedYear, { options, tally: result.tally, seen, counts, source, where: `${label}:${lineNumber}`, track });
    if (row) result.trade.push(row);
  }
  if (!columns) throw new InputError([{ file: label, message: 'file is empty' }]);
  if (track.coverage) result.coverage.push(...coverageRows(track.coverage, options, 'import', source));
  if (counts.duplicates > 0) result.notes.push(`${label}: ${counts.duplicates} exact duplicate lines dropped`);
  if (counts.qtyFallback > 0) result.notes.push(`${label}: ${counts.qtyFallback} rows had no net weight; their quantity in kg (qtyunit 8) was used for the rows kept`);
  if (fixedYear !== null) result.notes.push(`${label}: no year column; year ${fixedYear} taken from ${options.years ? '--years' : 'the file name'}`);
}

async function assertFile(path: string, label: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new InputError([{ file: path, message: 'file not found' }]);
  if (!info.isFile()) throw new InputError([{ file: label, message: 'is not a regular file' }]);
}

function openText(path: string): Readable {
  const bytes = createReadStream(path);
  return path.endsWith('.gz') ? bytes.pipe(createGunzip()) : bytes;
}

/** Unquoted lines (nearly all) are split directly; a line with quotes goes through the CSV parser. */
function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  return (parse(line, { relax_column_count: true }) as string[][])[0] ?? [];
}

function headerColumns(header: readonly string[], label: string): Columns {
  const names = header.map((name) => name.trim().toLowerCase());
  const columns: Columns = {};
  for (const field of Object.keys(COLUMN_NAMES) as Field[]) {
    const index = names.findIndex((name) => (COLUMN_NAMES[field] as readonly string[]).includes(name));
    if (index >= 0) columns[field] = index;
  }
  const missing = (['reporter', 'partner', 'cmd', 'flow'] as const).filter((field) => columns[field] === undefined);
  if (columns.netwgt === undefined && columns.qty === undefined) missing.push('netwgt' as never);
  if (missing.length > 0) {
    throw new InputError([{ file: label, line: 1, message: `not a UN Comtrade CSV: no column for ${missing.join(', ')}` }]);
  }
  return columns;
}

/** A file without a year column: one year from --years, else a four-digit year in the file name. */
function yearFromContext(label: string, options: TradeOptions): number {
  if (options.years && options.years.from === options.years.to) return options.years.from;
  const match = /(?:^|\D)((?:19|20)\d{2})(?:\D|$)/.exec(label);
  if (match?.[1]) return Number(match[1]);
  throw new InputError([{ file: label, message: 'has no year column and no year in its name; give one year with --years (e.g. --years 2024)' }]);
}

interface LineContext {
  options: TradeOptions;
  tally: Tally;
  seen: Set<string>;
  counts: { duplicates: number; qtyFallback: number };
  source: string;
  where: string;
  track: FlowTracking;
}

function readLine(line: string, columns: Columns, fixedYear: number | null, context: LineContext): TradeRow | null {
  const { tally, options } = context;
  const fields = splitLine(line);
  const get = (field: Field): string => {
    const index = columns[field];
    return index === undefined ? '' : (fields[index] ?? '').trim();
  };
  // The cheap checks first: most lines of a full download are other products.
  const hs6 = get('cmd');
  if (!options.hsMap.has(hs6)) {
    tally.skip('HS code not in the HS map');
    return null;
  }
  if (context.seen.has(line)) {
    context.counts.duplicates += 1;
    tally.skip('exact duplicate of an earlier line');
    return null;
  }
  context.seen.add(line);
  const flow = get('flow').toUpperCase();
  if (flow !== 'M') {
    tally.skip(`flow ${flow || '(empty)'}: only import records (M) are used, so no flow is counted twice`);
    return null;
  }
  const year = fixedYear ?? Number(get('year'));
  if (!Number.isInteger(year)) {
    tally.skip('year is not a number', context.where);
    return null;
  }
  const reporter = resolveNumericCode(get('reporter'));
  const partner = resolveNumericCode(get('partner'));
  context.track.coverage?.noteCode(year, hs6);
  if (reporter.kind === 'country') context.track.coverage?.noteImporter(year, reporter.code);
  const weight = tonnesOf(get);
  const row = flowToRow(
    { hs6, exporter: partner, importer: reporter, year, tonnes: weight.tonnes, valueUsd: numberOrNull(get('value')) },
    options,
    tally,
    context.source,
    () => `${context.where} reporter ${get('reporter')} partner ${get('partner')}`,
    context.track,
  );
  if (row && weight.fromQty) context.counts.qtyFallback += 1;
  return row;
}

/** Net weight in kg -> tonnes; when it is missing or 0, a quantity in kg (qtyunit 8) stands in. */
function tonnesOf(get: (field: Field) => string): { tonnes: number | null; fromQty: boolean } {
  const net = numberOrNull(get('netwgt'));
  if (net !== null && net > 0) return { tonnes: net / 1000, fromQty: false };
  const qty = numberOrNull(get('qty'));
  if (qty !== null && qty > 0 && get('qtyunit') === KG_UNIT_CODE) return { tonnes: qty / 1000, fromQty: true };
  return { tonnes: net === 0 ? 0 : null, fromQty: false };
}

function numberOrNull(text: string): number | null {
  if (text === '' || text.toUpperCase() === 'NA') return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}
