/**
 * Trade facts held in columns: one typed-array entry per distinct (material, stage, year, exporter,
 * importer), with material, stage, year and unit shared per slice and countries as small integer ids.
 *
 * Why columns: a multi-year trade history has millions of distinct facts. As objects they cost about
 * a hundred bytes each and keep the garbage collector busy for seconds; as columns they cost 28 bytes
 * and no collector time at all. Rows of the same fact are summed as they arrive, in file order, so
 * every sum is the one a plain loop over the file would give.
 */
import { STAGES, type Stage } from '../domain/fields.js';
import { groupRows, type RowColumns } from './group-rows.js';

/** The facts as objects, for tests and small outputs; the table itself never builds them. */
export interface TradeFact {
  material: string;
  stage: Stage;
  exporter: string;
  importer: string;
  year: number;
  quantity: number;
  unit: string;
  /** Sum of the value_usd cells of the merged rows; null when none had one. */
  valueUsd: number | null;
}

/** Strings numbered in order of first appearance. */
export class Dictionary {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();

  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }

  find(value: string): number | undefined {
    return this.ids.get(value);
  }

  get size(): number {
    return this.values.length;
  }
}

/** The material, stage, year and unit every fact of one slice shares. */
export interface SliceInfo {
  material: string;
  stage: Stage;
  year: number;
  unit: string;
}

/**
 * A finished table's state as plain data (the prebuilt embedded data, prebuilt.ts; a worker's sorted
 * run, fast/merge-runs.ts): its facts' columns and the names their ids stand for. TradeTable.restore
 * makes the table again.
 */
export interface TradeTableSnapshot extends RowColumns {
  options: { aggregate: boolean };
  countries: string[];
  materials: string[];
  slices: SliceInfo[];
  sliceIds: [number, number][];
  sliceStart: TradeTable['sliceStart'];
  /** False when no fact has a value_usd: the value columns then hold zeros that stand for NaN and 0 (see TradeTable.valued). Absent: true. */
  valued?: boolean;
}

const INITIAL_CAPACITY = 1024;
const SLOT_WIDTH = 3;
/** The hash grows past this share of used slots (linear probing stays short below it). */
const MAX_LOAD = 0.7;
/** Years are stored as offsets from this one in slice keys (see sliceId). */
const FIRST_YEAR = 1800;

export class TradeTable {
  /** At most 26 * 36 * 36 codes fit the code pattern, so a country id fits in 16 bits. */
  readonly countries = new Dictionary();
  readonly materials = new Dictionary();
  /** Per slice id: its material, stage, year and unit (in material, stage, year order once finished). */
  slices: SliceInfo[] = [];
  private readonly sliceIds = new Map<number, number>();
  /**
   * Once finished: the facts of slice k are rows sliceStart[k] .. sliceStart[k + 1] - 1, ordered by
   * exporter code, then importer code. Empty before.
   */
  sliceStart: Int32Array = new Int32Array(0);
  private finished = false;
  /**
   * Rows are appended as they come and summed by finish() instead of through the hash (see
   * sumAtFinish): set by the worker of a threaded read's first range (fast/trade-worker.ts), where a
   * hash lookup per row was most of the work.
   */
  private summedAtFinish = false;

  /**
   * With `aggregate: false` every row is kept as it came, unsummed (finish() only orders them): a
   * later range of a threaded read, whose rows the main thread sums after the earlier ranges' when it
   * merges the workers' tables (fast/merge-runs.ts).
   */
  constructor(private readonly options: { aggregate: boolean } = { aggregate: true }) {}

