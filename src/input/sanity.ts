/**
 * Data sanity checks for `validate` (issue 12): findings that are not errors in the data contract
 * (every row may be valid) but that usually mean a mistake in preparing the data.
 *
 * - `duplicate-row`: a row of production.csv or trade.csv whose text repeats an earlier row exactly.
 *   The loader sums rows with the same key (several HS codes often map to one material), so a row
 *   pasted twice silently doubles a quantity. Rows are compared by a 64-bit hash of their text, so
 *   memory is 12 bytes a slot of an open-addressing table, not the rows themselves.
 * - `jump`: a country's quantity (production of a material and stage, or a trade flow exporter ->
 *   importer of a material and stage) that changes by a factor of JUMP_RULE.factor or more from one
 *   year with data to the next, when in one of the two years it is at least JUMP_RULE.minShare of the
 *   total it belongs to (world production of that year; the importer's imports of that year).
 *
 * The thresholds and their reasons are in docs/validate.md. The checks read the files a second time,
 * on their own, so the loader is untouched; rows the loader rejects are still hashed (a duplicate is
 * worth knowing about anyway), but only rows whose year and quantity read as plain numbers count
 * towards jumps.
 */
import { join } from 'node:path';
import { ByteTokenMap, fourDigits, plainDecimal, splitFields } from './byte-fields.js';
import { UNATTRIBUTED } from './countries.js';
import { FileProblem, readCsv, type CsvColumns, type CsvSpec } from './csv.js';
import { PRODUCTION_SPEC, TRADE_SPEC } from './dataset.js';
import { MAX_YEAR, MIN_YEAR, STAGES } from './fields.js';

export const WARNING_CLASSES = ['duplicate-row', 'jump', 'coverage', 'note'] as const;
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
  /** A change by this factor or more (up or down) between two consecutive years with data is a jump. */
  factor: number;
  /** ... when the quantity is at least this share of its total in one of the two years. */
  minShare: number;
}

export const JUMP_RULE: Readonly<JumpRule> = Object.freeze({ factor: 10, minShare: 0.01 });
/** Warnings listed per class and file; the rest are counted (as problems are). */
export const WARNINGS_LISTED = 50;

// ---------------------------------------------------------------------------------------------
// Pure parts: the row hash, the duplicate index and the jump search.

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
      this.slots.set(old.subarray(at, at + 3), slot * 3);
    }
  }
}

/** The smallest power of two that holds `rows` at most 3/4 full (at least 1024). */
function capacityFor(rows: number): number {
  let capacity = 1024;
  while (capacity * 3 < rows * 4) capacity *= 2;
  return capacity;
}

/** Ids fit these sizes: a group below 2^25, a series below 2^12, a year offset below 2^8. */
export const MAX_SERIES = 4096;
export const MAX_GROUP = 1 << 25;
const YEARS = 256;

/** A jump between two consecutive years with data of one series (a country, or an exporter) in one group. */
export interface Jump {
  group: number;
  series: number;
  year: number;
  nextYear: number;
  quantity: number;
  nextQuantity: number;
  /** Share of the group's total of each year. */
  share: number;
  nextShare: number;
  /** The first line of the rows summed for each year, and how many rows were summed. */
  line: number;
  nextLine: number;
  rows: number;
  nextRows: number;
}

/**
 * How the groups of a YearSeries relate: `timelineOf` maps a group to the set of groups that share
 * one time axis (the years with data), and with `seriesTotals` a series' share is also measured
 * against its total over the groups of its timeline (an exporter's exports), the larger total counting.
 */
export interface SeriesShape {
  timelineOf: (group: number) => number;
  seriesTotals: boolean;
}

/** Production: a group (material and stage) is its own timeline; shares are of world production. */
export const PRODUCTION_SHAPE: SeriesShape = { timelineOf: (group) => group, seriesTotals: false };
/**
 * Trade: a group is a material, stage and importer, its timeline the material and stage; a flow's
 * share is of the larger of the importer's imports and the exporter's exports.
 */
export const TRADE_SHAPE: SeriesShape = { timelineOf: (group) => Math.floor(group / MAX_SERIES), seriesTotals: true };

