/**
 * The BACI CSV importer and the trade.csv writer as they were before the byte-level rewrite
 * (node:readline, one string per line, rows summed under joined string keys, fields sorted as
 * strings): the reference the fast code must match exactly, row for row and in every tally.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { convertTonnes, type HsEntry } from '../../src/importers/hs-map.js';
import { resolveNumericCode, type CodeMatch } from '../../src/importers/numeric-codes.js';
import type { TradeOptions } from '../../src/importers/trade-filter.js';
import { emptyResult, type ImportResult, type Tally, type TradeRow } from '../../src/importers/types.js';
import { csvField, TRADE_HEADER } from '../../src/importers/contract-csv.js';
import { inYears, roundQuantity } from '../../src/importers/values.js';
import { InputError } from '../../src/domain/problems.js';

const CSV_COLUMNS = ['t', 'i', 'j', 'k', 'v', 'q'] as const;
const USD_PER_KUSD = 1000;

interface Flow {
  hs6: string;
  exporter: CodeMatch;
  importer: CodeMatch;
  year: number;
  tonnes: number | null;
  valueUsd: number | null;
}

export async function referenceImportBaci(paths: readonly string[], options: TradeOptions): Promise<ImportResult> {
  const result = emptyResult();
  const sum = new ReferenceSum();
  for (const path of paths) await importCsv(path, options, result, sum);
  result.trade = sum.rows();
  return result;
}

async function importCsv(path: string, options: TradeOptions, result: ImportResult, sum: ReferenceSum): Promise<void> {
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

function numberOrNull(raw: string | undefined): number | null {
  const text = (raw ?? '').trim();
  if (text === '' || text.toUpperCase() === 'NA') return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function scaled(value: number | null, factor: number): number | null {
  return value === null ? null : value * factor;
}

function flowToRow(flow: Flow, options: TradeOptions, tally: Tally, source: string, where: () => string): TradeRow | null {
  const entry: HsEntry | undefined = options.hsMap.get(flow.hs6);
  if (!entry) return skip(tally, 'HS code not in the HS map');
  const unwanted = options.select?.(entry.material, entry.stage);
  if (unwanted) return skip(tally, unwanted);
  if (!inYears(options.years, flow.year)) return skip(tally, 'year outside --years');
  const { exporter, importer } = flow;
  if (exporter.kind === 'world' || importer.kind === 'world') return skip(tally, 'partner is the World (a total, not a flow)');
  if (exporter.kind === 'unknown' || importer.kind === 'unknown') return skip(tally, 'country code not recognised (aggregate or former country)', where);
  if (options.country && exporter.code !== options.country && importer.code !== options.country) {
    return skip(tally, `neither exporter nor importer is ${options.country} (--country)`);
  }
  if (exporter.code === importer.code) return skip(tally, 'exporter and importer are the same country (re-imports)', where);
  if (flow.tonnes === null) return skip(tally, 'no quantity (net weight missing)', where);
  if (flow.tonnes === 0) return skip(tally, 'zero quantity (no row needed)');
  tally.keep();
  return {
    material: entry.material,
    stage: entry.stage,
    exporter: exporter.code,
    importer: importer.code,
    year: flow.year,
    quantity: roundQuantity(convertTonnes(entry, flow.tonnes)),
    unit: entry.unit,
    valueUsd: flow.valueUsd === null ? null : Math.round(flow.valueUsd),
    source,
  };
}

function skip(tally: Tally, reason: string, example?: () => string): null {
  tally.skip(reason, example?.());
  return null;
}

class ReferenceSum {
  private readonly bySource = new Map<string, Map<string, TradeRow>>();

  add(row: TradeRow): void {
    let merged = this.bySource.get(row.source);
    if (!merged) this.bySource.set(row.source, (merged = new Map()));
    const key = `${row.material}|${row.stage}|${row.exporter}|${row.importer}|${row.year}`;
    const existing = merged.get(key);
    if (!existing) merged.set(key, { ...row });
    else {
      existing.quantity = roundQuantity(existing.quantity + row.quantity);
      if (row.valueUsd !== null) existing.valueUsd = (existing.valueUsd ?? 0) + row.valueUsd;
    }
  }

  rows(): TradeRow[] {
    const rows: TradeRow[] = [];
    for (const merged of this.bySource.values()) for (const row of merged.values()) rows.push(row);
    return rows;
  }
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** formatQuantity as it was: toFixed(6) less its trailing zeros. */
export function referenceFormatQuantity(value: number): string {
  if (!Number.isFinite(value) || value < 0) throw new Error(`cannot write quantity ${value}`);
  const fixed = value.toFixed(6);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

function tradeFields(row: TradeRow): string[] {
  const value = row.valueUsd === null ? '' : referenceFormatQuantity(row.valueUsd);
  return [row.material, row.stage, row.exporter, row.importer, String(row.year), referenceFormatQuantity(row.quantity), row.unit, value, row.source];
}

/** trade.csv as the writer made it: fields as strings, sorted on material, stage, year, importer, exporter, source. */
export function referenceTradeCsv(rows: readonly TradeRow[]): string {
  const keys = [0, 1, 4, 3, 2, 8];
  const sorted = rows.map(tradeFields).sort((a, b) => {
    for (const key of keys) {
      const order = compareText(a[key] ?? '', b[key] ?? '');
      if (order !== 0) return order;
    }
    return 0;
  });
  return [TRADE_HEADER, ...sorted].map((fields) => fields.map(csvField).join(',')).join('\n') + '\n';
}