  /** Number of facts. */
  length = 0;
  sliceOf: Int32Array = new Int32Array(INITIAL_CAPACITY);
  exporterOf: Int32Array = new Int32Array(INITIAL_CAPACITY);
  importerOf: Int32Array = new Int32Array(INITIAL_CAPACITY);
  quantityOf: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** NaN where no merged row had a value (only while `valued`: see there). */
  valueUsdOf: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /** The quantity of the merged rows that had a value: unit value = value / this, whatever rows lacked one. */
  valuedQuantityOf: Float64Array = new Float64Array(INITIAL_CAPACITY);
  /**
   * Whether any row so far had a value_usd. Until one has, the value columns are not written at all
   * (their zeros stand for NaN values and 0 valued quantities): most trade files carry no values, and
   * each column of a few million rows is tens of megabytes of fresh memory, which costs about as much
   * as reading the rows. valueAt() reads a value either way.
   */
  valued = false;

  /**
   * Open-addressing hash of (slice, exporter, importer) -> fact index. Each slot holds its whole key
   * next to the index ([slice + 1, exporter << 16 | importer, index]; slice + 1 = 0: empty), so a
   * lookup reads one place in memory instead of one per column: on a file of millions of rows in
   * random order, cache misses are what summing costs.
   */
  private slots = new Int32Array(INITIAL_CAPACITY * 2 * SLOT_WIDTH);
  private slotCount = INITIAL_CAPACITY * 2;

  /** The id of a slice; `materialId` is an id of `materials`, `stageIndex` a position in STAGES. */
  sliceId(materialId: number, stageIndex: number, year: number, unit: string): number {
    const key = (materialId * STAGES.length + stageIndex) * 512 + (year - FIRST_YEAR);
    let id = this.sliceIds.get(key);
    if (id === undefined) {
      id = this.slices.length;
      this.sliceIds.set(key, id);
      this.slices.push({ material: this.materials.values[materialId] ?? '', stage: STAGES[stageIndex] ?? 'mining', year, unit });
    }
    return id;
  }

  /** Adds one row: a new fact, or summed into the fact with the same slice and countries. */
  add(slice: number, exporter: number, importer: number, quantity: number, valueUsd: number): void {
    if (this.finished) throw new Error('TradeTable.add after finish()');
    if (!this.options.aggregate || this.summedAtFinish) {
      this.append(slice, exporter, importer, quantity, valueUsd);
      return;
    }
    const slots = this.slots;
    const mask = this.slotCount - 1;
    const pair = (exporter << 16) | importer;
    let at = (hash(slice, pair) & mask) * SLOT_WIDTH;
    for (;;) {
      const stored = slots[at] ?? 0;
      if (stored === 0) break;
      if (stored === slice + 1 && slots[at + 1] === pair) {
        const row = slots[at + 2] ?? 0;
        this.quantityOf[row] = (this.quantityOf[row] ?? 0) + quantity;
        if (!Number.isNaN(valueUsd)) {
          this.startValues();
          const known = this.valueUsdOf[row] ?? Number.NaN;
          this.valueUsdOf[row] = Number.isNaN(known) ? valueUsd : known + valueUsd;
          this.valuedQuantityOf[row] = (this.valuedQuantityOf[row] ?? 0) + quantity;
        }
        return;
      }
      at += SLOT_WIDTH;
      if (at === slots.length) at = 0;
    }
    const row = this.append(slice, exporter, importer, quantity, valueUsd);
    slots[at] = slice + 1;
    slots[at + 1] = pair;
    slots[at + 2] = row;
    if (this.length > this.slotCount * MAX_LOAD) this.rehash(this.slotCount * 2);
  }

  /** The first row with a value: the rows before it get their NaN values now (see `valued`). */
  private startValues(): void {
    if (this.valued) return;
    this.valueUsdOf.fill(Number.NaN, 0, this.length);
    this.valued = true;
  }

  /** The value_usd of fact (or row) `row`; NaN when none. */
  valueAt(row: number): number {
    return this.valued ? (this.valueUsdOf[row] ?? Number.NaN) : Number.NaN;
  }

