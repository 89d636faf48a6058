/**
 * BACI flows summed by sorting instead of hashing. Each part of a file (the main thread's first
 * part, a worker's rest) collects its kept flows as columns in file order (RunSink), then sorts them
 * into trade.csv order (sortRun): the flows of one key end up next to each other, still in file
 * order. The runs of all parts and files are merged (mergeRuns; for a lone file read on two
 * threads, each thread merges a range of keys), adding up each key's flows as it goes: first run
 * first, so every sum is made in file order and rounded after each addition, exactly as summing row
 * by row. The merged flows are already in trade.csv order, so the writer reads them straight
 * through (SortedTrade). The gross weights of converted flows (trade-gross.csv) go the same way.
 *
 * A run names its materials and stages, years and countries by rank in its tables, in text order
 * (the order trade.csv sorts by): its own values, or those of both parts of a file; the merge maps
 * each run's ranks to ranks among all values. Both orders agree, so a sorted run stays sorted.
 */
import { compareText } from './contract-csv.js';
import { factorFor, type HsEntry } from './hs-map.js';
import type { ProductList, FlowSink } from './baci-csv.js';
import { CoverageSeen, grossRowsOf, Interned } from './trade-filter.js';
import type { GrossRow, TradeRow, TradeRowColumns } from './types.js';
import { roundQuantity } from './values.js';

/** Whole years below this are found in an array. */
const YEAR_TABLE = 10_000;
/** Rows a run starts with room for; it doubles as needed. */
const INITIAL_ROWS = 1 << 12;

/** The kept flows of one part of a file, in file order, with ids given in order of first sight. */
export class RunSink implements FlowSink {
  readonly coverage: CoverageSeen;
  private readonly countries = new Interned<string>();
  /** Country id -> code. */
  readonly codes = this.countries.values;
  /** Material and stage by group id, and unit texts by unit id. */
  readonly groups: { material: string; stage: TradeRow['stage'] }[] = [];
  private readonly groupIds = new Interned<string>();
  private readonly unitIds = new Interned<string>();
  readonly units = this.unitIds.values;
  /** The unit id of each group's first flow; `mixedUnits` once a flow of a group has another unit. */
  readonly groupUnit: number[] = [];
  mixedUnits = false;
  /** Year by year id (a year read from a file can be any number, NaN included). */
  readonly years: number[] = [];
  private readonly yearIds = new Map<number, number>();
  /** Year id + 1 of the whole years 0-9999 (0: not seen yet); other years are in yearIds. */
  private readonly yearTable = new Int32Array(YEAR_TABLE);
  /** Of each ProductList entry: its group and unit id, whether it has factors by origin. */
  private readonly entryGroup: number[];
  private readonly entryUnit: number[];
  private readonly byOrigin: boolean[];
  private readonly entries: HsEntry[];
  /**
   * The gross weights of the flows converted by a factor other than 1 (trade-gross.csv), as a run
   * of their own: the HS code stands for the material, the factor (its text) for the unit.
   */
  grossRun: RunSink | undefined;
  /** Ids in grossRun: of each entry's code, of each factor, of each country id of this sink. */
  private readonly grossGroups: number[] = [];
  private readonly grossUnits = new Map<number, number>();
  private readonly grossCountries: number[] = [];
  count = 0;
  group = sharedInts(INITIAL_ROWS);
  unit = sharedInts(INITIAL_ROWS);
  exporter = sharedInts(INITIAL_ROWS);
  importer = sharedInts(INITIAL_ROWS);
  year = sharedInts(INITIAL_ROWS);
  quantity = sharedDoubles(INITIAL_ROWS);
  /** NaN for no value (a value is never NaN: it is finite or Infinity). */
  value = sharedDoubles(INITIAL_ROWS);

  /** `products`: the entries addFlow names (none for a sink fed by addConverted alone). */
  constructor(
    readonly source: string,
    products?: ProductList,
    coverage?: CoverageSeen,
  ) {
    this.coverage = coverage ?? new CoverageSeen();
    this.entries = products?.entries ?? [];
    this.entryGroup = this.entries.map((entry) => this.groupId(entry.material, entry.stage));
    this.entryUnit = this.entries.map((entry) => this.unitId(entry.unit));
    this.byOrigin = this.entries.map((entry) => (entry.origins?.size ?? 0) > 0);
  }

