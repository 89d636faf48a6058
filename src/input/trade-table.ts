/**
 * Trade facts held in columns: one typed-array entry per distinct (material, stage, year, exporter,
 * importer), with material, stage, year and unit shared per slice and countries as small integer ids.
 *
 * Why columns: a multi-year trade history has millions of distinct facts. As objects they cost about
 * a hundred bytes each and keep the garbage collector busy for seconds; as columns they cost 28 bytes
 * and no collector time at all. Rows of the same fact are summed as they arrive, in file order, so
 * every sum is the one a plain loop over the file would give.
 */
import { STAGES, type Stage } from './fields.js';

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

const INITIAL_CAPACITY = 1024;
/** Years are stored as offsets from this one in slice keys (see sliceId). */
const FIRST_YEAR = 1800;

export class TradeTable {
  readonly countries = new Dictionary();
  readonly materials = new Dictionary();
  /** Per slice id: its material, stage, year and unit. */
  readonly slices: SliceInfo[] = [];
  private readonly sliceIds = new Map<number, number>();

  /** Number of facts. */
  length = 0;
  sliceOf = new Int32Array(INITIAL_CAPACITY);
  exporterOf = new Int32Array(INITIAL_CAPACITY);
  importerOf = new Int32Array(INITIAL_CAPACITY);
  quantityOf = new Float64Array(INITIAL_CAPACITY);
  /** NaN where no merged row had a value. */
  valueUsdOf = new Float64Array(INITIAL_CAPACITY);

  /** Open-addressing hash of (slice, exporter, importer) -> fact index + 1 (0: empty slot). */
  private slots = new Int32Array(INITIAL_CAPACITY * 2);

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
    const mask = this.slots.length - 1;
    let slot = hash(slice, exporter, importer) & mask;
    for (;;) {
      const entry = this.slots[slot] ?? 0;
      if (entry === 0) break;
      const row = entry - 1;
      if (this.sliceOf[row] === slice && this.exporterOf[row] === exporter && this.importerOf[row] === importer) {
        this.quantityOf[row] = (this.quantityOf[row] ?? 0) + quantity;
        if (!Number.isNaN(valueUsd)) {
          const known = this.valueUsdOf[row] ?? Number.NaN;
          this.valueUsdOf[row] = Number.isNaN(known) ? valueUsd : known + valueUsd;
        }
        return;
      }
      slot = (slot + 1) & mask;
    }
    if (this.length === this.sliceOf.length) this.grow();
    const row = this.length;
    this.length += 1;
    this.sliceOf[row] = slice;
    this.exporterOf[row] = exporter;
    this.importerOf[row] = importer;
    this.quantityOf[row] = quantity;
    this.valueUsdOf[row] = valueUsd;
    if (this.length * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.slots[slot] = row + 1;
  }

  /** The same as `add`, from strings (the plain path, tests and small tables). */
  addFact(fact: TradeFact): void {
    const stageIndex = STAGES.indexOf(fact.stage);
    const slice = this.sliceId(this.materials.id(fact.material), stageIndex, fact.year, fact.unit);
    this.add(slice, this.countries.id(fact.exporter), this.countries.id(fact.importer), fact.quantity, fact.valueUsd ?? Number.NaN);
  }

  fact(row: number): TradeFact {
    const slice = this.slices[this.sliceOf[row] ?? 0] as SliceInfo;
    const value = this.valueUsdOf[row] ?? Number.NaN;
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
    return table;
  }

  private grow(): void {
    const capacity = this.sliceOf.length * 2;
    this.sliceOf = resized(this.sliceOf, new Int32Array(capacity));
    this.exporterOf = resized(this.exporterOf, new Int32Array(capacity));
    this.importerOf = resized(this.importerOf, new Int32Array(capacity));
    this.quantityOf = resized(this.quantityOf, new Float64Array(capacity));
    this.valueUsdOf = resized(this.valueUsdOf, new Float64Array(capacity));
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    const mask = size - 1;
    for (let row = 0; row < this.length; row += 1) {
      let slot = hash(this.sliceOf[row] ?? 0, this.exporterOf[row] ?? 0, this.importerOf[row] ?? 0) & mask;
      while ((this.slots[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = row + 1;
    }
  }
}

function resized<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** Mixes three small integers into well-spread 32 bits (multiplicative hashing). */
function hash(slice: number, exporter: number, importer: number): number {
  let h = Math.imul(slice, 0x9e3779b1) ^ Math.imul(exporter + 1, 0x85ebca77) ^ Math.imul(importer + 7, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 12);
}
