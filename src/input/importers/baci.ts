/**
 * CEPII BACI -> trade rows. Two forms are read:
 * - the yearly CSV `t,i,j,k,v,q` (year, exporter, importer, HS6 product, value in thousand USD,
 *   quantity in metric tons), with BACI's numeric country codes (842 USA, 251 France, 699 India,
 *   757 Switzerland, 490 Taiwan, see numeric-codes.ts). A yearly file has about 11 million lines,
 *   a few percent of them minerals, so it is streamed and a line is dropped on its product code
 *   before anything else of it is parsed;
 * - Parquet extracts with the columns `year, exporter, importer, hs6, value_kusd, qty_t` (ISO3 codes,
 *   S19 for Taiwan), read one row group at a time.
 * BACI reconciles the two declarations of every flow, so each flow appears once: all are used.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError } from '../problems.js';
import { resolveAlpha3Code, resolveNumericCode } from './numeric-codes.js';
import { flowToRow, TradeSum, type Flow, type TradeOptions } from './trade-filter.js';
import { emptyResult, type ImportResult } from './types.js';

const CSV_COLUMNS = ['t', 'i', 'j', 'k', 'v', 'q'] as const;
const PARQUET_COLUMNS = ['year', 'exporter', 'importer', 'hs6', 'value_kusd', 'qty_t'] as const;
const USD_PER_KUSD = 1000;

export async function importBaci(paths: readonly string[], options: TradeOptions): Promise<ImportResult> {
  const result = emptyResult();
  const sum = new TradeSum();
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw new InputError([{ file: path, message: 'file not found' }]);
    if (path.endsWith('.parquet')) await importParquet(path, options, result, sum);
    else await importCsv(path, options, result, sum);
  }
  result.trade = sum.rows();
  return result;
}

async function importCsv(path: string, options: TradeOptions, result: ImportResult, sum: TradeSum): Promise<void> {
  const label = basename(path);
  const source = `CEPII BACI, ${label}`;
  const bytes = createReadStream(path);
  const input: Readable = path.endsWith('.gz') ? bytes.pipe(createGunzip()) : bytes;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let at: Record<(typeof CSV_COLUMNS)[number], number> | undefined;
  let lineNumber = 0;
  for await (const raw of lines) {
    lineNumber += 1;
    if (raw.trim() === '') continue;
    if (!at) {
      at = csvHeader(raw.replace(/^\uFEFF/, '').split(','), label);
      continue;
    }
    // Most rows of a BACI year are other products: look at the product code before splitting.
    // BACI writes product codes as numbers: HS chapters 01-09 lose their leading zero.
    const hs6 = (fieldAt(raw, at.k) ?? '').trim().replace(/"/g, '').padStart(6, '0');
    if (!options.hsMap.has(hs6)) {
      result.tally.skip('HS code not in the HS map');
      continue;
    }
    const fields = raw.split(',');
    const flow: Flow = {
      hs6,
      exporter: resolveNumericCode(fields[at.i] ?? ''),
      importer: resolveNumericCode(fields[at.j] ?? ''),
      year: Number(fields[at.t]),
      tonnes: numberOrNull(fields[at.q]),
      valueUsd: scaled(numberOrNull(fields[at.v]), USD_PER_KUSD),
    };
    const line = lineNumber;
    const row = flowToRow(flow, options, result.tally, source, () => `${label}:${line} i=${fields[at?.i ?? 0]} j=${fields[at?.j ?? 0]}`);
    if (row) sum.add(row);
  }
  if (!at) throw new InputError([{ file: label, message: 'file is empty' }]);
}

/** The field at `index` of a comma-separated line, found without splitting the line. */
function fieldAt(line: string, index: number): string | undefined {
  let start = 0;
  for (let field = 0; field < index; field++) {
    const comma = line.indexOf(',', start);
    if (comma === -1) return undefined;
    start = comma + 1;
  }
  const end = line.indexOf(',', start);
  return line.slice(start, end === -1 ? line.length : end);
}

function csvHeader(fields: readonly string[], label: string): Record<(typeof CSV_COLUMNS)[number], number> {
  const names = fields.map((name) => name.trim().replace(/"/g, '').toLowerCase());
  const at = Object.fromEntries(CSV_COLUMNS.map((name) => [name, names.indexOf(name)])) as Record<(typeof CSV_COLUMNS)[number], number>;
  const missing = CSV_COLUMNS.filter((name) => at[name] < 0);
  if (missing.length > 0) throw new InputError([{ file: label, line: 1, message: `not a BACI CSV: no column ${missing.join(', ')} (expected t,i,j,k,v,q)` }]);
  return at;
}

async function importParquet(path: string, options: TradeOptions, result: ImportResult, sum: TradeSum): Promise<void> {
  const label = basename(path);
  const source = `CEPII BACI, ${label}`;
  let file;
  let metadata;
  try {
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw new InputError([{ file: label, message: `is not a readable Parquet file (${error instanceof Error ? error.message : String(error)})` }]);
  }
  const names = new Set(metadata.schema.map((element) => element.name));
  const missing = PARQUET_COLUMNS.filter((name) => !names.has(name));
  if (missing.length > 0) throw new InputError([{ file: label, message: `no column ${missing.join(', ')} (expected ${PARQUET_COLUMNS.join(', ')})` }]);
  // One row group at a time, so memory follows the group size, not the file size.
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file, metadata, compressors, columns: [...PARQUET_COLUMNS], rowStart, rowEnd });
    rows.forEach((record, i) => {
      const row = flowToRow(parquetFlow(record), options, result.tally, source, () => `${label} row ${rowStart + i + 1}`);
      if (row) sum.add(row);
    });
    rowStart = rowEnd;
  }
}

function parquetFlow(record: Record<string, unknown>): Flow {
  return {
    hs6: String(record.hs6 ?? '').padStart(6, '0'),
    exporter: resolveAlpha3Code(String(record.exporter ?? '')),
    importer: resolveAlpha3Code(String(record.importer ?? '')),
    year: Number(record.year),
    tonnes: typeof record.qty_t === 'number' && Number.isFinite(record.qty_t) ? record.qty_t : null,
    valueUsd: typeof record.value_kusd === 'number' && Number.isFinite(record.value_kusd) ? record.value_kusd * USD_PER_KUSD : null,
  };
}

function numberOrNull(raw: string | undefined): number | null {
  const text = (raw ?? '').trim();
  if (text === '' || text.toUpperCase() === 'NA') return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function scaled(value: number | null, factor: number): number | null {
  return value === null ? null : value * factor;
}
