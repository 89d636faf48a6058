/**
 * A hash table from a pair of 32-bit integers to a flow number, kept in typed arrays (open
 * addressing, linear probing). Summing the flows of a large trade file makes a few hundred thousand
 * random look-ups into a table of as many keys; a Map of that size spends most of its time waiting
 * on memory, this table touches one cache line per look-up (plus the rare longer probe).
 */

const EMPTY = -1;
const INITIAL_BITS = 12;
/** A slot is four int32s side by side (high, low, flow, unused), so a probe reads one cache line. */
const HIGH = 0;
const LOW = 1;
const FLOW = 2;
const SLOT_SIZE = 4;

export class FlowIndex {
  private mask = 0;
  private table = new Int32Array(0);
  private size = 0;

  constructor() {
    this.allocate(INITIAL_BITS);
  }

  /** The flow number stored for (high, low), or -1 after storing `next` for it. */
  findOrAdd(high: number, low: number, next: number): number {
    const at = this.slot(high, low) * SLOT_SIZE;
    const found = this.table[at + FLOW] ?? EMPTY;
    if (found !== EMPTY) return found;
    this.table[at + HIGH] = high;
    this.table[at + LOW] = low;
    this.table[at + FLOW] = next;
    this.size += 1;
    // At most half full, so probes stay short.
    if (this.size * 2 > this.mask) this.grow();
    return EMPTY;
  }

  /** The slot of (high, low): where it is, or the empty slot where it goes. */
  private slot(high: number, low: number): number {
    let hash = Math.imul(low ^ Math.imul(high, 0x9e3779b1), 0x85ebca6b);
    hash ^= hash >>> 15;
    let slot = hash & this.mask;
    for (;;) {
      const at = slot * SLOT_SIZE;
      if (this.table[at + FLOW] === EMPTY || (this.table[at + HIGH] === high && this.table[at + LOW] === low)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  private allocate(bits: number): void {
    const slots = 2 ** bits;
    this.mask = slots - 1;
    this.table = new Int32Array(slots * SLOT_SIZE).fill(EMPTY);
  }

  private grow(): void {
    const old = this.table;
    this.allocate(Math.log2(old.length / SLOT_SIZE) + 1);
    for (let at = 0; at < old.length; at += SLOT_SIZE) {
      const flow = old[at + FLOW] ?? EMPTY;
      if (flow === EMPTY) continue;
      const high = old[at + HIGH] ?? 0;
      const low = old[at + LOW] ?? 0;
      const slot = this.slot(high, low) * SLOT_SIZE;
      this.table[slot + HIGH] = high;
      this.table[slot + LOW] = low;
      this.table[slot + FLOW] = flow;
    }
  }
}