  countryId(code: string): number {
    return this.countries.id(code);
  }

  groupId(material: string, stage: TradeRow['stage']): number {
    const id = this.groupIds.id(`${material}|${stage}`);
    if (id === this.groups.length) this.groups.push({ material, stage });
    return id;
  }

  unitId(unit: string): number {
    return this.unitIds.id(unit);
  }

  /** A kept flow in gross tonnes of the product at `entry`: converted by the factor of its origin, as written. */
  addFlow(entry: number, exporter: number, importer: number, year: number, grossTonnes: number, valueUsd: number | null): void {
    const hs = this.entries[entry] as HsEntry;
    // flowSkip let the flow through, so a code with factors by origin has one for this exporter.
    const factor = this.byOrigin[entry] ? (factorFor(hs, this.codes[exporter] ?? '') ?? null) : hs.factor;
    const quantity = roundQuantity(factor === null ? grossTonnes : grossTonnes * factor);
    this.addConverted(this.entryGroup[entry] ?? 0, this.entryUnit[entry] ?? 0, exporter, importer, year, quantity, valueUsd);
    if (factor !== null && factor !== 1) this.addGross(entry, hs, factor, exporter, importer, year, grossTonnes);
  }

  /** A converted flow's gross weight, into grossRun (as GrossSum.add would add it). */
  private addGross(entry: number, hs: HsEntry, factor: number, exporter: number, importer: number, year: number, grossTonnes: number): void {
    const gross = (this.grossRun ??= new RunSink(this.source));
    let group = this.grossGroups[entry];
    if (group === undefined) this.grossGroups[entry] = group = gross.groupId(hs.hs6, hs.stage);
    let unit = this.grossUnits.get(factor);
    if (unit === undefined) this.grossUnits.set(factor, (unit = gross.unitId(String(factor))));
    const country = (id: number): number => (this.grossCountries[id] ??= gross.countryId(this.codes[id] ?? ''));
    gross.addConverted(group, unit, country(exporter), country(importer), year, grossTonnes, null);
  }

  /** A kept flow already converted (ids from groupId, unitId and countryId). */
  addConverted(group: number, unit: number, exporter: number, importer: number, year: number, quantity: number, valueUsd: number | null): void {
    if (this.count === this.group.length) this.grow();
    const known = this.groupUnit[group];
    if (known === undefined) this.groupUnit[group] = unit;
    else if (known !== unit) this.mixedUnits = true;
    const row = this.count++;
    this.group[row] = group;
    this.unit[row] = unit;
    this.exporter[row] = exporter;
    this.importer[row] = importer;
    this.year[row] = this.yearId(year);
    this.quantity[row] = quantity;
    this.value[row] = valueUsd ?? NaN;
  }

  /** Room for `rows` flows in all, taken at once (an estimate from the file's size: fewer copies). */
  reserve(rows: number): void {
    if (rows > this.group.length) this.resize(rows);
  }

  private yearId(year: number): number {
    const whole = year >= 0 && year < YEAR_TABLE && Math.floor(year) === year;
    const known = whole ? (this.yearTable[year] ?? 0) - 1 : (this.yearIds.get(year) ?? -1);
    if (known >= 0) return known;
    const id = this.years.length;
    // -0 is year 0 (as a Map key), whatever the file wrote.
    this.years.push(year === 0 ? 0 : year);
    if (whole) this.yearTable[year] = id + 1;
    else this.yearIds.set(year, id);
    return id;
  }

  private grow(): void {
    this.resize(2 * this.group.length);
  }

  private resize(size: number): void {
    this.group = grownInts(this.group, size);
    this.unit = grownInts(this.unit, size);
    this.exporter = grownInts(this.exporter, size);
    this.importer = grownInts(this.importer, size);
    this.year = grownInts(this.year, size);
    this.quantity = grownDoubles(this.quantity, size);
    this.value = grownDoubles(this.value, size);
  }
}

/**
 * A run's columns live in shared memory: the other thread reads the rows it needs of them where they
 * are (a message shares them, it does not copy them), and fresh memory is slow to come by.
 */
function sharedInts(size: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(size * Int32Array.BYTES_PER_ELEMENT));
}

function sharedDoubles(size: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(size * Float64Array.BYTES_PER_ELEMENT));
}

