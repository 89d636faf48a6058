/**
 * CEPII BACI -> trade rows. Two forms are read:
 * - the yearly CSV `t,i,j,k,v,q` (year, exporter, importer, HS6 product, value in thousand USD,
 *   quantity in metric tons), with BACI's numeric country codes (842 USA, 251 France, 699 India,
 *   757 Switzerland, 490 Taiwan, see numeric-codes.ts). A yearly file has about 11 million lines,
 *   a few percent of them minerals, so it is read as bytes and a line is dropped on its product
 *   code before anything else of it is parsed (baci-csv.ts); a large file is read on two threads
 *   (baci-parallel.ts);
 * - Parquet extracts with the columns `year, exporter, importer, hs6, value_kusd, qty_t` (ISO3 codes,
 *   S19 for Taiwan), read one row group at a time.
 * BACI reconciles the two declarations of every flow, so each flow appears once: all are used.
 *
 * Coverage: BACI is a reconciled all-reporter dataset, so each country seen as the importer of a
 * mapped code in a year of a file is covered for that year, `full` for a material and stage when the
 * file holds every code mapped to it that year (a BACI yearly file holds all codes; an extract may
 * not). With --country, only that country is covered.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InputError } from '../domain/problems.js';
import { ProductList, type BaciCsvOptions } from './baci-csv.js';
import { readBaciRuns } from './baci-parallel.js';
import { finishPart, grossRows, mergeRuns, RunSink, sortedTradeColumns, type SortedRun, type SortedTrade } from './baci-runs.js';
import { resolveAlpha3Code } from './numeric-codes.js';
import { CoverageSeen, coverageRowCount, coverageRows, flowToRow, GrossSum, type SourceRecord, type TradeOptions } from './trade-filter.js';
import { sharedTradeLines } from './trade-csv.js';
import { columnRows, emptyResult, type CoverageRow, type ImportResult, type TradeRowColumns } from './types.js';

const PARQUET_COLUMNS = ['year', 'exporter', 'importer', 'hs6', 'value_kusd', 'qty_t'] as const;
const USD_PER_KUSD = 1000;

export async function importBaci(paths: readonly string[], options: TradeOptions, reading: BaciCsvOptions = {}): Promise<ImportResult> {
  const result = emptyResult();
  const gross = new GrossSum();
  const products = new ProductList(options.hsMap);
  // Each file's sorted runs, in file order: merged (and summed) once all are read. A lone CSV file
  // read on two threads comes merged already.
  const runs: SortedRun[] = [];
  const grossRuns: SortedRun[] = [];
  let merged: { trade: SortedTrade; rest: Promise<SortedTrade> } | undefined;
  const covered: { seen: CoverageSeen; source: string }[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) throw new InputError([{ file: path, message: 'file not found' }]);
    const coverage = new CoverageSeen();
    if (path.endsWith('.parquet')) runs.push(await importParquet(path, options, result, products, coverage, gross));
    else {
      const read = await readBaciRuns(path, options, result.tally, reading, coverage, paths.length === 1);
      if (read.merged) merged = read.merged;
      runs.push(...read.runs);
      grossRuns.push(...read.grossRuns);
    }
    covered.push({ seen: coverage, source: `CEPII BACI, ${basename(path)}` });
  }
  withCoverage(result, covered, options);
  withGross(result, gross, mergeRuns(grossRuns), products);
  if (!merged) return withTrade(result, sortedTradeColumns(mergeRuns(runs)));
  // This thread's lines are written while the worker finishes its own.
  const text = sharedTradeLines(merged.trade);
  const trade = { ...merged.trade, ...(text ? { text } : {}), rest: await merged.rest };
  return withTrade(result, sortedTradeColumns(trade));
}

/**
 * The result with its coverage rows made only if something reads them (writing to --out does; the
 * summary only counts them: `coverageCount`). BACI reconciles every country pair, so it covers
 * each country's exports as well as its imports.
 */
