/**
 * One finished trade table from the sorted runs of a threaded full read (parallel.ts).
 *
 * Each worker finishes its own table over its byte range: its rows in canonical order (slice by
 * material, stage and year; then exporter code, importer code), the rows of one slice and pair in
 * file order. The first range's worker also sums them; the others keep every row. Since the order
 * compares names, not ids, the runs are in the same order whatever ids each worker gave, and a
 * k-way merge gives the whole file's facts in canonical order. Equal keys are taken run by run (the
 * ranges' order is the file's), so each fact is summed row by row in file order: the sums of the
 * one-thread read, to the last bit. Compared with appending every row to one table and sorting it
 * there, the sorting is done by the workers in parallel and this thread reads each run once, in order.
 */
import { rankOf, sliceOrderKey, TradeTable, type SliceInfo, type TradeTableSnapshot } from '../trade-table.js';

/** A worker's finished table (TradeTable.snapshot()). */
export type SortedRun = TradeTableSnapshot;

interface RunCursor {
  run: SortedRun;
  /** Next row. */
  at: number;
  /** Global slice position and country ids of the run's local ones. */
  slice: Int32Array;
  country: Int32Array;
  /** The merge key of the row at `at` (Infinity when the run is done). */
  key: number;
}

export function mergeSortedRuns(runs: readonly SortedRun[]): TradeTable {
  const countries = new Map<string, number>();
  const materials = new Map<string, number>();
  const sliceByKey = new Map<string, SliceInfo>();
  for (const run of runs) {
    for (const code of run.countries) if (!countries.has(code)) countries.set(code, countries.size);
    for (const material of run.materials) if (!materials.has(material)) materials.set(material, materials.size);
    for (const slice of run.slices) if (!sliceByKey.has(sliceOrderKey(slice))) sliceByKey.set(sliceOrderKey(slice), slice);
  }
  const sliceKeys = [...sliceByKey.keys()];
  const sliceRank = rankOf(sliceKeys);
  const slices = new Array<SliceInfo>(sliceKeys.length);
  const positionOfKey = new Map<string, number>();
  sliceKeys.forEach((key, id) => {
    slices[sliceRank[id]!] = sliceByKey.get(key) as SliceInfo;
    positionOfKey.set(key, sliceRank[id]!);
  });
  const codes = [...countries.keys()];
  const countryRank = rankOf(codes);
  const width = codes.length;
  // Slice position, exporter rank, importer rank as one exact number: 2^22 slices x 33,696^2 country pairs (the
  // codes the pattern allows) stay below 2^53.
  const keyOf = (cursor: RunCursor): number => {
    const { run, at } = cursor;
    if (at >= run.length) return Number.POSITIVE_INFINITY;
    const exporter = countryRank[cursor.country[run.exporterOf[at]!]!]!;
    const importer = countryRank[cursor.country[run.importerOf[at]!]!]!;
    return (cursor.slice[run.sliceOf[at]!]! * width + exporter) * width + importer;
  };
  const cursors: RunCursor[] = runs.map((run) => {
    const cursor: RunCursor = {
      run,
      at: 0,
      slice: Int32Array.from(run.slices, (slice) => positionOfKey.get(sliceOrderKey(slice)) ?? 0),
      country: Int32Array.from(run.countries, (code) => countries.get(code) ?? 0),
      key: 0,
    };
    cursor.key = keyOf(cursor);
    return cursor;
  });

  const capacity = runs.reduce((sum, run) => sum + run.length, 0);
  // Sized for every row; only the pages of the facts written cost memory.
  const out = {
    sliceOf: new Int32Array(capacity),
    exporterOf: new Int32Array(capacity),
    importerOf: new Int32Array(capacity),
    quantityOf: new Float64Array(capacity),
    valueUsdOf: new Float64Array(capacity),
    valuedQuantityOf: new Float64Array(capacity),
  };
  let fact = -1;
  let factKey = -1;
  for (;;) {
    // The run with the smallest key; on a tie the earliest run (the earlier part of the file).
    let next: RunCursor | undefined;
    for (const cursor of cursors) if (cursor.key !== Number.POSITIVE_INFINITY && (!next || cursor.key < next.key)) next = cursor;
    if (!next) break;
    const { run, at } = next;
    const quantity = run.quantityOf[at]!;
    const value = run.valueUsdOf[at]!;
    if (next.key === factKey) {
      // As TradeTable.add sums a row into its fact.
      out.quantityOf[fact] = out.quantityOf[fact]! + quantity;
      if (!Number.isNaN(value)) {
        const known = out.valueUsdOf[fact]!;
        out.valueUsdOf[fact] = Number.isNaN(known) ? value : known + value;
        out.valuedQuantityOf[fact] = out.valuedQuantityOf[fact]! + run.valuedQuantityOf[at]!;
      }
    } else {
      fact += 1;
      factKey = next.key;
      out.sliceOf[fact] = next.slice[run.sliceOf[at]!]!;
      out.exporterOf[fact] = next.country[run.exporterOf[at]!]!;
      out.importerOf[fact] = next.country[run.importerOf[at]!]!;
      out.quantityOf[fact] = quantity;
      out.valueUsdOf[fact] = value;
      out.valuedQuantityOf[fact] = run.valuedQuantityOf[at]!;
    }
    next.at = at + 1;
    next.key = keyOf(next);
  }
  const length = fact + 1;
  return TradeTable.ofSortedFacts({
    countries: codes,
    materials: [...materials.keys()],
    slices,
    length,
    sliceOf: out.sliceOf.subarray(0, length),
    exporterOf: out.exporterOf.subarray(0, length),
    importerOf: out.importerOf.subarray(0, length),
    quantityOf: out.quantityOf.subarray(0, length),
    valueUsdOf: out.valueUsdOf.subarray(0, length),
    valuedQuantityOf: out.valuedQuantityOf.subarray(0, length),
  });
}
