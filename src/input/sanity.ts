/**
 * Data sanity checks for `validate` (issue 12): findings that are not errors in the data contract
 * (every row may be valid) but that usually mean a mistake in preparing the data.
 *
 * - `duplicate-row`: a row of production.csv or trade.csv whose text repeats an earlier row exactly.
 *   The loader sums rows with the same key (several HS codes often map to one material), so a row
 *   pasted twice silently doubles a quantity.
 * - `jump`: a quantity that looks like a unit or decimal slip: it changes by JUMP_RULE.factor (x10)
 *   or more from one year of its series to the next where the series matters in both years (x5 for
 *   a major series without values) and, for trade with values, where the value did not follow the
 *   quantity (a slip changes the quantity, not the value); or one year that stands out by x5 or more,
 *   the same way, from the years either side.
 *
 * The rule and its reasons are in docs/validate.md. The checks read the files a second time, on their
 * own, so the loader is untouched. Memory is columnar: one open-addressing table of typed arrays keyed
 * by (material and stage, country or flow, year) holds the summed quantity and value of each key and
 * the hash of its first row; exact duplicates always share a key, so a row is compared with the first
 * row of its key, and only rows that add to a key already seen (or that have no key) go to a second,
 * smaller table of row hashes. Rows the loader rejects are still hashed (a duplicate is worth knowing
 * about anyway), but only rows whose year, quantity and value read as plain numbers count towards jumps.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ByteTokenMap, fourDigits, plainDecimal, splitFields } from './fast/byte-fields.js';
import { UNATTRIBUTED } from '../domain/countries.js';
import { FileProblem, readCsv, type CsvColumns, type CsvSpec } from './csv.js';
import { COVERAGE_SPEC, PRODUCTION_SPEC, TRADE_SPEC } from './loading.js';
import { MAX_YEAR, MIN_YEAR, STAGES } from '../domain/fields.js';
import { InputError } from '../domain/problems.js';

export const WARNING_CLASSES = ['duplicate-row', 'jump', 'acknowledged', 'coverage', 'note'] as const;
export type WarningClass = (typeof WARNING_CLASSES)[number];
/** The classes that say the data may be wrong (`validate --strict` fails on them); the others are notes. */
export const INTEGRITY_CLASSES: readonly WarningClass[] = ['duplicate-row', 'jump'];

export interface DataWarning {
  class: WarningClass;
  /** The file the warning is about, or null for a warning about the folder as a whole. */
  file: string | null;
  /** Lines of that file, in the order the message names them (first row, then its repeat; earlier year, then later). */
  lines: number[];
  message: string;
}

export interface JumpRule {
  /** A step: a change by this factor or more (up or down) between two consecutive years of a series ... */
  factor: number;
  /** ... that is at least this share of its total in both years (in the years either side, for a spike). */
  minShare: number;
  /** A step of a series compared by quantity that is at least `majorShare` in both years: this factor or more. */
  majorFactor: number;
  majorShare: number;
  /** A spike: a year this factor or more above (or below) both neighbours. */
  spikeFactor: number;
  /** Trade: and at least this share of all the file's trade in that material and stage in the year. */
  minWorldShare: number;
  /** Trade with values: the value moved by less than this factor in the direction of the quantity. */
  valueFollow: number;
}

export const JUMP_RULE: Readonly<JumpRule> = Object.freeze({
  factor: 10,
  minShare: 0.01,
  majorFactor: 5,
  majorShare: 0.1,
  spikeFactor: 5,
  minWorldShare: 0.0001,
  valueFollow: 2,
});
/** Warnings listed per class and file; the rest are counted (as problems are). */
export const WARNINGS_LISTED = 50;

// ---------------------------------------------------------------------------------------------
// Pure parts: the row hash, the hash index, the flow table and the jump search.

/**
 * A 64-bit hash of bytes[start, end), as two 32-bit halves written to `out`: two multiplicative
 * lanes over the bytes (different odd multipliers), each finished with the murmur3 mixer and
 * mixed with the other, so that every input bit reaches every output bit.
 */