function withCoverage(result: ImportResult, covered: readonly { seen: CoverageSeen; source: string }[], options: TradeOptions): void {
  const flows = [
    { flow: 'import', as: 'importers' },
    { flow: 'export', as: 'exporters' },
  ] as const;
  const make = (): CoverageRow[] => {
    const made: CoverageRow[] = [];
    // A loop, not push(...rows): a spread of a few hundred thousand rows overflows the call stack.
    for (const { seen, source } of covered) {
      for (const { flow, as } of flows) for (const row of coverageRows(seen, options, flow, source, as)) made.push(row);
    }
    return made;
  };
  result.coverageCount = covered.reduce((sum, { seen }) => sum + flows.reduce((both, { as }) => both + coverageRowCount(seen, options, as), 0), 0);
  madeWhenRead(result, 'coverage', make, 'coverageCount');
}

/**
 * The result with its gross-weight rows (those of Parquet extracts summed as read, those of CSV
 * files as runs) made only if something reads them (writing to --out does; the summary only counts
 * them: `grossCount`).
 */
function withGross(result: ImportResult, parquet: GrossSum, csv: SortedTrade, products: ProductList): void {
  result.grossCount = parquet.size + csv.length;
  madeWhenRead(result, 'gross', () => [...parquet.rows(), ...grossRows(csv, products.entries)], 'grossCount');
}

/**
 * The result with its trade rows in `tradeColumns`, read straight from the merged flows, and
 * `trade` made from them only if something reads it (writing to --out does; writing to stdout does not).
 */
function withTrade(result: ImportResult, columns: TradeRowColumns): ImportResult {
  result.tradeColumns = columns;
  madeWhenRead(result, 'trade', () => columnRows(columns), 'tradeColumns');
  return result;
}

/**
 * `result[key]` made by `make` when first read (a large import's rows are not all needed to write
 * to stdout); set, it replaces them and drops `standIn` (what stood for them: columns or a count).
 */
function madeWhenRead<K extends 'trade' | 'coverage' | 'gross'>(
  result: ImportResult,
  key: K,
  make: () => ImportResult[K],
  standIn: 'tradeColumns' | 'coverageCount' | 'grossCount',
): void {
  let value: ImportResult[K] | undefined;
  Object.defineProperty(result, key, {
    enumerable: true,
    configurable: true,
    get: () => (value ??= make()),
    set: (given: ImportResult[K]) => {
      value = given;
      delete result[standIn];
    },
  });
}

/** A Parquet extract's kept flows as a sorted run (gross weights go straight into `gross`: file order). */
async function importParquet(
  path: string,
  options: TradeOptions,
  result: ImportResult,
  products: ProductList,
  coverage: CoverageSeen,
  gross: GrossSum,
): Promise<SortedRun> {
  const label = basename(path);
  const source = `CEPII BACI, ${label}`;
  const sink = new RunSink(source, products, coverage);
  const track = { coverage, gross };
  // The Parquet reader loads only for Parquet files: a CSV import need not wait for it.
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
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
      const flow = parquetFlow(record);
      if (options.hsMap.has(flow.hs6) && Number.isInteger(flow.year)) {
        coverage.noteCode(flow.year, flow.hs6);
        if (flow.importer.kind === 'country') coverage.noteImporter(flow.year, flow.importer.code);
        if (flow.exporter.kind === 'country') coverage.noteExporter(flow.year, flow.exporter.code);
      }
      const row = flowToRow(flow, options, result.tally, source, () => `${label} row ${rowStart + i + 1}`, track);
      if (!row) return;
      const ids = [sink.groupId(row.material, row.stage), sink.unitId(row.unit), sink.countryId(row.exporter), sink.countryId(row.importer)] as const;
      sink.addConverted(...ids, row.year, row.quantity, row.valueUsd);
    });
    rowStart = rowEnd;
  }
  return finishPart(sink).run;
}

function parquetFlow(record: Record<string, unknown>): SourceRecord {
  return {
    hs6: String(record.hs6 ?? '').padStart(6, '0'),
    exporter: resolveAlpha3Code(String(record.exporter ?? '')),
    importer: resolveAlpha3Code(String(record.importer ?? '')),
    year: Number(record.year),
    tonnes: typeof record.qty_t === 'number' && Number.isFinite(record.qty_t) ? record.qty_t : null,
    valueUsd: typeof record.value_kusd === 'number' && Number.isFinite(record.value_kusd) ? record.value_kusd * USD_PER_KUSD : null,
  };
}