function grownInts(from: Int32Array, size: number): Int32Array {
  const to = sharedInts(size);
  to.set(from);
  return to;
}

function grownDoubles(from: Float64Array, size: number): Float64Array {
  const to = sharedDoubles(size);
  to.set(from);
  return to;
}

/** Materials and stages, years and countries in text order: what a key's ranks index. */
export interface KeyTables {
  groups: { material: string; stage: TradeRow['stage'] }[];
  years: number[];
  codes: string[];
}

/** A sink's own tables (ids in order of first sight), e.g. for a worker to send before it sorts. */
export function sinkTables(sink: RunSink): KeyTables {
  return { groups: sink.groups, years: sink.years, codes: sink.codes };
}

/** The distinct values of several tables, sorted into text order. */
export function unionTables(tables: readonly KeyTables[]): KeyTables {
  return {
    groups: union(
      tables.map((table) => table.groups),
      groupKey,
      compareGroups,
    ),
    years: union(
      tables.map((table) => table.years),
      (year) => year,
      compareYears,
    ),
    codes: union(
      tables.map((table) => table.codes),
      (code) => code,
      compareText,
    ),
  };
}

/**
 * A run sorted into trade.csv order (material, stage, year, importer, exporter), flows of one key in
 * file order. Each row's key is one exact number: ((group * years + year) * countries + importer)
 * * countries + exporter, in ranks of `tables`. A flow's unit is its group's (the unit of the
 * group's first flow), unless some group has flows in two units: then each row has its own. Plain
 * data with typed arrays in shared memory, so the other thread reads it where it is.
 */
export interface SortedRun {
  source: string;
  tables: KeyTables;
  units: string[];
  /** The unit (an index into `units`) of each group of `tables`, -1 for a group without flows. */
  groupUnit: Int32Array;
  /** Each row's unit, only when some group has two. */
  unit: Int32Array | null;
  count: number;
  key: Float64Array;
  quantity: Float64Array;
  value: Float64Array;
}

/**
 * The sink's flows sorted into trade.csv order (stable: a key's flows stay in file order), ranked
 * in `tables` (which hold every value of the sink's; by default the sink's own, sorted). The sink
 * is used up: once a row's key is known its id columns are free, and the sort works in them (fresh
 * memory costs more here than the sort itself).
 */
export function sortRun(sink: RunSink, tables: KeyTables = unionTables([sinkTables(sink)])): SortedRun {
  const count = sink.count;
  const groupRank = rankIn(sink.groups, tables.groups, groupKey);
  const yearRank = rankIn(sink.years, tables.years, (year) => year);
  const countryRank = rankIn(sink.codes, tables.codes, (code) => code);
  const codes = tables.codes.length;
  const years = tables.years.length;
  const pairs = codes * codes;
  const slots = tables.groups.length * years;
  checkKeySpace(slots * pairs);
  if (pairs > INT32_LIMIT || slots > INT32_LIMIT) throw new Error('too many countries, materials or years to sort the BACI flows');
  // The key in two digits, each a counting sort's pass: pair (importer, exporter), then slot (group,
  // year); each written over a column it is made from.
  const pair = sink.importer.subarray(0, count);
  const slot = sink.group.subarray(0, count);
  for (let row = 0; row < count; row++) {
    pair[row] = (countryRank[sink.importer[row] ?? 0] ?? 0) * codes + (countryRank[sink.exporter[row] ?? 0] ?? 0);
    slot[row] = (groupRank[sink.group[row] ?? 0] ?? 0) * years + (yearRank[sink.year[row] ?? 0] ?? 0);
  }
  const rows = sink.exporter.subarray(0, count);
  for (let row = 0; row < count; row++) rows[row] = row;
  const byPair = countingSort(rows, pair, pairs, sink.year.subarray(0, count));
  const order = countingSort(byPair, slot, slots, rows);
  const key = sharedDoubles(count);
  for (let at = 0; at < count; at++) {
    const row = order[at] ?? 0;
    key[at] = (slot[row] ?? 0) * pairs + (pair[row] ?? 0);
  }
  const groupUnit = new Int32Array(tables.groups.length).fill(-1);
  sink.groupUnit.forEach((unit, group) => (groupUnit[groupRank[group] ?? 0] = unit));
  const quantity = gathered(sink.quantity, order, sharedDoubles(count));
  return {
    source: sink.source,
    tables,
    units: sink.units,
    groupUnit,
    unit: sink.mixedUnits ? gatheredInts(sink.unit, order, sharedInts(count)) : null,
    count,
    key,
    quantity,
    // Into the sink's quantities, read already.
    value: gathered(sink.value, order, sink.quantity.subarray(0, count)),
  };
}

