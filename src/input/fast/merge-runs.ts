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

export function mergeSortedRuns(runs: readonly SortedRun[]): TradeTable {
  const countries = new Map<string, number>();
  const materials = new Map<string, number>();
  const sliceByKey = new Map<string, SliceInfo>();
  for (const run of runs) {
    for (const code of run.countries) if (!countries.has(code)) countries.set(code, countries.size);
    for (const material of run.materials) if (!materials.has(material)) materials.set(material, materials.size);
    for (const slice of run.slices) {
      const key = sliceOrderKey(slice);
      if (!sliceByKey.has(key)) sliceByKey.set(key, slice);
    }
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
  const parts = runs.map((run) => new RunPart(run, slices.length, positionOfKey, countries, countryRank));
  const capacity = runs.reduce((sum, run) => sum + run.length, 0);
  const out = new MergedColumns(
    capacity,
    runs.some((run) => run.valued ?? true),
  );
  for (let slice = 0; slice < slices.length; slice += 1) mergeSlice(parts, slice, codes.length, out);
  const length = out.length;
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
    valued: out.valued,
  });
}

/** A run with its ids translated: where each merged slice's rows are in it, and its countries' merged ids and ranks. */
class RunPart {
  /** Per merged slice position: the run's rows first .. end - 1 (empty when the run has none). */
  readonly first: Int32Array;
  readonly end: Int32Array;
  readonly countryId: Int32Array;
  readonly countryRank: Int32Array;
  /** Whether the run's value columns are in use (TradeTable.valued). */
  readonly valued: boolean;
  /** The row the merge reads next, and its pair key (exporter rank x countries + importer rank). */
  at = 0;
  stop = 0;
  key = 0;

  constructor(
    readonly run: SortedRun,
    slices: number,
    positionOfKey: ReadonlyMap<string, number>,
    countries: ReadonlyMap<string, number>,
    rank: Int32Array,
  ) {
    this.first = new Int32Array(slices);
    this.end = new Int32Array(slices);
    run.slices.forEach((slice, local) => {
      const position = positionOfKey.get(sliceOrderKey(slice)) ?? 0;
      this.first[position] = run.sliceStart[local]!;
      this.end[position] = run.sliceStart[local + 1]!;
    });
    this.countryId = Int32Array.from(run.countries, (code) => countries.get(code) ?? 0);
    this.countryRank = Int32Array.from(this.countryId, (id) => rank[id]!);
    this.valued = run.valued ?? true;
  }

  /** The value_usd of the row at `at` (NaN when none) and its valued quantity. */
  value(): number {
    return this.valued ? this.run.valueUsdOf[this.at]! : Number.NaN;
  }

  valuedQuantity(): number {
    return this.valued ? this.run.valuedQuantityOf[this.at]! : 0;
  }

  /** Starts reading the run's rows of a merged slice; false when it has none. */
  open(slice: number, width: number): boolean {
    this.at = this.first[slice]!;
    this.stop = this.end[slice]!;
    return this.load(width);
  }

  /** Moves to the next row; false at the end of the slice's rows. */
  advance(width: number): boolean {
    this.at += 1;
    return this.load(width);
  }

  private load(width: number): boolean {
    if (this.at >= this.stop) return false;
    this.key = this.countryRank[this.run.exporterOf[this.at]!]! * width + this.countryRank[this.run.importerOf[this.at]!]!;
    return true;
  }
}

/**
 * The merged facts, written in order; sized for every row, only the pages of the facts written cost
 * memory. Without values in any run, the value columns are not written (TradeTable.valued).
 */
class MergedColumns {
  length = 0;
  readonly sliceOf: Int32Array;
  readonly exporterOf: Int32Array;
  readonly importerOf: Int32Array;
  readonly quantityOf: Float64Array;
  readonly valueUsdOf: Float64Array;
  readonly valuedQuantityOf: Float64Array;

  constructor(
    capacity: number,
    readonly valued: boolean,
  ) {
    this.sliceOf = new Int32Array(capacity);
    this.exporterOf = new Int32Array(capacity);
    this.importerOf = new Int32Array(capacity);
    this.quantityOf = new Float64Array(capacity);
    this.valueUsdOf = new Float64Array(capacity);
    this.valuedQuantityOf = new Float64Array(capacity);
  }

  /** A run's row as a new fact. */
  start(part: RunPart, slice: number): void {
    const { run, at } = part;
    const fact = this.length++;
    this.sliceOf[fact] = slice;
    this.exporterOf[fact] = part.countryId[run.exporterOf[at]!]!;
    this.importerOf[fact] = part.countryId[run.importerOf[at]!]!;
    this.quantityOf[fact] = run.quantityOf[at]!;
    if (!this.valued) return;
    this.valueUsdOf[fact] = part.value();
    this.valuedQuantityOf[fact] = part.valuedQuantity();
  }

  /** A run's row summed into the last fact, as TradeTable.add sums a row into its fact. */
  add(part: RunPart): void {
    const { run, at } = part;
    const fact = this.length - 1;
    this.quantityOf[fact] = this.quantityOf[fact]! + run.quantityOf[at]!;
    const value = part.value();
    if (Number.isNaN(value)) return;
    const known = this.valueUsdOf[fact]!;
    this.valueUsdOf[fact] = Number.isNaN(known) ? value : known + value;
    this.valuedQuantityOf[fact] = this.valuedQuantityOf[fact]! + part.valuedQuantity();
  }
}

/**
 * One slice's rows of every run, merged by pair key: at each step the run whose next row has the
 * smallest key, the earliest run on a tie (the earlier part of the file), so that a fact's rows are
 * summed in file order.
 */
function mergeSlice(parts: readonly RunPart[], slice: number, width: number, out: MergedColumns): void {
  const open: RunPart[] = [];
  for (const part of parts) if (part.open(slice, width)) open.push(part);
  let lastKey = -1;
  while (open.length > 0) {
    let next = open[0] as RunPart;
    for (let k = 1; k < open.length; k += 1) if ((open[k] as RunPart).key < next.key) next = open[k] as RunPart;
    if (next.key === lastKey) out.add(next);
    else {
      out.start(next, slice);
      lastKey = next.key;
    }
    if (!next.advance(width)) open.splice(open.indexOf(next), 1);
  }
}