  private append(slice: number, exporter: number, importer: number, quantity: number, valueUsd: number): number {
    if (this.length === this.sliceOf.length) this.resize(this.sliceOf.length * 2);
    const row = this.length;
    this.length += 1;
    this.sliceOf[row] = slice;
    this.exporterOf[row] = exporter;
    this.importerOf[row] = importer;
    this.quantityOf[row] = quantity;
    if (!Number.isNaN(valueUsd)) {
      this.startValues();
      this.valueUsdOf[row] = valueUsd;
      this.valuedQuantityOf[row] = quantity;
    } else if (this.valued) this.valueUsdOf[row] = Number.NaN;
    // A row without a value in a table without values writes nothing: see `valued`.
    return row;
  }

  /**
   * From now on rows are kept as they come and the rows of one slice and country pair are summed
   * when the table is finished, in the order they came (the same sums as adding them one by one).
   * A hash lookup per row reads a random place of a table of tens of megabytes; appending writes in
   * order, and the sort that finish() does anyway brings each pair's rows together. Rows already
   * summed stay as they are.
   */
  sumAtFinish(): void {
    if (this.options.aggregate) this.summedAtFinish = true;
  }

  /**
   * Makes room for `facts` facts at once: growing a large table step by step copies its columns and
   * re-inserts its hash several times over. Pages of a typed array cost memory only once written, so
   * a generous estimate costs little.
   */
  reserve(facts: number): void {
    let capacity = this.sliceOf.length;
    while (capacity < facts) capacity *= 2;
    if (capacity > this.sliceOf.length) this.resize(capacity);
    if (!this.options.aggregate || this.summedAtFinish) return;
    let slots = this.slotCount;
    while (facts > slots * MAX_LOAD) slots *= 2;
    if (slots > this.slotCount) this.rehash(slots);
  }

  /**
   * Ends the adding: frees the hash and puts the facts in a canonical order (slices by material,
   * stage and year; within a slice by exporter code, then importer code), whatever order the rows
   * came in. Readers then find a slice's facts side by side instead of scattered over the table.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.slots = new Int32Array(0);
    this.slotCount = 0;
    const sliceRank = rankOf(this.slices.map(sliceOrderKey));
    const countryRank = rankOf(this.countries.values);
    const grouped = groupRows(this, sliceRank, countryRank, this.summedAtFinish, this.valued);
    if (grouped) this.setRows(grouped);
    else this.sortAndGather(sliceRank, countryRank);
    this.summedAtFinish = false;
    const renumbered: SliceInfo[] = new Array<SliceInfo>(this.slices.length);
    this.slices.forEach((slice, id) => (renumbered[sliceRank[id] ?? 0] = slice));
    this.slices = renumbered;
    this.sliceIds.forEach((id, key) => this.sliceIds.set(key, sliceRank[id] ?? 0));
    this.sliceStart = sliceStarts(this.sliceOf, this.length, this.slices.length);
  }

  private setRows(rows: RowColumns): void {
    this.length = rows.length;
    this.sliceOf = rows.sliceOf;
    this.exporterOf = rows.exporterOf;
    this.importerOf = rows.importerOf;
    this.quantityOf = rows.quantityOf;
    this.valueUsdOf = rows.valueUsdOf;
    this.valuedQuantityOf = rows.valuedQuantityOf;
  }

  /** A finished table's facts, taken as they are (restore, ofSortedFacts): no hash, no more rows. */
  private finishedWith(rows: RowColumns, valued: boolean | undefined): void {
    this.setRows(rows);
    this.valued = valued ?? true;
    this.finished = true;
    this.slots = new Int32Array(0);
    this.slotCount = 0;
  }