/**
 * Quantities summed by (group, series, year), and totals by group and year (and by timeline, series
 * and year). A group is what a share is taken of: a material and stage for production, a material,
 * stage and importer for trade. Keys are numbers (group, series and year packed below 2^45) in an
 * open-addressing table of typed arrays, 24 bytes a slot, so a trade file of millions of flows does
 * not make millions of objects.
 */
export class YearSeries {
  private keys = new Float64Array(1024).fill(-1);
  private sums = new Float64Array(1024);
  private firstLines = new Uint32Array(1024);
  private rowCounts = new Uint32Array(1024);
  private count = 0;
  /** Total of each group and year, keyed group * YEARS + year offset. */
  private readonly totals = new Map<number, number>();
  /** Years with data of each timeline, keyed timeline * YEARS + year offset. */
  private readonly timelineYears = new Set<number>();
  /** Total of each series in a timeline and year, keyed (timeline * MAX_SERIES + series) * YEARS + year offset. */
  private readonly seriesTotals = new Map<number, number>();

  constructor(private readonly shape: SeriesShape = PRODUCTION_SHAPE) {}

  add(group: number, series: number, year: number, quantity: number, line: number): void {
    if (group < 0 || group >= MAX_GROUP || series < 0 || series >= MAX_SERIES || year < MIN_YEAR || year > MAX_YEAR) return;
    const offset = year - MIN_YEAR;
    const totalKey = group * YEARS + offset;
    this.totals.set(totalKey, (this.totals.get(totalKey) ?? 0) + quantity);
    const timeline = this.shape.timelineOf(group);
    this.timelineYears.add(timeline * YEARS + offset);
    if (this.shape.seriesTotals) {
      const seriesKey = (timeline * MAX_SERIES + series) * YEARS + offset;
      this.seriesTotals.set(seriesKey, (this.seriesTotals.get(seriesKey) ?? 0) + quantity);
    }
    const key = (group * MAX_SERIES + series) * YEARS + offset;
    const slot = this.slotOf(key);
    if (this.keys[slot] === key) {
      this.sums[slot] = (this.sums[slot] ?? 0) + quantity;
      this.rowCounts[slot] = (this.rowCounts[slot] ?? 0) + 1;
      return;
    }
    this.keys[slot] = key;
    this.sums[slot] = quantity;
    this.firstLines[slot] = line;
    this.rowCounts[slot] = 1;
    this.count += 1;
    if (this.count * 4 > this.keys.length * 3) this.resize(this.keys.length * 2);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.keys.byteLength + this.sums.byteLength + this.firstLines.byteLength + this.rowCounts.byteLength;
  }

  /**
   * Each pair of consecutive years with data of a timeline (years in which any group of it has a
   * row) in which a series of a group has a quantity > 0 in both, changes by `rule.factor` or more,
   * and is at least `rule.minShare` of its total in one of the two years. A series absent (or zero)
   * in one of the two years is not judged: flows start and stop. `skip` leaves pairs out (the
   * unattributed remainder). Sorted by line.
   */
  jumps(rule: JumpRule, skip: (group: number, series: number) => boolean = () => false): Jump[] {
    const nextYear = this.nextYears();
    const found: Jump[] = [];
    for (let slot = 0; slot < this.keys.length; slot += 1) {
      const key = this.keys[slot] ?? -1;
      if (key < 0) continue;
      const offset = key % YEARS;
      const groupSeries = (key - offset) / YEARS;
      const series = groupSeries % MAX_SERIES;
      const group = (groupSeries - series) / MAX_SERIES;
      if (skip(group, series)) continue;
      const timeline = this.shape.timelineOf(group);
      const next = nextYear.get(timeline * YEARS + offset);
      if (next === undefined) continue;
      const nextSlot = this.slotOf(groupSeries * YEARS + next);
      if (this.keys[nextSlot] !== groupSeries * YEARS + next) continue;
      const quantity = this.sums[slot] ?? 0;
      const nextQuantity = this.sums[nextSlot] ?? 0;
      if (!(quantity > 0 && nextQuantity > 0)) continue;
      if (Math.max(quantity, nextQuantity) < rule.factor * Math.min(quantity, nextQuantity)) continue;
      const share = quantity / this.totalFor(group, timeline, series, offset, quantity);
      const nextShare = nextQuantity / this.totalFor(group, timeline, series, next, nextQuantity);
      if (Math.max(share, nextShare) < rule.minShare) continue;
      found.push({
        group,
        series,
        year: MIN_YEAR + offset,
        nextYear: MIN_YEAR + next,
        quantity,
        nextQuantity,
        share,
        nextShare,
        line: this.firstLines[slot] ?? 0,
        nextLine: this.firstLines[nextSlot] ?? 0,
        rows: this.rowCounts[slot] ?? 0,
        nextRows: this.rowCounts[nextSlot] ?? 0,
      });
    }
    return found.sort((x, y) => x.line - y.line || x.nextLine - y.nextLine);
  }

