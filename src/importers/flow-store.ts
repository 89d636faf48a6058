/**
 * The flows of a trade import in a compact store: each flow is a 32-byte record (its key: a slot
 * and a country pair, both 32-bit integers; its unit id; its quantity and value), kept in chunks
 * that never move, and found through an open-addressing hash table of flow numbers (linear
 * probing). Summing a large file makes a few hundred thousand random look-ups among as many flows:
 * a Map of that size spends its time waiting on memory, this store touches the table and one
 * record per look-up, and allocates about 40 bytes per flow in all.
 */

/** Flows per chunk (a chunk is 2 MB). */
const CHUNK_BITS = 16;
const CHUNK_FLOWS = 2 ** CHUNK_BITS;
const CHUNK_MASK = CHUNK_FLOWS - 1;
/** A record is four doubles: quantity, value, then the int32s slot, pair, unit (and one unused). */
const RECORD_DOUBLES = 4;
const RECORD_INTS = 8;
const QUANTITY = 0;
const VALUE = 1;
const SLOT = 4;
const PAIR = 5;
const UNIT = 6;
const INITIAL_TABLE_BITS = 12;

export class FlowStore {
  private readonly amounts: Float64Array[] = [];
  private readonly keys: Int32Array[] = [];
  private count = 0;
  /** Flow number + 1 per table entry; 0 is an empty entry. */
  private table = new Int32Array(2 ** INITIAL_TABLE_BITS);
  private mask = this.table.length - 1;

  get size(): number {
    return this.count;
  }

  /**
   * The flow of (slot, pair), or -1 after adding it as a new flow with the given unit, quantity and
   * value (NaN for none).
   */
  findOrAdd(slot: number, pair: number, unit: number, quantity: number, value: number): number {
    let entry = hash(slot, pair) & this.mask;
    for (;;) {
      const stored = this.table[entry] ?? 0;
      if (stored === 0) break;
      const flow = stored - 1;
      const keys = this.keys[flow >>> CHUNK_BITS];
      const at = (flow & CHUNK_MASK) * RECORD_INTS;
      if (keys && keys[at + SLOT] === slot && keys[at + PAIR] === pair) return flow;
      entry = (entry + 1) & this.mask;
    }
    const flow = this.append(slot, pair, unit, quantity, value);
    this.table[entry] = flow + 1;
    // At most half full, so probes stay short.
    if (2 * this.count > this.mask) this.grow();
    return -1;
  }

  quantity(flow: number): number {
    return this.amounts[flow >>> CHUNK_BITS]?.[(flow & CHUNK_MASK) * RECORD_DOUBLES + QUANTITY] ?? NaN;
  }

  value(flow: number): number {
    return this.amounts[flow >>> CHUNK_BITS]?.[(flow & CHUNK_MASK) * RECORD_DOUBLES + VALUE] ?? NaN;
  }

  setAmounts(flow: number, quantity: number, value: number): void {
    const amounts = this.amounts[flow >>> CHUNK_BITS];
    if (!amounts) return;
    const at = (flow & CHUNK_MASK) * RECORD_DOUBLES;
    amounts[at + QUANTITY] = quantity;
    amounts[at + VALUE] = value;
  }

  slot(flow: number): number {
    return this.keys[flow >>> CHUNK_BITS]?.[(flow & CHUNK_MASK) * RECORD_INTS + SLOT] ?? 0;
  }

  pair(flow: number): number {
    return this.keys[flow >>> CHUNK_BITS]?.[(flow & CHUNK_MASK) * RECORD_INTS + PAIR] ?? 0;
  }

  unit(flow: number): number {
    return this.keys[flow >>> CHUNK_BITS]?.[(flow & CHUNK_MASK) * RECORD_INTS + UNIT] ?? 0;
  }

  private append(slot: number, pair: number, unit: number, quantity: number, value: number): number {
    const flow = this.count++;
    if ((flow & CHUNK_MASK) === 0) {
      // A float64 and an int32 view of one buffer: a record's numbers share its cache line.
      const buffer = new ArrayBuffer(CHUNK_FLOWS * RECORD_DOUBLES * Float64Array.BYTES_PER_ELEMENT);
      this.amounts.push(new Float64Array(buffer));
      this.keys.push(new Int32Array(buffer));
    }
    this.setAmounts(flow, quantity, value);
    const keys = this.keys[flow >>> CHUNK_BITS];
    if (keys) {
      const at = (flow & CHUNK_MASK) * RECORD_INTS;
      keys[at + SLOT] = slot;
      keys[at + PAIR] = pair;
      keys[at + UNIT] = unit;
    }
    return flow;
  }

  /** Twice the table, filled again from the records (read in order). */
  private grow(): void {
    this.table = new Int32Array(2 * this.table.length);
    this.mask = this.table.length - 1;
    for (let flow = 0; flow < this.count; flow++) {
      let entry = hash(this.slot(flow), this.pair(flow)) & this.mask;
      while (this.table[entry] !== 0) entry = (entry + 1) & this.mask;
      this.table[entry] = flow + 1;
    }
  }
}

function hash(slot: number, pair: number): number {
  const mixed = Math.imul(pair ^ Math.imul(slot, 0x9e3779b1), 0x85ebca6b);
  return mixed ^ (mixed >>> 15);
}