  /** finish() for tables with more countries than group-rows.ts takes: one radix sort of all rows, then a gather. */
  private sortAndGather(sliceRank: Int32Array, countryRank: Int32Array): void {
    // The gather reads every value as it is: the NaNs zeros stand for are written first.
    if (!this.valued) {
      this.valueUsdOf.fill(Number.NaN, 0, this.length);
      this.valued = true;
    }
    const order = sortRows(this, sliceRank, countryRank);
    if (this.summedAtFinish) this.gatherSummed(order, sliceRank);
    else {
      this.sliceOf = gatheredInts(this.sliceOf, order, sliceRank);
      this.exporterOf = gatheredInts(this.exporterOf, order);
      this.importerOf = gatheredInts(this.importerOf, order);
      this.quantityOf = gatheredDoubles(this.quantityOf, order);
      this.valueUsdOf = gatheredDoubles(this.valueUsdOf, order);
      this.valuedQuantityOf = gatheredDoubles(this.valuedQuantityOf, order);
    }
  }

  /**
   * The rows in `order` (sorted, so rows of one slice and pair are side by side, in the order they
   * came), each slice and pair's rows summed into one fact as add() sums them: quantities, and the
   * values with the quantities that had one. The new columns are views of arrays sized for every
   * row: the pages past the last fact are never written, so they cost no memory.
   */
  private gatherSummed(order: Int32Array, sliceRank: Int32Array): void {
    const rows = order.length;
    const sliceOf = new Int32Array(rows);
    const exporterOf = new Int32Array(rows);
    const importerOf = new Int32Array(rows);
    const quantityOf = new Float64Array(rows);
    const valueUsdOf = new Float64Array(rows);
    const valuedQuantityOf = new Float64Array(rows);
    let fact = -1;
    let slice = -1;
    let exporter = -1;
    let importer = -1;
    for (let k = 0; k < rows; k += 1) {
      const row = order[k]!;
      const quantity = this.quantityOf[row]!;
      const value = this.valueUsdOf[row]!;
      if (this.sliceOf[row] === slice && this.exporterOf[row] === exporter && this.importerOf[row] === importer) {
        quantityOf[fact] = quantityOf[fact]! + quantity;
        if (!Number.isNaN(value)) {
          const known = valueUsdOf[fact]!;
          valueUsdOf[fact] = Number.isNaN(known) ? value : known + value;
          valuedQuantityOf[fact] = valuedQuantityOf[fact]! + quantity;
        }
        continue;
      }
      fact += 1;
      slice = this.sliceOf[row]!;
      exporter = this.exporterOf[row]!;
      importer = this.importerOf[row]!;
      sliceOf[fact] = sliceRank[slice]!;
      exporterOf[fact] = exporter;
      importerOf[fact] = importer;
      quantityOf[fact] = quantity;
      valueUsdOf[fact] = value;
      valuedQuantityOf[fact] = this.valuedQuantityOf[row]!;
    }
    this.length = fact + 1;
    this.sliceOf = sliceOf.subarray(0, this.length);
    this.exporterOf = exporterOf.subarray(0, this.length);
    this.importerOf = importerOf.subarray(0, this.length);
    this.quantityOf = quantityOf.subarray(0, this.length);
    this.valueUsdOf = valueUsdOf.subarray(0, this.length);
    this.valuedQuantityOf = valuedQuantityOf.subarray(0, this.length);
  }

  /** The finished table as plain data (typed arrays and arrays): see TradeTableSnapshot. */
  snapshot(): TradeTableSnapshot {
    if (!this.finished) throw new Error('TradeTable.snapshot before finish()');
    return {
      options: this.options,
      countries: this.countries.values,
      materials: this.materials.values,
      slices: this.slices,
      sliceIds: [...this.sliceIds],
      sliceStart: this.sliceStart,
      length: this.length,
      sliceOf: this.sliceOf,
      exporterOf: this.exporterOf,
      importerOf: this.importerOf,
      quantityOf: this.quantityOf,
      valueUsdOf: this.valueUsdOf,
      valuedQuantityOf: this.valuedQuantityOf,
      valued: this.valued,
    };
  }