/** The largest count a 32-bit key digit may have. */
const INT32_LIMIT = 2 ** 31 - 1;

/** Keys are exact doubles: a key space beyond 2^53 (never near for real files) is refused, not rounded. */
function checkKeySpace(keys: number): void {
  if (keys > Number.MAX_SAFE_INTEGER) throw new Error('too many materials, years, countries and sources to sort the BACI flows');
}

function groupKey(group: { material: string; stage: string }): string {
  return `${group.material}|${group.stage}`;
}

function compareGroups(a: { material: string; stage: string }, b: { material: string; stage: string }): number {
  return compareText(a.material, b.material) || compareText(a.stage, b.stage);
}

/** Years in the order of their texts (as trade.csv sorts them). */
function compareYears(a: number, b: number): number {
  return compareText(String(a), String(b));
}

/**
 * `order` stably sorted by each row's key (a whole number below `keys`), into `into` (another array
 * of the same length): a counting sort, two reads of the rows whatever their number. When there are
 * far more possible keys than rows, a numeric sort of key and position packed into one number does
 * it instead (same order, in a new array).
 */
export function countingSort(order: Int32Array, key: Int32Array, keys: number, into: Int32Array): Int32Array {
  const count = order.length;
  if (keys > 4 * count + 1024) return packedSort(order, key, keys);
  const starts = new Int32Array(keys + 1);
  for (let at = 0; at < count; at++) {
    const next = (key[order[at] ?? 0] ?? 0) + 1;
    starts[next] = (starts[next] ?? 0) + 1;
  }
  for (let k = 1; k <= keys; k++) starts[k] = (starts[k] ?? 0) + (starts[k - 1] ?? 0);
  for (let at = 0; at < count; at++) {
    const row = order[at] ?? 0;
    const k = key[row] ?? 0;
    const to = starts[k] ?? 0;
    starts[k] = to + 1;
    into[to] = row;
  }
  return into;
}

/** countingSort by a numeric sort: key * count + position when exact, else a compared sort. */
function packedSort(order: Int32Array, key: Int32Array, keys: number): Int32Array {
  const count = order.length;
  const sorted = new Int32Array(count);
  if (keys * count > Number.MAX_SAFE_INTEGER) {
    for (let at = 0; at < count; at++) sorted[at] = at;
    sorted.sort((a, b) => (key[order[a] ?? 0] ?? 0) - (key[order[b] ?? 0] ?? 0) || a - b);
    for (let at = 0; at < count; at++) sorted[at] = order[sorted[at] ?? 0] ?? 0;
    return sorted;
  }
  const packed = new Float64Array(count);
  for (let at = 0; at < count; at++) packed[at] = (key[order[at] ?? 0] ?? 0) * count + at;
  packed.sort();
  for (let at = 0; at < count; at++) {
    const value = packed[at] ?? 0;
    sorted[at] = order[value - Math.floor(value / count) * count] ?? 0;
  }
  return sorted;
}

function gathered(column: Float64Array, order: Int32Array, into: Float64Array): Float64Array {
  for (let at = 0; at < order.length; at++) into[at] = column[order[at] ?? 0] ?? NaN;
  return into;
}

function gatheredInts(column: Int32Array, order: Int32Array, into: Int32Array): Int32Array {
  for (let at = 0; at < order.length; at++) into[at] = column[order[at] ?? 0] ?? 0;
  return into;
}

/**
 * Summed flows in trade.csv order (material, stage, year, importer, exporter, source), as rank
 * columns into text tables: what mergeRuns gives, read by the writer straight through.
 */
export interface SortedTrade {
  length: number;
  groups: { material: string; stage: TradeRow['stage'] }[];
  years: number[];
  codes: string[];
  units: string[];
  sources: string[];
  group: Int32Array;
  year: Int32Array;
  importer: Int32Array;
  exporter: Int32Array;
  source: Int32Array;
  unit: Int32Array;
  quantity: Float64Array;
  /** NaN for no value. */
  value: Float64Array;
  /** The flows after these (their keys all larger), merged on another thread in the same tables. */
  rest?: SortedTrade;
  /** These flows' trade.csv lines (no header), when the thread that merged them wrote them. */
  text?: Uint8Array;
}

