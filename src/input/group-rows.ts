/**
 * Puts a trade table's rows in canonical order (slice rank; then exporter rank, importer rank) and,
 * when asked, sums the rows of each slice and country pair into one fact, in the order they came.
 *
 * Why not one sort of the whole table: rows of millions arrive in random order, and a sort that
 * gathers each column through an order array reads every row at a random place, six times over.
 * Here the rows are first moved slice by slice (a stable counting sort by slice: sequential reads,
 * one write position per slice), then each slice, a few thousand rows at most, is grouped by country
 * pair through arrays indexed by the pair itself, small enough to stay in the processor's cache;
 * the pairs a slice uses are marked in a bit set, whose set bits are read in pair order.
 * The result is exactly that of a stable sort by (slice, pair) and of summing each group's rows left
 * to right (trade-table.ts keeps that sort for tables with too many countries for the pair arrays).
 */

/** A table's rows as columns (TradeTable's; `length` rows used). */
export interface RowColumns {
  length: number;
  sliceOf: Int32Array;
  exporterOf: Int32Array;
  importerOf: Int32Array;
  quantityOf: Float64Array;
  /** NaN where no row had a value (in use only when the table has values: see TradeTable.valued). */
  valueUsdOf: Float64Array;
  valuedQuantityOf: Float64Array;
}

/** At most this many country pairs (256 countries) are grouped through arrays indexed by pair. */
export const DENSE_PAIRS = 1 << 16;

/**
 * The rows in canonical order, summed per slice and pair when `sum` is set; `sliceOf` of the result
 * holds slice ranks. Null when the countries are too many for the pair arrays (DENSE_PAIRS).
 *
 * The result is written over the given columns (views of them are returned): once the rows are
 * copied slice by slice their first places are free, and a fresh page of memory costs about as much
 * as the work done on it (a few million rows' columns are tens of megabytes). Without values
 * (`valued` false: the table's value columns are not in use, see TradeTable.valued) the value columns
 * are neither read nor written.
 */
export function groupRows(rows: RowColumns, sliceRank: Int32Array, countryRank: Int32Array, sum: boolean, valued: boolean): RowColumns | null {
  const width = countryRank.length;
  if (width * width > DENSE_PAIRS) return null;
  const bySlice = rowsBySlice(rows, sliceRank, countryRank, valued);
  const idOfRank = new Int32Array(width);
  countryRank.forEach((rank, id) => (idOfRank[rank] = id));
  const grouping = new PairGrouping(idOfRank);
  const target: Omit<Grouped, 'length'> = {
    sliceOf: rows.sliceOf,
    exporterOf: rows.exporterOf,
    importerOf: rows.importerOf,
    quantityOf: rows.quantityOf,
    valueUsdOf: valued ? rows.valueUsdOf : null,
    valuedQuantityOf: valued ? rows.valuedQuantityOf : null,
  };
  const length = sum ? grouping.summed(bySlice, target) : grouping.ordered(bySlice, target);
  return {
    length,
    sliceOf: rows.sliceOf.subarray(0, length),
    exporterOf: rows.exporterOf.subarray(0, length),
    importerOf: rows.importerOf.subarray(0, length),
    quantityOf: rows.quantityOf.subarray(0, length),
    valueUsdOf: rows.valueUsdOf.subarray(0, length),
    valuedQuantityOf: rows.valuedQuantityOf.subarray(0, length),
  };
}

/** Rows moved slice by slice (stable), each with its pair index (exporter rank x width + importer rank). */
interface SliceRows {
  start: Int32Array;
  pairOf: Int32Array;
  quantityOf: Float64Array;
  /** Values and valued quantities; null when no row has a value (then every value is NaN and every valued quantity 0). */
  values: { valueUsdOf: Float64Array; valuedQuantityOf: Float64Array } | null;
}

function rowsBySlice(rows: RowColumns, sliceRank: Int32Array, countryRank: Int32Array, valued: boolean): SliceRows {
  const { length, sliceOf, exporterOf, importerOf, quantityOf, valueUsdOf, valuedQuantityOf } = rows;
  const width = countryRank.length;
  const slices = sliceRank.length;
  const start = new Int32Array(slices + 1);
  for (let row = 0; row < length; row += 1) start[sliceRank[sliceOf[row]!]! + 1]! += 1;
  for (let slice = 0; slice < slices; slice += 1) start[slice + 1]! += start[slice]!;
  const cursor = start.slice(0, slices);
  const pairOf = new Int32Array(length);
  const quantity = new Float64Array(length);
  const values = valued ? { valueUsdOf: new Float64Array(length), valuedQuantityOf: new Float64Array(length) } : null;
  for (let row = 0; row < length; row += 1) {
    const at = cursor[sliceRank[sliceOf[row]!]!]!++;
    pairOf[at] = countryRank[exporterOf[row]!]! * width + countryRank[importerOf[row]!]!;
    quantity[at] = quantityOf[row]!;
    if (values) {
      values.valueUsdOf[at] = valueUsdOf[row]!;
      values.valuedQuantityOf[at] = valuedQuantityOf[row]!;
    }
  }
  return { start, pairOf, quantityOf: quantity, values };
}