  /** The finished table a snapshot was taken of, field for field. */
  static restore(snapshot: TradeTableSnapshot): TradeTable {
    const table = new TradeTable(snapshot.options);
    for (const code of snapshot.countries) table.countries.id(code);
    for (const material of snapshot.materials) table.materials.id(material);
    table.slices = snapshot.slices;
    for (const [key, id] of snapshot.sliceIds) table.sliceIds.set(key, id);
    table.sliceStart = snapshot.sliceStart;
    table.finishedWith(snapshot, snapshot.valued);
    return table;
  }

  /**
   * A finished table from facts already summed and in canonical order (see finish): `slices` in that
   * order (the facts' sliceOf are positions in it), countries and materials in order of first
   * appearance. The threaded read merges its workers' sorted runs into these (fast/merge-runs.ts).
   */
  static ofSortedFacts(facts: Omit<TradeTableSnapshot, 'options' | 'sliceIds' | 'sliceStart'>): TradeTable {
    const table = new TradeTable();
    for (const code of facts.countries) table.countries.id(code);
    for (const material of facts.materials) table.materials.id(material);
    for (const slice of facts.slices) table.sliceId(table.materials.id(slice.material), STAGES.indexOf(slice.stage), slice.year, slice.unit);
    table.finishedWith(facts, facts.valued);
    table.sliceStart = sliceStarts(facts.sliceOf, facts.length, facts.slices.length);
    return table;
  }

  /** The same as `add`, from strings (the plain path, tests and small tables). */
  addFact(fact: TradeFact): void {
    const stageIndex = STAGES.indexOf(fact.stage);
    const slice = this.sliceId(this.materials.id(fact.material), stageIndex, fact.year, fact.unit);
    this.add(slice, this.countries.id(fact.exporter), this.countries.id(fact.importer), fact.quantity, fact.valueUsd ?? Number.NaN);
  }

  fact(row: number): TradeFact {
    const slice = this.slices[this.sliceOf[row] ?? 0] as SliceInfo;
    const value = this.valueAt(row);
    return {
      material: slice.material,
      stage: slice.stage,
      exporter: this.countries.values[this.exporterOf[row] ?? 0] ?? '',
      importer: this.countries.values[this.importerOf[row] ?? 0] ?? '',
      year: slice.year,
      quantity: this.quantityOf[row] ?? 0,
      unit: slice.unit,
      valueUsd: Number.isNaN(value) ? null : value,
    };
  }

  /** Every fact as an object, in order of first appearance. */
  facts(): TradeFact[] {
    const facts: TradeFact[] = [];
    for (let row = 0; row < this.length; row += 1) facts.push(this.fact(row));
    return facts;
  }

  static fromFacts(facts: Iterable<TradeFact>): TradeTable {
    const table = new TradeTable();
    for (const fact of facts) table.addFact(fact);
    table.finish();
    return table;
  }

  private resize(capacity: number): void {
    this.sliceOf = resized(this.sliceOf, new Int32Array(capacity));
    this.exporterOf = resized(this.exporterOf, new Int32Array(capacity));
    this.importerOf = resized(this.importerOf, new Int32Array(capacity));
    this.quantityOf = resized(this.quantityOf, new Float64Array(capacity));
    this.valueUsdOf = resized(this.valueUsdOf, new Float64Array(capacity));
    this.valuedQuantityOf = resized(this.valuedQuantityOf, new Float64Array(capacity));
  }

  private rehash(count: number): void {
    const old = this.slots;
    const slots = new Int32Array(count * SLOT_WIDTH);
    const mask = count - 1;
    for (let from = 0; from < old.length; from += SLOT_WIDTH) {
      const stored = old[from] ?? 0;
      if (stored === 0) continue;
      const pair = old[from + 1] ?? 0;
      let at = (hash(stored - 1, pair) & mask) * SLOT_WIDTH;
      while ((slots[at] ?? 0) !== 0) at = at + SLOT_WIDTH === slots.length ? 0 : at + SLOT_WIDTH;
      slots[at] = stored;
      slots[at + 1] = pair;
      slots[at + 2] = old[from + 2] ?? 0;
    }
    this.slots = slots;
    this.slotCount = count;
  }
}