export function hashRow(bytes: Uint8Array, start: number, end: number, out: Uint32Array): void {
  let a = 0x811c9dc5 ^ (end - start);
  let b = 0x2545f491;
  for (let i = start; i < end; i += 1) {
    const byte = bytes[i] ?? 0;
    a = Math.imul(a ^ byte, 0x01000193);
    b = Math.imul(b ^ byte, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = mix32(a ^ Math.imul(b, 0x9e3779b1));
  b = mix32(b ^ a);
  out[0] = a >>> 0;
  out[1] = b >>> 0;
}

function mix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** The slot hash of a numeric key below 2^53. */
function hashKey(key: number): number {
  return mix32((key >>> 0) ^ Math.imul(Math.floor(key / 4294967296), 0x9e3779b1));
}

/**
 * The first line of each distinct row hash: an open-addressing table of (high, low, line) in one
 * Uint32Array, 12 bytes a slot, at most 3/4 full. Line 0 marks an empty slot (data lines start at 2).
 */
export class RowHashIndex {
  private slots: Uint32Array;
  private count = 0;

  constructor(expectedRows = 1024) {
    this.slots = new Uint32Array(3 * capacityFor(expectedRows));
  }

  /** Makes room for this many rows in all, at once, instead of doubling step by step. */
  reserve(rows: number): void {
    const capacity = capacityFor(rows);
    if (capacity > this.slots.length / 3) this.resize(capacity);
  }

  /** Notes the hash of the row at `line`; returns the line of an earlier row with the same hash, or 0. */
  firstLine(high: number, low: number, line: number): number {
    const mask = this.slots.length / 3 - 1;
    for (let slot = low & mask; ; slot = (slot + 1) & mask) {
      const at = slot * 3;
      const known = this.slots[at + 2] ?? 0;
      if (known === 0) {
        this.slots[at] = high;
        this.slots[at + 1] = low;
        this.slots[at + 2] = line;
        this.count += 1;
        if (this.count * 4 > (mask + 1) * 3) this.resize((mask + 1) * 2);
        return 0;
      }
      if (this.slots[at] === high && this.slots[at + 1] === low) return known;
    }
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  private resize(capacity: number): void {
    const old = this.slots;
    this.slots = new Uint32Array(3 * capacity);
    const mask = capacity - 1;
    for (let at = 0; at < old.length; at += 3) {
      if ((old[at + 2] ?? 0) === 0) continue;
      let slot = (old[at + 1] ?? 0) & mask;
      while ((this.slots[slot * 3 + 2] ?? 0) !== 0) slot = (slot + 1) & mask;
      this.slots[slot * 3] = old[at] ?? 0;
      this.slots[slot * 3 + 1] = old[at + 1] ?? 0;
      this.slots[slot * 3 + 2] = old[at + 2] ?? 0;
    }
  }
}

/** The smallest power of two that holds `rows` at most 3/4 full (at least 1024). */
function capacityFor(rows: number): number {
  let capacity = 1024;
  while (capacity * 3 < rows * 4) capacity *= 2;
  return capacity;
}

/**
 * Ids fit these sizes: materials and countries below 2^12 (a slice, material * STAGES.length + stage
 * index, below STAGES.length * 2^12), a year offset below 2^8.
 */
export const MAX_SERIES = 4096;
const MAX_SLICE = STAGES.length * MAX_SERIES;

/** The slice id of a material id and a stage index, and back. */
const sliceIdOf = (material: number, stage: number): number => material * STAGES.length + stage;
const materialOfSlice = (slice: number): number => Math.floor(slice / STAGES.length);
const stageOfSlice = (slice: number): string => STAGES[slice % STAGES.length] ?? '';
const YEARS = 256;
const QUANTITY = 0;
const VALUE = 1;

/**
 * Totals a share is taken of: a quantity and a value (values that are not finite are left out) by
 * slice, country and year offset. Dense (typed arrays indexed by the ids) when the ids span at most
 * DENSE_CELLS cells, as in any real file; else an open-addressing table of the keys used.
 */
class Totals {
  private readonly dense: Float64Array | null;
  private sparseKeys: Float64Array | null;
  private sparseSums: Float64Array;
  private sparseCount = 0;

  constructor(
    private readonly countries: number,
    private readonly firstOffset: number,
    private readonly years: number,
    slices: number,
  ) {
    const cells = slices * countries * years;
    this.dense = cells <= DENSE_CELLS ? new Float64Array(2 * cells) : null;
    this.sparseKeys = this.dense ? null : new Float64Array(1024).fill(-1);
    this.sparseSums = new Float64Array(this.dense ? 0 : 2048);
  }

  add(slice: number, country: number, offset: number, quantity: number, value: number): void {
    const at = this.cellOf(slice, country, offset, true);
    const sums = this.dense ?? this.sparseSums;
    sums[at] = (sums[at] ?? 0) + quantity;
    if (Number.isFinite(value)) sums[at + 1] = (sums[at + 1] ?? 0) + value;
  }

  /** The QUANTITY or VALUE total (0 when nothing was added). */
  get(slice: number, country: number, offset: number, column: number): number {
    const at = this.cellOf(slice, country, offset, false);
    return at < 0 ? 0 : ((this.dense ?? this.sparseSums)[at + column] ?? 0);
  }

  /** The index of the quantity of a cell (its value follows), or -1 when absent and not `create`. */
  private cellOf(slice: number, country: number, offset: number, create: boolean): number {
    const index = (slice * this.countries + country) * this.years + (offset - this.firstOffset);
    if (this.dense) return 2 * index;
    return this.sparseSlot(index, create);
  }

  private sparseSlot(key: number, create: boolean): number {
    let keys = this.sparseKeys as Float64Array;
    let mask = keys.length - 1;
    let slot = hashKey(key) & mask;
    for (; ; slot = (slot + 1) & mask) {
      const known = keys[slot] ?? -1;
      if (known === key) return 2 * slot;
      if (known < 0) break;
    }
    if (!create) return -1;
    if ((this.sparseCount + 1) * 4 > keys.length * 3) {
      this.growSparse();
      keys = this.sparseKeys as Float64Array;
      mask = keys.length - 1;
      slot = hashKey(key) & mask;
      while ((keys[slot] ?? -1) >= 0) slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    this.sparseCount += 1;
    return 2 * slot;
  }

  private growSparse(): void {
    const keys = this.sparseKeys as Float64Array;
    const sums = this.sparseSums;
    const bigger = new Float64Array(keys.length * 2).fill(-1);
    const biggerSums = new Float64Array(bigger.length * 2);
    const mask = bigger.length - 1;
    for (let old = 0; old < keys.length; old += 1) {
      const key = keys[old] ?? -1;
      if (key < 0) continue;
      let slot = hashKey(key) & mask;
      while ((bigger[slot] ?? -1) >= 0) slot = (slot + 1) & mask;
      bigger[slot] = key;
      biggerSums[2 * slot] = sums[2 * old] ?? 0;
      biggerSums[2 * slot + 1] = sums[2 * old + 1] ?? 0;
    }
    this.sparseKeys = bigger;
    this.sparseSums = biggerSums;
  }
}

/** At most this many cells (16 bytes each) in a dense table of totals. */
const DENSE_CELLS = 1 << 19;

/** One year of a jump: the summed rows of the series in that year. */
export interface JumpPoint {
  year: number;
  quantity: number;
  /** Summed value_usd, or NaN when a row of the year has none. */
  value: number;
  /** Share of its total (world production; the larger of the importer's imports and the exporter's exports), by `measure`. */
  share: number;
  /** The first line of the rows summed, and how many were summed. */
  line: number;
  rows: number;
}

/**
 * A likely slip. `step`: points [earlier, later], two consecutive years of the series. `spike`: points
 * [before, after, odd one], a year that stands out by the factor, the same way, from both its neighbours.
 */
export interface Jump {
  kind: 'step' | 'spike';
  /** How the years were compared and shares measured: by value (both years carry value_usd) or by quantity. */
  measure: 'value' | 'quantity';
  slice: number;
  /** The country (production) or exporter (trade). */
  series: number;
  /** The importer (trade; 0 for production). */
  importer: number;
  points: JumpPoint[];
}

/** Which flows of a trade file a source covered, by importer (imports) and exporter (exports): coverage.csv. */
export class CoverageExtents {
  private readonly extents = new Map<number, number>();

  /** `full` wins over `partial` for the same key, as in the loader. */
  set(slice: number, country: number, flow: 'import' | 'export', year: number, extent: 'full' | 'partial'): void {
    if (year < MIN_YEAR || year > MAX_YEAR) return;
    const key = coverageKey(slice, country, flow === 'import' ? 0 : 1, year - MIN_YEAR);
    if (this.extents.get(key) === FULL) return;
    this.extents.set(key, extent === 'full' ? FULL : PARTIAL);
  }

  /** 0 (not covered), FULL or PARTIAL. */
  get(slice: number, country: number, flow: 0 | 1, offset: number): number {
    return this.extents.get(coverageKey(slice, country, flow, offset)) ?? 0;
  }
}

const FULL = 1;
const PARTIAL = 2;

function coverageKey(slice: number, country: number, flow: number, offset: number): number {
  return ((slice * MAX_SERIES + country) * 2 + flow) * YEARS + offset;
}

export interface JumpOptions {
  /** Leaves a series out (the unattributed remainder): country or exporter, and importer (trade). */
  skip?: (series: number, importer: number) => boolean;
  /** Trade: the folder's coverage.csv. Without it every year counts as covered alike. */
  coverage?: CoverageExtents;
  /** How many jumps to return (the first by line); the rest are only counted. */
  limit?: number;
}

/**
 * The rows of one file summed by key, with the hash of each key's first row, in one typed array of
 * cells side by side, so that a row touches one place in memory: key, quantity, value, first line and
 * row count (line * 2^21 + rows, the count stopping at 2^21 - 1), and 52 bits of the first row's hash
 * (it is only compared with rows of the same key): 40 bytes a slot, at most 3/4 full. A key packs the
 * slice (material and stage), the series (country; for trade exporter and importer) and the year
 * offset below 2^45. Production has no importer (0).
 */
export class FlowTable {
  private cells: Float64Array;
  private count = 0;
  /** Hashes of rows that add to a key already seen, or that have no key: where other duplicates can be. */
  readonly extras = new RowHashIndex();

  constructor(
    readonly kind: 'production' | 'trade',
    expectedKeys = 768,
  ) {
    const capacity = capacityFor(expectedKeys);
    this.cells = emptyCells(capacity);
  }

  /** Makes room for this many keys in all, at once, instead of doubling step by step. */
  reserve(keys: number): void {
    const capacity = capacityFor(keys);
    if (capacity > this.capacity) this.resize(capacity);
  }

  /** The key of a row, or -1 when an id is out of range (the row then has no key). */
  keyOf(slice: number, series: number, importer: number, year: number): number {
    if (slice < 0 || slice >= MAX_SLICE || series < 0 || series >= MAX_SERIES || importer < 0 || importer >= MAX_SERIES) return -1;
    if (year < MIN_YEAR || year > MAX_YEAR) return -1;
    return ((slice * MAX_SERIES + series) * MAX_SERIES + importer) * YEARS + (year - MIN_YEAR);
  }

  /**
   * Adds a row to its key (from keyOf); `value` is NaN for a row without one. Returns the line of an
   * earlier row with the same hash (a duplicate), or 0. The default hash makes every row distinct.
   */
  add(key: number, quantity: number, value: number, line: number, high = line, low = mix32(line) >>> 0): number {
    const stored = key + 1;
    const at = this.slotOf(stored) * CELL;
    const { cells } = this;
    const hash = (high >>> 12) * 4294967296 + (low >>> 0);
    if (cells[at] === stored) {
      cells[at + 1] = (cells[at + 1] ?? 0) + quantity;
      cells[at + 2] = (cells[at + 2] ?? 0) + value;
      const lineRows = cells[at + 3] ?? 0;
      if (lineRows % ROWS < ROWS - 1) cells[at + 3] = lineRows + 1;
      if (cells[at + 4] === hash) return Math.floor(lineRows / ROWS);
      return this.extras.firstLine(high, low, line);
    }
    cells[at] = stored;
    cells[at + 1] = quantity;
    cells[at + 2] = value;
    cells[at + 3] = line * ROWS + 1;
    cells[at + 4] = hash;
    this.count += 1;
    if (this.count * 4 > this.capacity * 3) this.resize(this.capacity * 2);
    return 0;
  }

  /** A row without a key (an invalid field, a withheld `W`): only its duplicates are looked for. */
  addKeyless(line: number, high: number, low: number): number {
    return this.extras.firstLine(high, low, line);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.cells.byteLength + this.extras.bytes;
  }

  private get capacity(): number {
    return this.cells.length / CELL;
  }

  /**
   * The jumps of the table (JUMP_RULE and docs/validate.md), the first `limit` by line, and how many
   * there are in all. Keys are sorted, so the years of a series follow each other; each pair of
   * consecutive years is judged once, and a pair that is part of a spike is not also a step.
   */
  jumps(rule: JumpRule, options: JumpOptions = {}): { jumps: Jump[]; count: number } {
    const { skip, coverage } = options;
    const found = new FirstByLine(options.limit ?? Number.POSITIVE_INFINITY);
    const { cells } = this;
    const order = new Float64Array(this.count);
    let filled = 0;
    for (let at = 0; at < cells.length; at += CELL) {
      const stored = cells[at] ?? 0;
      if (stored > 0) order[filled++] = stored - 1;
    }
    order.sort();
    const totals = this.totals(order);

    const trade = this.kind === 'trade';
    const smallest = Math.min(rule.factor, rule.majorFactor, rule.spikeFactor);
    /** The measure of the last pair judged a candidate. */
    let judgedMeasure = QUANTITY;
    /**
     * 0 when (a, b) cannot be a slip: a change below the smallest factor, a zero, a value that
     * followed the quantity, a change of coverage. Else the factor, negative for a fall; the measure
     * (by value when both years carry values) is left in judgedMeasure.
     */
    const judge = (a: number, b: number): number => {
      const qa = cells[a + 1] ?? 0;
      const qb = cells[b + 1] ?? 0;
      if (!(qa > 0 && qb > 0)) return 0;
      const up = qb > qa;
      const factor = up ? qb / qa : qa / qb;
      if (factor < smallest) return 0;
      const va = cells[a + 2] ?? Number.NaN;
      const vb = cells[b + 2] ?? Number.NaN;
      if (trade && va > 0 && vb > 0 && Number.isFinite(va) && Number.isFinite(vb)) {
        // A slip changes the quantity, not the value: the value must not have followed.
        if ((up ? vb / va : va / vb) >= rule.valueFollow) return 0;
        judgedMeasure = VALUE;
      } else {
        if (trade && coverage && !sameCoverage(coverage, keyAt(cells, a), keyAt(cells, b))) return 0;
        judgedMeasure = QUANTITY;
      }
      return up ? factor : -factor;
    };
    /** The share of a series that matters (JumpRule.minShare, minWorldShare), else NaN. */
    const material = (at: number, measure: number): number => {
      const share = this.share(totals, at, measure);
      if (!(share >= rule.minShare)) return Number.NaN;
      if (trade) {
        const key = keyAt(cells, at);
        const world = totals.world.get(sliceOf(key), 0, key % YEARS, measure);
        if (!((cells[at + 1 + measure] ?? 0) >= rule.minWorldShare * world)) return Number.NaN;
      }
      return share;
    };
    const point = (at: number, share: number): JumpPoint => ({
      year: MIN_YEAR + (keyAt(cells, at) % YEARS),
      quantity: cells[at + 1] ?? 0,
      value: cells[at + 2] ?? Number.NaN,
      share,
      line: lineOf(cells, at),
      rows: (cells[at + 3] ?? 0) % ROWS,
    });
    const jump = (kind: Jump['kind'], measure: number, at: number, points: JumpPoint[]): Jump => {
      const key = keyAt(cells, at);
      return { kind, measure: measure === VALUE ? 'value' : 'quantity', slice: sliceOf(key), series: seriesOf(key), importer: importerOf(key), points };
    };
    /**
     * A step (a, b): x10 where the series is 1% or more in both years; x5 where it is 10% or more in
     * both years and compared by quantity (a country that matters does not move x5 in a year; trade
     * flows with values do, and there the unit value is the evidence).
     */
    const step = (a: number, b: number, judged: number, measure: number): void => {
      const factor = Math.abs(judged);
      if (factor < rule.factor && !(measure === QUANTITY && factor >= rule.majorFactor)) return;
      const shareA = material(a, measure);
      const shareB = Number.isNaN(shareA) ? Number.NaN : material(b, measure);
      if (Number.isNaN(shareB)) return;
      if (factor < rule.factor && !(shareA >= rule.majorShare && shareB >= rule.majorShare)) return;
      found.add(lineOf(cells, a), lineOf(cells, b), () => jump('step', measure, a, [point(a, shareA), point(b, shareB)]));
    };

    // a, b: the cells of the last two years of the current series (-1: none); judgedAB: judge(a, b), measureAB its measure.
    let flow = -1;
    let skipped = false;
    let a = -1;
    let b = -1;
    let judgedAB = 0;
    let measureAB = QUANTITY;
    for (let i = 0; i < filled; i += 1) {
      const key = order[i] ?? 0;
      const at = this.slotOf(key + 1) * CELL;
      const keyFlow = Math.floor(key / YEARS);
      if (keyFlow !== flow) {
        if (!skipped && a >= 0 && judgedAB !== 0) step(a, b, judgedAB, measureAB);
        flow = keyFlow;
        skipped = skip !== undefined && skip(seriesOf(key), importerOf(key));
        a = -1;
        b = at;
        judgedAB = 0;
        continue;
      }
      if (skipped) continue;
      const judgedBC = judge(b, at);
      const measureBC = judgedMeasure;
      const spike = Math.abs(judgedAB) >= rule.spikeFactor && Math.abs(judgedBC) >= rule.spikeFactor && Math.sign(judgedAB) !== Math.sign(judgedBC);
      if (a >= 0 && spike) {
        // b stands out from both neighbours: one finding, if the series matters on both sides.
        const measure = measureAB === VALUE && measureBC === VALUE ? VALUE : QUANTITY;
        const shareA = material(a, measure);
        const shareC = Number.isNaN(shareA) ? Number.NaN : material(at, measure);
        if (!Number.isNaN(shareC)) {
          const before = a;
          const odd = b;
          const after = at;
          found.add(lineOf(cells, before), lineOf(cells, after), () =>
            jump('spike', measure, odd, [point(before, shareA), point(after, shareC), point(odd, this.share(totals, odd, measure))]),
          );
          // Both pairs are used up: the next pair starts here.
          a = -1;
          b = at;
          judgedAB = 0;
          continue;
        }
      }
      if (a >= 0 && judgedAB !== 0) step(a, b, judgedAB, measureAB);
      a = b;
      b = at;
      judgedAB = judgedBC;
      measureAB = measureBC;
    }
    if (!skipped && a >= 0 && judgedAB !== 0) step(a, b, judgedAB, measureAB);
    return { jumps: found.sorted(), count: found.count };
  }

  /** Totals by slice and year (world), and for trade by importer (imports) and exporter (exports). */
  private totals(sorted: Float64Array): { world: Totals; imports: Totals; exports: Totals } {
    // The ids used, for dense tables: slices and countries from 0, years from the first used.
    let slices = 0;
    let countries = 1;
    let firstOffset = YEARS;
    let lastOffset = 0;
    for (let i = 0; i < sorted.length; i += 1) {
      const key = sorted[i] ?? 0;
      const offset = key % YEARS;
      slices = Math.max(slices, sliceOf(key) + 1);
      countries = Math.max(countries, seriesOf(key) + 1, importerOf(key) + 1);
      firstOffset = Math.min(firstOffset, offset);
      lastOffset = Math.max(lastOffset, offset);
    }
    const years = Math.max(1, lastOffset - firstOffset + 1);
    const world = new Totals(1, firstOffset, years, slices);
    const imports = new Totals(countries, firstOffset, years, this.kind === 'trade' ? slices : 0);
    const exports = new Totals(countries, firstOffset, years, this.kind === 'trade' ? slices : 0);
    const { cells } = this;
    for (let at = 0; at < cells.length; at += CELL) {
      if ((cells[at] ?? 0) === 0) continue;
      const key = keyAt(cells, at);
      const offset = key % YEARS;
      const slice = sliceOf(key);
      const quantity = cells[at + 1] ?? 0;
      const value = cells[at + 2] ?? Number.NaN;
      world.add(slice, 0, offset, quantity, value);
      if (this.kind === 'production') continue;
      imports.add(slice, importerOf(key), offset, quantity, value);
      exports.add(slice, seriesOf(key), offset, quantity, value);
    }
    return { world, imports, exports };
  }

  /** Production: of world production. Trade: of the larger of the importer's imports and the exporter's exports. */
  private share(totals: { world: Totals; imports: Totals; exports: Totals }, at: number, measure: number): number {
    const key = keyAt(this.cells, at);
    const offset = key % YEARS;
    const slice = sliceOf(key);
    const amount = this.cells[at + 1 + measure] ?? 0;
    if (this.kind === 'production') return amount / totals.world.get(slice, 0, offset, measure);
    const imports = totals.imports.get(slice, importerOf(key), offset, measure);
    const exports = totals.exports.get(slice, seriesOf(key), offset, measure);
    return amount / Math.max(imports, exports);
  }

  /** The slot holding a stored key (key + 1), or the empty slot (0) where it would go. */
  private slotOf(stored: number): number {
    const { cells } = this;
    const mask = cells.length / CELL - 1;
    for (let slot = hashKey(stored) & mask; ; slot = (slot + 1) & mask) {
      const known = cells[slot * CELL] ?? 0;
      if (known === stored || known === 0) return slot;
    }
  }

  private resize(capacity: number): void {
    const { cells } = this;
    this.cells = emptyCells(capacity);
    for (let old = 0; old < cells.length / CELL; old += 1) {
      const stored = cells[old * CELL] ?? 0;
      if (stored === 0) continue;
      const slot = this.slotOf(stored);
      const to = slot * CELL;
      const from = old * CELL;
      this.cells[to] = stored;
      this.cells[to + 1] = cells[from + 1] ?? 0;
      this.cells[to + 2] = cells[from + 2] ?? 0;
      this.cells[to + 3] = cells[from + 3] ?? 0;
      this.cells[to + 4] = cells[from + 4] ?? 0;
    }
  }
}

const CELL = 5;
/** Row counts are kept below this, in the low part of the cell that holds the first line. */
const ROWS = 2 ** 21;

function lineOf(cells: Float64Array, at: number): number {
  return Math.floor((cells[at + 3] ?? 0) / ROWS);
}

/** `capacity` empty cells. A cell stores its key + 1, so that 0 marks an empty slot and fresh memory needs no filling. */
function emptyCells(capacity: number): Float64Array {
  return new Float64Array(CELL * capacity);
}

function keyAt(cells: Float64Array, at: number): number {
  return (cells[at] ?? 1) - 1;
}

function sliceOf(key: number): number {
  return Math.floor(key / (YEARS * MAX_SERIES * MAX_SERIES));
}

function seriesOf(key: number): number {
  return Math.floor(key / (YEARS * MAX_SERIES)) % MAX_SERIES;
}

function importerOf(key: number): number {
  return Math.floor(key / YEARS) % MAX_SERIES;
}

/** The same coverage extent, for the importer's imports and the exporter's exports, in the years of both keys. */
function sameCoverage(coverage: CoverageExtents, a: number, b: number): boolean {
  const slice = sliceOf(a);
  const offsetA = a % YEARS;
  const offsetB = b % YEARS;
  const importer = importerOf(a);
  const exporter = seriesOf(a);
  return (
    coverage.get(slice, importer, 0, offsetA) === coverage.get(slice, importer, 0, offsetB) &&
    coverage.get(slice, exporter, 1, offsetA) === coverage.get(slice, exporter, 1, offsetB)
  );
}

/** The first `limit` findings by (line, second line), made only when kept; the rest are counted. */
class FirstByLine {
  private kept: { line: number; second: number; make: () => Jump }[] = [];
  /** Once `limit` are kept: the last of them, which a new finding must come before. */
  private bound: { line: number; second: number } | undefined;
  count = 0;

  constructor(private readonly limit: number) {}

  add(line: number, second: number, make: () => Jump): void {
    this.count += 1;
    if (this.limit <= 0) return;
    const { bound } = this;
    if (bound && (line > bound.line || (line === bound.line && second >= bound.second))) return;
    this.kept.push({ line, second, make });
    if (this.kept.length >= 2 * this.limit) this.trim();
  }

  sorted(): Jump[] {
    this.trim();
    return this.kept.map((entry) => entry.make());
  }

  /** Sorts and keeps the first `limit` (amortised: once per `limit` additions at most). */
  private trim(): void {
    this.kept.sort((x, y) => x.line - y.line || x.second - y.second);
    if (this.kept.length < this.limit) return;
    this.kept.length = this.limit;
    const last = this.kept[this.kept.length - 1];
    if (last) this.bound = { line: last.line, second: last.second };
  }
}

/**
 * Warnings kept for listing: the first WARNINGS_LISTED of each class and file in the order added,
 * the rest counted.
 */
export class WarningList {
  readonly kept: DataWarning[] = [];
  readonly counts = new Map<WarningClass, number>();
  private readonly perFile = new Map<string, number>();
  omitted = 0;

  constructor(private readonly listed = WARNINGS_LISTED) {}

  add(warning: DataWarning): void {
    this.counts.set(warning.class, (this.counts.get(warning.class) ?? 0) + 1);
    if (this.listed <= 0) {
      this.omitted += 1;
      return;
    }
    const key = `${warning.class}|${warning.file ?? ''}`;
    const listedSoFar = this.perFile.get(key) ?? 0;
    if (listedSoFar >= this.listed) {
      this.omitted += 1;
      return;
    }
    this.perFile.set(key, listedSoFar + 1);
    this.kept.push(warning);
  }

  /** Warnings found but not kept by the caller (beyond the listing), counted here. */
  count(name: WarningClass, found: number): void {
    if (found <= 0) return;
    this.counts.set(name, (this.counts.get(name) ?? 0) + found);
    this.omitted += found;
  }

  /** How many warnings of the data-integrity classes were found (listed or not). */
  get integrity(): number {
    return INTEGRITY_CLASSES.reduce((sum, name) => sum + (this.counts.get(name) ?? 0), 0);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading: one pass over production.csv, coverage.csv (when present) and trade.csv.

export interface SanityResult {
  warnings: WarningList;
  /** What the checks held in memory at the end, per file (for docs/validate.md's cost figures). */
  memory: { file: string; rows: number; keys: number; bytes: number }[];
}

/** Runs both checks on a data folder; a file that cannot be read (the loader says why) is left out. */
export async function checkSanity(dir: string, rule: JumpRule = JUMP_RULE, listed = WARNINGS_LISTED): Promise<SanityResult> {
  const warnings = new WarningList(listed);
  const names = new Names();
  const memory: SanityResult['memory'] = [];
  const unattributed = (id: number): boolean => names.countries.values[id] === UNATTRIBUTED;
  const acknowledged = await readAcknowledged(dir);
  for (const kind of ['production', 'trade'] as const) {
    const coverage = kind === 'trade' ? await readCoverage(join(dir, COVERAGE_SPEC.label), names) : undefined;
    const scan = new FileScan(kind, names, listed);
    if (!(await scan.read(join(dir, scan.spec.label)))) continue;
    for (const duplicate of scan.duplicates) warnings.add(duplicateWarning(scan.spec.label, duplicate.first, duplicate.repeat));
    warnings.count('duplicate-row', scan.duplicatesFound - scan.duplicates.length);
    // The unattributed remainder is not a country: its size follows how many countries a source lists.
    const skip = (series: number, importer: number): boolean => unattributed(series) || (kind === 'trade' && unattributed(importer));
    const { jumps, count } = scan.flows.jumps(rule, { skip, limit: listed, ...(coverage ? { coverage } : {}) });
    for (const jump of jumps) {
      const warning = jumpWarning(scan, names, jump, rule);
      const known = acknowledged.match(scan.spec.label, names, jump);
      warnings.add(
        known
          ? { ...warning, class: 'acknowledged', message: `${warning.message} [acknowledged, ${ACKNOWLEDGED_FILE}:${known.line}: ${known.reason}]` }
          : warning,
      );
    }
    warnings.count('jump', count - jumps.length);
    memory.push({ file: scan.spec.label, rows: scan.rows, keys: scan.flows.size, bytes: scan.flows.bytes });
  }
  for (const entry of acknowledged.unused()) {
    warnings.add({
      class: 'note',
      file: ACKNOWLEDGED_FILE,
      lines: [entry.line],
      message: 'matches no jump warning of the data: remove it once the row is fixed or gone',
    });
  }
  return { warnings, memory };
}

/**
 * acknowledged.csv (optional): source anomalies a maintainer has looked at and keeps, because the
 * figure is the publisher's own (a quantity published in kg for tonnes, say) and the data never
 * corrects a source. `file,material,stage,country,partner,year,reason`: the file (production.csv or
 * trade.csv), the series (country = producer or exporter; partner = importer, empty for production)
 * and one year of the flagged pair or spike. A matching jump is listed as `acknowledged`, with the
 * reason, and no longer fails `validate --strict`; the rows stay as they are, and the analysis reads them.
 */
export const ACKNOWLEDGED_FILE = 'acknowledged.csv';
const ACKNOWLEDGED_COLUMNS = ['file', 'material', 'stage', 'country', 'partner', 'year', 'reason'];

interface Acknowledgement {
  line: number;
  reason: string;
  used: boolean;
}

class Acknowledgements {
  constructor(private readonly entries: ReadonlyMap<string, Acknowledgement>) {}

  match(file: string, names: Names, jump: Jump): Acknowledgement | undefined {
    const material = names.materials.values[materialOfSlice(jump.slice)] ?? '';
    const stage = stageOfSlice(jump.slice);
    const country = names.countries.values[jump.series] ?? '';
    const partner = file === TRADE_SPEC.label ? (names.countries.values[jump.importer] ?? '') : '';
    for (const point of jump.points) {
      const entry = this.entries.get([file, material, stage, country, partner, point.year].join('|'));
      if (entry) {
        entry.used = true;
        return entry;
      }
    }
    return undefined;
  }

  unused(): Acknowledgement[] {
    return [...this.entries.values()].filter((entry) => !entry.used);
  }
}

async function readAcknowledged(dir: string): Promise<Acknowledgements> {
  const path = join(dir, ACKNOWLEDGED_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return new Acknowledgements(new Map());
  }
  const { parse } = await import('csv-parse/sync');
  const problems: { file: string; line?: number; message: string }[] = [];
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (error) {
    throw new InputError([{ file: ACKNOWLEDGED_FILE, message: `cannot be read as CSV (${error instanceof Error ? error.message : String(error)})` }]);
  }
  const [header = [], ...rows] = records;
  if (header.map((name) => name.trim()).join(',') !== ACKNOWLEDGED_COLUMNS.join(',')) {
    throw new InputError([{ file: ACKNOWLEDGED_FILE, line: 1, message: `expected the header ${ACKNOWLEDGED_COLUMNS.join(',')}` }]);
  }
  const entries = new Map<string, Acknowledgement>();
  rows.forEach((fields, i) => {
    const line = i + 2;
    const [file = '', material = '', stage = '', country = '', partner = '', year = '', reason = ''] = fields.map((field) => field.trim());
    const bad = (message: string): void => void problems.push({ file: ACKNOWLEDGED_FILE, line, message });
    if (fields.length !== ACKNOWLEDGED_COLUMNS.length) return bad(`expected ${ACKNOWLEDGED_COLUMNS.length} fields, found ${fields.length}`);
    if (file !== PRODUCTION_SPEC.label && file !== TRADE_SPEC.label) return bad(`file "${file}" is not ${PRODUCTION_SPEC.label} or ${TRADE_SPEC.label}`);
    if (!MATERIAL.test(material)) return bad(`material "${material}" is not a material id`);
    if (!(STAGES as readonly string[]).includes(stage)) return bad(`stage "${stage}" is not one of ${STAGES.join(', ')}`);
    if (!COUNTRY.test(country)) return bad(`country "${country}" is not an ISO 3166-1 alpha-3 code`);
    if (file === TRADE_SPEC.label ? !COUNTRY.test(partner) : partner !== '') {
      return bad(file === TRADE_SPEC.label ? `partner "${partner}" is not an ISO 3166-1 alpha-3 code` : 'partner must be empty for production.csv');
    }
    if (!YEAR.test(year)) return bad(`year "${year}" is not a four-digit year`);
    if (reason === '') return bad('reason is empty: say what was checked and why the row stays');
    entries.set([file, material, stage, country, partner, Number(year)].join('|'), { line, reason, used: false });
  });
  if (problems.length > 0) throw new InputError(problems);
  return new Acknowledgements(entries);
}

/** coverage.csv as extents by slice, country, flow and year; undefined when absent or unreadable. */
async function readCoverage(path: string, names: Names): Promise<CoverageExtents | undefined> {
  const coverage = new CoverageExtents();
  try {
    await readCsv(path, COVERAGE_SPEC, {
      row: (fields, _line, columns) => {
        const at = (name: string): string => {
          const position = columns.index.get(name);
          return position === undefined ? '' : (fields[position] ?? '').trim();
        };
        const material = MATERIAL.test(at('material')) ? names.materials.id(at('material')) : -1;
        const stage = STAGES.indexOf(at('stage') as (typeof STAGES)[number]);
        const country = COUNTRY.test(at('importer')) ? names.countries.id(at('importer')) : -1;
        const flow = at('flow');
        const extent = at('extent') === '' ? 'full' : at('extent');
        if (material < 0 || stage < 0 || country < 0 || !YEAR.test(at('year'))) return;
        if ((flow !== 'import' && flow !== 'export') || (extent !== 'full' && extent !== 'partial')) return;
        coverage.set(sliceIdOf(material, stage), country, flow, Number(at('year')), extent);
      },
      reject: () => undefined,
    });
  } catch (error) {
    if (error instanceof FileProblem) return undefined;
    throw error;
  }
  return coverage;
}

function duplicateWarning(file: string, first: number, repeat: number): DataWarning {
  return {
    class: 'duplicate-row',
    file,
    lines: [first, repeat],
    message: `line ${repeat} repeats line ${first} exactly; the loader sums the two (delete one if it was pasted twice)`,
  };
}

function jumpWarning(scan: FileScan, names: Names, jump: Jump, rule: JumpRule): DataWarning {
  const unit = scan.units[jump.slice] ?? '';
  const what = scan.describe(jump.slice, jump.series, jump.importer);
  const byValue = jump.measure === 'value';
  const country = (id: number): string => names.countries.values[id] ?? '?';
  const of =
    scan.kind === 'production'
      ? 'world production'
      : `the larger of ${country(jump.series)}'s exports and ${country(jump.importer)}'s imports${byValue ? ' by value' : ''}`;
  const summed = (rows: number): string => (rows > 1 ? `, ${rows} rows summed` : '');
  const figure = (point: JumpPoint): string =>
    `${point.year} (${formatQuantity(point.quantity)} ${unit}${byValue ? `, ${formatUsd(point.value)}` : ''}, line ${point.line}${summed(point.rows)})`;
  const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
  const percentOf = (share: number): string => `${Number((share * 100).toPrecision(3))}%`;
  const valueRule = byValue ? `, value within x${rule.valueFollow}` : '';
  const [first, second, odd] = jump.points as [JumpPoint, JumpPoint, JumpPoint | undefined];
  if (jump.kind === 'spike' && odd) {
    const up = odd.quantity > first.quantity;
    const factorA = up ? odd.quantity / first.quantity : first.quantity / odd.quantity;
    const factorB = up ? odd.quantity / second.quantity : second.quantity / odd.quantity;
    return {
      class: 'jump',
      file: scan.spec.label,
      lines: [first.line, second.line, odd.line],
      message:
        `${what}: ${figure(first)} and ${figure(second)} agree, but ${figure(odd)} between them is ` +
        `x${formatFactor(factorA)} and x${formatFactor(factorB)} ${up ? 'above' : 'below'} them` +
        `${byValue ? `, while its value is ${formatUsd(odd.value)}` : ''}; ` +
        `${percent(first.share)} and ${percent(second.share)} of ${of} in ${first.year} and ${second.year}. ` +
        `A unit or decimal slip in ${odd.year}? (x${rule.spikeFactor} either side, ${percentOf(rule.minShare)} in the years either side${valueRule})`,
    };
  }
  const up = second.quantity > first.quantity;
  const factor = up ? second.quantity / first.quantity : first.quantity / second.quantity;
  const threshold =
    factor >= rule.factor
      ? `x${rule.factor}, ${percentOf(rule.minShare)} in both years${valueRule}`
      : `x${rule.majorFactor}, ${percentOf(rule.majorShare)} in both years`;
  let valueNote = '';
  if (byValue) {
    const valueRatio = second.value / first.value;
    const unitValue = (point: JumpPoint): string => `${formatUsd(point.value / point.quantity)}/${unit}`;
    const valueMove = valueRatio >= 1 ? `rose x${formatFactor(valueRatio)}` : `fell x${formatFactor(1 / valueRatio)}`;
    valueNote = ` while its value ${valueMove}: the unit value went from ${unitValue(first)} to ${unitValue(second)}`;
  }
  return {
    class: 'jump',
    file: scan.spec.label,
    lines: [first.line, second.line],
    message:
      `${what} ${up ? 'rose' : 'fell'} x${formatFactor(factor)} from ${figure(first)} to ${figure(second)}${valueNote}; ` +
      `${percent(first.share)} and ${percent(second.share)} of ${of} in the two years. A unit, decimal or coverage slip? (${threshold})`,
  };
}

function formatFactor(factor: number): string {
  return factor >= 100 ? String(Math.round(factor)) : factor.toFixed(1);
}

function formatQuantity(quantity: number): string {
  return String(Number(quantity.toPrecision(6)));
}

/** $545, $7,650, $19.0M: three significant figures, thousands written out below a million. */
function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return '$?';
  if (amount >= 1e9) return `$${(amount / 1e9).toPrecision(3)}bn`;
  if (amount >= 1e6) return `$${(amount / 1e6).toPrecision(3)}M`;
  const rounded = Number(amount.toPrecision(3));
  return `$${rounded >= 1000 ? rounded.toLocaleString('en-US') : String(rounded)}`;
}

/** Materials and countries by id, shared by every file (ids index the packed keys). */
class Names {
  readonly materials = new Interner();
  readonly countries = new Interner();
}

class Interner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();

  /** The id of `name`, or -1 once MAX_SERIES names are known (a file of garbage cannot grow it). */
  id(name: string): number {
    const known = this.ids.get(name);
    if (known !== undefined) return known;
    if (this.values.length >= MAX_SERIES) return -1;
    this.ids.set(name, this.values.length);
    this.values.push(name);
    return this.values.length - 1;
  }
}

const MATERIAL = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const COUNTRY = /^[A-Z][A-Z0-9]{2}$/;
const PLAIN_NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const YEAR = /^\d{4}$/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One file's pass. Quote-free lines are read from their bytes (hash, then the fields the jump check
 * needs, each distinct text decoded once); any line that path is not sure of goes to the record path,
 * which does the same from the parsed fields. A record's text for the hash is its fields written back
 * as CSV (quoted only where needed), which for a quote-free line is the line itself, so the two paths
 * agree and `"COD"` repeats `COD`. Both paths give a row the same key or none, so exact duplicates
 * always meet in the flow table.
 */
class FileScan {
  readonly spec: CsvSpec;
  readonly flows: FlowTable;
  /** The first duplicates, in file order (as many as are listed), and how many there are in all. */
  readonly duplicates: { first: number; repeat: number }[] = [];
  duplicatesFound = 0;
  rows = 0;
  /** The unit of the first row of each slice (sliceIdOf: material id * STAGES.length + stage index). */
  readonly units: (string | undefined)[] = [];
  private readonly hash = new Uint32Array(2);

  constructor(
    readonly kind: 'production' | 'trade',
    private readonly names: Names,
    private readonly listed: number,
  ) {
    this.spec = kind === 'production' ? PRODUCTION_SPEC : TRADE_SPEC;
    this.flows = new FlowTable(kind);
  }

  /** False when the file could not be read to its end (absent, not CSV, ...): the loader reports it. */
  async read(path: string): Promise<boolean> {
    const sizing = { done: false };
    try {
      await readCsv(
        path,
        this.spec,
        {
          row: (fields, line, columns) => this.record(fields, line, columns),
          reject: () => undefined,
        },
        {
          fastLine: (columns) => this.lineReader(columns),
          // After the first chunk, room for as many keys as half the rows the whole file will hold:
          // rows of one key are common (several HS codes, several sources), so most files need less.
          progress: (read) => {
            if (sizing.done || read.rowsRead === 0 || read.bytesRead === 0) return;
            sizing.done = true;
            const rows = Math.ceil((read.rowsRead * read.bytesTotal) / read.bytesRead);
            this.flows.reserve(Math.ceil(rows / 2));
            // Room for a quarter of the rows adding to a key seen before; untouched room costs no memory.
            this.flows.extras.reserve(Math.ceil(rows / 4));
          },
        },
      );
    } catch (error) {
      if (error instanceof FileProblem) return false;
      throw error;
    }
    return true;
  }

  /** "cobalt mining COD", "cobalt refining FIN->JPN". */
  describe(slice: number, series: number, importer: number): string {
    const material = this.names.materials.values[materialOfSlice(slice)] ?? '?';
    const stage = stageOfSlice(slice) || '?';
    const country = this.names.countries.values[series] ?? '?';
    const flow = this.kind === 'production' ? country : `${country}->${this.names.countries.values[importer] ?? '?'}`;
    return `${material} ${stage} ${flow}`;
  }

  private noteDuplicate(first: number, line: number): void {
    if (first === 0) return;
    this.duplicatesFound += 1;
    if (this.duplicates.length < this.listed) this.duplicates.push({ first, repeat: line });
  }

  /** Adds a row with its ids (-1 where a field is not valid: the row then has no key). */
  private addRow(
    material: number,
    stage: number,
    country: number,
    importer: number,
    year: number,
    quantity: number,
    value: number,
    line: number,
    unit: UnitSource,
  ): void {
    this.rows += 1;
    const high = this.hash[0] ?? 0;
    const low = this.hash[1] ?? 0;
    const self = this.kind === 'trade' && country === importer;
    const key =
      material < 0 || stage < 0 || country < 0 || importer < 0 || self || Number.isNaN(quantity)
        ? -1
        : this.flows.keyOf(sliceIdOf(material, stage), country, importer, year);
    if (key < 0) {
      this.noteDuplicate(this.flows.addKeyless(line, high, low), line);
      return;
    }
    const slice = sliceIdOf(material, stage);
    if (this.units[slice] === undefined) this.units[slice] = unit.text();
    this.noteDuplicate(this.flows.add(key, quantity, value, line, high, low), line);
  }

  /** The record path: fields parsed by csv.ts. */
  private record(fields: string[], line: number, columns: CsvColumns): void {
    const text = fields.map((field) => (NEEDS_QUOTES.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(',');
    const bytes = Buffer.from(text, 'utf8');
    hashRow(bytes, 0, bytes.length, this.hash);
    const at = (name: string): string => {
      const position = columns.index.get(name);
      return position === undefined ? '' : (fields[position] ?? '').trim();
    };
    const material = MATERIAL.test(at('material')) ? this.names.materials.id(at('material')) : -1;
    const stage = STAGES.indexOf(at('stage') as (typeof STAGES)[number]);
    const country = this.countryId(at(this.kind === 'production' ? 'country' : 'exporter'));
    const importer = this.kind === 'production' ? 0 : this.countryId(at('importer'));
    const yearText = at('year');
    const quantityText = at('quantity');
    const valueText = at('value_usd');
    const year = YEAR.test(yearText) ? Number(yearText) : -1;
    // A value that is not a plain number leaves the row without a key (the loader reports it).
    const value = valueText === '' ? Number.NaN : PLAIN_NUMBER.test(valueText) ? Number(valueText) : -1;
    const quantity = PLAIN_NUMBER.test(quantityText) && value !== -1 ? Number(quantityText) : Number.NaN;
    this.addRow(material, stage, country, importer, year, quantity, value, line, { text: () => at('unit') });
  }

  private countryId(code: string): number {
    return COUNTRY.test(code) ? this.names.countries.id(code) : -1;
  }

  /** The byte path for quote-free lines; false sends the line to the record path. */
  private lineReader(columns: CsvColumns): (bytes: Uint8Array, start: number, end: number, line: number) => boolean {
    const position = (name: string): number => columns.index.get(name) ?? -1;
    const materialAt = position('material');
    const stageAt = position('stage');
    const countryAt = position(this.kind === 'production' ? 'country' : 'exporter');
    const importerAt = this.kind === 'production' ? -1 : position('importer');
    const yearAt = position('year');
    const quantityAt = position('quantity');
    const valueAt = position('value_usd');
    const unitAt = position('unit');
    const fieldCount = columns.names.length;
    const starts = new Int32Array(fieldCount + 1);
    const materials = new TokenIds((text) => (MATERIAL.test(text) ? this.names.materials.id(text) : -1));
    const stages = new TokenIds((text) => STAGES.indexOf(text as (typeof STAGES)[number]));
    const countries = new CountryIds((text) => this.countryId(text));
    const decoder = new TextDecoder();
    const from = (column: number): number => starts[column] ?? 0;
    const to = (column: number): number => (starts[column + 1] ?? 0) - 1;
    // One object for every line (read only for the first row of a material and stage): no closure per row.
    const unit: { bytes: Uint8Array; text: () => string } = {
      bytes: new Uint8Array(0),
      text: () => decoder.decode(unit.bytes.subarray(from(unitAt), to(unitAt))).trim(),
    };
    return (bytes, start, end, line) => {
      if (splitFields(bytes, start, end, starts, fieldCount) !== fieldCount) return false;
      const material = materials.id(bytes, from(materialAt), to(materialAt));
      const stage = stages.id(bytes, from(stageAt), to(stageAt));
      const country = countries.id(bytes, from(countryAt), to(countryAt));
      const importer = importerAt < 0 ? 0 : countries.id(bytes, from(importerAt), to(importerAt));
      const year = fourDigits(bytes, from(yearAt), to(yearAt));
      const quantity = plainDecimal(bytes, from(quantityAt), to(quantityAt));
      const value = valueAt < 0 || from(valueAt) === to(valueAt) ? Number.NaN : plainDecimal(bytes, from(valueAt), to(valueAt));
      // Anything unusual (spaces, W, a blank row, a bad code or value) takes the record path, which knows it all.
      if (material < 0 || stage < 0 || country < 0 || importer < 0 || year < 0 || Number.isNaN(quantity)) return false;
      if (Number.isNaN(value) && valueAt >= 0 && from(valueAt) !== to(valueAt)) return false;
      hashRow(bytes, start, end, this.hash);
      unit.bytes = bytes;
      this.addRow(material, stage, country, importer, year, quantity, value, line, unit);
      return true;
    };
  }
}

/**
 * Ids of country codes read from bytes: a code of the form the data contract allows ([A-Z][A-Z0-9]{2})
 * indexes a table directly, decoded and parsed once; any other text gets -1 (the record path then
 * trims it and says what it is).
 */
class CountryIds {
  private readonly ids = new Int16Array(26 * 36 * 36).fill(UNKNOWN_ID);
  private readonly decoder = new TextDecoder();

  constructor(private readonly parse: (text: string) => number) {}

  id(bytes: Uint8Array, start: number, end: number): number {
    if (end - start !== 3) return -1;
    const first = (bytes[start] ?? 0) - 65;
    const second = alphanumeric(bytes[start + 1] ?? 0);
    const third = alphanumeric(bytes[start + 2] ?? 0);
    if (first < 0 || first >= 26 || second < 0 || third < 0) return -1;
    const index = (first * 36 + second) * 36 + third;
    const known = this.ids[index] ?? UNKNOWN_ID;
    if (known !== UNKNOWN_ID) return known;
    const id = this.parse(this.decoder.decode(bytes.subarray(start, end)));
    this.ids[index] = id;
    return id;
  }
}

const UNKNOWN_ID = -2;

/** A-Z as 0..25, 0-9 as 26..35, else -1. */
function alphanumeric(byte: number): number {
  if (byte >= 65 && byte <= 90) return byte - 65;
  if (byte >= 48 && byte <= 57) return byte - 48 + 26;
  return -1;
}

/** The unit text of the row being added, read only when needed. */
interface UnitSource {
  text: () => string;
}

/** Ids of field texts read from bytes, each distinct text decoded and parsed once (-1: not valid). */
class TokenIds {
  private readonly known = new ByteTokenMap();
  private readonly decoder = new TextDecoder();

  constructor(private readonly parse: (text: string) => number) {}

  id(bytes: Uint8Array, start: number, end: number): number {
    const known = this.known.get(bytes, start, end);
    if (known !== undefined) return known;
    // Untrimmed text: a field with spaces gets -1 here and the record path trims it.
    const text = this.decoder.decode(bytes.subarray(start, end));
    const id = text.trim() === text ? this.parse(text) : -1;
    this.known.set(bytes, start, end, id);
    return id;
  }
}