/** Output columns of the grouping. */
interface Grouped {
  length: number;
  sliceOf: Int32Array;
  exporterOf: Int32Array;
  importerOf: Int32Array;
  quantityOf: Float64Array;
  valueUsdOf: Float64Array | null;
  valuedQuantityOf: Float64Array | null;
}

/** The per-pair arrays and the bit set of the pairs one slice uses, reused slice after slice. */
class PairGrouping {
  private readonly used: Int32Array;
  private readonly width: number;

  /** `idOfRank`: the country id of each rank (a pair index is exporter rank x width + importer rank). */
  constructor(private readonly idOfRank: Int32Array) {
    this.width = idOfRank.length;
    this.used = new Int32Array(Math.ceil((this.width * this.width) / 32));
  }

  /** Writes the countries of `pair` as row `at` of `out`. */
  private countries(out: Omit<Grouped, 'length'>, at: number, pair: number): void {
    out.exporterOf[at] = this.idOfRank[(pair / this.width) | 0]!;
    out.importerOf[at] = this.idOfRank[pair % this.width]!;
  }

  /** Each slice's rows summed per pair, left to right, one fact per pair in pair order, written to `out`; returns the facts' count. */
  summed(rows: SliceRows, out: Omit<Grouped, 'length'>): number {
    const pairs = this.width * this.width;
    const quantity = new Float64Array(pairs);
    const value = rows.values ? new Float64Array(pairs) : null;
    const valuedQuantity = rows.values ? new Float64Array(pairs) : null;
    const used = this.used;
    let length = 0;
    for (let slice = 0; slice + 1 < rows.start.length; slice += 1) {
      for (let k = rows.start[slice]!; k < rows.start[slice + 1]!; k += 1) {
        const pair = rows.pairOf[k]!;
        const bit = 1 << (pair & 31);
        const first = (used[pair >>> 5]! & bit) === 0;
        used[pair >>> 5]! |= bit;
        quantity[pair] = first ? rows.quantityOf[k]! : quantity[pair]! + rows.quantityOf[k]!;
        if (!value || !valuedQuantity || !rows.values) continue;
        const usd = rows.values.valueUsdOf[k]!;
        if (first) {
          value[pair] = usd;
          valuedQuantity[pair] = rows.values.valuedQuantityOf[k]!;
        } else if (!Number.isNaN(usd)) {
          // As TradeTable.add sums a row into its fact.
          const known = value[pair]!;
          value[pair] = Number.isNaN(known) ? usd : known + usd;
          valuedQuantity[pair] = valuedQuantity[pair]! + rows.values.valuedQuantityOf[k]!;
        }
      }
      this.takeUsed((pair) => {
        out.sliceOf[length] = slice;
        this.countries(out, length, pair);
        out.quantityOf[length] = quantity[pair]!;
        if (out.valueUsdOf && out.valuedQuantityOf && value && valuedQuantity) {
          out.valueUsdOf[length] = value[pair]!;
          out.valuedQuantityOf[length] = valuedQuantity[pair]!;
        }
        length += 1;
      });
    }
    return length;
  }

  /** Each slice's rows in pair order, rows of one pair in the order they came (a stable counting sort), written to `out`; returns their count. */
  ordered(rows: SliceRows, out: Omit<Grouped, 'length'>): number {
    const next = new Int32Array(this.width * this.width);
    const used = this.used;
    let length = 0;
    for (let slice = 0; slice + 1 < rows.start.length; slice += 1) {
      const first = rows.start[slice]!;
      const end = rows.start[slice + 1]!;
      for (let k = first; k < end; k += 1) {
        const pair = rows.pairOf[k]!;
        next[pair]! += 1;
        used[pair >>> 5]! |= 1 << (pair & 31);
      }
      // Counts become write positions, pair by pair in order.
      this.takeUsed((pair) => {
        const count = next[pair]!;
        next[pair] = length;
        length += count;
      });
      for (let k = first; k < end; k += 1) {
        const pair = rows.pairOf[k]!;
        const at = next[pair]!++;
        out.sliceOf[at] = slice;
        this.countries(out, at, pair);
        out.quantityOf[at] = rows.quantityOf[k]!;
        if (out.valueUsdOf && out.valuedQuantityOf && rows.values) {
          out.valueUsdOf[at] = rows.values.valueUsdOf[k]!;
          out.valuedQuantityOf[at] = rows.values.valuedQuantityOf[k]!;
        }
      }
      for (let k = first; k < end; k += 1) next[rows.pairOf[k]!] = 0;
    }
    return length;
  }

  /** Calls `visit` for each marked pair in increasing order, clearing the marks. */
  private takeUsed(visit: (pair: number) => void): void {
    const used = this.used;
    for (let word = 0; word < used.length; word += 1) {
      let bits = used[word]!;
      if (bits === 0) continue;
      used[word] = 0;
      while (bits !== 0) {
        const lowest = bits & -bits;
        visit((word << 5) + 31 - Math.clz32(lowest));
        bits ^= lowest;
      }
    }
  }
}