  /** What a share is taken of: the group's total, or the series' total over the timeline when larger. */
  private totalFor(group: number, timeline: number, series: number, offset: number, quantity: number): number {
    const groupTotal = this.totals.get(group * YEARS + offset) ?? quantity;
    if (!this.shape.seriesTotals) return groupTotal;
    return Math.max(groupTotal, this.seriesTotals.get((timeline * MAX_SERIES + series) * YEARS + offset) ?? quantity);
  }

  /** For each timeline and year offset with data, the timeline's next year offset with data. */
  private nextYears(): Map<number, number> {
    const keys = [...this.timelineYears].sort((x, y) => x - y);
    const next = new Map<number, number>();
    for (let i = 0; i + 1 < keys.length; i += 1) {
      const key = keys[i] ?? 0;
      const following = keys[i + 1] ?? 0;
      if (Math.floor(key / YEARS) === Math.floor(following / YEARS)) next.set(key, following % YEARS);
    }
    return next;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private slotOf(key: number): number {
    const mask = this.keys.length - 1;
    const low = key >>> 0;
    const high = Math.floor(key / 4294967296);
    for (let slot = mix32(low ^ Math.imul(high, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const known = this.keys[slot] ?? -1;
      if (known === key || known < 0) return slot;
    }
  }

  private resize(capacity: number): void {
    const { keys, sums, firstLines, rowCounts } = this;
    this.keys = new Float64Array(capacity).fill(-1);
    this.sums = new Float64Array(capacity);
    this.firstLines = new Uint32Array(capacity);
    this.rowCounts = new Uint32Array(capacity);
    for (let old = 0; old < keys.length; old += 1) {
      const key = keys[old] ?? -1;
      if (key < 0) continue;
      const slot = this.slotOf(key);
      this.keys[slot] = key;
      this.sums[slot] = sums[old] ?? 0;
      this.firstLines[slot] = firstLines[old] ?? 0;
      this.rowCounts[slot] = rowCounts[old] ?? 0;
    }
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
// Reading: one pass over production.csv and one over trade.csv.

export interface SanityResult {
  warnings: WarningList;
  /** What the checks held in memory at the end, per file (for docs/validate.md's cost figures). */
  memory: { file: string; rows: number; hashBytes: number; seriesKeys: number; seriesBytes: number }[];
}

/** Runs both checks on a data folder; a file that cannot be read (the loader says why) is left out. */
export async function checkSanity(dir: string, rule: JumpRule = JUMP_RULE, listed = WARNINGS_LISTED): Promise<SanityResult> {
  const warnings = new WarningList(listed);
  const names = new Names();
  const memory: SanityResult['memory'] = [];
  for (const kind of ['production', 'trade'] as const) {
    const scan = new FileScan(kind, names, listed);
    if (!(await scan.read(join(dir, scan.spec.label)))) continue;
    for (const duplicate of scan.duplicates) warnings.add(duplicateWarning(scan.spec.label, duplicate.first, duplicate.repeat));
    warnings.count('duplicate-row', scan.duplicatesFound - scan.duplicates.length);
    // The unattributed remainder is not a country: its size follows how many countries a source lists.
    const unattributed = (id: number): boolean => names.countries.values[id] === UNATTRIBUTED;
    const skip = (group: number, series: number): boolean => unattributed(series) || (kind === 'trade' && unattributed(scan.importerOf(group)));
    for (const jump of scan.series.jumps(rule, skip)) warnings.add(jumpWarning(scan, names, jump));
    memory.push({
      file: scan.spec.label,
      rows: scan.hashes.size,
      hashBytes: scan.hashes.bytes,
      seriesKeys: scan.series.size,
      seriesBytes: scan.series.bytes,
    });
  }
  return { warnings, memory };
}

function duplicateWarning(file: string, first: number, repeat: number): DataWarning {
  return {
    class: 'duplicate-row',
    file,
    lines: [first, repeat],
    message: `line ${repeat} repeats line ${first} exactly; the loader sums the two (delete one if it was pasted twice)`,
  };
}

function jumpWarning(scan: FileScan, names: Names, jump: Jump): DataWarning {
  const unit = scan.units[scan.sliceOf(jump.group)] ?? '';
  const what = scan.describe(jump.group, jump.series);
  const up = jump.nextQuantity > jump.quantity;
  const factor = up ? jump.nextQuantity / jump.quantity : jump.quantity / jump.nextQuantity;
  const share = jump.share >= jump.nextShare ? jump.share : jump.nextShare;
  const shareYear = jump.share >= jump.nextShare ? jump.year : jump.nextYear;
  const country = (id: number): string => names.countries.values[id] ?? '?';
  const of = scan.kind === 'production' ? 'world production' : `the larger of ${country(jump.series)}'s exports and ${country(scan.importerOf(jump.group))}'s imports`;
  const summed = (rows: number): string => (rows > 1 ? `, ${rows} rows summed` : '');
  return {
    class: 'jump',
    file: scan.spec.label,
    lines: [jump.line, jump.nextLine],
    message:
      `${what} ${up ? 'rose' : 'fell'} x${formatFactor(factor)} from ${jump.year} (${formatQuantity(jump.quantity)} ${unit}, line ${jump.line}${summed(jump.rows)}) ` +
      `to ${jump.nextYear} (${formatQuantity(jump.nextQuantity)} ${unit}, line ${jump.nextLine}${summed(jump.nextRows)}); ` +
      `${(share * 100).toFixed(1)}% of ${of} in ${shareYear}. A unit, decimal or coverage slip? (threshold x${JUMP_RULE.factor} at ${JUMP_RULE.minShare * 100}%)`,
  };
}

function formatFactor(factor: number): string {
  return factor >= 100 ? String(Math.round(factor)) : factor.toFixed(1);
}

function formatQuantity(quantity: number): string {
  return String(Number(quantity.toPrecision(6)));
}

/** Materials and countries by id, shared by both files (ids index the packed keys). */
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
 * agree and `"COD"` repeats `COD`.
 */
class FileScan {
  readonly spec: CsvSpec;
  readonly hashes = new RowHashIndex();
  readonly series: YearSeries;
  /** The first duplicates, in file order (as many as are listed), and how many there are in all. */
  readonly duplicates: { first: number; repeat: number }[] = [];
  duplicatesFound = 0;
  /** The unit of the first row of each slice (material id * 2 + stage index). */
  readonly units: (string | undefined)[] = [];
  private readonly hash = new Uint32Array(2);

  constructor(
    readonly kind: 'production' | 'trade',
    private readonly names: Names,
    private readonly listed: number,
  ) {
    this.spec = kind === 'production' ? PRODUCTION_SPEC : TRADE_SPEC;
    this.series = new YearSeries(kind === 'production' ? PRODUCTION_SHAPE : TRADE_SHAPE);
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
          // After the first chunk, room for the rows the whole file will hold (no doubling on the way).
          progress: (read) => {
            if (sizing.done || read.rowsRead === 0 || read.bytesRead === 0) return;
            sizing.done = true;
            this.hashes.reserve(Math.ceil((read.rowsRead * read.bytesTotal) / read.bytesRead));
          },
        },
      );
    } catch (error) {
      if (error instanceof FileProblem) return false;
      throw error;
    }
    return true;
  }

  sliceOf(group: number): number {
    return this.kind === 'production' ? group : Math.floor(group / MAX_SERIES);
  }

  importerOf(group: number): number {
    return group % MAX_SERIES;
  }

  /** "cobalt mining COD", "cobalt refining FIN->JPN". */
  describe(group: number, series: number): string {
    const slice = this.sliceOf(group);
    const material = this.names.materials.values[slice >> 1] ?? '?';
    const stage = STAGES[slice & 1] ?? '?';
    const country = this.names.countries.values[series] ?? '?';
    const flow = this.kind === 'production' ? country : `${country}->${this.names.countries.values[this.importerOf(group)] ?? '?'}`;
    return `${material} ${stage} ${flow}`;
  }

  private noteHash(line: number): void {
    const first = this.hashes.firstLine(this.hash[0] ?? 0, this.hash[1] ?? 0, line);
    if (first === 0) return;
    this.duplicatesFound += 1;
    if (this.duplicates.length < this.listed) this.duplicates.push({ first, repeat: line });
  }

  /** Adds one row's quantity; ids already checked (>= 0). */
  private addQuantity(material: number, stage: number, country: number, importer: number, year: number, quantity: number, line: number, unit: () => string): void {
    const slice = material * 2 + stage;
    if (this.units[slice] === undefined) this.units[slice] = unit();
    const group = this.kind === 'production' ? slice : slice * MAX_SERIES + importer;
    this.series.add(group, country, year, quantity, line);
  }

  /** The record path: fields parsed by csv.ts. */
  private record(fields: string[], line: number, columns: CsvColumns): void {
    const text = fields.map((field) => (NEEDS_QUOTES.test(field) ? `"${field.replace(/"/g, '""')}"` : field)).join(',');
    const bytes = Buffer.from(text, 'utf8');
    hashRow(bytes, 0, bytes.length, this.hash);
    this.noteHash(line);
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
    if (material < 0 || stage < 0 || country < 0 || importer < 0 || !YEAR.test(yearText) || !PLAIN_NUMBER.test(quantityText)) return;
    if (this.kind === 'trade' && country === importer) return;
    this.addQuantity(material, stage, country, importer, Number(yearText), Number(quantityText), line, () => at('unit'));
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
    const unitAt = position('unit');
    const fieldCount = columns.names.length;
    const starts = new Int32Array(fieldCount + 1);
    const materials = new TokenIds((text) => (MATERIAL.test(text) ? this.names.materials.id(text) : -1));
    const stages = new TokenIds((text) => STAGES.indexOf(text as (typeof STAGES)[number]));
    const countries = new TokenIds((text) => this.countryId(text));
    const decoder = new TextDecoder();
    const from = (column: number): number => starts[column] ?? 0;
    const to = (column: number): number => (starts[column + 1] ?? 0) - 1;
    return (bytes, start, end, line) => {
      if (splitFields(bytes, start, end, starts, fieldCount) !== fieldCount) return false;
      const material = materials.id(bytes, from(materialAt), to(materialAt));
      const stage = stages.id(bytes, from(stageAt), to(stageAt));
      const country = countries.id(bytes, from(countryAt), to(countryAt));
      const importer = importerAt < 0 ? 0 : countries.id(bytes, from(importerAt), to(importerAt));
      const year = fourDigits(bytes, from(yearAt), to(yearAt));
      const quantity = plainDecimal(bytes, from(quantityAt), to(quantityAt));
      // Anything unusual (spaces, W, a blank row, a bad code) takes the record path, which knows it all.
      if (material < 0 || stage < 0 || country < 0 || importer < 0 || year < 0 || Number.isNaN(quantity)) return false;
      hashRow(bytes, start, end, this.hash);
      this.noteHash(line);
      if (this.kind === 'production' || country !== importer) {
        this.addQuantity(material, stage, country, importer, year, quantity, line, () => decoder.decode(bytes.subarray(from(unitAt), to(unitAt))).trim());
      }
      return true;
    };
  }
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