/** The typed arrays of merged flows, to transfer them to another thread. */
export function tradeBuffers(trade: SortedTrade): ArrayBuffer[] {
  return [trade.group, trade.year, trade.importer, trade.exporter, trade.source, trade.unit, trade.quantity, trade.value].map(
    (column) => column.buffer as ArrayBuffer,
  );
}

/** The index of the first row whose key is `key` or larger (the run's length when none is). */
export function firstAtLeast(run: SortedRun, key: number): number {
  let low = 0;
  let high = run.count;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((run.key[middle] ?? 0) < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Rows [from, to) of a run, as views of its (shared) arrays. */
export function runRows(run: SortedRun, from: number, to: number): SortedRun {
  return {
    ...run,
    count: to - from,
    key: run.key.subarray(from, to),
    quantity: run.quantity.subarray(from, to),
    value: run.value.subarray(from, to),
    unit: run.unit && run.unit.subarray(from, to),
  };
}

/**
 * The runs merged into summed flows. Runs are given in file order (a file's parts, then the next
 * file); rows of one key and source are added up in that order: the first sets the unit, each
 * later one adds its quantity (rounded after each addition) and its value when it has one.
 */
export function mergeRuns(runs: readonly SortedRun[]): SortedTrade {
  const tables = unionTables(runs.map((run) => run.tables));
  const sources = union(
    runs.map((run) => [run.source]),
    (source) => source,
    compareText,
  );
  const units = union(
    runs.map((run) => run.units),
    (unit) => unit,
    compareText,
  );
  const keyed = runs.map((run) => keyedRun(run, tables, sources, units));
  const out = new MergedColumns(
    runs.reduce((sum, run) => sum + run.count, 0),
    tables,
    sources.length,
  );
  const heads = new Int32Array(runs.length);
  for (;;) {
    // The smallest key among the runs' next rows; on a tie the earlier run (file order).
    let best = -1;
    let key = 0;
    for (let r = 0; r < keyed.length; r++) {
      const run = keyed[r] as KeyedRun;
      const head = heads[r] ?? 0;
      if (head < run.count && (best === -1 || (run.key[head] ?? 0) < key)) {
        best = r;
        key = run.key[head] ?? 0;
      }
    }
    if (best === -1) break;
    const group = out.start(key);
    // The key's rows: the best run's, then each later run's (an earlier run with the key would
    // have been the best). The first row sets the unit.
    const first = keyed[best] as KeyedRun;
    out.setUnit(first.unit ? (first.unit[heads[best] ?? 0] ?? 0) : (first.groupUnit[group] ?? 0));
    for (let r = best; r < keyed.length; r++) {
      const run = keyed[r] as KeyedRun;
      let head = heads[r] ?? 0;
      while (head < run.count && run.key[head] === key) {
        out.add(run.quantity[head] ?? NaN, run.value[head] ?? NaN);
        head++;
      }
      heads[r] = head;
    }
  }
  return out.finish(tables, sources, units);
}

/**
 * A run in the merged tables: its keys times the number of sources plus its source's rank, and its
 * units as indexes into the merged units (by row when it has them so, else by merged group).
 */
interface KeyedRun {
  count: number;
  key: Float64Array;
  unit: Int32Array | null;
  groupUnit: Int32Array;
  quantity: Float64Array;
  value: Float64Array;
}

function keyedRun(run: SortedRun, tables: KeyTables, sources: string[], units: string[]): KeyedRun {
  const unitAt = rankIn(run.units, units, (text) => text);
  const groupAt = rankIn(run.tables.groups, tables.groups, groupKey);
  const groupUnit = new Int32Array(tables.groups.length).fill(-1);
  run.groupUnit.forEach((unit, group) => (groupUnit[groupAt[group] ?? 0] = unit < 0 ? -1 : (unitAt[unit] ?? 0)));
  const base = { count: run.count, groupUnit, quantity: run.quantity, value: run.value, unit: run.unit && mappedInts(run.unit, unitAt) };
  const source = sources.indexOf(run.source);
  const sameTables = sameTable(run.tables.groups, tables.groups) && sameTable(run.tables.years, tables.years) && sameTable(run.tables.codes, tables.codes);
  if (sameTables && sources.length === 1) return { ...base, key: run.key };
  // Ranks in the run's tables -> ranks in the merged ones.
  const yearAt = rankIn(run.tables.years, tables.years, (year) => year);
  const codeAt = rankIn(run.tables.codes, tables.codes, (code) => code);
  const own = { years: run.tables.years.length, codes: run.tables.codes.length };
  const [years, codes] = [tables.years.length, tables.codes.length];
  checkKeySpace(tables.groups.length * years * codes * codes * sources.length);
  const key = new Float64Array(run.count);
  for (let row = 0; row < run.count; row++) {
    const [slot, pair] = split(run.key[row] ?? 0, own.codes * own.codes);
    const [group, year] = split(slot, own.years);
    const [importer, exporter] = split(pair, own.codes);
    const merged = ((groupAt[group] ?? 0) * years + (yearAt[year] ?? 0)) * codes * codes + (codeAt[importer] ?? 0) * codes + (codeAt[exporter] ?? 0);
    key[row] = merged * sources.length + source;
  }
  return { ...base, key };
}

/** Whether a run's table is the merged one (the merged one holds all of it: equal sizes suffice). */
function sameTable<T>(own: readonly T[], all: readonly T[]): boolean {
  return own.length === all.length;
}

/** A whole number `value` = a * radix + b, as [a, b]. */
function split(value: number, radix: number): [number, number] {
  const a = Math.floor(value / radix);
  return [a, value - a * radix];
}

function mappedInts(ids: Int32Array, to: Int32Array): Int32Array {
  const out = new Int32Array(ids.length);
  for (let row = 0; row < ids.length; row++) out[row] = to[ids[row] ?? 0] ?? 0;
  return out;
}

/** The merge's output columns, one summed flow at a time. */
class MergedColumns {
  private length = 0;
  private readonly group: Int32Array;
  private readonly year: Int32Array;
  private readonly importer: Int32Array;
  private readonly exporter: Int32Array;
  private readonly source: Int32Array;
  private readonly unit: Int32Array;
  private readonly quantity: Float64Array;
  private readonly value: Float64Array;
  private readonly years: number;
  private readonly codes: number;
  /** Whether the current flow has had its first row. */
  private started = false;

  constructor(
    rows: number,
    tables: KeyTables,
    private readonly sources: number,
  ) {
    this.years = tables.years.length;
    this.codes = tables.codes.length;
    this.group = new Int32Array(rows);
    this.year = new Int32Array(rows);
    this.importer = new Int32Array(rows);
    this.exporter = new Int32Array(rows);
    this.source = new Int32Array(rows);
    this.unit = new Int32Array(rows);
    this.quantity = new Float64Array(rows);
    this.value = new Float64Array(rows);
  }

  /** A new flow, of the given key (see KeyedRun); returns its group. */
  start(key: number): number {
    const at = this.length++;
    // The key's digits, least significant first (no arrays: this runs once per flow).
    const rest = Math.floor(key / this.sources);
    this.source[at] = key - rest * this.sources;
    const pairs = this.codes * this.codes;
    const slot = Math.floor(rest / pairs);
    const pair = rest - slot * pairs;
    const importer = Math.floor(pair / this.codes);
    this.exporter[at] = pair - importer * this.codes;
    this.importer[at] = importer;
    const group = Math.floor(slot / this.years);
    this.year[at] = slot - group * this.years;
    this.group[at] = group;
    this.started = false;
    return group;
  }

  /** The current flow's unit: its first row's. */
  setUnit(unit: number): void {
    this.unit[this.length - 1] = unit;
  }

  /** A row of the current flow, as TradeSum.addFlow adds it. */
  add(quantity: number, value: number): void {
    const at = this.length - 1;
    if (!this.started) {
      this.started = true;
      this.quantity[at] = quantity;
      this.value[at] = value;
      return;
    }
    this.quantity[at] = roundQuantity((this.quantity[at] ?? 0) + quantity);
    if (!Number.isNaN(value)) {
      const sum = this.value[at] ?? NaN;
      this.value[at] = (Number.isNaN(sum) ? 0 : sum) + value;
    }
  }

  finish(tables: KeyTables, sources: string[], units: string[]): SortedTrade {
    const n = this.length;
    return {
      length: n,
      ...tables,
      units,
      sources,
      group: this.group.subarray(0, n),
      year: this.year.subarray(0, n),
      importer: this.importer.subarray(0, n),
      exporter: this.exporter.subarray(0, n),
      source: this.source.subarray(0, n),
      unit: this.unit.subarray(0, n),
      quantity: this.quantity.subarray(0, n),
      value: this.value.subarray(0, n),
    };
  }
}

/** The distinct values of several tables (one per key), sorted by `compare`. */
function union<T, K>(lists: readonly (readonly T[])[], keyOf: (value: T) => K, compare: (a: T, b: T) => number): T[] {
  const seen = new Map<K, T>();
  for (const list of lists) for (const value of list) if (!seen.has(keyOf(value))) seen.set(keyOf(value), value);
  return [...seen.values()].sort(compare);
}

/** For each value of `values`, its index in `all` (which holds every one of them). */
function rankIn<T, K>(values: readonly T[], all: readonly T[], keyOf: (value: T) => K): Int32Array {
  const index = new Map(all.map((value, at) => [keyOf(value), at]));
  return Int32Array.from(values, (value) => index.get(keyOf(value)) ?? 0);
}

/** The sorted flows read by position as trade rows (see TradeRowColumns), with the merge's columns for the writer. */
export function sortedTradeColumns(trade: SortedTrade): TradeRowColumns & { sorted: SortedTrade } {
  if (trade.rest) return withRest(trade, trade.rest);
  const group = (row: number) => trade.groups[trade.group[row] ?? 0];
  return {
    sorted: trade,
    length: trade.length,
    material: (row) => group(row)?.material ?? '',
    stage: (row) => group(row)?.stage ?? 'mining',
    exporter: (row) => trade.codes[trade.exporter[row] ?? 0] ?? '',
    importer: (row) => trade.codes[trade.importer[row] ?? 0] ?? '',
    year: (row) => trade.years[trade.year[row] ?? 0] ?? NaN,
    quantity: (row) => trade.quantity[row] ?? NaN,
    unit: (row) => trade.units[trade.unit[row] ?? 0] ?? '',
    valueUsd: (row) => {
      const value = trade.value[row] ?? NaN;
      return Number.isNaN(value) ? null : value;
    },
    source: (row) => trade.sources[trade.source[row] ?? 0] ?? '',
  };
}

/** The rows of `trade` (its own, then those of its rest) by position. */
function withRest(trade: SortedTrade, rest: SortedTrade): TradeRowColumns & { sorted: SortedTrade } {
  const own = sortedTradeColumns({ ...trade, rest: undefined });
  const after = sortedTradeColumns(rest);
  const n = trade.length;
  const pick =
    <T>(read: (columns: TradeRowColumns, row: number) => T) =>
    (row: number): T =>
      row < n ? read(own, row) : read(after, row - n);
  return {
    sorted: trade,
    length: n + after.length,
    material: pick((columns, row) => columns.material(row)),
    stage: pick((columns, row) => columns.stage(row)),
    exporter: pick((columns, row) => columns.exporter(row)),
    importer: pick((columns, row) => columns.importer(row)),
    year: pick((columns, row) => columns.year(row)),
    quantity: pick((columns, row) => columns.quantity(row)),
    unit: pick((columns, row) => columns.unit(row)),
    valueUsd: pick((columns, row) => columns.valueUsd(row)),
    source: pick((columns, row) => columns.source(row)),
  };
}

/** A part of a file read and sorted, with the gross weights of its converted flows (null: none). */
export interface ReadPart {
  run: SortedRun;
  gross: SortedRun | null;
}

/** The sink's flows sorted (ranked in `tables` when given), and its gross weights (in their own tables). */
export function finishPart(sink: RunSink, tables?: KeyTables): ReadPart {
  return { run: sortRun(sink, tables), gross: sink.grossRun ? sortRun(sink.grossRun) : null };
}

/** trade-gross.csv rows of merged gross weights (see RunSink.grossRun), the material of each code from `entries`. */
export function grossRows(gross: SortedTrade, entries: readonly HsEntry[]): GrossRow[] {
  const materials = new Map(entries.map((entry) => [entry.hs6, entry.material]));
  return grossRowsOf(sortedTradeColumns(gross), (hs6) => materials.get(hs6) ?? '');
}