/** Where each slice's facts start, for facts in slice order (entry `slices`: the end of the last). */
function sliceStarts(sliceOf: Int32Array, length: number, slices: number): Int32Array {
  const start = new Int32Array(slices + 1);
  for (let row = 0; row < length; row += 1) start[sliceOf[row]! + 1]! += 1;
  for (let k = 0; k < slices; k += 1) start[k + 1]! += start[k]!;
  return start;
}

/** A text whose order is the slices' canonical order: material, stage (in chain order), year. */
export function sliceOrderKey(slice: SliceInfo): string {
  return `${slice.material}\u0000${STAGES.indexOf(slice.stage)}\u0000${slice.year}`;
}

/** Each value's position in sorted order. */
export function rankOf(values: readonly string[]): Int32Array {
  const rank = new Int32Array(values.length);
  [...values.keys()].sort((a, b) => compareText(values[a] ?? '', values[b] ?? '')).forEach((id, position) => (rank[id] = position));
  return rank;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The rows' order by (slice rank, exporter rank, importer rank), rows of equal keys in the order
 * they came: a least-significant-digit radix sort, two stable counting sorts (by country pair, then
 * by slice), linear in the rows and without comparisons. Pairs number at most 65536^2, so a pair
 * is counted in two 16-bit digits where the countries are many.
 */
function sortRows(table: TradeTable, sliceRank: Int32Array, countryRank: Int32Array): Int32Array {
  const { length, sliceOf, exporterOf, importerOf } = table;
  const countries = countryRank.length;
  const pairs = countries * countries;
  let order: Int32Array = new Int32Array(length);
  for (let row = 0; row < length; row += 1) order[row] = row;
  const pairOf = (row: number): number => countryRank[exporterOf[row]!]! * countries + countryRank[importerOf[row]!]!;
  if (pairs <= PAIR_BUCKETS) order = countingSort(order, pairOf, pairs);
  else {
    order = countingSort(order, (row) => pairOf(row) % PAIR_BUCKETS, PAIR_BUCKETS);
    order = countingSort(order, (row) => Math.floor(pairOf(row) / PAIR_BUCKETS), Math.ceil(pairs / PAIR_BUCKETS));
  }
  return countingSort(order, (row) => sliceRank[sliceOf[row]!]!, sliceRank.length);
}

/** Up to this many buckets, a country pair is one digit of the radix sort. */
const PAIR_BUCKETS = 1 << 16;

/** `rows` stably sorted by key(row), keys in 0 .. buckets - 1. */
function countingSort(rows: Int32Array, key: (row: number) => number, buckets: number): Int32Array {
  const start = new Int32Array(buckets + 1);
  for (let k = 0; k < rows.length; k += 1) start[key(rows[k]!) + 1]! += 1;
  for (let bucket = 0; bucket < buckets; bucket += 1) start[bucket + 1]! += start[bucket]!;
  const sorted = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k += 1) {
    const row = rows[k]!;
    sorted[start[key(row)]!++] = row;
  }
  return sorted;
}

function gatheredInts(column: Int32Array, order: Int32Array, map?: Int32Array): Int32Array {
  const result = new Int32Array(order.length);
  if (map) for (let k = 0; k < order.length; k += 1) result[k] = map[column[order[k]!]!]!;
  else for (let k = 0; k < order.length; k += 1) result[k] = column[order[k]!]!;
  return result;
}

function gatheredDoubles(column: Float64Array, order: Int32Array): Float64Array {
  const result = new Float64Array(order.length);
  for (let k = 0; k < order.length; k += 1) result[k] = column[order[k]!]!;
  return result;
}

function resized<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Mixes a slice id and a country pair into well-spread 32 bits (multiplicative hashing). */
function hash(slice: number, pair: number): number {
  let h = Math.imul(slice + 1, 0x9e3779b1) ^ Math.imul(pair, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
